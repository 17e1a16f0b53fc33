/**
 * Eventscope's one-event save on Cassandra against a raw `INSERT … IF NOT EXISTS` loop, one at a
 * time and with K saves in flight on K different aggregates (raw: K different partitions), in
 * interleaved rounds (the order rotates each round), on a throwaway keyspace dropped at the end.
 * The write half of bench/compare-cassandra.ts, plus the concurrent case; no reads.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --expose-gc --import tsx bench/cassandra-saves.ts [ops] [rounds] [K]
 *
 * ops: saves per measured block (default 400; with K in flight, ops in all); rounds: default 7.
 * Prints per round and the medians: ms per op, ops/s and raw ÷ Eventscope (throughput ratio).
 */
import { randomBytes } from 'node:crypto'
import cassandra from 'cassandra-driver'
import { openStore, UUID } from '../electron/eventsourcing'
import { cassandraSettingsFromEnv } from '../electron/explorer/storeEnv'
import { EverythingApplication } from '../electron/example/everythingApplication'
import type { ExampleAggregateRoot } from '../electron/example/exampleAggregateRoot'

const ops = Number(process.argv[2] ?? 400)
const rounds = Number(process.argv[3] ?? 7)
const inFlight = Number(process.argv[4] ?? 16)
const gc = (globalThis as { gc?: () => void }).gc
const { consistencies } = cassandra.types
const settings = {
  ...cassandraSettingsFromEnv(),
  keyspace: `eventscope_bench_${randomBytes(4).toString('hex')}`,
}
const keyspace = settings.keyspace

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function main(): Promise<void> {
  const raw = new cassandra.Client({
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
  })
  await raw.connect()
  const app = new EverythingApplication({
    store: await openStore({ kind: 'cassandra', ...settings }),
    compress: false,
    snapshotPeriod: 0,
  })
  try {
    await raw.execute(
      `CREATE TABLE IF NOT EXISTS ${keyspace}.raw_events (originator_id uuid, originator_version bigint, topic text, state blob, PRIMARY KEY ((originator_id), originator_version))`,
    )
    const insert = `INSERT INTO ${keyspace}.raw_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?) IF NOT EXISTS`
    const lwt = {
      prepare: true,
      consistency: consistencies.quorum,
      serialConsistency: consistencies.serial,
    }
    // A state of the size Eventscope stores for an AttributeChanged event.
    const state = (i: number): Buffer =>
      Buffer.concat([
        Buffer.of(0),
        Buffer.from(
          JSON.stringify({
            name: '_foo',
            value: `value ${i}`,
            timestamp: { _t_: 'date', _v_: new Date().toISOString() },
            previousHash: randomBytes(32).toString('hex'),
            hash: randomBytes(32).toString('hex'),
          }),
        ),
      ])
    const rawLanes = Array.from({ length: inFlight }, () => ({ id: UUID.v4().toString(), v: 0 }))
    const rawWrite = async (lane: number): Promise<void> => {
      const l = rawLanes[lane]!
      const v = l.v++
      const rs = await raw.execute(
        insert,
        [l.id, v, 'example#ExampleAggregateRoot.AttributeChanged', state(v)],
        lwt,
      )
      if (!rs.wasApplied()) throw new Error('raw LWT insert not applied')
    }
    const aggregates: ExampleAggregateRoot[] = []
    for (let i = 0; i < inFlight; i++) {
      const a = app.createExampleAggregate('start')
      await a.save()
      aggregates.push(a)
    }
    let n = 0
    const esWrite = async (lane: number): Promise<void> => {
      const a = aggregates[lane]!
      a.foo = `value ${++n}`
      await a.save()
    }
    // Creations (the first save of an aggregate), one at a time.
    const esCreate = async (): Promise<void> => {
      await app.createExampleAggregate('new').save()
    }
    const rawCreate = async (): Promise<void> => {
      const rs = await raw.execute(
        insert,
        [UUID.v4().toString(), 0, 'example#ExampleAggregateRoot.Created', state(0)],
        lwt,
      )
      if (!rs.wasApplied()) throw new Error('raw LWT insert not applied')
    }
    /** ms per op of `count` writes, `lanes` at a time. */
    const block = async (
      write: (lane: number) => Promise<void>,
      lanes: number,
      count: number,
    ): Promise<number> => {
      gc?.()
      const per = Math.ceil(count / lanes)
      const t0 = process.hrtime.bigint()
      await Promise.all(
        Array.from({ length: lanes }, async (_, lane) => {
          for (let i = 0; i < per; i++) await write(lane)
        }),
      )
      return Number(process.hrtime.bigint() - t0) / 1e6 / (per * lanes)
    }
    const cases = {
      'raw 1': () => block(rawWrite, 1, ops),
      'es 1': () => block(esWrite, 1, ops),
      [`raw ${inFlight}`]: () => block(rawWrite, inFlight, ops * 2),
      [`es ${inFlight}`]: () => block(esWrite, inFlight, ops * 2),
      'raw create': () => block(rawCreate, 1, ops / 4),
      'es create': () => block(esCreate, 1, ops / 4),
    } as Record<string, () => Promise<number>>
    const names = Object.keys(cases)
    for (const name of names) await cases[name]!() // warm-up
    const ms = new Map(names.map((k) => [k, [] as number[]]))
    for (let r = 0; r < rounds; r++) {
      const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)]
      for (const name of order) ms.get(name)!.push(await cases[name]!())
      const ratio = (k: string): string =>
        (ms.get(`raw ${k}`)!.at(-1)! / ms.get(`es ${k}`)!.at(-1)!).toFixed(2)
      console.log(
        `round ${r + 1}: raw÷es one at a time ${ratio('1')}, ${inFlight} in flight ${ratio(String(inFlight))}, creations ${ratio('create')}`,
      )
    }
    console.log(
      `\n| case | ms/op (median of ${rounds}) | ops/s | raw ÷ Eventscope (median of rounds) |`,
    )
    console.log('| --- | ---: | ---: | ---: |')
    for (const k of ['1', String(inFlight), 'create']) {
      const ratios = ms.get(`raw ${k}`)!.map((v, i) => v / ms.get(`es ${k}`)![i]!)
      for (const who of ['raw', 'es']) {
        const m = median(ms.get(`${who} ${k}`)!)
        console.log(
          `| ${who} ${k === '1' ? 'one at a time' : k === 'create' ? 'creation, one at a time' : `${k} in flight`} | ${m.toFixed(3)} | ${Math.round(1000 / m)} | ${who === 'es' ? `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : ''} |`,
        )
      }
    }
  } finally {
    await app.close()
    await raw.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {})
    await raw.shutdown()
  }
}

await main()
