/**
 * Cassandra one-event saves: the raw driver's prepared `INSERT … IF NOT EXISTS` (QUORUM /
 * SERIAL, as Eventscope's conditional write) against Eventscope's `aggregate.save()` of one
 * change, one at a time and with 16 in flight on 16 different aggregates (partitions). The
 * figure is Eventscope's throughput ÷ the raw loop's (= raw time ÷ Eventscope time for the same
 * number of writes). A throwaway keyspace, dropped at the end.
 */
import { randomBytes } from 'node:crypto'
import cassandra from 'cassandra-driver'
import { openStore } from '../../electron/eventsourcing'
import { EverythingApplication } from '../../electron/example/everythingApplication'
import { cassandraSettingsFromEnv } from '../../electron/explorer/storeEnv'
import { rawLwtInsert, rawPartitions } from '../lib/rawLwt'
import {
  atLeast,
  interleave,
  median,
  round,
  skipped,
  timed,
  type BenchModule,
  type Contender,
} from '../lib/harness'

const ROWS = {
  one: {
    id: 'cassandra-save-1',
    label: 'Cassandra one-event save, one at a time: Eventscope ÷ raw LWT loop (throughput)',
    goal: atLeast(0.8, '≥ 0.8'),
  },
  many: {
    id: 'cassandra-save-16',
    label: 'the same, 16 in flight on different aggregates (throughput)',
    goal: atLeast(0.7, '≥ 0.7'),
  },
} as const
const IN_FLIGHT = 16

export const cassandraModule: BenchModule = {
  name: 'cassandra',
  rows: [ROWS.one.id, ROWS.many.id],
  async run({ quick, log }) {
    const writes = quick ? 32 : 320 // per contender per round (a multiple of IN_FLIGHT)
    const [rounds, warmup] = quick ? [2, 1] : [7, 1]
    const settings = {
      ...cassandraSettingsFromEnv(),
      keyspace: `eventscope_bench_${randomBytes(4).toString('hex')}`,
    }
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
      await raw.shutdown()
      const why = `Cassandra unreachable at ${settings.contactPoints.join(', ')}: ${(error as Error).message}`
      return [ROWS.one, ROWS.many].map((r) => skipped(r.id, r.label, r.goal, '×', why))
    }
    const app = new EverythingApplication({
      store: await openStore({ kind: 'cassandra', ...settings }),
      compress: false,
      snapshotPeriod: 0,
    })
    const ks = settings.keyspace
    try {
      const rawInsert = await rawLwtInsert(raw, ks)
      const partitions = rawPartitions(IN_FLIGHT)
      type Example = ReturnType<EverythingApplication['createExampleAggregate']>
      const aggregates: Example[] = []
      for (let i = 0; i < IN_FLIGHT; i++) {
        const a = app.createExampleAggregate('start')
        await a.save()
        aggregates.push(a)
      }
      let n = 0
      const save = async (a: Example): Promise<void> => {
        a.foo = `value ${++n}`
        await a.save()
      }
      // `writes` operations spread over `lanes` concurrent loops, each on its own partition.
      const lanes =
        <T>(targets: T[], lanesCount: number, op: (t: T) => Promise<void>) =>
        () =>
          timed(() =>
            Promise.all(
              targets.slice(0, lanesCount).map(async (t) => {
                for (let i = 0; i < writes / lanesCount; i++) await op(t)
              }),
            ),
          )
      const contenders: Contender[] = [
        { key: 'raw1', run: lanes(partitions, 1, rawInsert) },
        { key: 'es1', run: lanes(aggregates, 1, save) },
        { key: 'raw16', run: lanes(partitions, IN_FLIGHT, rawInsert) },
        { key: 'es16', run: lanes(aggregates, IN_FLIGHT, save) },
      ]
      const times = await interleave(contenders, rounds, warmup, (r) =>
        log(`cassandra: round ${r}/${rounds + warmup}`),
      )
      const perOp = (key: string): number => median(times.get(key)!) / writes
      const fig = (a: string, b: string) => ({
        [`${a}MsPerSave`]: round(perOp(a), 4),
        [`${b}MsPerSave`]: round(perOp(b), 4),
        [`${a}PerSecond`]: Math.round(1000 / perOp(a)),
        [`${b}PerSecond`]: Math.round(1000 / perOp(b)),
      })
      const common = `${writes} saves per round, medians of ${rounds} interleaved rounds; QUORUM/SERIAL, one local node`
      return [
        {
          ...ROWS.one,
          value: round(perOp('raw1') / perOp('es1')),
          unit: '×',
          figures: fig('raw1', 'es1'),
          note: common,
        },
        {
          ...ROWS.many,
          value: round(perOp('raw16') / perOp('es16')),
          unit: '×',
          figures: fig('raw16', 'es16'),
          note: `${common}; ${IN_FLIGHT} loops at once, one partition each`,
        },
      ]
    } finally {
      await app.close()
      try {
        await raw.execute(`DROP KEYSPACE IF EXISTS ${ks}`)
      } finally {
        await raw.shutdown()
      }
    }
  },
}
