/**
 * A Python application's SQLite file, opened read-only (the file must exist; nothing is ever
 * written, not even a journal) through the driver this runtime uses: better-sqlite3 in Node,
 * node:sqlite in Electron, as the library's SQLite recorder chooses.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import { LOWERCASE_UUID } from '../../../shared/contractBasics'
import { defaultSqliteDriver, type SqliteDriverName, StoreUnavailable } from '../../eventsourcing'
import {
  canonicalUuid,
  type PythonRecord,
  TIMESTAMP_HEAD,
  TIMESTAMP_TAIL_BYTES,
  timestampTail,
} from './codec'
import {
  type AggregateEnds,
  checkTableName,
  hexPrefixBounds,
  type ListedEvent,
  type PythonAggregatePage,
  type PythonReader,
  type PythonTables,
  type RecentChange,
  type VersionRange,
} from './reader'

const require = createRequire(import.meta.url)

type Row = unknown[]
interface Statement {
  all(...params: unknown[]): Row[]
  get(...params: unknown[]): Row | undefined
}
interface ReadOnlyDb {
  prepare(sql: string): Statement
  close(): void
}

function openReadOnly(path: string, driver: SqliteDriverName): ReadOnlyDb {
  if (driver === 'node:sqlite') {
    const { DatabaseSync } = require('node:sqlite') as {
      DatabaseSync: new (
        path: string,
        options: { readOnly: boolean; timeout: number },
      ) => {
        prepare(sql: string): {
          all(...p: unknown[]): unknown[]
          get(...p: unknown[]): unknown
          setReturnArrays(on: boolean): void
        }
        close(): void
      }
    }
    const db = new DatabaseSync(path, { readOnly: true, timeout: 10_000 })
    return {
      prepare(sql) {
        const s = db.prepare(sql)
        s.setReturnArrays(true)
        return { all: (...p) => s.all(...p) as Row[], get: (...p) => s.get(...p) as Row }
      },
      close: () => db.close(),
    }
  }
  const Database = require('better-sqlite3') as typeof BetterSqlite3
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 10_000 })
  return {
    prepare(sql) {
      const s = db.prepare(sql).raw(true)
      return { all: (...p) => s.all(...p) as Row[], get: (...p) => s.get(...p) as Row | undefined }
    },
    close: () => db.close(),
  }
}

/**
 * SQLite keeps a UUID as 32 hex digits (`uuid.hex`), whatever ORIGINATOR_ID_TYPE says, and a text
 * id as given: an id is shown as a UUID when stored so (storedId is the way back).
 */
function fromStored(id: unknown): string {
  const text = String(id)
  return /^[0-9a-f]{32}$/.test(text) ? canonicalUuid(text) : text
}

/** Past every id that starts with a prefix: SQLite compares text as UTF-8 bytes. */
const HIGHEST_CHARACTER = '\u{10FFFF}'

/** The stored id ranges an id prefix covers: the id as typed, and a UUID's hex digits. */
function prefixRanges(prefix: string): Array<{ low: string; high: string }> {
  const ranges = [{ low: prefix, high: prefix + HIGHEST_CHARACTER }]
  const hex = hexPrefixBounds(prefix)
  if (hex) ranges.push(hex)
  return ranges
}

export function openPythonSqlite(
  path: string,
  tables: PythonTables,
  driver: SqliteDriverName = defaultSqliteDriver(),
): PythonReader {
  if (!existsSync(path)) throw new StoreUnavailable(`no SQLite file at ${path}`)
  const db = openReadOnly(path, driver)
  try {
    return new SqliteReader(db, path, tables)
  } catch (error) {
    db.close()
    throw error
  }
}

class SqliteReader implements PythonReader {
  readonly hasLog: boolean
  readonly description: string
  private readonly events_: string
  private readonly snapshots_: string | undefined
  private readonly statements = new Map<string, Statement>()
  private readonly recentSql: string

