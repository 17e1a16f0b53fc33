/**
 * The aggregate index of a SQLite store (table `aggregates`: one row per aggregate, with its
 * indexes by recency and by type) follows the log instead of being written by every save.
 *
 * Why: a one-event save at synchronous=FULL costs about 0.03 ms for every page its commit
 * changes, and keeping the index in the save changed three of its six (the aggregate's row and
 * its two index entries). A save now writes its events and its log row only; the log rows after
 * the index's watermark (counters row `indexed_position`), the tail, are folded into the index
 *   - inside a save's own transaction once the tail reaches `lag` entries, so it stays bounded;
 *   - in a transaction of its own shortly after the last save (FOLD_AFTER_MS), and when the
 *     store is closed, so that other readers of the file (an older Eventscope, SQL tools) find
 *     the index current.
 * Readers never write: a page of the list, or the count, reads the tail and lays it over the
 * index, so what they show is exact whatever the tail holds.
 *
 * Folding is idempotent: a row never moves to an earlier log position, so a tail entry an
 * older Eventscope already wrote into the index (it keeps it in its saves and leaves the
 * watermark where it was) changes nothing; a row such a writer created while the aggregate's
 * first entry was still in the tail takes that entry's time as its creation.
 */
import { aggregateTopicOfEventTopic } from '../../domain/topics'
import type { AggregateListQuery, AggregateSummary, Page } from '../recorder'
import { decodeToken, encodeToken, normalizeIdPrefix, prefixUpperBound } from './common'
import type { SqliteDatabase } from './sqliteDatabase'
import type { SqliteStatement } from './sqliteDriver'

/** How far the index may fall behind the log, in log entries, unless told otherwise. */
export const DEFAULT_INDEX_LAG = 256

/** Quiet after a save before the tail is folded in a transaction of its own. */
const FOLD_AFTER_MS = 100

/** id, aggregate topic, created, last modified, version, last topic, last log position. */
type AggregateRow = [string, string, number, number, number, string, number]
/** position, id, to_version, topics (JSON), recorded_at: as stored, so checked (below). */
type LogTailRow = [number | bigint, unknown, unknown, unknown, unknown]

