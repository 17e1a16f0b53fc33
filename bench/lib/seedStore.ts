/**
 * Fills a SQLite file through the explorer service's own seeding (the library's batched saves:
 * snapshots, the log and the aggregate index exactly as real use writes them), as
 * `npm run seed` does. Returns the seeding time.
 */
import { createSqliteStore } from '../../electron/eventsourcing'
import { EverythingApplication } from '../../electron/example/everythingApplication'
import { ExplorerService } from '../../electron/explorer/service'

export interface SeedSpec {
  readonly path: string
  readonly aggregates: number
  readonly events: number
  /** Snapshot period; 0 = none. */
  readonly snapshotPeriod: number
}

export async function seedSqlite(spec: SeedSpec): Promise<{ ms: number; events: number }> {
  const service = new ExplorerService({
    env: {},
    snapshotPeriod: spec.snapshotPeriod,
    defaultSqlitePath: spec.path,
    emit: () => {},
  })
  try {
    await service.connect({ kind: 'sqlite', path: spec.path })
    const t0 = performance.now()
    const result = await service.seedDemoData({
      aggregates: spec.aggregates,
      events: spec.events,
      taskId: 'bench-seed',
    })
    const ms = performance.now() - t0
    if (result.cancelled || result.events !== spec.aggregates * spec.events)
      throw new Error(`seeding stopped at ${result.events} events`)
    return { ms, events: result.events }
  } finally {
    await service.close()
  }
}

/**
 * Many one-event example aggregates, `perSave` to one `app.save(...)` (one transaction): the
 * library's batched insert, for stores too big to seed one save per aggregate in a bench run.
 */
export async function seedManyAggregates(
  path: string,
  aggregates: number,
  perSave = 1000,
): Promise<{ ms: number; events: number }> {
  const app = new EverythingApplication({
    store: createSqliteStore(path),
    compress: false,
    snapshotPeriod: 0,
  })
  try {
    const t0 = performance.now()
    for (let done = 0; done < aggregates;) {
      const batch = Array.from({ length: Math.min(perSave, aggregates - done) }, (_, i) =>
        app.createExampleAggregate(`item ${done + i}`),
      )
      await app.save(...batch)
      done += batch.length
    }
    return { ms: performance.now() - t0, events: aggregates }
  } finally {
    await app.close()
  }
}
