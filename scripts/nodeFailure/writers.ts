/** The writers' workload: create and change aggregates, retrying until each change is known stored. */
import cassandra from 'cassandra-driver'
import {
  type CassandraApplicationRecorder,
  ConcurrencyError,
  type DomainEvent,
  type Store,
} from '../../electron/eventsourcing'
import type { EverythingApplication } from '../../electron/example/everythingApplication'
import { ExampleAggregateRoot } from '../../electron/example/exampleAggregateRoot'
import {
  aggregateIds,
  backoff,
  type Change,
  changes,
  errorKind,
  failure,
  note,
  problems,
  rejectedAfterStore,
  stats,
  swallowed,
} from './ledger'
import { sleep } from './options'

// --- the writers -------------------------------------------------------------------------------

export type App = EverythingApplication
/** Events the save stored: tells "stored, then save() failed" from "not stored". */
export const persisted = new WeakSet<DomainEvent>()

export function valueOf(event: DomainEvent): unknown {
  if (event instanceof ExampleAggregateRoot.AttributeChanged) return event.value
  if (event instanceof ExampleAggregateRoot.Created)
    return (event as unknown as { foo: unknown }).foo
  return undefined
}

/** A SERIAL read of the partition: completes any Paxos round left in flight by a timed-out write. */
async function settle(store: Store, keyspace: string, id: string): Promise<void> {
  const { session } = store.events as CassandraApplicationRecorder
  await session.execute(
    `SELECT originator_version FROM ${keyspace}.events WHERE originator_id = ? LIMIT 1`,
    [id],
    {
      consistency: cassandra.types.consistencies.serial,
    },
  )
}

export class Writers {
  giveUpAt = Number.POSITIVE_INFINITY

  constructor(
    readonly app: App,
    readonly store: Store,
    readonly keyspace: string,
  ) {}

  private async stored(change: Change, after: number): Promise<number[]> {
    stats.readBacks++
    await settle(this.store, this.keyspace, change.id)
    const events = await this.app.eventStore.list(change.id, after >= 0 ? { gt: after } : {})
    return events.filter((e) => valueOf(e) === change.value).map((e) => e.originatorVersion)
  }

  private acked(
    change: Change,
    version: number,
    how: 'direct' | 'read-back',
    hot: boolean,
    found = 1,
  ): void {
    change.status = 'acked'
    change.how = how
    change.version = version
    if (how === 'read-back') stats.landedDespiteError++
    if (found > 1) problems.push(`${change.value} found ${found} times by its writer's read-back`)
    note('ack', change.writer, hot)
  }

  /** Creates an aggregate; retries the same Created event until it is known to be stored. */
  async create(writer: string, value: string, hot = false): Promise<string | undefined> {
    const aggregate = this.app.createExampleAggregate(value)
    const batch = [...aggregate.pendingEvents]
    const change: Change = {
      id: aggregate.id,
      value,
      writer,
      kind: 'create',
      attempts: 0,
      status: 'pending',
    }
    changes.set(value, change)
    aggregateIds.add(aggregate.id)
    let doubt = false
    let failures = 0
    while (Date.now() < this.giveUpAt) {
      try {
        if (doubt) {
          const found = await this.stored(change, -1)
          if (found.length) {
            this.acked(change, found[0]!, 'read-back', hot, found.length)
            return change.id
          }
        }
        change.attempts++
        stats.saves++
        if (change.attempts > 1) stats.retries++
        try {
          // A failed save puts the batch back as pending: the retry stores the same events.
          await this.app.save(aggregate)
          this.acked(change, 0, 'direct', hot)
          return change.id
        } catch (error) {
          if (persisted.has(batch[0]!)) {
            stats.storedButSaveRejected++
            rejectedAfterStore.push(String((error as Error).message).slice(0, 200))
          }
          doubt = true
          if (error instanceof ConcurrencyError) {
            stats.conflicts++ // only an earlier attempt of ours can hold version 0 of a new id
            note('conflict', writer, hot)
            continue
          }
          throw error
        }
      } catch (error) {
        failure(error, writer, hot)
        await sleep(backoff(++failures))
      }
    }
    change.status = 'in-doubt'
    return undefined
  }

  /** Load, set foo, save; reload on conflict; after any other failure, read back before retrying. */
  async change(writer: string, id: string, value: string, hot: boolean): Promise<void> {
    const change: Change = { id, value, writer, kind: 'change', attempts: 0, status: 'pending' }
    changes.set(value, change)
    let doubtAfter: number | undefined // versions above this may hold an earlier attempt
    let failures = 0
    while (Date.now() < this.giveUpAt) {
      try {
        if (doubtAfter !== undefined) {
          const found = await this.stored(change, doubtAfter)
          if (found.length) {
            this.acked(change, found[0]!, 'read-back', hot, found.length)
            return
          }
        }
        let handle: ExampleAggregateRoot
        try {
          handle = await this.app.repository.get<ExampleAggregateRoot>(id)
        } catch (error) {
          stats.loadFailures++
          throw error
        }
        handle.foo = value
        const version = handle.version
        const event = handle.pendingEvents[handle.pendingEvents.length - 1]!
        change.attempts++
        stats.saves++
        if (change.attempts > 1) stats.retries++
        try {
          await handle.save()
          this.acked(change, version, 'direct', hot)
          return
        } catch (error) {
          if (error instanceof ConcurrencyError) {
            stats.conflicts++
            note('conflict', writer, hot)
            await sleep(Math.random() * 10)
            continue
          }
          if (persisted.has(event)) {
            stats.storedButSaveRejected++
            rejectedAfterStore.push(String((error as Error).message).slice(0, 200))
          }
          doubtAfter = Math.min(doubtAfter ?? Number.POSITIVE_INFINITY, version - 1)
          throw error
        }
      } catch (error) {
        failure(error, writer, hot)
        await sleep(backoff(++failures))
      }
    }
    change.status = 'in-doubt'
  }
}

/** Counts, on the run's own client, what the store does out of sight of save(). */
export function instrumentStore(app: App, store: Store): void {
  // Marks events the save stored (a save rejected after the insert is counted as storedButSaveRejected).
  const put = app.eventStore.put.bind(app.eventStore)
  app.eventStore.put = async (events) => {
    await put(events)
    for (const e of events) persisted.add(e)
  }
  // Counts what insert() swallows: a failed confirm() (repaired by readers) or dropIntent().
  const recorder = store.events as CassandraApplicationRecorder
  const swallow = (method: string, counter: 'confirmFailures' | 'dropFailures', error: unknown) => {
    stats[counter]++
    const kind = `${method}: ${errorKind(error)}`
    swallowed.set(kind, (swallowed.get(kind) ?? 0) + 1)
  }
  for (const [method, counter] of [
    ['confirm', 'confirmFailures'],
    ['dropIntent', 'dropFailures'],
  ] as const) {
    const original = recorder[method].bind(recorder) as (...args: unknown[]) => Promise<void>
    recorder[method] = async (...args: unknown[]) => {
      try {
        await original(...args)
      } catch (error) {
        swallow(method, counter, error)
        throw error
      }
    }
  }
  // Most confirmations of acknowledged intents are not confirm() calls: the recorder queues them
  // and tells confirmFailed() of each one that fails.
  recorder.confirmFailed = (_intent, error) => swallow('confirm', 'confirmFailures', error)
}
