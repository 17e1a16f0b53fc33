/**
 * Demo data through the application itself (so snapshots, the log and the index are exactly
 * what real use produces). Shared by the service's seedDemoData and `npm run seed`.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { EverythingApplication } from '../example/everythingApplication'

export interface SeedOptions {
  readonly aggregates: number
  /** Events per aggregate, its Created event included. */
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

/** Every tenth aggregate ends with a Discarded event, so the demo shows discarded ones too. */
const DISCARD_EVERY = 10
const EXAMPLE_EVERY = 50
const MAX_EXAMPLES = 20

export async function seedDemoData(
  app: EverythingApplication,
  options: SeedOptions,
): Promise<SeedResult> {
  const batchSize = Math.max(1, options.batchSize ?? 500)
  const totalEvents = options.aggregates * options.events
  let aggregates = 0
  let stored = 0
  const cancelled = (): boolean => options.signal?.aborted === true
  for (let a = 0; a < options.aggregates && !cancelled(); a++) {
    const label = `seed ${a + 1}`
    const aggregate = app.createExampleAggregate(`${label} created`)
    aggregates += 1
    const discardAtEnd = a % DISCARD_EVERY === DISCARD_EVERY - 1 && options.events > 1
    let examples = 0
    for (let v = 1; v <= options.events; v++) {
      if (v < options.events) {
        if (discardAtEnd && v === options.events - 1) aggregate.__discard__()
        else if (v % EXAMPLE_EVERY === 1 && examples < MAX_EXAMPLES) {
          aggregate.createNewExample()
          examples += 1
        } else aggregate.foo = `${label} value ${v}`
      }
      const pending = aggregate.pendingEvents.length
      if (pending > 0 && (pending >= batchSize || v === options.events)) {
        await app.save(aggregate)
        stored += pending
        options.onProgress?.({ aggregates, events: stored, totalEvents })
        // Let timers and I/O run (cancelTask, the log follower): SQLite calls are synchronous.
        await yieldToEventLoop()
        if (cancelled()) break
      }
    }
  }
  return { aggregates, events: stored, cancelled: cancelled() && stored < totalEvents }
}
