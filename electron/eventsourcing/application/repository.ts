import { Aggregate, aggregateState, restoreAggregate, type EventBatch } from '../domain/aggregate'
import type { EventBus } from '../domain/bus'
import { computeEventHash, type DomainEvent } from '../domain/events'
import { topics } from '../domain/topics'
import { AggregateNotFound, DataIntegrityError } from '../errors'
import type { EventStore } from './eventStore'
import type { Snapshot, SnapshotStrategy } from './snapshotStrategy'

export interface ReplayOptions {
  /** The version to stop at (default: the latest). */
  readonly at?: number
  /** Start from the newest snapshot ≤ at (default true when snapshots exist). */
  readonly useSnapshots?: boolean
  readonly signal?: AbortSignal
  /** Called after each page of events with the version reached. */
  readonly onProgress?: (version: number) => void
}

/** Told of every replay that may start from a snapshot, before the replay returns. */
export type ReplayObserver = (
  originatorId: string,
  result: ReplayResult,
  options: ReplayOptions,
) => Promise<void> | void

export interface ReplayResult {
  /** The aggregate as of the version reached (discarded ones included); undefined if none. */
  readonly aggregate: Aggregate | undefined
  /** The snapshot the replay started from, if any. */
  readonly snapshot: Snapshot | undefined
  readonly eventsApplied: number
}

/**
 * Loads aggregates by replaying their events, starting from the newest snapshot at or below
 * the requested version, and checks the hash chain as it goes.
 */
export class Repository {
  private replayObserver: ReplayObserver | undefined

  constructor(
    readonly eventStore: EventStore,
    readonly snapshots: SnapshotStrategy | undefined,
    private readonly bus: EventBus<EventBatch>,
    private readonly verifyHashes = true,
  ) {}

  /** The latest version; AggregateNotFound when it never existed or was discarded. */
  async get<A extends Aggregate = Aggregate>(originatorId: string): Promise<A> {
    const { aggregate } = await this.replay(originatorId)
    if (!aggregate) throw new AggregateNotFound(originatorId, 'missing')
    if (aggregate.isDiscarded) throw new AggregateNotFound(originatorId, 'discarded')
    return aggregate.bindBus(this.bus) as A
  }

  async has(originatorId: string): Promise<boolean> {
    const latest = await this.eventStore.latest(originatorId)
    return latest !== undefined && !(latest instanceof Aggregate.Discarded)
  }

  /** The aggregate as of version `at` (the latest without it); null if it did not exist then or was discarded. */
  async getEntity<A extends Aggregate = Aggregate>(
    originatorId: string,
    options: { at?: number } = {},
  ): Promise<A | null> {
    const { aggregate } = await this.replay(
      originatorId,
      options.at === undefined ? {} : { at: options.at },
    )
    if (!aggregate || aggregate.isDiscarded) return null
    return aggregate.bindBus(this.bus) as A
  }

  /** One observer at a time (the snapshotting policy takes the snapshots a replay finds missing). */
  observeReplays(observer: ReplayObserver | undefined): void {
    this.replayObserver = observer
  }

  async replay(originatorId: string, options: ReplayOptions = {}): Promise<ReplayResult> {
    const { at } = options
    let snapshot: Snapshot | undefined
    let aggregate: Aggregate | undefined
    if (this.snapshots && options.useSnapshots !== false) {
      snapshot = await this.snapshots.getSnapshot(originatorId, at === undefined ? {} : { lte: at })
      if (snapshot) {
        if (snapshot.state === null) {
          // Discarded at or before `at`: nothing after a Discarded event can exist.
          return { aggregate: this.discardedPlaceholder(snapshot), snapshot, eventsApplied: 0 }
        }
        aggregate = restoreAggregate(snapshot.topic, snapshot.state)
      }
    }
    const folded = await this.fold(originatorId, aggregate, options)
    const result = { aggregate: folded.aggregate, snapshot, eventsApplied: folded.applied }
    if (this.snapshots && options.useSnapshots !== false)
      await this.replayObserver?.(originatorId, result, options)
    return result
  }

