/**
 * The store's key check: which cipher key (if any) the store was first written with, so that a
 * missing, wrong or unexpected key is told up front and can never write beside the real data.
 *
 * Where it lives: one reserved record in the snapshots table (originator id = the nil UUID,
 * version 0, topic KEY_CHECK_TOPIC), written with the recorder's own conditional insert. Every
 * store already has that table and that insert (SQLite's primary key, Cassandra's
 * `IF NOT EXISTS`, memory's version check), so racing first writers agree on one record with no
 * new schema, and the nil UUID is never an aggregate's id (ids are v4 UUIDs), so it shows in no
 * listing, log or index.
 *
 * What it holds: a fixed constant mapped like any state. Under a key that is AES-GCM of the
 * constant with a random nonce and the record's associated data — no more help in guessing the
 * key than any encrypted event is, and never the key or a hash of it. Without a key it is the
 * plain constant: the "plain store" marker.
 */
import { ConcurrencyError, DataIntegrityError, WriteRefused } from '../errors'
import type { Mapper } from './mapper'
import { Mapper as MapperClass } from './mapper'
import type { AggregateRecorder, ApplicationRecorder, Store, StoredRecord } from './recorder'

/** The reserved originator id of the key check record (never a v4 UUID). */
export const KEY_CHECK_ORIGINATOR_ID = '00000000-0000-0000-0000-000000000000'
export const KEY_CHECK_TOPIC = 'eventsourcing#KeyCheck'
const KEY_CHECK_VERSION = 0
const KEY_CHECK_CONSTANT = 'eventscope key check v1'

/**
 * How this application's key (or its lack) relates to the store:
 * - `verified`: the key check record matches (the same key, or no key for a plain store);
 * - `new-store`: nothing is stored yet; the first write records the check;
 * - `inferred`: a store from before key checks whose first stored event reads with this key
 *   (or without one, for a plain store); the first write records the check;
 * - `missing-key`: the store is encrypted and no key is set;
 * - `wrong-key`: the store is encrypted with another key;
 * - `unexpected-key`: the store is not encrypted and a key is set.
 * The last three are mismatches: the application refuses every write.
 */
export type KeyCheckState =
  'verified' | 'new-store' | 'inferred' | 'missing-key' | 'wrong-key' | 'unexpected-key'

export type KeyMismatchState = Extract<
  KeyCheckState,
  'missing-key' | 'wrong-key' | 'unexpected-key'
>

export interface KeyCheckResult {
  readonly state: KeyCheckState
  /** What the state was told from: the check record, the oldest stored event, or an empty store. */
  readonly basis: 'check-record' | 'stored-event' | 'empty-store'
}

export function isKeyMismatch(state: KeyCheckState): state is KeyMismatchState {
  return state === 'missing-key' || state === 'wrong-key' || state === 'unexpected-key'
}

/** Words a user understands, for each state. */
export function describeKeyCheck(result: KeyCheckResult): string {
  const legacy = result.basis === 'stored-event'
  switch (result.state) {
    case 'verified':
      return 'The cipher key matches the key this store was written with.'
    case 'new-store':
      return 'The store is empty: the first save records which key it uses.'
    case 'inferred':
      return 'The store predates key checks; its oldest event reads with this key setting. The next save records the key check.'
    case 'missing-key':
      return `This store is encrypted, but no cipher key is set${legacy ? ' (its oldest event is encrypted)' : ''}. Enter the store's key to read its events and to write.`
    case 'wrong-key':
      return legacy
        ? "This key does not open the store's oldest event: it is the wrong key (or that record is damaged). Enter the store's key."
        : 'This is not the key this store was written with. Enter the right key to read its events and to write.'
    case 'unexpected-key':
      return `This store is not encrypted, but a cipher key is set${legacy ? ' (its oldest event is plain)' : ''}. Forget the key to write to it; writing with a key would mix encrypted and plain events.`
  }
}

/**
 * Compares a mapper's key with the store's key check, and records the check on the first write.
 * Evaluated once (then cached), and again after losing the race to record it.
 */
export class KeyCheck {
  private result: KeyCheckResult | undefined
  private recording: Promise<void> | undefined

  constructor(
    private readonly store: Pick<Store, 'events' | 'snapshots'>,
    private readonly mapper: Mapper,
  ) {}

  /** The last evaluated result, if any. */
  get current(): KeyCheckResult | undefined {
    return this.result
  }

