import type { Aggregate } from '../domain/aggregate'
import type { DomainEvent } from '../domain/events'
import { WriteRefused } from '../errors'
import { AesGcmCipher } from '../persistence/cipher'
import { KeyCheck, guardWrites } from '../persistence/keyCheck'
import { Mapper } from '../persistence/mapper'
import type {
  AggregateListQuery,
  AggregateSummary,
  Page,
  RecordQuery,
  Store,
  StoredRecord,
} from '../persistence/recorder'
import { applicationLogOf, type ApplicationLog } from './applicationLog'
import { EventStore, type ReadOptions } from './eventStore'
import {
  verifyHistory,
  type HistoryVerification,
  type VerifyHistoryOptions,
} from './historyVerification'
import {
  SnapshottingPolicy,
  type SnapshotFailureHandler,
  type SnapshotsTakenHandler,
} from './policies'
import { Repository, type ReplayOptions, type ReplayResult } from './repository'
import { SnapshotStrategy, type Snapshot, type SnapshotSummary } from './snapshotStrategy'
import { aggregateIndexOf, verifiedPages, type VerifiedRange } from './verification'

/** Told of every committed save: the events stored, in the order given to `save`. */
export type SaveListener = (events: readonly DomainEvent[]) => void | Promise<void>

/** What a failing listener reports instead of failing a save whose events are stored. */
export type SubscriberFailureHandler = (error: unknown, events: readonly DomainEvent[]) => void

export interface ApplicationOptions {
  readonly store: Store
  /** AES key of 16, 24 or 32 bytes; without one nothing is encrypted. */
  readonly cipherKey?: Uint8Array | undefined
  /** Take a snapshot every `snapshotPeriod` versions; 0 or undefined: never. */
  readonly snapshotPeriod?: number | undefined
  readonly compress?: boolean
  /**
   * Called when due snapshots cannot be taken, after a stored save or a load's catch-up
   * (default: a console warning); the save or load stands.
   */
  readonly onSnapshotFailure?: SnapshotFailureHandler
  /** Called when due snapshots were stored (after a failure: it has stopped, for now). */
  readonly onSnapshotsTaken?: SnapshotsTakenHandler
  /** Called when a save listener fails (default: a console warning); the save stands. */
  readonly onSubscriberFailure?: SubscriberFailureHandler
  /** Check the hash chain on every replay (default true). */
  readonly verifyHashes?: boolean
  /** Refuse every write (WriteRefused): for looking at a store without any risk of changing it. */
  readonly readOnly?: boolean
  /**
   * Take the due snapshots a replay finds missing (default true when snapshotting): a snapshot
   * skipped by a failure or a crash is taken by the next load. Off for a store that must not be
   * written.
   */
  readonly takeMissedSnapshots?: boolean
}

/**
 * An event-sourced application over one store. Writing: `save(...aggregates)` is the whole path
 * (collect, one atomic insert, snapshots, listeners). Reading: `repository` loads aggregates;
 * the read methods below are what an explorer needs, and all it should use. `store`,
 * `eventStore`, `mapper` and `snapshotStrategy` are the parts underneath, for tools and tests.
 */
export class Application implements AsyncDisposable {
  readonly store: Store
  readonly mapper: Mapper
  readonly eventStore: EventStore
  readonly snapshotStrategy: SnapshotStrategy | undefined
  readonly repository: Repository
  readonly snapshotPeriod: number
  /** This application's key compared with the store's; a mismatch refuses every write. */
  readonly keyCheck: KeyCheck
  readonly readOnly: boolean
  /** The application log: one entry per stored batch, to list and follow changes. */
  readonly log: ApplicationLog
  private readonly snapshotting: SnapshottingPolicy | undefined
  /** Reads snapshots even when this application takes none (period 0). */
  private readonly snapshotReader: SnapshotStrategy
  /** Replays without the hash check, to still show an aggregate whose chain is broken. */
  private readonly unverified: Repository
  private readonly onSubscriberFailure: SubscriberFailureHandler
  private listeners: readonly SaveListener[] = []
  private closed = false