  /** Applies the stored events after `aggregate` (from the start when undefined) up to `at`. */
  private async fold(
    originatorId: string,
    start: Aggregate | undefined,
    options: ReplayOptions,
  ): Promise<{ aggregate: Aggregate | undefined; applied: number }> {
    let aggregate = start
    let applied = 0
    let previousHash = aggregate?.lastHash ?? ''
    for await (const page of this.eventStore.pages(originatorId, {
      ...(aggregate ? { gt: aggregate.version } : {}),
      ...(options.at === undefined ? {} : { lte: options.at }),
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      for (const event of page) {
        if (this.verifyHashes) previousHash = this.verify(event, previousHash)
        aggregate = (event.mutate(aggregate ?? null) as Aggregate | null) ?? undefined
      }
      applied += page.length
      if (aggregate) options.onProgress?.(aggregate.version)
    }
    return { aggregate, applied }
  }

  /** Takes a snapshot as of version `lte` and stores it (state null once discarded). */
  async takeSnapshot(
    originatorId: string,
    options: { lte?: number } = {},
  ): Promise<Snapshot | undefined> {
    const snapshots = this.requireSnapshots()
    const { aggregate } = await this.replay(
      originatorId,
      options.lte === undefined ? {} : { at: options.lte },
    )
    if (!aggregate) return undefined
    const snapshot = snapshotOf(aggregate)
    await snapshots.put(snapshot)
    return snapshot
  }

  /**
   * Takes snapshots at several versions with one replay: loads the aggregate as of the first,
   * then reads only the events between one version and the next. The snapshotting policy uses
   * this for a batch, so a batch of 500 events with period 2 costs one replay, not 250.
   * Returns the versions snapshotted.
   */
  async takeSnapshots(originatorId: string, versions: readonly number[]): Promise<number[]> {
    const snapshots = this.requireSnapshots()
    const targets = [...new Set(versions)].sort((a, b) => a - b)
    if (targets.length === 0) return []
    let { aggregate } = await this.replay(originatorId, { at: targets[0]! })
    const taken: number[] = []
    for (const version of targets) {
      if (aggregate && !aggregate.isDiscarded && aggregate.version < version) {
        aggregate = (await this.fold(originatorId, aggregate, { at: version })).aggregate
      }
      if (!aggregate) continue
      // Encoded at once by put(), before the aggregate is advanced to the next version.
      await snapshots.put(snapshotOf(aggregate))
      taken.push(aggregate.version)
    }
    return taken
  }

  private requireSnapshots(): SnapshotStrategy {
    if (!this.snapshots) throw new Error('this repository has no snapshot store')
    return this.snapshots
  }

  private verify(event: DomainEvent, previousHash: string): string {
    // Runs once per event on replay: the error details are built only when an error is thrown.
    if (event.previousHash !== previousHash) {
      throw new DataIntegrityError(
        `hash chain broken at version ${event.originatorVersion} of ${event.originatorId}: it does not follow the event before it`,
        where(event),
      )
    }
    if (computeEventHash(event) !== event.hash) {
      throw new DataIntegrityError(
        `hash chain broken at version ${event.originatorVersion} of ${event.originatorId}: the event's contents do not match its hash`,
        where(event),
      )
    }
    return event.hash
  }

  /** A discarded aggregate known only from a null snapshot. */
  private discardedPlaceholder(snapshot: Snapshot): Aggregate {
    const placeholder = Object.create(Aggregate.prototype as object) as Aggregate
    Object.assign(placeholder, {
      _id: snapshot.originatorId,
      _version: snapshot.originatorVersion,
      _isDiscarded: true,
      _lastModified: snapshot.timestamp,
      _lastHash: '',
    })
    placeholder.initTransient()
    return placeholder
  }
}

function where(event: DomainEvent): { originatorId: string; originatorVersion: number } {
  return { originatorId: event.originatorId, originatorVersion: event.originatorVersion }
}

function snapshotOf(aggregate: Aggregate): Snapshot {
  return {
    originatorId: aggregate.id,
    originatorVersion: aggregate.version,
    timestamp: new Date(),
    topic: topics.topicOf(aggregate.constructor as typeof Aggregate),
    state: aggregate.isDiscarded ? null : aggregateState(aggregate),
  }
}
