import {
  Aggregate,
  aggregateState,
  applyFailure,
  restoreSnapshot,
  type AggregateSaver,
} from '../domain/aggregate'
import { aggregateTopicOfEventTopic, topics } from '../domain/topics'
import { AggregateNotFound } from '../errors'
import type { EventStore } from './eventStore'
import type { StoredRecord } from '../persistence/recorder'
import type { Snapshot, SnapshotStrategy } from './snapshotStrategy'
import {
  ChainCheck,
  integrityError,
  snapshotLinkProblem,
  tailProblem,
  type AggregateIndex,
} from './verification'

export interface ReplayOptions {
  /** The version to stop at (default: the latest). */
  readonly at?: number
  /** Start from the newest snapshot ≤ at (default true when snapshots exist). */
  readonly useSnapshots?: boolean
  readonly signal?: AbortSignal
  /** Called after each page of events with the version reached. */
  readonly onProgress?: (version: number) => void
}

export interface RepositoryOptions {
  /** Check the hash chain on every replay (default true). */
  readonly verifyHashes?: boolean
  /** What the aggregate index recorded: a load of the latest checks its version against it. */
  readonly index?: AggregateIndex | undefined
  /** What the aggregates `get` and `getEntity` return save through (their `save()`). */
  readonly saver?: AggregateSaver | undefined
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
 * the requested version, and checks as it goes (verification.ts): the snapshot links to the
 * stored event at its version, the events after it continue the chain, and a load of the
 * latest finds what the aggregate index recorded.
 */
export class Repository {
  private replayObserver: ReplayObserver | undefined

  private readonly verifyHashes: boolean
  private readonly index: AggregateIndex | undefined
  private readonly saver: AggregateSaver | undefined
  /**
   * The aggregate each class's latest fold ended with, by class, kept for its hidden class:
   * V8 keeps one only while an object of it lives (see keepShape in canonicalRecord.ts), and
   * without an aggregate of the class alive, a full garbage collection between two replays
   * threw away the optimised code of the replay loop, `mutate` and `advance`.
   */
  private readonly aggregateShapes = new Map<object, Aggregate>()

  constructor(
    readonly eventStore: EventStore,
    readonly snapshots: SnapshotStrategy | undefined,
    options: RepositoryOptions = {},
  ) {
    this.verifyHashes = options.verifyHashes ?? true
    this.index = options.index
    this.saver = options.saver
  }

  private bind<A extends Aggregate>(aggregate: A): A {
    return this.saver ? aggregate.bindSaver(this.saver) : aggregate
  }