  /** Reads the store (the check record, else its oldest event) and compares it with the key. */
  async evaluate(): Promise<KeyCheckResult> {
    const [record] = await this.store.snapshots.select(KEY_CHECK_ORIGINATOR_ID, {
      gte: KEY_CHECK_VERSION,
      lte: KEY_CHECK_VERSION,
    })
    if (record) {
      this.result = { state: this.compare(record, true), basis: 'check-record' }
      return this.result
    }
    const sample = await this.oldestEvent(this.store.events)
    if (!sample) {
      this.result = { state: 'new-store', basis: 'empty-store' }
      return this.result
    }
    const state = this.compare(sample, false)
    this.result = { state: state === 'verified' ? 'inferred' : state, basis: 'stored-event' }
    return this.result
  }

  /**
   * Called before every insert: refuses it on a mismatch, and writes the check record before
   * the store's first write with this key. Throws WriteRefused when the key does not match.
   */
  async beforeWrite(): Promise<void> {
    const result = this.result ?? (await this.evaluate())
    if (isKeyMismatch(result.state)) throw keyRefusal(result)
    if (result.state === 'verified') return
    this.recording ??= this.record().finally(() => (this.recording = undefined))
    await this.recording
    const after = this.result ?? result
    if (isKeyMismatch(after.state)) throw keyRefusal(after)
  }

  private async record(): Promise<void> {
    const record = this.mapper.toRecord(
      KEY_CHECK_ORIGINATOR_ID,
      KEY_CHECK_VERSION,
      KEY_CHECK_TOPIC,
      { check: KEY_CHECK_CONSTANT },
    )
    try {
      await this.store.snapshots.insert([record])
      this.result = { state: 'verified', basis: 'check-record' }
    } catch (error) {
      // Another writer recorded the check first: compare with theirs.
      if (!(error instanceof ConcurrencyError)) throw error
      await this.evaluate()
    }
  }

  private compare(record: StoredRecord, isCheckRecord: boolean): KeyCheckState {
    const storeEncrypted = MapperClass.isEncrypted(record)
    if (storeEncrypted && !this.mapper.encrypted) return 'missing-key'
    if (!storeEncrypted && this.mapper.encrypted) return 'unexpected-key'
    try {
      const decoded = this.mapper.decodeState(record) as { check?: unknown } | null
      if (isCheckRecord && decoded?.check !== KEY_CHECK_CONSTANT) {
        throw new DataIntegrityError('the key check record holds an unexpected value')
      }
      return 'verified'
    } catch (error) {
      if (!(error instanceof DataIntegrityError)) throw error
      return 'wrong-key'
    }
  }

  /** The first event of the first batch in the application log: what the store was meant to be. */
  private async oldestEvent(events: ApplicationRecorder): Promise<StoredRecord | undefined> {
    const [entry] = await events.selectLog({ limit: 1 })
    if (!entry) return undefined
    const [record] = await events.select(entry.originatorId, { limit: 1 })
    return record
  }
}

type AnyFunction = (...args: unknown[]) => unknown

function keyRefusal(result: KeyCheckResult): WriteRefused {
  return new WriteRefused(
    `writing is blocked: ${describeKeyCheck(result)}`,
    result.state as KeyMismatchState,
  )
}

/**
 * The store as an application writes to it: every insert (events, snapshots) first passes the
 * guard. A Proxy, so the recorders keep all their other methods (and any added later) as they
 * are, called on the recorder itself.
 */
export function guardWrites(store: Store, beforeWrite: () => Promise<void>): Store {
  const guard = <R extends AggregateRecorder>(recorder: R): R =>
    new Proxy(recorder, {
      get(target, property) {
        if (property === 'insert') {
          return async (records: readonly StoredRecord[]) => {
            await beforeWrite()
            return target.insert(records)
          }
        }
        if (property === 'insertBatches') {
          // Absent on a store that cannot write several originators atomically: stays absent.
          const insertBatches = target.insertBatches
          if (!insertBatches) return undefined
          return async (batches: readonly (readonly StoredRecord[])[]) => {
            await beforeWrite()
            return insertBatches.call(target, batches)
          }
        }
        if (property === 'insertIfAbsent') {
          const insertIfAbsent = target.insertIfAbsent
          if (!insertIfAbsent) return undefined
          return async (records: readonly StoredRecord[]) => {
            await beforeWrite()
            return insertIfAbsent.call(target, records)
          }
        }
        const value: unknown = Reflect.get(target, property, target)
        return typeof value === 'function' ? (value as AnyFunction).bind(target) : value
      },
    })
  const events = guard(store.events)
  const snapshots = guard(store.snapshots)
  return new Proxy(store, {
    get(target, property) {
      if (property === 'events') return events
      if (property === 'snapshots') return snapshots
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as AnyFunction).bind(target) : value
    },
  })
}
