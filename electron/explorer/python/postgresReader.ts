/**
 * A Python application's PostgreSQL tables, read through node-postgres in read-only
 * transactions (`default_transaction_read_only`): nothing is ever written.
 */
import pg from 'pg'
import { StoreUnavailable } from '../../eventsourcing'
import { type PythonRecord, TIMESTAMP_HEAD, TIMESTAMP_TAIL_BYTES, timestampTail } from './codec'
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

export interface PythonPostgresOptions {
  /** A postgres:// URL (user, password, host, port, database; `sslmode` honoured by pg). */
  readonly url: string
  /** Default `public`, as the library's POSTGRES_SCHEMA. */
  readonly schema?: string
  readonly tables: PythonTables
  /** TLS without a URL parameter (the connection screen's switch). */
  readonly tls?: boolean
}

const ident = (name: string): string => `"${checkTableName(name).replace(/"/g, '""')}"`

export async function openPythonPostgres(options: PythonPostgresOptions): Promise<PythonReader> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 4,
    connectionTimeoutMillis: 10_000,
    options: '-c default_transaction_read_only=on',
    ...(options.tls ? { ssl: { rejectUnauthorized: true } } : {}),
  })
  // An idle client's error (the server went away) must not crash the process: the next
  // query reports it.
  pool.on('error', () => undefined)
  try {
    const schema = options.schema?.trim() || 'public'
    const columns = async (table: string): Promise<Map<string, string>> => {
      const result = await pool.query<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, table],
      )
      return new Map(result.rows.map((r) => [r.column_name, r.data_type]))
    }
    const eventColumns = await columns(options.tables.events)
    if (eventColumns.size === 0) {
      throw new StoreUnavailable(
        `no table ${schema}.${options.tables.events}: check the application name (the library names tables after it) or the schema`,
      )
    }
    const snapshotColumns = await columns(options.tables.snapshots)
    const idType = eventColumns.get('originator_id') === 'uuid' ? 'uuid' : 'text'
    const url = new URL(options.url)
    return new PostgresReader(pool, {
      schema,
      tables: options.tables,
      hasLog: eventColumns.has('notification_id'),
      hasSnapshots: snapshotColumns.size > 0,
      // ORIGINATOR_ID_TYPE: uuid (the default) or text.
      idType,
      textOrderedByBytes:
        idType === 'text' && (await idsOrderedByBytes(pool, schema, options.tables.events)),
      description: `${url.hostname}:${url.port || 5432}${url.pathname} (${schema}.${options.tables.events})`,
    })
  } catch (error) {
    await pool.end().catch(() => undefined)
    if (error instanceof StoreUnavailable) throw error
    throw new StoreUnavailable(`cannot connect to PostgreSQL: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

interface Shape {
  readonly schema: string
  readonly tables: PythonTables
  readonly hasLog: boolean
  readonly hasSnapshots: boolean
  readonly idType: 'uuid' | 'text'
  /** A text id column whose collation orders ids as their bytes (C, POSIX, C.UTF-8, ucs_basic). */
  readonly textOrderedByBytes: boolean
  readonly description: string
}

/**
 * Whether the id column's collation orders text as its UTF-8 bytes (code points), so that the
 * ids starting with a prefix are exactly one range of the key. A language's collation is not
 * such an order: ICU's English puts "Abc" between "ab" and "abc", Czech sorts "ch…" after "h…".
 */
async function idsOrderedByBytes(pool: pg.Pool, schema: string, table: string): Promise<boolean> {
  const column = await pool.query<{
    name: string | null
    provider: string | null
    collate: string | null
  }>(
    `SELECT co.collname AS name, co.collprovider::text AS provider, co.collcollate AS collate
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = 'originator_id'`,
    [schema, table],
  )
  const { name, provider, collate } = column.rows[0] ?? {
    name: null,
    provider: null,
    collate: null,
  }
  if (name === 'C' || name === 'POSIX' || name === 'ucs_basic') return true
  if (name !== 'default') return provider === 'c' && isByteOrderLocale(collate)
  // The database's default: libc with its LC_COLLATE, or (PostgreSQL 15+) ICU. The row as JSON,
  // since datlocprovider does not exist before 15.
  const database = await pool.query<{ provider: string | null; collate: string | null }>(
    `SELECT to_jsonb(d) ->> 'datlocprovider' AS provider, d.datcollate AS collate
       FROM pg_catalog.pg_database d WHERE d.datname = current_database()`,
  )
  const row = database.rows[0]
  return row !== undefined && row.provider !== 'i' && isByteOrderLocale(row.collate)
}

function isByteOrderLocale(locale: string | null): boolean {
  return locale !== null && /^(C|POSIX)(\.utf-?8)?$/i.test(locale)
}

interface EventRow {
  originator_id: string
  originator_version: string | number
  topic: string
  state: Buffer
  notification_id?: string | number
}

class PostgresReader implements PythonReader {
  readonly hasLog: boolean
  readonly description: string
  private readonly events_: string
  private readonly snapshots_: string | undefined
  private readonly idType: 'uuid' | 'text'
  private readonly textOrderedByBytes: boolean

  constructor(
    private readonly pool: pg.Pool,
    shape: Shape,
  ) {
    this.hasLog = shape.hasLog
    this.description = shape.description
    this.idType = shape.idType
    this.textOrderedByBytes = shape.textOrderedByBytes
    this.events_ = `${ident(shape.schema)}.${ident(shape.tables.events)}`
    this.snapshots_ = shape.hasSnapshots
      ? `${ident(shape.schema)}.${ident(shape.tables.snapshots)}`
      : undefined
  }

  async listAggregates(query: {
    limit: number
    afterId?: string
    idPrefix?: string
  }): Promise<PythonAggregatePage> {
    // A uuid column: the prefix is a UUID's hex digits, one range of the key. A text column: the
    // ids from the prefix on, each kept only if it starts with it; in a collation that orders
    // text as bytes they end at the prefix followed by the highest character, in any other the
    // walk may have to go on to the end of the key (a language's collation can sort an id that
    // starts with the prefix anywhere after it, and others in between).
    const bounds = !query.idPrefix
      ? undefined
      : this.idType === 'uuid'
        ? hexPrefixBounds(query.idPrefix)
        : {
            low: query.idPrefix,
            high: this.textOrderedByBytes ? `${query.idPrefix}\u{10FFFF}` : undefined,
          }
    if (query.idPrefix && !bounds) return { items: [] }
    const t = this.events_
    // A loose index scan over the primary key (PostgreSQL has no skip scan of its own): each
    // step finds the next id with one index seek; the newest version and first topic are two
    // more. Ids compare as uuid (or text): the bounds are cast to the column's type. The upper
    // bound ends the recursion too, so a short range does not walk on to the end of the key.
    const start = query.afterId ?? bounds?.low
    const strict = query.afterId !== undefined
    const high = bounds?.high
    const result = await this.pool.query<{ id: string; version: string; topic: string }>(
      `WITH RECURSIVE ids(id) AS (
         (SELECT originator_id FROM ${t}
           WHERE ($1::text IS NULL OR originator_id ${strict ? '>' : '>='} $1::text::${this.idType})
           ORDER BY originator_id LIMIT 1)
         UNION ALL
         SELECT (SELECT originator_id FROM ${t} WHERE originator_id > ids.id
                   AND ($2::text IS NULL OR originator_id <= $2::text::${this.idType})
                  ORDER BY originator_id LIMIT 1)
           FROM ids WHERE ids.id IS NOT NULL
       )
       SELECT ids.id::text AS id,
              (SELECT originator_version FROM ${t} WHERE originator_id = ids.id
                ORDER BY originator_version DESC LIMIT 1) AS version,
              (SELECT topic FROM ${t} WHERE originator_id = ids.id
                ORDER BY originator_version LIMIT 1) AS topic
         FROM ids
        WHERE ids.id IS NOT NULL AND ($2::text IS NULL OR ids.id <= $2::text::${this.idType})
          AND ($4::text IS NULL OR starts_with(ids.id::text, $4::text))
        LIMIT $3`,
      [
        start === undefined ? null : this.idType === 'uuid' ? uuidText(start) : start,
        high ?? null,
        query.limit,
        this.idType === 'text' && query.idPrefix ? query.idPrefix : null,
      ],
    )
    const items = result.rows.map((r) => ({
      originatorId: r.id,
      version: Number(r.version),
      firstTopic: r.topic,
    }))
    const lastItem = items[items.length - 1]
    return items.length === query.limit && lastItem
      ? { items, nextAfterId: lastItem.originatorId }
      : { items }
  }

  /** Whether the column can hold the id: a uuid column refuses other text with an error. */
  private mayHold(id: string): boolean {
    return this.idType === 'text' || UUID_INPUT.test(id)
  }

  async countAggregates(): Promise<number> {
    const result = await this.pool.query<{ n: string }>(
      `SELECT COUNT(DISTINCT originator_id) AS n FROM ${this.events_}`,
    )
    return Number(result.rows[0]?.n ?? 0)
  }

  events(originatorId: string, range: VersionRange = {}): Promise<PythonRecord[]> {
    return this.select(this.events_, originatorId, range, this.hasLog)
  }

  async ends(originatorIds: readonly string[]): Promise<Map<string, AggregateEnds>> {
    const ends = new Map<string, AggregateEnds>()
    if (originatorIds.length === 0) return ends
    const t = this.events_
    // One round trip for a whole page: two primary-key seeks per id (LATERAL), not a query each.
    const result = await this.pool.query<{
      id: string
      first_version: string | number
      first_topic: string
      first_state: Buffer
      last_version: string | number
      last_topic: string
      last_state: Buffer
    }>(
      `SELECT i.id::text AS id,
              f.originator_version AS first_version, f.topic AS first_topic, f.state AS first_state,
              l.originator_version AS last_version, l.topic AS last_topic, l.state AS last_state
         FROM unnest($1::${this.idType}[]) AS i(id)
         CROSS JOIN LATERAL (SELECT originator_version, topic, state FROM ${t}
                              WHERE originator_id = i.id ORDER BY originator_version LIMIT 1) f
         CROSS JOIN LATERAL (SELECT originator_version, topic, state FROM ${t}
                              WHERE originator_id = i.id ORDER BY originator_version DESC LIMIT 1) l`,
      [[...new Set(originatorIds.filter((id) => this.mayHold(id)))]],
    )
    for (const r of result.rows) {
      const record = (version: string | number, topic: string, state: Buffer): PythonRecord => ({
        originatorId: r.id,
        originatorVersion: Number(version),
        topic,
        state,
      })
      ends.set(r.id, {
        first: record(r.first_version, r.first_topic, r.first_state),
        last: record(r.last_version, r.last_topic, r.last_state),
      })
    }
    return ends
  }

  async snapshots(originatorId: string, range: VersionRange = {}): Promise<PythonRecord[]> {
    return this.snapshots_ ? this.select(this.snapshots_, originatorId, range, false) : []
  }

  private async select(
    table: string,
    id: string,
    range: VersionRange,
    withLog: boolean,
  ): Promise<PythonRecord[]> {
    if (!this.mayHold(id)) return []
    const where = ['originator_id = $1']
    const params: unknown[] = [id]
    if (range.gt !== undefined) {
      params.push(range.gt)
      where.push(`originator_version > $${params.length}`)
    }
    if (range.lte !== undefined) {
      params.push(range.lte)
      where.push(`originator_version <= $${params.length}`)
    }
    let sql =
      `SELECT originator_id::text AS originator_id, originator_version, topic, state${withLog ? ', notification_id' : ''} ` +
      `FROM ${table} WHERE ${where.join(' AND ')} ORDER BY originator_version ${range.desc ? 'DESC' : 'ASC'}`
    if (range.limit !== undefined) {
      params.push(Math.max(0, Math.floor(range.limit)))
      sql += ` LIMIT $${params.length}`
    }
    const result = await this.pool.query<EventRow>(sql, params)
    return result.rows.map(toRecord)
  }

  async notifications(after: number, limit: number): Promise<PythonRecord[]> {
    if (!this.hasLog) return []
    // The library's unique index on notification_id makes this a range read.
    const result = await this.pool.query<EventRow>(
      `SELECT originator_id::text AS originator_id, originator_version, topic, state, notification_id
         FROM ${this.events_} WHERE notification_id > $1 ORDER BY notification_id LIMIT $2`,
      [after, limit],
    )
    return result.rows.map(toRecord)
  }

  async recentChanges(before: number | undefined, limit: number): Promise<RecentChange[]> {
    if (!this.hasLog) return []
    const t = this.events_
    const head = `'\\x${Buffer.from(TIMESTAMP_HEAD, 'latin1').toString('hex')}'::bytea`
    // One round trip a chunk: the log read backwards through its unique index, each row with
    // two index-only probes of the primary key (a newer version: the row is skipped; an older
    // one: the first event is another record, read by LATERAL, a primary-key seek, only then).
    // A plain state in the library's layout brings back only the text after the timestamp's
    // head (escaped: a byte that is not printable ASCII comes back as \nnn, which the check
    // refuses), not the whole bytea; a skipped row brings back its notification id.
    const result = await this.pool.query<{
      notification_id: string | number
      newest: boolean
      id: string
      version: string | number
      topic: string | null
      tail: string | null
      state: Buffer | null
      first_version: string | number | null
      first_topic: string | null
      first_state: Buffer | null
    }>(
      `SELECT w.notification_id, w.newest, w.originator_id::text AS id,
              w.originator_version AS version,
              CASE WHEN w.newest THEN w.topic END AS topic,
              CASE WHEN w.newest THEN w.tail END AS tail,
              CASE WHEN w.newest AND w.tail IS NULL THEN w.state END AS state,
              f.originator_version AS first_version, f.topic AS first_topic, f.state AS first_state
         FROM (SELECT notification_id, originator_id, originator_version, topic, state,
                      CASE WHEN substring(state FROM 1 FOR ${TIMESTAMP_HEAD.length}) = ${head}
                           THEN encode(substring(state FROM ${TIMESTAMP_HEAD.length + 1}
                                                 FOR ${TIMESTAMP_TAIL_BYTES}), 'escape') END AS tail,
                      NOT EXISTS (SELECT 1 FROM ${t} x WHERE x.originator_id = e.originator_id
                                     AND x.originator_version > e.originator_version) AS newest,
                      EXISTS (SELECT 1 FROM ${t} y WHERE y.originator_id = e.originator_id
                                 AND y.originator_version < e.originator_version) AS older
                 FROM ${t} e WHERE notification_id < $1
                ORDER BY notification_id DESC LIMIT $2) w
         LEFT JOIN LATERAL (
               SELECT originator_version, topic, state FROM ${t}
                WHERE w.newest AND w.older AND originator_id = w.originator_id
                ORDER BY originator_version LIMIT 1) f ON true
        ORDER BY w.notification_id DESC`,
      [before ?? Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(limit))],
    )
    const changes: RecentChange[] = []
    for (const r of result.rows) {
      const notificationId = Number(r.notification_id)
      if (!r.newest) {
        changes.push({ notificationId })
        continue
      }
      const event = {
        originatorId: r.id,
        originatorVersion: Number(r.version),
        topic: r.topic ?? '',
      }
      const timestamp = r.tail === null ? undefined : timestampTail(r.tail)
      let last: ListedEvent
      if (timestamp !== undefined) last = { ...event, timestamp }
      else if (r.state !== null) last = { ...event, state: r.state }
      else {
        // The head, but not a timestamp the shortcut takes: the state after all, for the decode.
        const v = event.originatorVersion
        const [record] = await this.select(t, event.originatorId, { gt: v - 1, lte: v }, false)
        last = record ?? { ...event, state: Buffer.alloc(0) }
      }
      const first: ListedEvent =
        r.first_version === null
          ? last
          : {
              originatorId: r.id,
              originatorVersion: Number(r.first_version),
              topic: r.first_topic ?? '',
              state: r.first_state ?? Buffer.alloc(0),
            }
      changes.push({ notificationId, ends: { first, last } })
    }
    return changes
  }

  async lastNotificationId(): Promise<number | undefined> {
    if (!this.hasLog) return undefined
    const result = await this.pool.query<{ n: string | null }>(
      `SELECT MAX(notification_id) AS n FROM ${this.events_}`,
    )
    return Number(result.rows[0]?.n ?? 0)
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}

/** A UUID as PostgreSQL's uuid input takes it (dashes optional, either case). */
const UUID_INPUT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** 32 hex digits (a padded prefix) or a UUID, as PostgreSQL's uuid input takes it. */
function uuidText(id: string): string {
  return id.replace(/-/g, '')
}

function toRecord(row: EventRow): PythonRecord {
  return {
    originatorId: row.originator_id,
    originatorVersion: Number(row.originator_version),
    topic: row.topic,
    state: row.state,
    ...(row.notification_id === undefined ? {} : { notificationId: Number(row.notification_id) }),
  }
}
