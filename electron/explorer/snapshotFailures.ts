/**
 * The latest failure to take a snapshot, per aggregate, for one connection: what the library's
 * snapshot hooks report (onSnapshotFailure, onSnapshotsTaken), kept so that the aggregate's view
 * can say why it has no recent snapshot. A failure never fails a save or a load, so without this
 * it was seen only in the server's log (issue: a user type whose state holds an unregistered
 * class is saved, but never snapshotted).
 */
import type { SnapshotAttempt } from '../eventsourcing'

export interface SnapshotFailure {
  /** The newest version the failed attempt was to snapshot. */
  readonly version: number
  readonly at: Date
  readonly message: string
}

/** Aggregates remembered at most: the least recently failed or shown is forgotten first. */
export const MAX_REMEMBERED_FAILURES = 4096
/** A message kept at most (a store's error may quote a whole record). */
const MAX_MESSAGE = 2000

export class SnapshotFailures {
  private readonly failures = new Map<string, SnapshotFailure>()

  constructor(
    private readonly capacity = MAX_REMEMBERED_FAILURES,
    private readonly log: (message: string) => void = (message) => console.warn(message),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** onSnapshotFailure: kept; logged when the aggregate's reason is new, not at every load. */
  failed(error: unknown, { originatorId, versions }: SnapshotAttempt): void {
    const message = messageOf(error)
    const before = this.failures.get(originatorId)
    if (before?.message !== message) {
      this.log(
        `snapshot of ${originatorId} at version ${versions.join(', ')} not taken (the events are stored; logged once while the reason stays the same): ${message}`,
      )
    }
    this.failures.delete(originatorId)
    this.failures.set(originatorId, {
      version: Math.max(...versions),
      at: this.now(),
      message,
    })
    if (this.failures.size > this.capacity) {
      const oldest = this.failures.keys().next().value
      if (oldest !== undefined) this.failures.delete(oldest)
    }
  }

  /**
   * onSnapshotsTaken: a snapshot at or after the failed version succeeded, so snapshots work
   * again. An older one (a load of a past version) says nothing about the newer failure.
   */
  taken({ originatorId, versions }: SnapshotAttempt): void {
    const failure = this.failures.get(originatorId)
    if (failure && Math.max(...versions) >= failure.version) this.failures.delete(originatorId)
  }

  /** The aggregate's latest failure, if snapshots of it have failed since the last success. */
  latest(originatorId: string): SnapshotFailure | undefined {
    const failure = this.failures.get(originatorId)
    if (failure) {
      // Shown: kept longer than failures nobody looks at.
      this.failures.delete(originatorId)
      this.failures.set(originatorId, failure)
    }
    return failure
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text
}