  constructor(
    private readonly db: ReadOnlyDb,
    path: string,
    tables: PythonTables,
  ) {
    this.events_ = checkTableName(tables.events)
    const schema = (name: string): string | undefined =>
      db
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(name)?.[0] as string | undefined
    const eventsSql = schema(this.events_)
    if (eventsSql === undefined)
      throw new StoreUnavailable(
        `${path} has no table ${this.events_}: is it a Python eventsourcing application's file?`,
      )
    // The aggregate recorder makes a WITHOUT ROWID table: no rowid, so no notification log.
    this.hasLog = !/without\s+rowid/i.test(eventsSql)
    const snapshots = checkTableName(tables.snapshots)
    this.snapshots_ = schema(snapshots) === undefined ? undefined : snapshots
    this.description = `${path} (${this.events_})`
    this.recentSql = this.recentChangesSql()
    // Prepared now, as our own recorders prepare theirs when they open: the first page a
    // connection shows is the list's, and preparing this statement was a fifth of it.
    if (this.hasLog) this.statement(this.recentSql)
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql)
    if (!s) {
      s = this.db.prepare(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  async listAggregates(query: {
    limit: number
    afterId?: string
    idPrefix?: string
  }): Promise<PythonAggregatePage> {
    const ranges = query.idPrefix
      ? prefixRanges(query.idPrefix)
      : [{ low: '', high: HIGHEST_CHARACTER }]
    const after = query.afterId === undefined ? undefined : this.storedId(query.afterId)
    // A prefix may cover two ranges of the key (text ids as typed, UUIDs' hex digits): each is
    // read for a page, and the page is the first `limit` stored ids of both.
    const stored = [
      ...new Set(ranges.flatMap((range) => this.idsInRange(range, after, query.limit))),
    ]
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .slice(0, query.limit)
    const t = this.events_
    const first = this.statement(
      `SELECT topic FROM ${t} WHERE originator_id = ? ORDER BY originator_version LIMIT 1`,
    )
    const last = this.statement(
      `SELECT originator_version FROM ${t} WHERE originator_id = ? ORDER BY originator_version DESC LIMIT 1`,
    )
    const items = stored.map((id) => ({
      originatorId: fromStored(id),
      version: Number(last.get(id)?.[0]),
      firstTopic: String(first.get(id)?.[0] ?? ''),
    }))
    const lastItem = items[items.length - 1]
    return items.length === query.limit && lastItem
      ? { items, nextAfterId: lastItem.originatorId }
      : { items }
  }

  /**
   * Up to `limit` stored ids in [low, high] after `after`, in key order. Each step seeks the next
   * id through the primary key (with the newest version and first topic, three seeks per
   * aggregate however large the table).
   */
  private idsInRange(
    range: { low: string; high: string },
    after: string | undefined,
    limit: number,
  ): string[] {
    const t = this.events_
    // Ids are never empty, so "after ''" is every id.
    const next = this.statement(
      `SELECT originator_id FROM ${t} WHERE originator_id > ? AND originator_id >= ?
         AND originator_id <= ? ORDER BY originator_id LIMIT 1`,
    )
    const ids: string[] = []
    let row = next.get(after ?? '', range.low, range.high)
    while (row && ids.length < limit) {
      const id = String(row[0])
      ids.push(id)
      row = ids.length < limit ? next.get(id, range.low, range.high) : undefined
    }
    return ids
  }

  /**
   * The id as stored, from the id as shown: a UUID's 32 hex digits, unless the store holds no
   * such id but holds the text itself (a text id written as a UUID with dashes).
   */
  private storedId(id: string): string {
    if (!LOWERCASE_UUID.test(id)) return id
    const hex = id.replace(/-/g, '')
    const exists = this.statement(`SELECT 1 FROM ${this.events_} WHERE originator_id = ? LIMIT 1`)
    return exists.get(hex) === undefined && exists.get(id) !== undefined ? id : hex
  }

  async countAggregates(): Promise<number> {
    // Reads the primary key's index, not the table: cheap next to the states it skips.
    const row = this.statement(`SELECT COUNT(DISTINCT originator_id) FROM ${this.events_}`).get()
    return Number(row?.[0] ?? 0)
  }

  async events(originatorId: string, range: VersionRange = {}): Promise<PythonRecord[]> {
    return this.select(this.events_, originatorId, range, this.hasLog)
  }

  async ends(originatorIds: readonly string[]): Promise<Map<string, AggregateEnds>> {
    // In-process seeks: a round trip costs nothing here, so two prepared statements per id.
    const ends = new Map<string, AggregateEnds>()
    for (const id of originatorIds) {
      const [first] = this.select(this.events_, id, { limit: 1 }, false)
      const [last] = this.select(this.events_, id, { desc: true, limit: 1 }, false)
      if (first && last) ends.set(id, { first, last })
    }
    return ends
  }

  async snapshots(originatorId: string, range: VersionRange = {}): Promise<PythonRecord[]> {
    return this.snapshots_ ? this.select(this.snapshots_, originatorId, range, false) : []
  }

  private select(
    table: string,
    id: string,
    range: VersionRange,
    withRowid: boolean,
  ): PythonRecord[] {
    const where = ['originator_id = ?']
    const params: unknown[] = [this.storedId(id)]
    if (range.gt !== undefined) {
      where.push('originator_version > ?')
      params.push(range.gt)
    }
    if (range.lte !== undefined) {
      where.push('originator_version <= ?')
      params.push(range.lte)
    }
    const sql =
      `SELECT ${withRowid ? 'rowid, ' : ''}originator_id, originator_version, topic, state FROM ${table} ` +
      `WHERE ${where.join(' AND ')} ORDER BY originator_version ${range.desc ? 'DESC' : 'ASC'}` +
      (range.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(range.limit))}`)
    return this.statement(sql)
      .all(...params)
      .map((row) => toRecord(row, withRowid))
  }

  async notifications(after: number, limit: number): Promise<PythonRecord[]> {
    if (!this.hasLog) return []
    return this.statement(
      `SELECT rowid, originator_id, originator_version, topic, state FROM ${this.events_} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    )
      .all(after, limit)
      .map((row) => toRecord(row, true))
  }

