/**
 * Whether a connected store answers, told by the answers of its own recorders: a call failing
 * with StoreUnavailable starts an outage, the next call that gets an answer ends it. A call
 * that began before the store's latest answer says nothing new when it fails (it may have been
 * waiting out the outage that answer ended): its failure starts no outage, and the next call's
 * does, within a poll. An outage that begins within OUTAGE_SETTLE_MS of the last one's end
 * continues it (a node just back may fail a few calls before it settles): the outage shown is
 * the whole incident, not its last flicker. Without these, an 80 s outage in a CI run was shown
 * as one of 126 ms. The log
 * follower polls every few hundred milliseconds, so an outage and the recovery are both seen
 * within about one poll (plus the driver's reconnect delay), whatever other requests do.
 */
import type { ConnectionInfo } from '../../shared/contract'
import {
  type AggregateRecorder,
  type ApplicationRecorder,
  type Store,
  StoreUnavailable,
} from '../eventsourcing'

export type Availability = NonNullable<ConnectionInfo['availability']>

/** An outage beginning this soon after the last one ended is the same outage going on. */
export const OUTAGE_SETTLE_MS = 5000

export class AvailabilityTracker {
  private since: Date
  private unavailable = false
  private reason: string | undefined
  private lastOutage: { from: Date; to: Date } | undefined
  /** How many answers the store has given: a call notes it when it starts (`epoch`). */
  private answers = 0

  /** `onChange` runs after each change of state (an outage begins or ends). */
  constructor(
    private readonly onChange: () => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.since = now()
  }

  get available(): boolean {
    return !this.unavailable
  }

  /** What a call starting now passes to `failed`. */
  get epoch(): number {
    return this.answers
  }

  /** The store answered (a result, or a refusal such as ConcurrencyError). */
  answered(): void {
    this.answers += 1
    if (!this.unavailable) return
    const to = this.now()
    this.lastOutage = { from: this.since, to }
    this.since = to
    this.unavailable = false
    this.reason = undefined
    this.onChange()
  }

  /**
   * A call failed; only StoreUnavailable (no node, a timeout, a closed link) is an outage, and
   * only from a call that began after the store's latest answer (`startedAt`: its `epoch`).
   */
  failed(error: unknown, startedAt: number): void {
    if (!(error instanceof StoreUnavailable) || this.unavailable) return
    if (startedAt < this.answers) return
    this.unavailable = true
    const now = this.now()
    const last = this.lastOutage
    this.since =
      last !== undefined && now.getTime() - last.to.getTime() < OUTAGE_SETTLE_MS ? last.from : now
    this.reason = error.message
    this.onChange()
  }

  describe(redact: (message: string) => string = (m) => m): Availability {
    return {
      state: this.unavailable ? 'unavailable' : 'available',
      since: this.since.toISOString(),
      ...(this.reason === undefined ? {} : { reason: redact(this.reason) }),
      ...(this.lastOutage
        ? {
            lastOutage: {
              from: this.lastOutage.from.toISOString(),
              to: this.lastOutage.to.toISOString(),
            },
          }
        : {}),
    }
  }
}

/**
 * The same store, with every recorder call reported to `tracker`. A proxy, so recorder methods
 * added later are observed too.
 */
export function trackAvailability(store: Store, tracker: AvailabilityTracker): Store {
  return {
    kind: store.kind,
    description: store.description,
    events: observed(store.events, tracker),
    snapshots: observed(store.snapshots, tracker),
    close: () => store.close(),
  }
}

function observed<R extends AggregateRecorder | ApplicationRecorder>(
  recorder: R,
  tracker: AvailabilityTracker,
): R {
  return new Proxy(recorder, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property)
      if (typeof value !== 'function') return value
      return (...args: unknown[]): unknown => {
        const startedAt = tracker.epoch
        const result: unknown = Reflect.apply(value, target, args)
        if (!(result instanceof Promise)) return result
        return result.then(
          (answer: unknown) => {
            tracker.answered()
            return answer
          },
          (error: unknown) => {
            // Any other refusal (ConcurrencyError, a bad query) is an answer all the same.
            if (error instanceof StoreUnavailable) tracker.failed(error, startedAt)
            else tracker.answered()
            throw error
          },
        )
      }
    },
  })
}
