/** A stored event or snapshot: what a recorder writes and reads. Only `state` may be encrypted. */
export interface StoredRecord {
  readonly originatorId: string
  readonly originatorVersion: number
  readonly topic: string
  readonly state: Uint8Array
}

/** A range on the clustering key (originator version). */
export interface RecordQuery {
  readonly gt?: number
  readonly gte?: number
  readonly lt?: number
  readonly lte?: number
  readonly desc?: boolean
  readonly limit?: number
}

/**
 * How a store may hand over states as text (`selectSplit`): a state whose first byte is
 * `formatByte` comes back as one string, its next `headBytes` bytes in hex (lower case, as
 * SQLite's lower(hex()) writes them; either case is read) followed by the rest decoded as
 * UTF-8, so no Buffer is made per row (SQLite splits it in SQL) and the driver makes one string
 * per state. A state whose first byte is `retypedByte` (when given) comes back the same way
 * after one `r` (never a hex digit). The mapper says which formats; the store knows nothing of them.
 */
export interface StateSplit {
  readonly formatByte: number
  readonly headBytes: number
  readonly retypedByte?: number
}

/** What starts a split state whose first byte is the split's `retypedByte`. */
export const RETYPED_SPLIT_MARK = 'r'

/**
 * A row of one originator read by `selectSplit`: version, topic, then the state: a string (the
 * head in hex, then the text) when it was split, else the whole state.
 */
export type SplitRow = readonly [
  originatorVersion: number,
  topic: string,
  state: string | Uint8Array,
]

/** One table of records partitioned by originator id and clustered by version. */
export interface AggregateRecorder {
  /**
   * Stores the records atomically: all or none. All records belong to one originator. When
   * any version already exists, nothing is stored and ConcurrencyError is raised.
   */
  insert(records: readonly StoredRecord[]): Promise<void>
  /**
   * Stores the batches of several originators atomically: all or none, each batch checked as
   * `insert` checks it, one batch per originator. Absent when the store cannot write across
   * originators atomically (Cassandra: a conditional batch cannot span partitions).
   */
  insertBatches?(batches: readonly (readonly StoredRecord[])[]): Promise<void>
  /**
   * Stores, in one transaction, each record whose (originator id, version) is not stored yet,
   * of any originators and versions; the ones stored already are left as they are. For records
   * that a version fixes (snapshots), never for events. Optional: where it is absent, or costs
   * no more than single inserts, callers insert one record at a time.
   */
  insertIfAbsent?(records: readonly StoredRecord[]): Promise<void>
  /** Records of one originator within the range, ascending unless `desc`. */
  select(originatorId: string, query?: RecordQuery): Promise<StoredRecord[]>
  /**
   * The versions of one originator's records within the range, without their states (an
   * index-only read where the store has one). Optional: Application falls back to `select`.
   */
  selectVersions?(originatorId: string, query?: RecordQuery): Promise<number[]>
  /**
   * `select` as arrays of version, topic and state (no object per row, no id), the states of
   * `split`'s format as text (StateSplit), the others (all without a split) whole. Optional:
   * where it is absent, readers use `select`.
   */
  selectSplit?(
    originatorId: string,
    query: RecordQuery,
    split: StateSplit | undefined,
  ): Promise<SplitRow[]>
  /** Records per select this store reads best in when paging through a range (optional). */
  readonly pageSize?: number
  /**
   * Every originator id with a stored record, in pages, whatever the log and the index say: a
   * walk of the whole table's keys (one seek per id where the store can, never the states), for
   * Verify store to find what was stored around the log. In the store's own order. Optional.
   */
  storedOriginatorIds?(): AsyncIterable<readonly string[]>
}

/**
 * One entry of the application log: one stored batch. The log is how an explorer lists
 * aggregates and follows new events without scanning the events table.
 */
export interface LogEntry {
  /** Opaque, ordered position; pass it back as `after`/`before`. */
  readonly position: string
  readonly originatorId: string
  readonly fromVersion: number
  readonly toVersion: number
  readonly topics: readonly string[]
  /** When the recorder stored the batch (the store's clock, not the event's). */
  readonly recordedAt: Date
}

export interface LogQuery {
  /** Entries strictly after this position (ascending reads). */
  readonly after?: string
  /** Entries strictly before this position (descending reads). */
  readonly before?: string
  readonly desc?: boolean
  readonly limit: number
  /**
   * Ascending reads stop at a batch that may still be stored (its intent is written, its events
   * not yet), so a reader never moves past it. With `skipInFlight` they leave it out and go on:
   * for a reader that comes back for it (LogFollower re-reads its reorder window).
   */
  readonly skipInFlight?: boolean
}

export interface AggregateSummary {
  readonly originatorId: string
  /** The aggregate class topic, from the topic of its first event. */
  readonly aggregateTopic: string
  readonly createdAt: Date
  readonly lastModified: Date
  readonly version: number
  readonly lastTopic: string
}

export interface AggregateListQuery {
  readonly limit: number
  readonly pageToken?: string
  /** Only ids starting with this lowercase hex prefix. */
  readonly idPrefix?: string
  /** Only aggregates of this class topic. */
  readonly aggregateTopic?: string
  /** `recent`: newest change first; `id`: by originator id. */
  readonly order?: 'recent' | 'id'
  /**
   * Without pageToken, the end of the list the page is read from (default `start`): `end`
   * gives the last `limit` entries, still in list order. A page token carries its direction.
   */
  readonly from?: 'start' | 'end'
}

export interface Page<T> {
  /** In list order, whichever way the page was read. */
  readonly items: T[]
  /** The page after this one; absent at the end of the list. */
  readonly nextPageToken?: string
  /**
   * The page before this one; absent at the start of the list. (It may turn out empty when the
   * entries before moved meanwhile, e.g. aggregates changed in `recent` order.)
   */
  readonly prevPageToken?: string
}

/** The events table plus what an explorer needs: the log and the aggregate index. */
export interface ApplicationRecorder extends AggregateRecorder {
  selectLog(query: LogQuery): Promise<LogEntry[]>
  /**
   * How far behind the newest entry (in `recordedAt` time) an acknowledged entry may still
   * appear, within the store's limits: positions taken from several writers' clocks (Cassandra).
   * Absent or 0: positions are handed out in commit order, so `after` never misses an entry.
   */
  readonly logReorderWindowMs?: number
  listAggregates(query: AggregateListQuery): Promise<Page<AggregateSummary>>
  /** Number of aggregates known to the index (cheap: a counter or an index count). */
  countAggregates(): Promise<number>
}

/** A store: the recorders over one database, and how to close it. */
export interface Store {
  readonly kind: 'memory' | 'sqlite' | 'cassandra'
  readonly events: ApplicationRecorder
  readonly snapshots: AggregateRecorder
  /** A short human description (file path, contact points). */
  readonly description: string
  close(): Promise<void>
}