  constructor(options: ApplicationOptions) {
    this.mapper = new Mapper({
      cipher: options.cipherKey ? new AesGcmCipher(options.cipherKey) : undefined,
      compress: options.compress ?? true,
    })
    this.readOnly = options.readOnly ?? false
    this.keyCheck = new KeyCheck(options.store, this.mapper)
    // Every insert through this application (events, snapshots) passes the key check first.
    this.store = guardWrites(options.store, async () => {
      if (this.readOnly) {
        throw new WriteRefused('this store is opened read-only: nothing is written', 'read-only')
      }
      await this.keyCheck.beforeWrite()
    })
    this.snapshotPeriod = options.snapshotPeriod ?? 0
    this.eventStore = new EventStore(this.store.events, this.mapper)
    this.snapshotStrategy =
      this.snapshotPeriod > 0 ? new SnapshotStrategy(this.store.snapshots, this.mapper) : undefined
    this.snapshotReader =
      this.snapshotStrategy ?? new SnapshotStrategy(this.store.snapshots, this.mapper)
    this.repository = new Repository(this.eventStore, this.snapshotStrategy, {
      verifyHashes: options.verifyHashes ?? true,
      index: aggregateIndexOf(this.store.events),
      saver: this,
    })
    this.unverified = new Repository(this.eventStore, this.snapshotStrategy, {
      verifyHashes: false,
    })
    this.snapshotting =
      this.snapshotPeriod > 0
        ? new SnapshottingPolicy(
            this.repository,
            this.snapshotPeriod,
            { onFailure: options.onSnapshotFailure, onTaken: options.onSnapshotsTaken },
            options.takeMissedSnapshots ?? !this.readOnly,
          )
        : undefined
    this.onSubscriberFailure = options.onSubscriberFailure ?? warnSubscriberFailure
    this.log = applicationLogOf(this.store.events)
  }

  get encrypted(): boolean {
    return this.mapper.encrypted
  }

  // ── Writing ────────────────────────────────────────────────────────────────────────────

  /**
   * Stores the pending events of `aggregates` and returns them: collected from all, written in
   * one atomic insert (all or none), then the due snapshots taken (post-commit: a failure goes
   * to onSnapshotFailure, the save stands), then the listeners told. When the insert fails
   * (ConcurrencyError: another writer stored one of those versions first) the events go back
   * to their aggregates as pending and the error is thrown. Several aggregates in one save
   * need a store that writes them atomically (memory, SQLite); on Cassandra it is a
   * ConfigurationError, raised before anything is written. The aggregates are bound to this
   * application: their own `save()` comes here.
   */
  async save(...aggregates: Aggregate[]): Promise<DomainEvent[]> {
    const collected = aggregates.map((aggregate) => {
      aggregate.bindSaver(this)
      return { aggregate, events: aggregate.collectEvents() }
    })
    const events = collected.flatMap((c) => c.events)
    if (events.length === 0) return events
    try {
      await this.eventStore.put(events)
    } catch (error) {
      for (const c of collected) c.aggregate.restorePendingEvents(c.events)
      throw error
    }
    await this.snapshotting?.afterSave(events)
    for (const listener of this.listeners) {
      try {
        await listener(events)
      } catch (error) {
        this.onSubscriberFailure(error, events)
      }
    }
    return events
  }

  /**
   * Takes snapshots of one aggregate at `versions` (missing ones a caller found, as a load's
   * catch-up does), reporting to onSnapshotFailure / onSnapshotsTaken; never throws. Nothing
   * when this application takes no snapshots.
   */
  async takeSnapshots(originatorId: string, versions: readonly number[]): Promise<void> {
    await this.snapshotting?.take(originatorId, versions)
  }

