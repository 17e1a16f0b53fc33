/**
 * Eventscope on Cassandra against the raw cassandra-driver, on a real node (127.0.0.1:9042 by
 * default; CASSANDRA_CONTACT_POINTS / CASSANDRA_LOCAL_DC as for the store):
 *
 *   writes  raw: N sequential prepared `INSERT … IF NOT EXISTS` of single rows into one partition
 *           (QUORUM / SERIAL, as Eventscope's conditional write); Eventscope: N saves of a
 *           single-event batch to one aggregate through the Application (intent log + index row
 *           before, the LWT insert, then the confirmation writes). For reference, the same row
 *           written without a condition (what each log/index write costs). Interleaved in blocks.
 *   reads   raw: eachRow (autoPage, fetchSize 5000) over the 10,000-row partition of the aggregate
 *           Eventscope wrote, with and without JSON.parse of each state; Eventscope:
 *           repository.replay of that aggregate (hash check on, and off for reference).
 *
 * Everything goes to a throwaway keyspace (eventscope_bench_<random>), dropped at the end.
 *
 *   bash scripts/cassandra.sh status || bash scripts/cassandra.sh start
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --expose-gc --import tsx bench/compare-cassandra.ts [N] [events] [runs]
 */
import { randomBytes } from 'node:crypto'
import cassandra from 'cassandra-driver'
import { openStore, Repository, UUID } from '../electron/eventsourcing'
import { cassandraSettingsFromEnv } from '../electron/explorer/storeEnv'
import { EverythingApplication } from '../electron/example/everythingApplication'

const writes = Number(process.argv[2] ?? 2000)
const events = Number(process.argv[3] ?? 10_000)
const runs = Math.max(7, Number(process.argv[4] ?? 9))
const WARMUP_WRITES = 50
const WARMUP_READS = 2
const BLOCKS = 8
const FILL_BATCH = 100 // events per save while filling up to `events` (~25 KB: under Cassandra's 50 KiB batch limit)
const gc = (globalThis as { gc?: () => void }).gc
const { consistencies } = cassandra.types

const settings = {
  ...cassandraSettingsFromEnv(),
  keyspace: `eventscope_bench_${randomBytes(4).toString('hex')}`,
}
const keyspace = settings.keyspace

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