export class SqliteAggregateIndex {
  private readonly upsert: SqliteStatement
  private readonly readWatermark: SqliteStatement
  private readonly writeWatermark: SqliteStatement
  private readonly readTail: SqliteStatement
  private readonly readRow: SqliteStatement
  private readonly readCount: SqliteStatement
  /** The watermark as last read or committed: never above the stored one (it only rises). */
  private knownWatermark: number
  /** What a fold inside the open transaction raised the watermark to, until it commits. */
  private foldedTo: number | undefined
  /** The highest log position this connection wrote. */
  private lastLogged = 0
  private foldTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly database: SqliteDatabase,
    private readonly lag: number = DEFAULT_INDEX_LAG,
  ) {
    if (!Number.isSafeInteger(lag) || lag < 1)
      throw new TypeError(`the index lag must be a positive integer, not ${String(lag)}`)
    this.upsert = database.prepare(
      `INSERT INTO aggregates (originator_id, aggregate_topic, created_at, last_modified, version, last_topic, last_position)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (originator_id) DO UPDATE SET
         created_at = min(aggregates.created_at, excluded.created_at),
         last_modified = excluded.last_modified, version = excluded.version,
         last_topic = excluded.last_topic, last_position = excluded.last_position
       WHERE excluded.last_position >= aggregates.last_position`,
    )
    this.readWatermark = database.prepare(
      "SELECT value FROM counters WHERE name = 'indexed_position'",
    )
    this.writeWatermark = database.prepare(
      "UPDATE counters SET value = ? WHERE name = 'indexed_position' AND value < ?",
    )
    this.readTail = database.prepare(
      'SELECT position, originator_id, to_version, topics, recorded_at FROM event_log WHERE position > ? ORDER BY position',
    )
    this.readRow = database.prepare(
      'SELECT aggregate_topic, created_at FROM aggregates WHERE originator_id = ?',
    )
    this.readCount = database.prepare("SELECT value FROM counters WHERE name = 'aggregates'")
    this.knownWatermark = this.watermark()
  }

  /**
   * Inside a save's transaction, after its log row at `position`: folds the tail once it holds
   * `lag` entries (positions only rise, so position − watermark bounds the tail's length).
   */
  logged(position: number | bigint): void {
    const at = Number(position)
    if (at > this.lastLogged) this.lastLogged = at
    if (at - this.knownWatermark < this.lag) return
    const stored = this.watermark() // another connection may have folded
    if (at - stored >= this.lag) this.foldedTo = this.fold(stored)
    // Committed by another connection, unless a fold in this transaction wrote it.
    else if (this.foldedTo === undefined) this.knownWatermark = stored
  }

  /** After the save's transaction committed: fold the tail once saves pause. */
  committed(): void {
    this.knownWatermark = Math.max(this.knownWatermark, this.foldedTo ?? 0)
    this.foldedTo = undefined
    if (this.foldTimer !== undefined || this.lastLogged <= this.knownWatermark) return
    this.foldTimer = setTimeout(() => {
      this.foldTimer = undefined
      this.foldNow({ wait: false })
    }, FOLD_AFTER_MS)
    this.foldTimer.unref?.()
  }

  /** The save's transaction was rolled back, and a fold inside it with it. */
  rolledBack(): void {
    this.foldedTo = undefined
  }

  /**
   * Folds in a transaction of its own what this connection left in the tail (before closing,
   * or once saves pause). A failure (the file became read-only, another process holds it)
   * loses nothing: the tail stays in the log, for readers to lay over and the next save to fold.
   * Without `wait`, a file another connection is writing is left alone at once: a fold nobody
   * asked for must not hold the event loop for the driver's busy timeout.
   */
  foldNow({ wait = true }: { wait?: boolean } = {}): void {
    if (this.foldTimer !== undefined) clearTimeout(this.foldTimer)
    this.foldTimer = undefined
    if (this.lastLogged <= this.knownWatermark) return
    const db = this.database.db
    let timeout: number | undefined
    try {
      if (!wait) {
        timeout = Number(this.database.prepare('PRAGMA busy_timeout').get()?.[0] ?? 0)
        db.exec('PRAGMA busy_timeout = 0')
      }
      const foldedTo = db.immediate(() => this.fold(this.watermark()))
      this.knownWatermark = Math.max(this.knownWatermark, foldedTo)
    } catch {
      // See above: nothing is lost, the index is only behind.
    } finally {
      if (timeout !== undefined) db.exec(`PRAGMA busy_timeout = ${timeout}`)
    }
  }

  /** A page of the index by keyset, with the tail laid over it (see listPage). */
  list(query: AggregateListQuery): Page<AggregateSummary> {
    // A load checks its aggregate's newest version with a one-id listing: look up only the
    // tail's aggregates that the prefix lets through.
    const prefix = normalizeIdPrefix(query)
    const upper = prefix === undefined ? undefined : prefixUpperBound(prefix)
    const keep = prefix === undefined ? undefined : (id: string) => id >= prefix && id < upper!
    return this.consistent(() => listPage(this.database, query, this.tailOverIndex(keep)))
  }

  /** The aggregates in the index, and those only the tail knows yet. */
  count(): number {
    return this.consistent(() => {
      const indexed = this.readCount.get()?.[0] as number
      let added = 0
      for (const row of this.tailOverIndex().values()) if (row.isNew) added++
      return indexed + added
    })
  }

  /**
   * The reads of a listing or a count in one read transaction: the watermark, the tail, the
   * index and the counter as of one moment, though another process folds between them.
   */
  private consistent<T>(read: () => T): T {
    const db = this.database.db
    db.exec('BEGIN')
    try {
      return read()
    } finally {
      db.exec('COMMIT')
    }
  }

  private watermark(): number {
    return Number(this.readWatermark.get()?.[0] ?? 0)
  }

  /**
   * Inside a transaction: the tail after the stored watermark `from` into the index, and the
   * watermark past it; returns the new watermark (the caller keeps it once committed).
   */
  private fold(from: number): number {
    const { aggregates, through } = this.tail(from)
    for (const { row } of aggregates.values()) this.upsert.run(...row)
    if (through > from) this.writeWatermark.run(through, through)
    return through
  }

  /** The tail's aggregates as index rows, with the creation details the index already has. */
  private tailOverIndex(keep?: (id: string) => boolean): Map<string, TailAggregate> {
    const tail = this.tail(this.watermark(), keep).aggregates
    for (const entry of tail.values()) {
      const known = this.readRow.get(entry.row[0])
      if (known) {
        entry.isNew = false
        entry.row[1] = known[0] as string
        // The earlier: an older Eventscope writing beside the tail created the row later.
        entry.row[2] = Math.min(known[1] as number, entry.row[2])
      }
    }
    return tail
  }

  /**
   * The log after `watermark`, folded per aggregate in log order (those `keep` lets through),
   * and the last position read. An entry another program damaged (an id that is not text, a
   * version or time that is not a number) is left out of the index, and passed: the list shows
   * its aggregate as the readable entries before it say (or not at all), while a load reads the
   * aggregate's events as they are stored.
   */
  private tail(
    watermark: number,
    keep?: (id: string) => boolean,
  ): { aggregates: Map<string, TailAggregate>; through: number } {
    const folded = new Map<string, TailAggregate>()
    let through = watermark
    for (const raw of this.readTail.all(watermark) as LogTailRow[]) {
      const [position, id, version, topicsText, recordedAt] = raw
      const at = Number(position)
      if (at > through) through = at
      if (
        typeof id !== 'string' ||
        typeof version !== 'number' ||
        !Number.isSafeInteger(version) ||
        version < 0 ||
        typeof recordedAt !== 'number' ||
        !Number.isFinite(recordedAt)
      )
        continue
      if (keep !== undefined && !keep(id)) continue
      const topics = topicsOf(topicsText)
      const existing = folded.get(id)
      if (existing) {
        const row = existing.row
        row[3] = recordedAt
        row[4] = version
        row[5] = topics[topics.length - 1] ?? ''
        row[6] = at
      } else {
        const topic = aggregateTopicOfEventTopic(topics[0] ?? '')
        const last = topics[topics.length - 1] ?? ''
        folded.set(id, { row: [id, topic, recordedAt, recordedAt, version, last, at], isNew: true })
      }
    }
    return { aggregates: folded, through }
  }
}

