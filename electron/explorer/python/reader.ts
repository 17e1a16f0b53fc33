/**
 * What the explorer reads of a Python `eventsourcing` application's tables, whatever the
 * database: always read-only. The library's tables (sqlite.py, postgres.py):
 *   events:    (originator_id, originator_version, topic, state), primary key (id, version);
 *              the application recorder adds a notification id (SQLite's rowid, PostgreSQL's
 *              notification_id bigserial with a unique index); the aggregate recorder has none
 *              (SQLite: WITHOUT ROWID).
 *   snapshots: the same columns, no notification id, in a table of their own.
 * Tables are named `stored_events`/`stored_snapshots` on SQLite and `<application name, lower
 * case>_events`/`_snapshots` on PostgreSQL (its factory uses the environment's name as prefix).
 * No index but the primary key lists aggregates: they are paged by id through that key, one
 * seek per aggregate (a loose index scan), never by reading the whole table.
 */
import type { PythonRecord } from './codec'

export interface VersionRange {
  readonly gt?: number
  readonly lte?: number
  readonly desc?: boolean
  readonly limit?: number
}

/** One aggregate as the primary key tells it: its newest version and first event's topic. */
export interface PythonAggregateRow {
  readonly originatorId: string
  readonly version: number
  /** The topic of its first stored event (`module:Class.Created`). */
  readonly firstTopic: string
}

/** An aggregate's first and newest stored events (the same record for a one-event history). */
export interface AggregateEnds {
  readonly first: PythonRecord
  readonly last: PythonRecord
}

/**
 * An event as a list row reads it: its timestamp's text when the reader took it from the
 * stored bytes itself (a plain state in the library's layout, codec.ts TIMESTAMP_HEAD), its
 * state otherwise (to be decoded, maybe decrypted, for the timestamp). One of the two is set.
 */
export interface ListedEvent extends Omit<PythonRecord, 'state'> {
  readonly state?: Uint8Array
  readonly timestamp?: string
}

/** One row of the notification log read backwards, as the list reads it (recentChanges). */
export interface RecentChange {
  readonly notificationId: number
  /** Its aggregate's first and newest events when this event is the newest; absent otherwise. */
  readonly ends?: { readonly first: ListedEvent; readonly last: ListedEvent }
}

export interface PythonAggregatePage {
  readonly items: PythonAggregateRow[]
  /** The last id of this page: pass it back as `afterId` for the next. */
  readonly nextAfterId?: string
}

export interface PythonReader {
  /** A short human description (file path, host and table). */
  readonly description: string
  /** Whether the events table has notification ids (the application recorder's). */
  readonly hasLog: boolean
  /** Aggregates by id, after `afterId`; `idPrefix` (hex, dashes allowed) narrows the range. */
  listAggregates(query: {
    readonly limit: number
    readonly afterId?: string
    readonly idPrefix?: string
  }): Promise<PythonAggregatePage>
  /** Every aggregate (one row per id): counted through the primary key. */
  countAggregates(): Promise<number>
  events(originatorId: string, range?: VersionRange): Promise<PythonRecord[]>
  /**
   * Each id's first and newest event, in one round trip for the lot (a list page's dates,
   * types and versions): two primary-key seeks per id. Ids with no events are left out.
   */
  ends(originatorIds: readonly string[]): Promise<Map<string, AggregateEnds>>
  snapshots(originatorId: string, range?: VersionRange): Promise<PythonRecord[]>
  /** Events with a notification id above `after`, ascending; empty without a log. */
  notifications(after: number, limit: number): Promise<PythonRecord[]>
  /**
   * The `limit` notifications below `before` (all when undefined), newest first, in one
   * statement: each row is checked inside the database for being its aggregate's newest event
   * (an index-only seek), and only such rows carry their state and their aggregate's first
   * event (a primary-key seek, skipped when it is the same event). Empty without a log.
   * Events may come with their timestamp instead of their state (ListedEvent).
   */
  recentChanges(before: number | undefined, limit: number): Promise<RecentChange[]>
  /** The newest notification id (0 when none); undefined without a log. */
  lastNotificationId(): Promise<number | undefined>
  close(): Promise<void>
}

export interface PythonTables {
  readonly events: string
  readonly snapshots: string
}

/** The library's table names for an application (SQLite ignores the name). */
export function pythonTables(
  database: 'sqlite' | 'postgres',
  applicationName: string | undefined,
): PythonTables {
  const prefix =
    database === 'postgres' && applicationName ? applicationName.toLowerCase() : 'stored'
  return { events: `${prefix}_events`, snapshots: `${prefix}_snapshots` }
}

/** Lower and upper bounds (inclusive) of ids starting with a hex prefix, as 32 hex digits. */
export function hexPrefixBounds(prefix: string): { low: string; high: string } | undefined {
  const hex = prefix.replace(/-/g, '').toLowerCase()
  if (hex === '' || !/^[0-9a-f]{1,32}$/.test(hex)) return undefined
  return { low: hex.padEnd(32, '0'), high: hex.padEnd(32, 'f') }
}

/** A table name the library could have made: refused otherwise (it is put into SQL). */
export function checkTableName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]{0,62}$/.test(name))
    throw new TypeError(`not a table name: ${JSON.stringify(name)}`)
  return name
}