async function main(): Promise<void> {
  const raw = new cassandra.Client({
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    ...(settings.username
      ? { credentials: { username: settings.username, password: settings.password ?? '' } }
      : {}),
  })
  try {
    await raw.connect()
  } catch (error) {
    console.error(
      `cannot reach Cassandra at ${settings.contactPoints.join(', ')}: ${(error as Error).message}\n` +
        'start it with: bash scripts/cassandra.sh start',
    )
    process.exitCode = 1
    await raw.shutdown()
    return
  }
  const release = (await raw.execute('SELECT release_version FROM system.local')).first()?.[
    'release_version'
  ] as string
  console.log(
    `Cassandra ${release} at ${settings.contactPoints.join(', ')}; throwaway keyspace ${keyspace}`,
  )

  // The store creates the keyspace and its tables; the raw table goes beside them.
  const app = new EverythingApplication({
    store: await openStore({ kind: 'cassandra', ...settings }),
    compress: false,
    snapshotPeriod: 0,
  })
  try {
    await raw.execute(
      `CREATE TABLE IF NOT EXISTS ${keyspace}.raw_events (originator_id uuid, originator_version bigint, topic text, state blob, PRIMARY KEY ((originator_id), originator_version)) WITH CLUSTERING ORDER BY (originator_version ASC)`,
    )
    await new Promise((r) => setTimeout(r, 500)) // schema agreement on one node is immediate; be safe

    // ---------------------------------------------------------------------------------------
    // Writes
    const insert = `INSERT INTO ${keyspace}.raw_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?) IF NOT EXISTS`
    const lwt = {
      prepare: true,
      consistency: consistencies.quorum,
      serialConsistency: consistencies.serial,
    }
    const rawId = UUID.v4().toString()
    // A state of the size Eventscope stores for an AttributeChanged event (format byte + JSON).
    const sampleState = (i: number): Buffer =>
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
    let rawVersion = 0
    const rawInsert = async (): Promise<void> => {
      const v = rawVersion++
      const rs = await raw.execute(
        insert,
        [rawId, v, 'example#ExampleAggregateRoot.AttributeChanged', sampleState(v)],
        lwt,
      )
      if (!rs.wasApplied()) throw new Error('raw LWT insert not applied')
    }
    // For reference: the same row written without a condition (no Paxos), as the log/index writes are.
    const plainInsert = insert.replace(' IF NOT EXISTS', '')
    const plainId = UUID.v4().toString()
    let plainVersion = 0
    const rawPlainInsert = async (): Promise<void> => {
      const v = plainVersion++
      await raw.execute(
        plainInsert,
        [plainId, v, 'example#ExampleAggregateRoot.AttributeChanged', sampleState(v)],
        {
          prepare: true,
          consistency: consistencies.quorum,
        },
      )
    }

    const aggregate = app.createExampleAggregate('start')
    await aggregate.save()
    let n = 0
    const save = async (): Promise<void> => {
      aggregate.foo = `value ${++n}`
      await aggregate.save()
    }

    const writers = { raw: rawInsert, es: save, plain: rawPlainInsert }
    for (let i = 0; i < WARMUP_WRITES; i++) {
      await rawInsert()
      await save()
      await rawPlainInsert()
    }
    const perBlock = Math.ceil(writes / BLOCKS)
    const blockMs = { raw: [] as number[], es: [] as number[], plain: [] as number[] }
    let done = 0
    for (let b = 0; b < BLOCKS && done < writes; b++) {
      const size = Math.min(perBlock, writes - done)
      // Rotate which goes first, so none always follows another's flush or compaction.
      const all = ['raw', 'es', 'plain'] as const
      const order = [...all.slice(b % 3), ...all.slice(0, b % 3)]
      for (const who of order) {
        const write = writers[who]
        gc?.()
        const ms = await timed(async () => {
          for (let i = 0; i < size; i++) await write()
        })
        blockMs[who].push(ms / size)
      }
      done += size
      process.stdout.write(`\rwrites: ${done}/${writes} of each`)
    }
    process.stdout.write('\n')

    // ---------------------------------------------------------------------------------------
    // Fill the aggregate up to `events`, then read it back.
    while (aggregate.version < events - 1) {
      const k = Math.min(FILL_BATCH, events - 1 - aggregate.version)
      for (let i = 0; i < k; i++) aggregate.foo = `value ${++n}`
      await aggregate.save()
    }
    const id = aggregate.id
    const select = `SELECT originator_version, topic, state FROM ${keyspace}.events WHERE originator_id = ?`
    const eachRow = (parse: boolean): Promise<number> =>
      new Promise((resolve, reject) => {
        let rows = 0
        let last: unknown
        raw.eachRow(
          select,
          [id],
          { prepare: true, autoPage: true, fetchSize: 5000, consistency: consistencies.quorum },
          (_i, row) => {
            rows++
            if (parse) last = JSON.parse((row['state'] as Buffer).toString('utf8', 1))
            else last = row['state']
          },
          (error) =>
            error
              ? reject(error)
              : last === undefined
                ? reject(new Error('no rows'))
                : resolve(rows),
        )
      })
    const noHash = new Repository(app.eventStore, undefined, { verifyHashes: false })
    const readers: Array<{ label: string; run: () => Promise<void> }> = [
      {
        label: 'Eventscope replay (hash check on)',
        run: async () => {
          const { aggregate: a } = await app.repository.replay(id)
          if (a?.version !== events - 1) throw new Error('replay incomplete')
        },
      },
      {
        label: 'Eventscope replay, hash check off',
        run: async () => {
          const { aggregate: a } = await noHash.replay(id)
          if (a?.version !== events - 1) throw new Error('replay incomplete')
        },
      },
      {
        label: 'raw eachRow + JSON.parse',
        run: async () => {
          if ((await eachRow(true)) !== events) throw new Error('raw read incomplete')
        },
      },
      {
        label: 'raw eachRow (rows only)',
        run: async () => {
          if ((await eachRow(false)) !== events) throw new Error('raw read incomplete')
        },
      },
    ]
    const readMs = new Map(readers.map((r) => [r.label, [] as number[]]))
    for (let round = 0; round < WARMUP_READS + runs; round++) {
      for (const r of readers) {
        gc?.()
        const ms = await timed(r.run)
        if (round >= WARMUP_READS) readMs.get(r.label)!.push(ms)
      }
      process.stdout.write(`\rreads: round ${round + 1}/${WARMUP_READS + runs}`)
    }
    process.stdout.write('\n\n')

    // ---------------------------------------------------------------------------------------
    const rawW = median(blockMs.raw)
    const esW = median(blockMs.es)
    console.log(
      `| ${'writes (one event each)'.padEnd(46)} | ms/op (median of ${BLOCKS} blocks) | ops/s | × raw`,
    )
    console.log(`|${'-'.repeat(48)}|${'-'.repeat(31)}|${'-'.repeat(8)}|------`)
    const wrow = (label: string, ms: number): void =>
      console.log(
        `| ${label.padEnd(46)} | ${ms.toFixed(2).padStart(29)} | ${Math.round(1000 / ms)
          .toString()
          .padStart(6)} | ${(ms / rawW).toFixed(2)}`,
      )
    wrow(`raw prepared INSERT … IF NOT EXISTS × ${writes}`, rawW)
    wrow(`Eventscope aggregate.save() × ${writes}`, esW)
    wrow(`(reference) raw prepared INSERT, no LWT × ${writes}`, median(blockMs.plain))
    console.log()

    const rawRead = median(readMs.get('raw eachRow + JSON.parse')!)
    console.log(
      `| ${`reads (${events.toLocaleString('en')}-event partition)`.padEnd(46)} | ${'median ms'.padStart(9)} | ${'min ms'.padStart(8)} | ${'events/s'.padStart(9)} | × raw+parse`,
    )
    console.log(
      `|${'-'.repeat(48)}|${'-'.repeat(11)}|${'-'.repeat(10)}|${'-'.repeat(11)}|------------`,
    )
    for (const r of readers) {
      const t = readMs.get(r.label)!
      const m = median(t)
      console.log(
        `| ${r.label.padEnd(46)} | ${m.toFixed(1).padStart(9)} | ${Math.min(...t)
          .toFixed(1)
          .padStart(8)} | ${Math.round(events / (m / 1000))
          .toLocaleString('en')
          .padStart(9)} | ${(m / rawRead).toFixed(2)}`,
      )
    }
    console.log(
      `\nwrites: ${writes} of each after ${WARMUP_WRITES} warm-up, in ${BLOCKS} alternating blocks; reads: medians of ${runs} interleaved rounds after ${WARMUP_READS} warm-up; node ${process.version}, cassandra-driver ${(cassandra as unknown as { version?: string }).version ?? '4.x'}${gc ? ', gc() before each block/run' : ''}`,
    )
  } finally {
    await app.close()
    try {
      await raw.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`)
      console.log(`dropped keyspace ${keyspace}`)
    } finally {
      await raw.shutdown()
    }
  }
}

await main()
