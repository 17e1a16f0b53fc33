import { isEventBatch, type EventBatch } from '../domain/aggregate'
import type { EventBus } from '../domain/bus'
import type { EventStore } from './eventStore'
import type { Repository } from './repository'

/** Stores each published batch atomically. Subscribe it before any policy that reads. */
export class PersistencePolicy {
  private readonly unsubscribe: () => void

  constructor(bus: EventBus<EventBatch>, eventStore: EventStore) {
    this.unsubscribe = bus.subscribe(isEventBatch, (batch) => eventStore.put(batch))
  }

  close(): void {
    this.unsubscribe()
  }
}

/** What the snapshotting policy reports instead of failing a save whose events are stored. */
export type SnapshotFailureHandler = (
  error: unknown,
  failed: { originatorId: string; versions: readonly number[] },
) => void

/**
 * After a batch is stored, takes a snapshot at every event whose `(version + 1) % period` is
 * zero (the seed's ExampleSnapshottingPolicy, period 2 there). A snapshot is an optimisation:
 * when taking one fails (a timeout, a node down), the batch is already stored, so the failure
 * goes to `onFailure` and the save still succeeds — rejecting it would invite a caller to store
 * the same change twice. A later batch snapshots again; loads replay from an older snapshot.
 */
export class SnapshottingPolicy {
  private readonly unsubscribe: () => void

  constructor(
    bus: EventBus<EventBatch>,
    private readonly repository: Repository,
    readonly period: number,
    private readonly onFailure: SnapshotFailureHandler = warnSnapshotFailure,
  ) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`snapshot period must be a positive integer, not ${period}`)
    }
    this.unsubscribe = bus.subscribe(isEventBatch, (batch) => this.takeSnapshots(batch))
  }

  isTrigger(version: number): boolean {
    return (version + 1) % this.period === 0
  }

  private async takeSnapshots(batch: EventBatch): Promise<void> {
    const due = new Map<string, number[]>()
    for (const event of batch) {
      if (this.isTrigger(event.originatorVersion)) {
        const versions = due.get(event.originatorId) ?? []
        versions.push(event.originatorVersion)
        due.set(event.originatorId, versions)
      }
    }
    for (const [originatorId, versions] of due) {
      try {
        await this.repository.takeSnapshots(originatorId, versions)
      } catch (error) {
        this.onFailure(error, { originatorId, versions })
      }
    }
  }

  close(): void {
    this.unsubscribe()
  }
}

function warnSnapshotFailure(
  error: unknown,
  failed: { originatorId: string; versions: readonly number[] },
): void {
  const reason = error instanceof Error ? error.message : String(error)
  console.warn(
    `snapshot of ${failed.originatorId} at version ${failed.versions.join(', ')} not taken (the events are stored): ${reason}`,
  )
}
