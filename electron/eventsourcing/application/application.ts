import { defaultBus, type Aggregate, type EventBatch } from '../domain/aggregate'
import type { EventBus } from '../domain/bus'
import type { DomainEvent } from '../domain/events'
import { ConfigurationError, WriteRefused } from '../errors'
import { AesGcmCipher } from '../persistence/cipher'
import { KeyCheck, guardWrites } from '../persistence/keyCheck'
import { Mapper } from '../persistence/mapper'
import type { Store } from '../persistence/recorder'
import { EventStore } from './eventStore'
import { PersistencePolicy, SnapshottingPolicy, type SnapshotFailureHandler } from './policies'
import { Repository } from './repository'
import { SnapshotStrategy } from './snapshotStrategy'
import { aggregateIndexOf } from './verification'

export interface ApplicationOptions {
  readonly store: Store
  /** AES key of 16, 24 or 32 bytes; without one nothing is encrypted. */
  readonly cipherKey?: Uint8Array | undefined
  /** Take a snapshot every `snapshotPeriod` versions; 0 or undefined: never. */
  readonly snapshotPeriod?: number | undefined
  /** The bus aggregates publish to (default: the module-level bus, as in the seed). */
  readonly bus?: EventBus<EventBatch>
  readonly compress?: boolean
  /** Called when a snapshot cannot be taken after a stored batch (default: a console warning). */
  readonly onSnapshotFailure?: SnapshotFailureHandler
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

const busesInUse = new WeakSet<EventBus<EventBatch>>()

/**
 * An event-sourced application: the event and snapshot stores over one store, the repository,
 * and the policies subscribed in order (persistence first, then snapshotting).
 */
export class Application implements AsyncDisposable {
  readonly store: Store
  readonly mapper: Mapper
  readonly eventStore: EventStore
  readonly snapshotStrategy: SnapshotStrategy | undefined
  readonly repository: Repository
  readonly bus: EventBus<EventBatch>
  readonly snapshotPeriod: number
  /** This application's key compared with the store's; a mismatch refuses every write. */
  readonly keyCheck: KeyCheck
  readonly readOnly: boolean
  private readonly policies: Array<{ close(): void }> = []
  private closed = false

  constructor(options: ApplicationOptions) {
    this.bus = options.bus ?? defaultBus
    if (busesInUse.has(this.bus)) {
      throw new ConfigurationError(
        'another open application already stores what this bus publishes; give each application its own bus',
      )
    }
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
    this.repository = new Repository(
      this.eventStore,
      this.snapshotStrategy,
      this.bus,
      options.verifyHashes ?? true,
      aggregateIndexOf(this.store.events),
    )
    busesInUse.add(this.bus)
    try {
      this.policies.push(new PersistencePolicy(this.bus, this.eventStore))
      if (this.snapshotPeriod > 0) {
        this.policies.push(
          new SnapshottingPolicy(
            this.bus,
            this.repository,
            this.snapshotPeriod,
            options.onSnapshotFailure,
            options.takeMissedSnapshots ?? !this.readOnly,
          ),
        )
      }
    } catch (error) {
      // A policy refused its settings (e.g. a period of 1.5): leave the bus as it was found.
      for (const policy of this.policies) policy.close()
      busesInUse.delete(this.bus)
      throw error
    }
  }

  get encrypted(): boolean {
    return this.mapper.encrypted
  }

  /**
   * Stores the pending events of `aggregates` (ConcurrencyError when another writer stored one
   * of those versions first) and returns them. Interim: publishes on the bus; the explicit save
   * path (collect, one insert, snapshots after the commit, notify) replaces it.
   */
  async save(...aggregates: Aggregate[]): Promise<DomainEvent[]> {
    const batch = aggregates.flatMap((a) => a.collectEvents())
    if (batch.length > 0) await this.bus.publish(batch)
    return batch
  }

  /** Binds a new aggregate to this application's bus so its save() is stored here. */
  adopt<A extends Aggregate>(aggregate: A): A {
    return aggregate.bindBus(this.bus)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const policy of this.policies.reverse()) policy.close()
    busesInUse.delete(this.bus)
    await this.store.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
