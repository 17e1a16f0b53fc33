/**
 * Cassandra one-event saves, for profiling and for comparing trees in one process:
 *   CASSANDRA_CONTACT_POINTS=127.0.0.1:9042 npx tsx bench/cassandraProfile.ts [options] [tree…]
 * Each tree is a checkout of this repository (default: this one); its library saves one change
 * at a time (or `--lanes N` at once on N aggregates) beside the raw driver's prepared
 * `INSERT … IF NOT EXISTS`, in interleaved rounds. Prints per round and as medians: wall and
 * client CPU (`process.cpuUsage`) per save, and each tree's throughput ÷ the raw loop's.
 *   --rounds R (9)  --writes W per contender per round (320)  --lanes N (1)
 *   --only-tree     no raw loop (for `node --cpu-prof`: the profile holds the tree's saves only)
 *   --recorder      also each tree's event recorder alone: `insert` of a record made beforehand
 */
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import cassandra from 'cassandra-driver'
import { rawLwtInsert, rawPartitions } from './lib/rawLwt'

interface Aggregate {
  foo: string
  save(): Promise<unknown>
}
interface App {
  createExampleAggregate(foo: string): Aggregate
  close(): Promise<void>
}

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '9' },
    writes: { type: 'string', default: '320' },
    lanes: { type: 'string', default: '1' },
    'only-tree': { type: 'boolean', default: false },
    recorder: { type: 'boolean', default: false },
  },
})
const ROUNDS = Number(opts.rounds)
const WRITES = Number(opts.writes)
const LANES = Number(opts.lanes)
const trees = (positionals.length ? positionals : ['.']).map((t) => resolve(t))

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function measure(
  op: (lane: number) => Promise<void>,
): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      for (let i = 0; i < WRITES / LANES; i++) await op(lane)
    }),
  )
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { wall: wall / WRITES, cpu: (cpu.user + cpu.system) / 1000 / WRITES }
}

async function main(): Promise<void> {
  const contactPoints = (process.env['CASSANDRA_CONTACT_POINTS'] ?? '127.0.0.1:9042').split(',')
  const keyspace = `eventscope_prof_${randomBytes(4).toString('hex')}`
  const raw = new cassandra.Client({ contactPoints, localDataCenter: 'datacenter1' })
  await raw.connect()
  const contenders: {
    key: string
    op: (lane: number) => Promise<void>
    close?: () => Promise<void>
  }[] = []
  try {
    for (const [i, tree] of trees.entries()) {
      const lib = (await import(`${tree}/electron/eventsourcing/index.ts`)) as {
        openStore(settings: unknown): Promise<unknown>
      }
      const { EverythingApplication } = (await import(
        `${tree}/electron/example/everythingApplication.ts`
      )) as { EverythingApplication: new (o: unknown) => App }
      const store = (await lib.openStore({
        kind: 'cassandra',
        contactPoints,
        localDataCenter: 'datacenter1',
        keyspace: `${keyspace}_${i}`,
      })) as { events: { insert(records: unknown[]): Promise<void> } }
      const app = new EverythingApplication({
        store,
        compress: false,
        snapshotPeriod: 0,
      })
      const aggregates: Aggregate[] = []
      for (let l = 0; l < LANES; l++) {
        const a = app.createExampleAggregate('start')
        await a.save()
        aggregates.push(a)
      }
      let n = 0
      contenders.push({
        key: `tree${i}`,
        op: async (lane) => {
          const a = aggregates[lane]!
          a.foo = `value ${++n}`
          await a.save()
        },
        close: () => app.close(),
      })
      if (opts.recorder) {
        const ids = Array.from({ length: LANES }, () => ({ id: crypto.randomUUID(), v: 0 }))
        const state = Buffer.alloc(250, 1)
        contenders.push({
          key: `rec${i}`,
          op: (lane) => {
            const p = ids[lane]!
            const record = {
              originatorId: p.id,
              originatorVersion: p.v++,
              topic: 'example#X.Y',
              state,
            }
            return store.events.insert([record])
          },
        })
      }
    }
    if (!opts['only-tree']) {
      const ks = `${keyspace}_0`
      const rawInsert = await rawLwtInsert(raw, ks)
      const parts = rawPartitions(LANES)
      contenders.unshift({ key: 'raw', op: (lane) => rawInsert(parts[lane]!) })
    }
    const results = new Map<string, { wall: number[]; cpu: number[] }>()
    for (let r = 0; r <= ROUNDS; r++) {
      const line: string[] = []
      for (const c of contenders) {
        const m = await measure(c.op)
        if (r === 0) continue // warm-up
        const got = results.get(c.key) ?? { wall: [], cpu: [] }
        got.wall.push(m.wall)
        got.cpu.push(m.cpu)
        results.set(c.key, got)
        line.push(`${c.key} ${m.wall.toFixed(3)}/${m.cpu.toFixed(3)}`)
      }
      if (r > 0) console.log(`round ${r}: ${line.join('  ')}  (ms wall/cpu per save)`)
    }
    const rawWall = results.get('raw')?.wall
    for (const [key, { wall, cpu }] of results) {
      const ratio = rawWall
        ? `  raw÷this ${median(wall.map((w, i) => rawWall[i]! / w)).toFixed(3)} (of medians ${(median(rawWall) / median(wall)).toFixed(3)})`
        : ''
      console.log(
        `${key}: wall ${median(wall).toFixed(3)} ms, cpu ${median(cpu).toFixed(3)} ms per save${ratio}`,
      )
    }
  } finally {
    for (const c of contenders) await c.close?.()
    for (let i = 0; i < trees.length; i++)
      await raw.execute(`DROP KEYSPACE IF EXISTS ${keyspace}_${i}`).catch(() => {})
    await raw.shutdown()
  }
}

await main()
