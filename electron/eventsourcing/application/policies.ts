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

/**
 * After a batch is stored, takes a snapshot at every event whose `(version + 1) % period` is
 * zero (the seed's ExampleSnapshottingPolicy, period 2 there).
 */
export class SnapshottingPolicy {
  private readonly unsubscribe: () => void

  constructor(
    bus: EventBus<EventBatch>,
    private readonly repository: Repository,
    readonly period: number,
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
    for (const [originatorId, versions] of due)
      await this.repository.takeSnapshots(originatorId, versions)
  }

  close(): void {
    this.unsubscribe()
  }
}
