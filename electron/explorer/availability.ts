/**
 * Whether a connected store answers, told by the answers of its own recorders: a call failing
 * with StoreUnavailable starts an outage, the next call that gets an answer ends it. The log
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

export class AvailabilityTracker {
  private since: Date
  private unavailable = false
  private reason: string | undefined
  private lastOutage: { from: Date; to: Date } | undefined

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

  /** The store answered (a result, or a refusal such as ConcurrencyError). */
  answered(): void {
    if (!this.unavailable) return
    const to = this.now()
    this.lastOutage = { from: this.since, to }
    this.since = to
    this.unavailable = false
    this.reason = undefined
    this.onChange()
  }

  /** A call failed; only StoreUnavailable (no node, a timeout, a closed link) is an outage. */
  failed(error: unknown): void {
    if (!(error instanceof StoreUnavailable) || this.unavailable) return
    this.unavailable = true
    this.since = this.now()
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
        const result: unknown = Reflect.apply(value, target, args)
        if (!(result instanceof Promise)) return result
        return result.then(
          (answer: unknown) => {
            tracker.answered()
            return answer
          },
          (error: unknown) => {
            // Any other refusal (ConcurrencyError, a bad query) is an answer all the same.
            if (error instanceof StoreUnavailable) tracker.failed(error)
            else tracker.answered()
            throw error
          },
        )
      }
    },
  })
}
