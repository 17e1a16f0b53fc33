/**
 * Demo data through the application itself (so snapshots, the log and the index are exactly
 * what real use produces), for any registered type with `demo`: demo aggregate `index` is
 * created with `demo.create(index)` and its event `step` triggered by `demo.command(index,
 * step)`, run through the type as execute runs commands. Shared by the service's seedDemoData
 * and `npm run seed`.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { Aggregate, AggregateType, Application, CommandRequest } from '../eventsourcing'

export interface SeedOptions {
  /** A registered type with `demo` (the service checks it). */
  readonly type: AggregateType
  readonly aggregates: number
  /** Events per aggregate, its creation event included. */
  readonly events: number
  /** Events per save (one atomic batch); default 500. */
  readonly batchSize?: number
  /** Stops after the current batch. */
  readonly signal?: AbortSignal
  /** Called after every stored batch. */
  readonly onProgress?: (progress: SeedProgress) => void
}

export interface SeedProgress {
  readonly aggregates: number
  readonly events: number
  readonly totalEvents: number
}

export interface SeedResult {
  readonly aggregates: number
  readonly events: number
  readonly cancelled: boolean
}

export async function seedDemoData(app: Application, options: SeedOptions): Promise<SeedResult> {
  const { type } = options
  const demo = type.definition.demo
  if (!demo) throw new TypeError(`${type.displayName} has no demo data`)
  const batchSize = Math.max(1, options.batchSize ?? 500)
  const totalEvents = options.aggregates * options.events
  let aggregates = 0
  let stored = 0
  const cancelled = (): boolean => options.signal?.aborted === true
  for (let a = 0; a < options.aggregates && !cancelled(); a++) {
    const aggregate = type.run(undefined, [{ name: 'create', params: demo.create(a) }])
    aggregates += 1
    const last = options.events - 1
    for (;;) {
      if (aggregate.version < last) step(type, aggregate, demo.command(a, aggregate.version + 1))
      const pending = aggregate.pendingEvents.length
      const done = aggregate.version >= last
      if (pending > 0 && (pending >= batchSize || done)) {
        stored += (await app.save(aggregate)).length
        options.onProgress?.({ aggregates, events: stored, totalEvents })
        // Let timers and I/O run (cancelTask, the log follower): SQLite calls are synchronous.
        await yieldToEventLoop()
        if (cancelled()) break
      }
      if (done) break
    }
  }
  return { aggregates, events: stored, cancelled: cancelled() && stored < totalEvents }
}

/** Runs one demo command; one that triggers nothing would make the seed loop forever. */
function step(type: AggregateType, aggregate: Aggregate, command: CommandRequest): void {
  const before = aggregate.version
  type.run(aggregate, [command])
  if (aggregate.version === before)
    throw new TypeError(`${type.displayName}: demo command '${command.name}' triggered no event`)
}