interface TailAggregate {
  readonly row: AggregateRow
  /** Not in the index yet (counted apart, and its creation details are the tail's). */
  isNew: boolean
}

/**
 * The topics of a log row. A row another program damaged must not stop saves (they fold the
 * tail) or listings: its topics then read as none.
 */
function topicsOf(text: unknown): readonly string[] {
  if (typeof text !== 'string') return []
  try {
    const topics: unknown = JSON.parse(text)
    if (Array.isArray(topics) && topics.every((t) => typeof t === 'string')) return topics
  } catch {
    // as below
  }
  return []
}

/**
 * A page of the index by keyset, read forward or backward from either end: each order has
 * its index (the primary key for `id`; aggregates_recent, or aggregates_by_topic with a type,
 * for `recent`), so no page scans the table. Backward reads run the index the other way and
 * the rows are reversed into list order.
 *
 * The tail's aggregates replace their index rows: the index is read for as many more rows as
 * the tail may remove from it, those rows are dropped, and the tail's rows that pass the same
 * filters and keyset are merged in, in the order of the read.
 */
function listPage(
  database: SqliteDatabase,
  query: AggregateListQuery,
  tail: ReadonlyMap<string, TailAggregate>,
): Page<AggregateSummary> {
  const conditions: string[] = []
  const params: unknown[] = []
  const prefix = normalizeIdPrefix(query)
  const upper = prefix === undefined ? undefined : prefixUpperBound(prefix)
  if (prefix !== undefined) {
    conditions.push('originator_id >= ? AND originator_id < ?')
    params.push(prefix, upper)
  }
  if (query.aggregateTopic !== undefined) {
    conditions.push('aggregate_topic = ?')
    params.push(query.aggregateTopic)
  }
  const byId = query.order === 'id'
  const token =
    query.pageToken === undefined ? undefined : decodeToken(query.pageToken, isAggregateToken)
  const backward = token ? token.b === 1 : query.from === 'end'
  if (token !== undefined) {
    // After the key in list order, or before it when reading backward.
    if (byId) conditions.push(`originator_id ${backward ? '<' : '>'} ?`)
    else conditions.push(`last_position ${backward ? '>' : '<'} ?`)
    params.push(byId ? token.id : token.p)
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''
  const ascending = byId !== backward
  const order = byId
    ? `originator_id ${ascending ? 'ASC' : 'DESC'}`
    : `last_position ${ascending ? 'ASC' : 'DESC'}`
  let replaced = 0
  for (const entry of tail.values()) if (!entry.isNew) replaced++
  params.push(query.limit + 1 + replaced)
  let rows = database
    .prepare(
      `SELECT originator_id, aggregate_topic, created_at, last_modified, version, last_topic, last_position FROM aggregates ${where} ORDER BY ${order} LIMIT ?`,
    )
    .all(...params) as AggregateRow[]
  if (tail.size > 0) {
    rows = rows.filter((row) => !tail.has(row[0]))
    for (const { row } of tail.values()) {
      if (prefix !== undefined && !(row[0] >= prefix && row[0] < upper!)) continue
      if (query.aggregateTopic !== undefined && row[1] !== query.aggregateTopic) continue
      if (token !== undefined) {
        const after = byId
          ? backward
            ? row[0] < token.id
            : row[0] > token.id
          : backward
            ? row[6] > token.p
            : row[6] < token.p
        if (!after) continue
      }
      rows.push(row)
    }
    const sign = ascending ? 1 : -1
    rows.sort((a, b) => sign * (byId ? (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) : a[6] - b[6]))
  }
  const more = rows.length > query.limit
  const page = rows.slice(0, query.limit)
  if (backward) page.reverse()
  const first = page[0]
  const last = page[page.length - 1]
  // Reading one way, `more` says what lies further that way; the token's key lies the other.
  const hasNext = backward ? token !== undefined : more
  const hasPrev = backward ? more : token !== undefined
  return {
    items: page.map((row) => ({
      originatorId: row[0],
      aggregateTopic: row[1],
      createdAt: new Date(row[2]),
      lastModified: new Date(row[3]),
      version: row[4],
      lastTopic: row[5],
    })),
    ...(hasNext && last ? { nextPageToken: encodeToken({ id: last[0], p: last[6] }) } : {}),
    ...(hasPrev && first
      ? { prevPageToken: encodeToken({ id: first[0], p: first[6], b: 1 }) }
      : {}),
  }
}

/** A listing key: the row's id and log position; `b: 1` reads backward from it. */
function isAggregateToken(value: unknown): value is { id: string; p: number; b?: 1 } {
  const v = value as { id?: unknown; p?: unknown; b?: unknown } | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.p === 'number' &&
    (v.b === undefined || v.b === 1)
  )
}
