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
  /**
   * Events per save: whole small aggregates are gathered until they hold this many and saved
   * together (one transaction where the store saves several atomically); a larger aggregate is
   * saved in parts of exactly this many. Default: 2,000 where the store saves several
   * aggregates in one transaction (each transaction pays a sync of the disk: 500 a save seeded
   * about a quarter slower), else 500 (one conditional batch per part on Cassandra).
   */
  readonly batchSize?: number
  /** Stops after the current save. */
  readonly signal?: AbortSignal
  /** Called after every stored save. */
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

/**
 * Saves in flight at once where a save holds one aggregate only (Cassandra: a conditional
 * batch cannot span partitions): enough to hide round trips, few enough not to flood a node.
 */
export const SEED_SAVES_IN_FLIGHT = 16

export async function seedDemoData(app: Application, options: SeedOptions): Promise<SeedResult> {
  const { type } = options
  const demo = type.definition.demo
  if (!demo) throw new TypeError(`${type.displayName} has no demo data`)
  const batchSize = Math.max(
    1,
    options.batchSize ?? (app.eventStore.savesSeveralAtomically ? 2000 : 500),
  )
  const totalEvents = options.aggregates * options.events
  let aggregates = 0
  let stored = 0
  const cancelled = (): boolean => options.signal?.aborted === true
  // Whole aggregates not saved yet, and how many events they hold.
  let group: Aggregate[] = []
  let groupEvents = 0
  const save = async (list: Aggregate[]): Promise<void> => {
    const saved = await saveAll(app, list)
    stored += saved
    group = []
    groupEvents = 0
    options.onProgress?.({ aggregates, events: stored, totalEvents })
    // Let timers and I/O run (cancelTask, the log follower): SQLite calls are synchronous.
    await yieldToEventLoop()
  }
  // Cancellation is checked only after a save, when nothing created is left unsaved.
  seeding: for (let a = 0; a < options.aggregates && !cancelled(); a++) {
    const aggregate = type.run(undefined, [{ name: 'create', params: demo.create(a) }])
    aggregates += 1
    const last = options.events - 1
    for (;;) {
      if (aggregate.version < last) step(type, aggregate, demo.command(a, aggregate.version + 1))
      const pending = aggregate.pendingEvents.length
      if (aggregate.version >= last) {
        group.push(aggregate)
        groupEvents += pending
        if (groupEvents >= batchSize) {
          await save(group)
          if (cancelled()) break seeding
        }
        break
      }
      if (pending >= batchSize) {
        // A part of a large aggregate, with the whole ones gathered so far.
        await save([...group, aggregate])
        if (cancelled()) break seeding
      }
    }
  }
  if (group.length > 0) await save(group)
  return { aggregates, events: stored, cancelled: cancelled() && stored < totalEvents }
}

/**
 * Stores the aggregates' pending events: one atomic save where the store writes several
 * aggregates atomically (one transaction on SQLite: one sync of the disk for all), else one
 * save per aggregate with SEED_SAVES_IN_FLIGHT at a time. Returns the number of events stored;
 * on a failure, the first error once every save in flight has settled.
 */
async function saveAll(app: Application, list: readonly Aggregate[]): Promise<number> {
  if (list.length === 0) return 0
  if (list.length === 1 || app.eventStore.savesSeveralAtomically) {
    return (await app.save(...list)).length
  }
  let next = 0
  let stored = 0
  const failures: unknown[] = []
  const worker = async (): Promise<void> => {
    while (next < list.length && failures.length === 0) {
      const aggregate = list[next++]!
      try {
        // Read after the await: `stored += await …` would add to a stale total.
        const saved = await app.save(aggregate)
        stored += saved.length
      } catch (error) {
        failures.push(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(SEED_SAVES_IN_FLIGHT, list.length) }, worker))
  if (failures.length > 0) throw failures[0]
  return stored
}

/** Runs one demo command; one that triggers nothing would make the seed loop forever. */
function step(type: AggregateType, aggregate: Aggregate, command: CommandRequest): void {
  const before = aggregate.version
  type.run(aggregate, [command])
  if (aggregate.version === before)
    throw new TypeError(`${type.displayName}: demo command '${command.name}' triggered no event`)
}
