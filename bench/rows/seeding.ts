/**
 * Demo seeding of many small aggregates into SQLite through the explorer service (what the
 * Seed button and `npm run seed` do), in events per second: the median of a few fresh files.
 */
import { join } from 'node:path'
import { atLeast, median, round, type BenchModule } from '../lib/harness'
import { seedSqlite } from '../lib/seedStore'

const ROW = {
  id: 'seeding',
  label: 'demo seeding, many small aggregates, SQLite (events/s)',
  goal: atLeast(20_000, '≥ 20,000 events/s'),
} as const

export const seedingModule: BenchModule = {
  name: 'seeding',
  rows: [ROW.id],
  async run({ quick, folder, log }) {
    const [aggregates, events, runs] = quick ? [200, 10, 2] : [2_000, 10, 3]
    const rates: number[] = []
    for (let r = 0; r < runs; r++) {
      const { ms, events: n } = await seedSqlite({
        path: join(folder, `seed-${r}.sqlite`),
        aggregates,
        events,
        snapshotPeriod: 0,
      })
      rates.push(n / (ms / 1000))
      log(`seeding: run ${r + 1}/${runs}: ${Math.round(rates[r]!)} events/s`)
    }
    return [
      {
        ...ROW,
        value: Math.round(median(rates)),
        unit: 'events/s',
        figures: {
          medianEventsPerSecond: Math.round(median(rates)),
          bestEventsPerSecond: Math.round(Math.max(...rates)),
        },
        note: `${aggregates.toLocaleString('en')} aggregates × ${events} events, median of ${runs} fresh files; explorer service seedDemoData, snapshots off`,
      },
    ].map((row) => ({
      ...row,
      figures: Object.fromEntries(Object.entries(row.figures).map(([k, v]) => [k, round(v, 0)])),
    }))
  },
}