  /** The latest version; AggregateNotFound when it never existed or was discarded. */
  async get<A extends Aggregate = Aggregate>(originatorId: string): Promise<A> {
    const { aggregate } = await this.replay(originatorId)
    if (!aggregate) throw new AggregateNotFound(originatorId, 'missing')
    if (aggregate.isDiscarded) throw new AggregateNotFound(originatorId, 'discarded')
    return this.bind(aggregate as A)
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
    return this.bind(aggregate as A)
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
          // Discarded at or before `at`: nothing after a Discarded event can exist. Still, the
          // snapshot must stand on a stored event, and nothing may follow it (one read of two
          // rows: a snapshot edited to say discarded would otherwise hide every later event).
          const [discarded, after] = await this.eventStore.list(originatorId, {
            gt: snapshot.originatorVersion - 1,
            lte: snapshot.originatorVersion + 1,
          })
          if (after) {
            throw integrityError({
              originatorId,
              version: snapshot.originatorVersion,
              problem: 'tampered',
              message: `the snapshot at version ${snapshot.originatorVersion} of ${originatorId} says the aggregate was discarded, but version ${after.originatorVersion} is stored after it`,
            })
          }
          const problem = snapshotLinkProblem(
            originatorId,
            snapshot.originatorVersion,
            null,
            discarded,
            this.verifyHashes,
          )
          if (problem) throw integrityError(problem)
          return { aggregate: this.discardedPlaceholder(snapshot), snapshot, eventsApplied: 0 }
        }
        aggregate = restoreSnapshot(snapshot, snapshot.state)
      }
    }
    // A snapshot's own event is read in the same range read, to link the snapshot to it.
    const folded = await this.fold(originatorId, aggregate, options, aggregate !== undefined)
    const reached = folded.aggregate?.version ?? -1
    // Asked for the latest, or stopped short of `at`: the store must not have recorded more.
    if (at === undefined || reached < at)
      await this.checkTail(originatorId, reached, at !== undefined)
    const result = { aggregate: folded.aggregate, snapshot, eventsApplied: folded.applied }
    if (this.snapshots && options.useSnapshots !== false)
      await this.replayObserver?.(originatorId, result, options)
    return result
  }

  /** The aggregate's newest stored version, checked against the index; undefined if none. */
  async latestVersion(originatorId: string): Promise<number | undefined> {
    return (await this.latest(originatorId))?.version
  }

  /**
   * The newest stored version, checked against the index (a lost tail is DataIntegrityError),
   * and the aggregate class topic, from the index entry or else the creation event (version 0),
   * never from a later row: a row with a foreign topic appended cannot change it. One round
   * trip (two reads in parallel) when the index knows the aggregate.
   */
  async latest(
    originatorId: string,
  ): Promise<{ version: number; aggregateTopic: string } | undefined> {
    const recorder = this.eventStore.recorder
    const [[newest], indexed] = await Promise.all([
      recorder.select(originatorId, { desc: true, limit: 1 }),
      this.index?.(originatorId),
    ])
    const problem = await tailProblem(
      recorder,
      indexed,
      originatorId,
      newest?.originatorVersion ?? -1,
    )
    if (problem) throw integrityError(problem)
    if (!newest) return undefined
    // Another program may have written anything in the column; every read is built on this.
    const version: unknown = newest.originatorVersion
    if (!Number.isSafeInteger(version) || (version as number) < 0) {
      throw integrityError({
        originatorId,
        version: 0,
        problem: 'undecodable',
        message: `the newest stored version of ${originatorId} is ${JSON.stringify(version)}, which is not a version (a whole number from 0)`,
      })
    }
    if (indexed)
      return { version: newest.originatorVersion, aggregateTopic: indexed.aggregateTopic }
    const [created] = await recorder.select(originatorId, { lte: 0, limit: 1 })
    if (!created) {
      throw integrityError({
        originatorId,
        version: 0,
        problem: 'missing',
        message: `version 0 of ${originatorId} (its creation event) is missing from the store`,
      })
    }
    return {
      version: newest.originatorVersion,
      aggregateTopic: aggregateTopicOfEventTopic(created.topic),
    }
  }

  private async checkTail(originatorId: string, reached: number, probe: boolean): Promise<void> {
    const indexed = await this.index?.(originatorId)
    const recorder = this.eventStore.recorder
    const problem = await tailProblem(recorder, indexed, originatorId, reached, probe)
    if (problem) throw integrityError(problem)
  }

  /**
   * Applies the stored events after `aggregate` (from the start when undefined) up to `at`,
   * checking that they continue its chain. With `linkStart`, the read starts at the
   * aggregate's own version (a snapshot's): that stored event must carry the hash the snapshot
   * recorded, and is not applied again.
   */
  private async fold(
    originatorId: string,
    start: Aggregate | undefined,
    options: ReplayOptions,
    linkStart = false,
  ): Promise<{ aggregate: Aggregate | undefined; applied: number }> {
    let aggregate = start
    let applied = 0
    const chain = new ChainCheck(
      originatorId,
      start
        ? { version: start.version + 1, previousHash: start.lastHash }
        : { version: 0, previousHash: '' },
      this.verifyHashes,
    )
    let linkPending = linkStart && start !== undefined
    const from = start ? start.version - (linkPending ? 1 : 0) : undefined
    for await (const { events: page, checks } of this.eventStore.checkedPages(
      originatorId,
      this.verifyHashes,
      {
        ...(from === undefined ? {} : { gt: from }),
        ...(options.at === undefined ? {} : { lte: options.at }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    )) {
      let i = 0
      if (linkPending) {
        linkPending = false
        const event = page[0]
        const problem = snapshotLinkProblem(
          originatorId,
          start!.version,
          start!.lastHash,
          event,
          this.verifyHashes,
          checks?.[0],
        )
        if (problem) throw integrityError(problem)
        i = 1
      }
      // One try around the page, not one per event: the replay's hot loop stays as it was.
      try {
        for (; i < page.length; i++) {
          const event = page[i]!
          chain.accept(event, checks?.[i])
          aggregate = (event.mutate(aggregate ?? null) as Aggregate | null) ?? undefined
          applied += 1
        }
      } catch (error) {
        throw applyFailure(page[i]!, error)
      }
      if (aggregate) options.onProgress?.(aggregate.version)
    }
    if (linkPending) {
      throw integrityError(snapshotLinkProblem(originatorId, start!.version, undefined, undefined)!)
    }
    if (aggregate) this.aggregateShapes.set(aggregate.constructor, aggregate)
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
    const records = await this.snapshotRecordsAt(originatorId, versions)
    await this.requireSnapshots().putRecords(records)
    return records.map((r) => r.originatorVersion)
  }

  /**
   * The records takeSnapshots would store, not stored: for a caller that stores those of
   * several aggregates in one go (the snapshotting policy after a save of many).
   */
  async snapshotRecordsAt(
    originatorId: string,
    versions: readonly number[],
  ): Promise<StoredRecord[]> {
    const snapshots = this.requireSnapshots()
    const targets = [...new Set(versions)].sort((a, b) => a - b)
    if (targets.length === 0) return []
    let { aggregate } = await this.replay(originatorId, { at: targets[0]! })
    const out: StoredRecord[] = []
    for (const version of targets) {
      if (aggregate && !aggregate.isDiscarded && aggregate.version < version) {
        aggregate = (await this.fold(originatorId, aggregate, { at: version })).aggregate
      }
      if (!aggregate) continue
      // Encoded at once, before the aggregate is advanced to the next version.
      out.push(snapshots.encode(snapshotOf(aggregate)))
    }
    return out
  }

  /**
   * The records snapshotRecordsAt would make, for an aggregate whose whole history a save has
   * just stored (`fromVersion` 0): its events read back in one select and folded, with no
   * snapshot to look for and no index to check. Read back, not the saved event objects: a
   * mutate that keeps a reference to an event's field would otherwise share it with the live
   * aggregate. Undefined for any other save (snapshotRecordsAt applies).
   */
  async snapshotRecordsOfNew(
    originatorId: string,
    fromVersion: number,
    versions: readonly number[],
  ): Promise<StoredRecord[] | undefined> {
    if (fromVersion !== 0 || versions.length === 0) return undefined
    const snapshots = this.requireSnapshots()
    const due = new Set(versions)
    const out: StoredRecord[] = []
    let aggregate: Aggregate | undefined
    for await (const page of this.eventStore.pages(originatorId, { lte: Math.max(...versions) })) {
      for (const event of page) {
        try {
          aggregate = (event.mutate(aggregate ?? null) as Aggregate | null) ?? undefined
        } catch (error) {
          throw applyFailure(event, error)
        }
        // Encoded at once, before the next event changes the aggregate.
        if (aggregate && due.has(event.originatorVersion)) {
          out.push(snapshots.encode(snapshotOf(aggregate)))
        }
      }
    }
    return out
  }

  /** Stores records made by snapshotRecordsAt, of any aggregates, together. */
  putSnapshotRecords(records: readonly StoredRecord[]): Promise<void> {
    return this.requireSnapshots().putRecords(records)
  }

  private requireSnapshots(): SnapshotStrategy {
    if (!this.snapshots) throw new Error('this repository has no snapshot store')
    return this.snapshots
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

function snapshotOf(aggregate: Aggregate): Snapshot {
  return {
    originatorId: aggregate.id,
    originatorVersion: aggregate.version,
    timestamp: new Date(),
    topic: topics.topicOf(aggregate.constructor as typeof Aggregate),
    state: aggregate.isDiscarded ? null : aggregateState(aggregate),
  }
}