  /** Calls `listener` after every committed save, in subscription order; returns unsubscribe. */
  subscribe(listener: SaveListener): () => void {
    this.listeners = [...this.listeners, listener]
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  // ── Reading (what an explorer uses) ──────────────────────────────────────────────────────

  /** The store's kind and a short description of it (file path, contact points). */
  get storeKind(): Store['kind'] {
    return this.store.kind
  }
  get storeDescription(): string {
    return this.store.description
  }

  /**
   * The newest stored version and the aggregate class topic, checked against the aggregate
   * index (a lost tail is DataIntegrityError); undefined when the aggregate has no events.
   */
  latest(originatorId: string): Promise<{ version: number; aggregateTopic: string } | undefined> {
    return this.repository.latest(originatorId)
  }

  /** The newest stored event record, as stored (unchecked); undefined when none. */
  async latestRecord(originatorId: string): Promise<StoredRecord | undefined> {
    const [record] = await this.store.events.select(originatorId, { desc: true, limit: 1 })
    return record
  }

  /**
   * The event at `version`, decoded; undefined when none is stored there. With `verify`, it is
   * read with the event before it and must link to it and match its hash (DataIntegrityError).
   */
  async eventAt(
    originatorId: string,
    version: number,
    options: { verify?: boolean } = {},
  ): Promise<DomainEvent | undefined> {
    if (options.verify) {
      const range = { fromVersion: version, toVersion: version }
      for await (const [event] of verifiedPages(this.eventStore, originatorId, range)) {
        if (event) return event
      }
      return undefined
    }
    const [record] = await this.store.events.select(originatorId, { gte: version, lte: version })
    return record && this.mapper.recordToEvent(record)
  }

  /** Event records within the range, as stored (state possibly encrypted and compressed). */
  eventRecords(originatorId: string, query: RecordQuery = {}): Promise<StoredRecord[]> {
    return this.store.events.select(originatorId, query)
  }

  /** Ascending pages of decoded events within (gt, lte], unchecked. */
  eventPages(originatorId: string, options: ReadOptions = {}): AsyncGenerator<DomainEvent[]> {
    return this.eventStore.pages(originatorId, options)
  }

  /**
   * Ascending pages of decoded events in [fromVersion, toVersion], each checked: contiguous,
   * linked to the event before the range, matching its hash (DataIntegrityError otherwise,
   * also when the range ends early).
   */
  verifiedEventPages(originatorId: string, range: VerifiedRange): AsyncGenerator<DomainEvent[]> {
    return verifiedPages(this.eventStore, originatorId, range)
  }

  /**
   * The aggregate as of `at` (default: the latest), from the newest snapshot at or below it
   * unless `useSnapshots: false`. `verify` (default true): the hash chain, the snapshot's link
   * and the index are checked; false replays without the hash check, to show a broken chain.
   */
  replay(
    originatorId: string,
    options: ReplayOptions & { verify?: boolean } = {},
  ): Promise<ReplayResult> {
    const { verify = true, ...replayOptions } = options
    return (verify ? this.repository : this.unverified).replay(originatorId, replayOptions)
  }

  /** Decoded snapshots within the range (ascending unless `desc`), whatever the period. */
  async snapshots(originatorId: string, query: RecordQuery = {}): Promise<Snapshot[]> {
    const records = await this.store.snapshots.select(originatorId, query)
    return records.map((r) => this.snapshotReader.decode(r))
  }

  /**
   * The versions at which snapshots are stored within the range (ascending unless `desc`):
   * nothing is decoded, and where the recorder can, no state is read at all.
   */
  async snapshotVersions(originatorId: string, query: RecordQuery = {}): Promise<number[]> {
    const recorder = this.store.snapshots
    if (recorder.selectVersions) return recorder.selectVersions(originatorId, query)
    return (await recorder.select(originatorId, query)).map((r) => r.originatorVersion)
  }

  /** A stored snapshot record decoded (decrypted, decompressed) as `snapshots` decodes it. */
  decodeSnapshot(record: StoredRecord): Snapshot {
    return this.snapshotReader.decode(record)
  }

  /** A stored snapshot record without its state (SnapshotStrategy.decodeSummary). */
  decodeSnapshotSummary(record: StoredRecord): SnapshotSummary {
    return this.snapshotReader.decodeSummary(record)
  }

  /** Snapshot records within the range, as stored. */
  snapshotRecords(originatorId: string, query: RecordQuery = {}): Promise<StoredRecord[]> {
    return this.store.snapshots.select(originatorId, query)
  }

  /** Verify whole history of one aggregate: every event and snapshot, every problem listed. */
  verifyHistory(
    originatorId: string,
    options: VerifyHistoryOptions = {},
  ): Promise<HistoryVerification> {
    const sources = {
      events: this.store.events,
      mapper: this.mapper,
      snapshots: this.snapshotReader,
      index: aggregateIndexOf(this.store.events),
    }
    return verifyHistory(sources, originatorId, options)
  }

  /** A page of the aggregate index (newest change first, or by id). */
  listAggregates(query: AggregateListQuery): Promise<Page<AggregateSummary>> {
    return this.store.events.listAggregates(query)
  }

  /**
   * Every aggregate id with stored events, whatever the index says, in pages (a walk of the
   * events table's keys: for Verify store). Undefined when the store cannot list them.
   */
  storedOriginatorIds(): AsyncIterable<readonly string[]> | undefined {
    return this.store.events.storedOriginatorIds?.()
  }

  /** How many aggregates the index holds. */
  countAggregates(): Promise<number> {
    return this.store.events.countAggregates()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.snapshotting?.close()
    this.listeners = []
    await this.store.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

function warnSubscriberFailure(error: unknown, events: readonly DomainEvent[]): void {
  const reason = error instanceof Error ? error.message : String(error)
  const first = events[0]
  console.warn(
    `a save listener failed after ${events.length} event(s) of ${first?.originatorId ?? '?'} were stored: ${reason}`,
  )
}
