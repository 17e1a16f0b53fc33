/**
 * Demo seeding throughput on a fresh SQLite file: many small aggregates through seedDemoData
 * (what the explorer's Seed and `npm run seed` run), at the store's default durability (FULL).
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/seed-sqlite.ts [--aggregates 2000]
 *       [--events 10] [--snapshot-period 2] [--batch-size 500]
 *
 * The driver is EVENTSCOPE_SQLITE_DRIVER's (better-sqlite3 in Node unless told; node:sqlite
 * is the desktop app's). Prints one JSON line: aggregates, events, seconds, events per second.
 * `runSeedBench` is exported for the overall bench harness.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Application, createSqliteStore } from '../electron/eventsourcing'
import { DEFAULT_SEED_TYPE } from '../electron/explorer/builtInTypes'
import { seedableType } from '../electron/explorer/commands'
import { seedDemoData } from '../electron/explorer/seeding'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'

export interface SeedBenchOptions {
  readonly aggregates: number
  readonly events: number
  readonly snapshotPeriod: number
  readonly batchSize?: number
}

export async function runSeedBench(options: SeedBenchOptions) {
  const folder = mkdtempSync(join(tmpdir(), 'eventscope-seed-'))
  try {
    const store = createSqliteStore(join(folder, 'seed.sqlite'), sqliteDriverFromEnv())
    const app = new Application({ store, snapshotPeriod: options.snapshotPeriod })
    const started = performance.now()
    const result = await seedDemoData(app, {
      type: seedableType(DEFAULT_SEED_TYPE),
      aggregates: options.aggregates,
      events: options.events,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    })
    const seconds = (performance.now() - started) / 1000
    await app.close()
    return { ...result, seconds, eventsPerSecond: Math.round(result.events / seconds) }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values } = parseArgs({
    options: {
      aggregates: { type: 'string', default: '2000' },
      events: { type: 'string', default: '10' },
      'snapshot-period': { type: 'string', default: '2' },
      'batch-size': { type: 'string' },
    },
  })
  const result = await runSeedBench({
    aggregates: Number(values.aggregates),
    events: Number(values.events),
    snapshotPeriod: Number(values['snapshot-period']),
    ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
  })
  console.log(JSON.stringify(result))
}