  /** recentChanges' statement (the list's first page), as the reader opens it. */
  private recentChangesSql(): string {
    const t = this.events_
    // The log's rows read backwards (the rowid), in C, each with two index-only probes of the
    // primary key: is there a newer version (then the row is skipped), is there an older one
    // (then the first event is another record). Both probes land on the same index page, so
    // the second is nearly free; a join for the first event costs more than these probes.
    // A plain state in the library's layout brings only the bytes after the timestamp's head,
    // not the whole state (a Buffer each, then decoded in JavaScript).
    const head = `X'${Buffer.from(TIMESTAMP_HEAD, 'latin1').toString('hex')}'`
    const isHead = `substr(state, 1, ${TIMESTAMP_HEAD.length}) = ${head}`
    return `SELECT rowid, originator_id, originator_version, topic,
              CASE WHEN ${isHead}
                   THEN CAST(substr(state, ${TIMESTAMP_HEAD.length + 1}, ${TIMESTAMP_TAIL_BYTES}) AS TEXT) END,
              CASE WHEN ${isHead} THEN NULL ELSE state END,
              NOT EXISTS (SELECT 1 FROM ${t} x WHERE x.originator_id = e.originator_id
                             AND x.originator_version > e.originator_version),
              EXISTS (SELECT 1 FROM ${t} y WHERE y.originator_id = e.originator_id
                         AND y.originator_version < e.originator_version)
         FROM ${t} e WHERE rowid < ? ORDER BY rowid DESC LIMIT ?`
  }

  async recentChanges(before: number | undefined, limit: number): Promise<RecentChange[]> {
    if (!this.hasLog) return []
    const rows = this.statement(this.recentSql).all(
      before ?? Number.MAX_SAFE_INTEGER,
      Math.max(0, Math.floor(limit)),
    )
    return rows.map((row) => {
      const notificationId = Number(row[0])
      if (!row[6]) return { notificationId }
      const last = this.listedEvent(row)
      // An aggregate of more than one event: its first is one more seek (none for the others).
      const first = row[7]
        ? this.select(this.events_, last.originatorId, { limit: 1 }, false)[0]
        : last
      return first ? { notificationId, ends: { first, last } } : { notificationId }
    })
  }

  /** A recentChanges row's event: its timestamp when the tail holds one, else its state. */
  private listedEvent(row: Row): ListedEvent {
    const [, id, version, topic, tail, state] = row
    if (typeof tail !== 'string') return toRecord([id, version, topic, state], false)
    const event = {
      originatorId: fromStored(id),
      originatorVersion: Number(version),
      topic: String(topic),
    }
    const timestamp = timestampTail(tail)
    if (timestamp !== undefined) return { ...event, timestamp }
    // The head, but not a timestamp the shortcut takes: the state after all, for the decode.
    const v = event.originatorVersion
    const [record] = this.select(this.events_, event.originatorId, { gt: v - 1, lte: v }, false)
    return record ?? { ...event, state: new Uint8Array() }
  }

  async lastNotificationId(): Promise<number | undefined> {
    if (!this.hasLog) return undefined
    return Number(this.statement(`SELECT MAX(rowid) FROM ${this.events_}`).get()?.[0] ?? 0)
  }

  async close(): Promise<void> {
    this.db.close()
  }
}

function toRecord(row: Row, withRowid: boolean): PythonRecord {
  const [rowid, id, version, topic, state] = withRowid ? row : [undefined, ...row]
  const bytes =
    state instanceof Uint8Array
      ? state
      : Buffer.from(typeof state === 'string' ? state : '', 'utf8')
  return {
    originatorId: fromStored(id),
    originatorVersion: Number(version),
    topic: String(topic),
    state: bytes,
    ...(rowid === undefined ? {} : { notificationId: Number(rowid) }),
  }
}
