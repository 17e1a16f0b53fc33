import { createHash } from 'node:crypto'
import cassandra from 'cassandra-driver'
import { aggregateTopicOfEventTopic } from '../../domain/topics'
import { ConcurrencyError, ConfigurationError, StoreUnavailable } from '../../errors'
import type {
  AggregateListQuery,
  AggregateRecorder,
  AggregateSummary,
  ApplicationRecorder,
  LogEntry,
  LogQuery,
  Page,
  RecordQuery,
  Store,
  StoredRecord,
} from '../recorder'
import {
  aggregateTopicOf,
  checkBatch,
  concurrencyError,
  decodeToken,
  encodeToken,
  normalizeIdPrefix,
  prefixUpperBound,
} from './common'

/*
 * Apache Cassandra store: records (events, snapshots) as conditional single-partition batches, and
 * an application log and aggregate index written around them, intent first, which readers repair.
 * The protocol (intents, confirmation, counting, listing, the log's clock limits, errors) is
 * described in docs/cassandra-log.md.
 */

const { Client, types, errors, auth } = cassandra
type Client = InstanceType<typeof Client>
type Row = cassandra.types.Row
type Long = cassandra.types.Long
const Long = types.Long
const TimeUuid = types.TimeUuid

const QUORUM = types.consistencies.quorum
const SERIAL = types.consistencies.serial

const PENDING = 0
const CONFIRMED = 1

const HOUR_MS = 3_600_000
/** How often a writer compares its clock with Cassandra's (in the background after the first). */
const CLOCK_CHECK_INTERVAL_MS = 60_000
const FETCH_SIZE = 5000
/** 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch. */
const UUID_EPOCH_OFFSET = 122_192_928_000_000_000n
/** Log rows one `listAggregates` call may scan before it returns what it found. */
const SCAN_BUDGET = 10_000
/** From this prefix length on, `recent` listing with a prefix reads the index range. */
const INDEX_PREFIX_LENGTH = 4
const SHARDS: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
)

/** Valid unquoted CQL keyspace names (Cassandra allows at most 48 characters). */
const KEYSPACE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,47}$/

export interface CassandraSettings {
  contactPoints: string[]
  localDataCenter: string
  keyspace: string
  username?: string
  password?: string
  tls?: boolean
  /** Replication factor of the keyspace when this store creates it (SimpleStrategy). Default 1. */
  replicationFactor?: number
  /** How long to wait for a TCP connection to a node. Default 5000 ms. */
  connectTimeoutMs?: number
  /** How long to wait for a node to answer a request. Default 12000 ms. */
  requestTimeoutMs?: number
  /**
   * How old an unconfirmed intent must be before readers treat it as abandoned (its writer
   * crashed). Must exceed twice the request timeout. Default 60000 ms.
   */
  intentTimeoutMs?: number
  /**
   * How far any writer's or reader's clock may be from true time. Log positions come from the
   * writers' clocks: followers re-read `2 × maxClockSkewMs + intentTimeoutMs / 2` of the log, and
   * an intent counts as abandoned only when older than `intentTimeoutMs + 2 × maxClockSkewMs` by
   * the reader's clock. A writer whose clock is further from the coordinator's is refused
   * (ConfigurationError). Default 60000 ms.
   */
  maxClockSkewMs?: number
}

/** Settings from CASSANDRA_* environment variables; defaults suit a local single node. */
export function cassandraSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CassandraSettings {
  const contactPoints = (env.CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  const settings: CassandraSettings = {
    contactPoints: contactPoints.length ? contactPoints : ['127.0.0.1:9042'],
    localDataCenter: env.CASSANDRA_LOCAL_DC?.trim() || 'datacenter1',
    keyspace: env.CASSANDRA_KEYSPACE?.trim() || 'eventscope',
  }
  if (env.CASSANDRA_USERNAME) settings.username = env.CASSANDRA_USERNAME
  if (env.CASSANDRA_PASSWORD !== undefined) settings.password = env.CASSANDRA_PASSWORD
  const tls = env.CASSANDRA_TLS?.trim().toLowerCase()
  if (tls === '1' || tls === 'true') settings.tls = true
  const rf = env.CASSANDRA_REPLICATION_FACTOR?.trim()
  if (rf) {
    const n = Number(rf)
    if (!Number.isInteger(n) || n < 1) {
      throw new ConfigurationError(
        `CASSANDRA_REPLICATION_FACTOR must be a positive integer, not '${rf}'`,
      )
    }
    settings.replicationFactor = n
  }
  return settings
}

/** Checks a keyspace name before it goes into CQL text; returns it lowercased (as CQL would). */
export function checkKeyspaceName(keyspace: string): string {
  if (!KEYSPACE_PATTERN.test(keyspace)) {
    throw new ConfigurationError(
      `invalid Cassandra keyspace name '${keyspace}': use a letter then up to 47 letters, digits or underscores`,
    )
  }
  return keyspace.toLowerCase()
}

function describeSettings(settings: CassandraSettings): string {
  return `${settings.contactPoints.join(', ')} (data centre ${settings.localDataCenter})`
}

const UNAVAILABLE_CODES = new Set<number>([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.writeTimeout,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.readFailure,
  types.responseErrorCodes.writeFailure,
  types.responseErrorCodes.serverError,
  /** CAS_WRITE_UNKNOWN (protocol v5): a Paxos round whose outcome the coordinator does not know. */
  0x1700,
])

/** Socket errors from Node itself, should one reach a caller unwrapped. */
const SOCKET_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
])

/**
 * Whether an error means the request did not complete (its outcome is unknown): timeouts, no host,
 * a busy pool, a socket closed under the request (`DriverError('Socket was closed')`, as when its
 * coordinator dies), an internal driver error, or a server-side failure. Not: a response that
 * completed the request with an error (syntax, invalid, unauthorised…), a bad argument, failed
 * authentication, or anything that is not the driver's.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return UNAVAILABLE_CODES.has(error.code)
  if (
    error instanceof errors.ArgumentError ||
    error instanceof errors.AuthenticationError ||
    error instanceof errors.NotSupportedError ||
    error instanceof errors.VIntOutOfRangeException
  )
    return false
  if (error instanceof errors.DriverError) return true
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && SOCKET_ERROR_CODES.has(code)
}

/** The client, the keyspace and the error mapping shared by the recorders of one store. */
export class CassandraSession {
  private readonly queries = new Map<string, string>()

  constructor(
    readonly client: Client,
    readonly keyspace: string,
    readonly where: string,
  ) {}

  /** CQL text per query shape, built once; the driver prepares each distinct text once. */
  cql(shape: string, build: (ks: string) => string): string {
    let text = this.queries.get(shape)
    if (text === undefined) {
      text = build(this.keyspace)
      this.queries.set(shape, text)
    }
    return text
  }

  unavailable(error: unknown): StoreUnavailable {
    return new StoreUnavailable(
      `Cassandra at ${this.where} is unavailable: ${(error as Error).message}`,
      { cause: error },
    )
  }

  /** Maps connection failures and timeouts to StoreUnavailable; other errors pass through. */
  wrap(error: unknown): unknown {
    return isUnavailable(error) ? this.unavailable(error) : error
  }

  async execute(
    query: string,
    params: unknown[],
    options: cassandra.QueryOptions = {},
  ): Promise<cassandra.types.ResultSet> {
    try {
      return await this.client.execute(query, params, {
        prepare: true,
        consistency: QUORUM,
        ...options,
      })
    } catch (error) {
      throw this.wrap(error)
    }
  }

  async batch(
    queries: { query: string; params: unknown[] }[],
    options: cassandra.QueryOptions = {},
  ): Promise<cassandra.types.ResultSet> {
    try {
      return await this.client.batch(queries, { prepare: true, consistency: QUORUM, ...options })
    } catch (error) {
      throw this.wrap(error)
    }
  }

  /** Pages of rows, fetched as they are consumed (the driver's paging state). */
  async *pages(query: string, params: unknown[], fetchSize = FETCH_SIZE): AsyncGenerator<Row[]> {
    let pageState: string | undefined
    do {
      const rs = await this.execute(
        query,
        params,
        pageState === undefined ? { fetchSize } : { fetchSize, pageState },
      )
      yield rs.rows
      pageState = rs.pageState ?? undefined
    } while (pageState)
  }
}

// ---------------------------------------------------------------------------------------------
// Records

function long(value: unknown): number {
  return (value as Long).toNumber()
}

/** Integer bounds gte/lte equivalent to a query's gt/gte/lt/lte (versions are integers). */
function versionBounds(q: RecordQuery): { lo?: number; hi?: number } {
  let lo: number | undefined
  let hi: number | undefined
  const raise = (v: number) => (lo = lo === undefined ? v : Math.max(lo, v))
  const lower = (v: number) => (hi = hi === undefined ? v : Math.min(hi, v))
  if (q.gt !== undefined) raise(Math.floor(q.gt) + 1)
  if (q.gte !== undefined) raise(Math.ceil(q.gte))
  if (q.lt !== undefined) lower(Math.ceil(q.lt) - 1)
  if (q.lte !== undefined) lower(Math.floor(q.lte))
  return { ...(lo === undefined ? {} : { lo }), ...(hi === undefined ? {} : { hi }) }
}

export class CassandraAggregateRecorder implements AggregateRecorder {
  constructor(
    readonly session: CassandraSession,
    readonly table: 'events' | 'snapshots',
  ) {}

  async insert(records: readonly StoredRecord[]): Promise<void> {
    checkBatch(records)
    await this.storeRecords(records)
  }

  /**
   * The conditional write: one `INSERT … IF NOT EXISTS`, or one single-partition BATCH of them.
   * Applied as a whole or not at all; not applied raises ConcurrencyError.
   */
  async storeRecords(records: readonly StoredRecord[]): Promise<void> {
    const table = this.table
    const insert = this.session.cql(
      `insert:${table}`,
      (ks) =>
        `INSERT INTO ${ks}.${table} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?) IF NOT EXISTS`,
    )
    const options = { consistency: QUORUM, serialConsistency: SERIAL }
    let rs: cassandra.types.ResultSet
    try {
      if (records.length === 1) {
        const r = records[0]!
        rs = await this.session.execute(
          insert,
          [r.originatorId, r.originatorVersion, r.topic, asBuffer(r.state)],
          options,
        )
      } else {
        rs = await this.session.batch(
          records.map((r) => ({
            query: insert,
            params: [r.originatorId, r.originatorVersion, r.topic, asBuffer(r.state)],
          })),
          options,
        )
      }
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error
      // A timed-out Paxos round may still complete: the caller cannot assume either outcome.
      throw new StoreUnavailable(
        `${error.message} — versions ${records[0]!.originatorVersion}..${records[records.length - 1]!.originatorVersion} of ${records[0]!.originatorId} may or may not have been stored: reload before retrying`,
        { cause: error.cause },
      )
    }
    if (!rs.wasApplied()) {
      let actual: number | undefined
      try {
        actual = await this.lastVersion(records[0]!.originatorId)
      } catch {
        actual = undefined
      }
      throw concurrencyError(records, actual)
    }
  }

  /** The newest stored version of an originator, or undefined. */
  async lastVersion(originatorId: string): Promise<number | undefined> {
    const table = this.table
    const q = this.session.cql(
      `last:${table}`,
      (ks) =>
        `SELECT originator_version FROM ${ks}.${table} WHERE originator_id = ? ORDER BY originator_version DESC LIMIT 1`,
    )
    const row = (await this.session.execute(q, [originatorId])).first()
    return row ? long(row['originator_version']) : undefined
  }

  async select(originatorId: string, query: RecordQuery = {}): Promise<StoredRecord[]> {
    if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
      throw new TypeError(`limit must be a non-negative integer, not ${query.limit}`)
    }
    if (query.limit === 0) return []
    const { lo, hi } = versionBounds(query)
    if (lo !== undefined && hi !== undefined && lo > hi) return []
    const table = this.table
    const desc = query.desc === true
    const limited = query.limit !== undefined
    const shape = `select:${table}:${lo !== undefined}:${hi !== undefined}:${desc}:${limited}`
    const q = this.session.cql(shape, (ks) => {
      let text = `SELECT originator_version, topic, state FROM ${ks}.${table} WHERE originator_id = ?`
      if (lo !== undefined) text += ' AND originator_version >= ?'
      if (hi !== undefined) text += ' AND originator_version <= ?'
      text += ` ORDER BY originator_version ${desc ? 'DESC' : 'ASC'}`
      if (limited) text += ' LIMIT ?'
      return text
    })
    const params: unknown[] = [originatorId]
    if (lo !== undefined) params.push(lo)
    if (hi !== undefined) params.push(hi)
    if (limited) params.push(query.limit)
    const out: StoredRecord[] = []
    const fetchSize = limited ? Math.min(FETCH_SIZE, query.limit!) : FETCH_SIZE
    for await (const rows of this.session.pages(q, params, fetchSize)) {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!
        out.push({
          originatorId,
          originatorVersion: (row['originator_version'] as Long).toNumber(),
          topic: row['topic'] as string,
          state: row['state'] as Buffer,
        })
      }
    }
    return out
  }
}

// ---------------------------------------------------------------------------------------------
// The log and the index

/** What `insert` writes before the events: enough to confirm, repair or drop it later. */
export interface Intent {
  readonly originatorId: string
  readonly shard: string
  readonly from: number
  readonly to: number
  readonly topics: string[]
  readonly aggregateTopic: string
  readonly lastTopic: string
  readonly bucket: number
  /** The position timeuuid, as a string. */
  readonly position: string
  readonly time: Date
  /** Write timestamp (microseconds) of the index cells: the position's time, so later wins. */
  readonly micros: Long
  readonly digest: Buffer
}

interface Position {
  readonly bucket: number
  readonly uuid: string
}

type LogVerdict = 'stored' | 'inflight' | 'abandoned'
type ScanItem = { entry: LogEntry } | { blocked: true }

interface IndexRow {
  readonly originatorId: string
  readonly aggregateTopic: string | null
  readonly createdAt: Date | null
  readonly lastModified: Date | null
  readonly version: number | null
  readonly lastTopic: string | null
  readonly lastPosition: string | null
  readonly pendingVersion: number | null
  readonly pendingPosition: string | null
}

/** An index row as listed: the summary plus the order key of its last change. */
interface Listed {
  readonly summary: AggregateSummary
  readonly ticks: bigint
}

function listedOf(row: IndexRow, version: number): Listed {
  return {
    summary: {
      originatorId: row.originatorId,
      aggregateTopic: row.aggregateTopic ?? '',
      createdAt: row.createdAt ?? row.lastModified ?? new Date(0),
      lastModified: row.lastModified ?? row.createdAt ?? new Date(0),
      version,
      lastTopic: row.lastTopic ?? '',
    },
    ticks: row.lastPosition ? uuidTicks(row.lastPosition) : 0n,
  }
}

function microsOf(uuid: string): Long {
  return Long.fromString(uuidMicros(uuid).toString())
}

/** A Buffer over the same bytes (no copy), as the driver wants for blobs. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function digestOf(topic: string, state: Uint8Array): Buffer {
  return createHash('sha256')
    .update(topic, 'utf8')
    .update(Buffer.of(0))
    .update(state)
    .digest()
    .subarray(0, 16)
}

/** The 60-bit timestamp of a time-based UUID, in 100-ns intervals since 1582. */
function uuidTicks(uuid: string): bigint {
  const hex = uuid.replace(/-/g, '')
  const low = BigInt(`0x${hex.slice(0, 8)}`)
  const mid = BigInt(`0x${hex.slice(8, 12)}`)
  const high = BigInt(`0x${hex.slice(12, 16)}`) & 0x0fffn
  return (high << 48n) | (mid << 32n) | low
}

function uuidMicros(uuid: string): bigint {
  return (uuidTicks(uuid) - UUID_EPOCH_OFFSET) / 10n
}

function uuidDate(uuid: string): Date {
  return new Date(Number(uuidMicros(uuid) / 1000n))
}

export function shardOf(originatorId: string): string {
  return originatorId.slice(0, 2).toLowerCase()
}

function formatPosition(bucket: number, uuid: string): string {
  return `${bucket}:${uuid}`
}

const POSITION_PATTERN =
  /^(\d{1,15}):([0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12})$/

function parsePosition(position: string): Position {
  const m = POSITION_PATTERN.exec(position)
  if (!m) throw new TypeError(`invalid log position '${position}'`)
  return { bucket: Number(m[1]), uuid: m[2]! }
}

function isStr(v: unknown): v is string {
  return typeof v === 'string'
}

type RecentToken = { o: 'r'; p: string }
type IndexRecentToken = { o: 'x'; t: string; id: string }
type IdToken = { o: 'i'; s: string; id: string }

function isRecentToken(v: unknown): v is RecentToken {
  const t = v as Partial<RecentToken> | null
  return (
    typeof t === 'object' && t !== null && t.o === 'r' && isStr(t.p) && POSITION_PATTERN.test(t.p)
  )
}
function isIndexRecentToken(v: unknown): v is IndexRecentToken {
  const t = v as Partial<IndexRecentToken> | null
  return (
    typeof t === 'object' &&
    t !== null &&
    t.o === 'x' &&
    isStr(t.t) &&
    /^\d+$/.test(t.t) &&
    isStr(t.id)
  )
}
function isIdToken(v: unknown): v is IdToken {
  const t = v as Partial<IdToken> | null
  return (
    typeof t === 'object' &&
    t !== null &&
    t.o === 'i' &&
    isStr(t.s) &&
    /^[0-9a-f]{2}$/.test(t.s) &&
    isStr(t.id)
  )
}

const INDEX_COLUMNS =
  'originator_id, aggregate_topic, created_at, last_modified, version, last_topic, last_position, pending_version, pending_position'

function indexRow(row: Row): IndexRow {
  const version = row['version'] as Long | null
  const pendingVersion = row['pending_version'] as Long | null
  const lastPosition = row['last_position'] as cassandra.types.TimeUuid | null
  const pendingPosition = row['pending_position'] as cassandra.types.TimeUuid | null
  return {
    originatorId: row['originator_id'] as string,
    aggregateTopic: (row['aggregate_topic'] as string | null) ?? null,
    createdAt: (row['created_at'] as Date | null) ?? null,
    lastModified: (row['last_modified'] as Date | null) ?? null,
    version: version ? version.toNumber() : null,
    lastTopic: (row['last_topic'] as string | null) ?? null,
    lastPosition: lastPosition ? lastPosition.toString() : null,
    pendingVersion: pendingVersion ? pendingVersion.toNumber() : null,
    pendingPosition: pendingPosition ? pendingPosition.toString() : null,
  }
}

export class CassandraApplicationRecorder
  extends CassandraAggregateRecorder
  implements ApplicationRecorder
{
  /** Buckets this process already listed in `log_buckets`. */
  private readonly knownBuckets = new Set<number>()
  /** The last comparison of this clock with Cassandra's: when (performance.now()), and any fault. */
  private clockChecked: { readonly at: number; readonly fault?: string } | undefined
  private clockCheck: Promise<void> | undefined

  constructor(
    session: CassandraSession,
    readonly intentTimeoutMs = 60_000,
    /**
     * The keyspace has the `aggregate_count` counter of the earlier counting scheme: its
     * aggregates are in `counted_aggregates` and counted there, so it is added to the total.
     */
    readonly legacyCounter = false,
    readonly maxClockSkewMs = 60_000,
  ) {
    super(session, 'events')
  }

  /**
   * An intent reaches the store at most `intentTimeoutMs / 2` after its position's time by its
   * writer's clock (`insert` refuses to store under a later one), and two clocks differ by at most
   * `2 × maxClockSkewMs`: so an entry can appear at most this far behind the newest one seen, or
   * behind a reader's own clock.
   */
  get logReorderWindowMs(): number {
    return 2 * this.maxClockSkewMs + this.intentTimeoutMs / 2
  }

  override async insert(records: readonly StoredRecord[]): Promise<void> {
    await this.checkClock()
    const intent = this.intentOf(records)
    await this.writeIntent(intent)
    if (Date.now() - intent.time.getTime() > this.intentTimeoutMs / 2) {
      // Readers may soon take this intent for abandoned: do not store under it.
      await this.dropIntent(intent).catch(() => {})
      throw new StoreUnavailable(
        `Cassandra at ${this.session.where} is too slow: nothing was stored, retry`,
      )
    }
    try {
      await this.storeRecords(records)
    } catch (error) {
      // Rejected for certain: the intent must not be shown. If this delete fails, readers hide the
      // intent anyway (its digest does not match what is stored) and drop it once it is old.
      if (error instanceof ConcurrencyError) await this.dropIntent(intent).catch(() => {})
      throw error
    }
    // The events are stored: a failed confirmation is repaired by readers, so it is not an error.
    await this.confirm(intent).catch(() => {})
  }

  /**
   * Log positions come from this clock, and followers allow for `maxClockSkewMs` of error: a save
   * is refused while this clock is further than that from the coordinator's (beyond the round
   * trip's doubt). Compared before the first save, then once a minute in the background, so no
   * later save waits for it. An unanswered comparison refuses nothing (it is retried soon).
   */
  private async checkClock(): Promise<void> {
    if (this.clockChecked === undefined) await (this.clockCheck ??= this.compareClock())
    else if (performance.now() - this.clockChecked.at > CLOCK_CHECK_INTERVAL_MS) {
      this.clockCheck ??= this.compareClock()
    }
    const fault = this.clockChecked?.fault
    if (fault !== undefined) throw new ConfigurationError(fault)
  }

  private async compareClock(): Promise<void> {
    const s = this.session
    try {
      const sent = Date.now()
      const start = performance.now()
      const row = (
        await s.execute(
          s.cql('clock', () => 'SELECT now() AS coordinator_time FROM system.local'),
          [],
          { consistency: types.consistencies.one },
        )
      ).first()
      const roundTrip = performance.now() - start
      const theirs = (row?.['coordinator_time'] as cassandra.types.TimeUuid).getDate().getTime()
      const ahead = sent + roundTrip / 2 - theirs
      const beyondDoubt = Math.abs(ahead) - roundTrip / 2
      this.clockChecked = {
        at: performance.now(),
        ...(beyondDoubt > this.maxClockSkewMs
          ? {
              fault:
                `this machine's clock is ${(Math.abs(ahead) / 1000).toFixed(1)} s ` +
                `${ahead > 0 ? 'ahead of' : 'behind'} Cassandra's at ${s.where}, more than the ` +
                `${this.maxClockSkewMs / 1000} s the log allows (maxClockSkewMs): saves are ` +
                "refused, because the log orders changes by their writers' clocks and live views " +
                'would miss them. Synchronise the clock (NTP)',
            }
          : {}),
      }
    } catch {
      // Retried on a save in 5 s; the save's own requests report an unavailable store.
      this.clockChecked = { at: performance.now() - CLOCK_CHECK_INTERVAL_MS + 5_000 }
    } finally {
      this.clockCheck = undefined
    }
  }

  /** The intent of a batch: position, bucket and digest. Exposed for crash tests. */
  intentOf(records: readonly StoredRecord[]): Intent {
    const { originatorId, from, to } = checkBatch(records)
    const uuid = TimeUuid.now()
    const position = uuid.toString()
    const time = uuid.getDate()
    const last = records[records.length - 1]!
    return {
      originatorId,
      shard: shardOf(originatorId),
      from,
      to,
      topics: records.map((r) => r.topic),
      aggregateTopic: aggregateTopicOf(records),
      lastTopic: last.topic,
      bucket: Math.floor(time.getTime() / HOUR_MS),
      position,
      time,
      micros: microsOf(position),
      digest: digestOf(last.topic, last.state),
    }
  }

  /** Step 1: the pending log row, the index row's pending cells, the bucket. */
  async writeIntent(intent: Intent): Promise<void> {
    const s = this.session
    const writes: Promise<unknown>[] = [
      s.execute(
        s.cql(
          'log:insert',
          (ks) =>
            `INSERT INTO ${ks}.event_log (bucket, position, originator_id, from_version, to_version, topics, aggregate_topic, digest, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        [
          intent.bucket,
          intent.position,
          intent.originatorId,
          intent.from,
          intent.to,
          intent.topics,
          intent.aggregateTopic,
          intent.digest,
          PENDING,
        ],
      ),
      s.execute(
        s.cql(
          'index:pending',
          (ks) =>
            `UPDATE ${ks}.aggregates SET pending_version = ?, pending_topic = ?, pending_position = ? WHERE shard = ? AND originator_id = ?`,
        ),
        [intent.to, intent.lastTopic, intent.position, intent.shard, intent.originatorId],
        { timestamp: intent.micros },
      ),
    ]
    if (!this.knownBuckets.has(intent.bucket)) {
      writes.push(
        s
          .execute(
            s.cql(
              'bucket:insert',
              (ks) => `INSERT INTO ${ks}.log_buckets (shard, bucket) VALUES (0, ?)`,
            ),
            [intent.bucket],
          )
          .then(() => this.knownBuckets.add(intent.bucket)),
      )
    }
    await Promise.all(writes)
  }

  /**
   * Step 3: the index advanced and a creation counted; then, only if both succeeded, the log row
   * confirmed. Until then the log row stays pending and readers redo this step.
   */
  async confirm(intent: Intent): Promise<void> {
    await this.applyToIndex(
      intent.originatorId,
      intent.position,
      intent.from,
      intent.to,
      intent.lastTopic,
      intent.aggregateTopic,
    )
    await this.writeConfirmedLog(
      intent.bucket,
      intent.position,
      intent.originatorId,
      intent.from,
      intent.to,
      intent.topics,
      intent.aggregateTopic,
      intent.digest,
    )
  }

  /**
   * After a ConcurrencyError (or a too-slow intent): the log row deleted. The index row's pending
   * cells stay: they may have overwritten those of an older winner whose confirmation is still to
   * come or was lost, and only a reader that checks the events table may delete them.
   */
  async dropIntent(intent: Intent): Promise<void> {
    const s = this.session
    await s.execute(
      s.cql('log:delete', (ks) => `DELETE FROM ${ks}.event_log WHERE bucket = ? AND position = ?`),
      [intent.bucket, intent.position],
    )
  }

  /** A stored batch's effect on the index (at its position's timestamp) and the count. */
  private async applyToIndex(
    originatorId: string,
    position: string,
    from: number,
    to: number,
    lastTopic: string,
    aggregateTopic: string | undefined,
  ): Promise<void> {
    const creation = from === 0
    const time = uuidDate(position)
    await Promise.all([
      this.advanceIndex(
        originatorId,
        microsOf(position),
        to,
        lastTopic,
        time,
        position,
        creation
          ? {
              aggregateTopic: aggregateTopic ?? aggregateTopicOfEventTopic(lastTopic),
              createdAt: time,
            }
          : undefined,
      ),
      creation ? this.countCreation(originatorId) : undefined,
    ])
  }

  private writeConfirmedLog(
    bucket: number,
    position: string,
    originatorId: string,
    from: number,
    to: number,
    topics: string[],
    aggregateTopic: string | undefined,
    digest: Buffer | undefined,
  ): Promise<unknown> {
    const s = this.session
    // The whole row, not just the status: an UPDATE of a deleted row would leave a partial row.
    return s.execute(
      s.cql(
        'log:insert',
        (ks) =>
          `INSERT INTO ${ks}.event_log (bucket, position, originator_id, from_version, to_version, topics, aggregate_topic, digest, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      [bucket, position, originatorId, from, to, topics, aggregateTopic, digest, CONFIRMED],
    )
  }

  private advanceIndex(
    originatorId: string,
    micros: Long,
    version: number,
    lastTopic: string,
    lastModified: Date,
    position: string,
    creation?: { aggregateTopic: string; createdAt: Date },
  ): Promise<unknown> {
    const s = this.session
    // Written at the position's time: a late confirmation of an older batch cannot win.
    if (creation) {
      return s.execute(
        s.cql(
          'index:create',
          (ks) =>
            `UPDATE ${ks}.aggregates SET version = ?, last_topic = ?, last_modified = ?, last_position = ?, aggregate_topic = ?, created_at = ? WHERE shard = ? AND originator_id = ?`,
        ),
        [
          version,
          lastTopic,
          lastModified,
          position,
          creation.aggregateTopic,
          creation.createdAt,
          shardOf(originatorId),
          originatorId,
        ],
        { timestamp: micros },
      )
    }
    return s.execute(
      s.cql(
        'index:advance',
        (ks) =>
          `UPDATE ${ks}.aggregates SET version = ?, last_topic = ?, last_modified = ?, last_position = ? WHERE shard = ? AND originator_id = ?`,
      ),
      [version, lastTopic, lastModified, position, shardOf(originatorId), originatorId],
      { timestamp: micros },
    )
  }

  private clearPending(originatorId: string, micros: Long): Promise<unknown> {
    const s = this.session
    // At the intent's own timestamp: removes this intent's cells, never a newer writer's.
    return s.execute(
      s.cql(
        'index:clear',
        (ks) =>
          `DELETE pending_version, pending_topic, pending_position FROM ${ks}.aggregates WHERE shard = ? AND originator_id = ?`,
      ),
      [shardOf(originatorId), originatorId],
      { timestamp: micros },
    )
  }

  /**
   * Counts an aggregate once, whoever (writer or repairing reader) gets here first, however often
   * it is retried: see "Counting" in docs/cassandra-log.md. Throws when it cannot tell (a
   * timeout): then it was not counted, or it was and a retry finds out.
   */
  async countCreation(originatorId: string): Promise<void> {
    const s = this.session
    const shard = shardOf(originatorId)
    const readShard = async (
      consistency: number,
    ): Promise<{ n: Long | null; last: string | null }> => {
      const row = (
        await s.execute(
          s.cql(
            'count:shard',
            (ks) => `SELECT n, last FROM ${ks}.aggregate_counts WHERE shard = ?`,
          ),
          [shard],
          { consistency },
        )
      ).first()
      const last = row ? (row['last'] as cassandra.types.Uuid | null) : null
      return { n: row ? (row['n'] as Long | null) : null, last: last ? last.toString() : null }
    }
    const guard = (id: string): Promise<unknown> =>
      s.execute(
        s.cql(
          'count:guard',
          (ks) => `INSERT INTO ${ks}.counted_aggregates (originator_id) VALUES (?)`,
        ),
        [id],
      )
    // A QUORUM read may miss a Paxos round in progress; the `IF` below completes it first, fails,
    // and the next round reads SERIAL.
    let state = await readShard(QUORUM)
    for (let attempt = 0; attempt < 50; attempt++) {
      if (state.last === originatorId) {
        await guard(originatorId).catch(() => {}) // the next counter of the shard writes it anyway
        return
      }
      // `last` must be listed before the shard moves on: then whoever is not `last` and not
      // listed has not been counted.
      const [, listed] = await Promise.all([
        state.last === null ? undefined : guard(state.last),
        s.execute(
          s.cql(
            'count:listed',
            (ks) => `SELECT originator_id FROM ${ks}.counted_aggregates WHERE originator_id = ?`,
          ),
          [originatorId],
        ),
      ])
      if (listed.first()) return
      const n = state.n ?? Long.ZERO
      const rs = await s.execute(
        s.cql(
          'count:add',
          (ks) => `UPDATE ${ks}.aggregate_counts SET n = ?, last = ? WHERE shard = ? IF n = ?`,
        ),
        [n.add(1), originatorId, shard, state.n],
        { serialConsistency: SERIAL },
      )
      if (rs.wasApplied()) {
        await guard(originatorId).catch(() => {})
        return
      }
      state = await readShard(SERIAL)
    }
    throw new StoreUnavailable(
      `Cassandra at ${s.where}: could not count aggregate ${originatorId} (shard ${shard} contended)`,
    )
  }

  // --- resolving intents ----------------------------------------------------------------------

  /**
   * Whether an intent is past its timeout whatever the clocks: the reader's clock and its writer's
   * may differ by `2 × maxClockSkewMs`. Judged too early, an intent still in flight would be
   * deleted, and the delete (at the reader's later timestamp) would shadow its confirmation.
   */
  private isOld(position: string): boolean {
    return (
      Date.now() - uuidDate(position).getTime() > this.intentTimeoutMs + 2 * this.maxClockSkewMs
    )
  }

  /**
   * A pending log row: stored (repaired to confirmed), in flight (young, events absent) or
   * abandoned (old, events absent after a SERIAL read: deleted).
   */
  private async resolveLogRow(bucket: number, row: Row): Promise<LogVerdict> {
    const s = this.session
    const position = (row['position'] as cassandra.types.TimeUuid).toString()
    const originatorId = (row['originator_id'] as cassandra.types.Uuid).toString()
    const to = long(row['to_version'])
    const digest = row['digest'] as Buffer | null
    const old = this.isOld(position)
    const event = (
      await s.execute(
        s.cql(
          'events:at',
          (ks) =>
            `SELECT topic, state FROM ${ks}.events WHERE originator_id = ? AND originator_version = ?`,
        ),
        [originatorId, to],
        { consistency: old ? SERIAL : QUORUM },
      )
    ).first()
    const matches =
      event != null &&
      digest != null &&
      digestOf(event['topic'] as string, event['state'] as Buffer).equals(digest)
    if (matches) {
      // Redo the confirmation: the index (never moved back: written at this position's
      // timestamp) and the count, then the log row, which stays pending if either failed.
      const from = long(row['from_version'])
      const aggregateTopic = (row['aggregate_topic'] as string | null) ?? undefined
      await this.applyToIndex(
        originatorId,
        position,
        from,
        to,
        event['topic'] as string,
        aggregateTopic,
      )
        .then(() =>
          this.writeConfirmedLog(
            bucket,
            position,
            originatorId,
            from,
            to,
            (row['topics'] as string[] | null) ?? [],
            aggregateTopic,
            digest,
          ),
        )
        .catch(() => {})
      return 'stored'
    }
    // Its last version is held by another batch: this one can never be stored (rows are never
    // deleted), so it is dropped at once rather than holding followers back.
    if (!old && event == null) return 'inflight'
    await s
      .execute(
        s.cql(
          'log:delete',
          (ks) => `DELETE FROM ${ks}.event_log WHERE bucket = ? AND position = ?`,
        ),
        [bucket, position],
      )
      .catch(() => {})
    return 'abandoned'
  }

  /**
   * An index row as it should be listed: with a pending batch applied when its events are stored,
   * hidden when the aggregate has no stored event. Repairs the row on the way.
   */
  private async resolveIndexRow(row: IndexRow): Promise<Listed | undefined> {
    const pendingAhead =
      row.pendingVersion !== null &&
      row.pendingPosition !== null &&
      (row.version === null || row.pendingVersion > row.version)
    if (!pendingAhead) {
      if (row.version === null) return undefined
      return row.aggregateTopic === null
        ? this.completeOrigin(row, row.version)
        : listedOf(row, row.version)
    }
    const s = this.session
    const pendingPosition = row.pendingPosition!
    const old = this.isOld(pendingPosition)
    const consistency = old ? SERIAL : QUORUM
    const newest = (
      await s.execute(
        s.cql(
          'events:newest',
          (ks) =>
            `SELECT originator_version, topic FROM ${ks}.events WHERE originator_id = ? ORDER BY originator_version DESC LIMIT 1`,
        ),
        [row.originatorId],
        { consistency },
      )
    ).first()
    const newestVersion = newest ? long(newest['originator_version']) : undefined
    if (newestVersion === undefined || (row.version !== null && newestVersion <= row.version)) {
      // The pending batch is not stored (yet): show what is confirmed, if anything.
      if (old) await this.clearPending(row.originatorId, microsOf(pendingPosition)).catch(() => {})
      if (row.version === null) return undefined
      return row.aggregateTopic === null
        ? this.completeOrigin(row, row.version)
        : listedOf(row, row.version)
    }
    // Stored, confirmation missing: the events table is the truth for version and last topic.
    const time = uuidDate(pendingPosition)
    const lastTopic = newest!['topic'] as string
    const aggregateTopic =
      row.aggregateTopic ?? (await this.firstTopic(row.originatorId, consistency)) ?? lastTopic
    const createdAt = row.createdAt ?? time
    const creation = row.version === null || row.aggregateTopic === null
    await Promise.all([
      this.advanceIndex(
        row.originatorId,
        microsOf(pendingPosition),
        newestVersion,
        lastTopic,
        time,
        pendingPosition,
        creation ? { aggregateTopic, createdAt } : undefined,
      ),
      creation ? this.countCreation(row.originatorId) : undefined,
    ]).catch(() => {})
    return {
      summary: {
        originatorId: row.originatorId,
        aggregateTopic,
        createdAt,
        lastModified: time,
        version: newestVersion,
        lastTopic,
      },
      ticks: uuidTicks(pendingPosition),
    }
  }

  /** The aggregate type of the first stored event (as an aggregate topic), or undefined. */
  private async firstTopic(originatorId: string, consistency: number): Promise<string | undefined> {
    const s = this.session
    const first = (
      await s.execute(
        s.cql(
          'events:first',
          (ks) =>
            `SELECT topic FROM ${ks}.events WHERE originator_id = ? ORDER BY originator_version ASC LIMIT 1`,
        ),
        [originatorId],
        { consistency },
      )
    ).first()
    return first ? aggregateTopicOfEventTopic(first['topic'] as string) : undefined
  }

  /**
   * A confirmed row without its aggregate type: the aggregate was created by a batch that did not
   * start at version 0. The type comes from the first stored event; the creation is counted.
   */
  private async completeOrigin(row: IndexRow, version: number): Promise<Listed> {
    const s = this.session
    const aggregateTopic =
      (await this.firstTopic(row.originatorId, QUORUM)) ??
      aggregateTopicOfEventTopic(row.lastTopic ?? '')
    const createdAt = row.createdAt ?? row.lastModified ?? new Date()
    const position = row.lastPosition ?? TimeUuid.fromDate(createdAt).toString()
    await Promise.all([
      s.execute(
        s.cql(
          'index:origin',
          (ks) =>
            `UPDATE ${ks}.aggregates SET aggregate_topic = ?, created_at = ? WHERE shard = ? AND originator_id = ?`,
        ),
        [aggregateTopic, createdAt, shardOf(row.originatorId), row.originatorId],
        { timestamp: microsOf(position) },
      ),
      this.countCreation(row.originatorId),
    ]).catch(() => {})
    return listedOf({ ...row, aggregateTopic, createdAt }, version)
  }

  private async lookupIndex(originatorId: string): Promise<Listed | undefined> {
    const s = this.session
    const row = (
      await s.execute(
        s.cql(
          'index:get',
          (ks) =>
            `SELECT ${INDEX_COLUMNS} FROM ${ks}.aggregates WHERE shard = ? AND originator_id = ?`,
        ),
        [shardOf(originatorId), originatorId],
      )
    ).first()
    return row ? this.resolveIndexRow(indexRow(row)) : undefined
  }

  // --- the log ---------------------------------------------------------------------------------

  private async *buckets(desc: boolean, from: number | undefined): AsyncGenerator<number> {
    const s = this.session
    const dir = desc ? 'DESC' : 'ASC'
    const q =
      from === undefined
        ? s.cql(
            `buckets:${dir}`,
            (ks) => `SELECT bucket FROM ${ks}.log_buckets WHERE shard = 0 ORDER BY bucket ${dir}`,
          )
        : s.cql(
            `buckets:${dir}:from`,
            (ks) =>
              `SELECT bucket FROM ${ks}.log_buckets WHERE shard = 0 AND bucket ${desc ? '<=' : '>='} ? ORDER BY bucket ${dir}`,
          )
    for await (const rows of s.pages(q, from === undefined ? [] : [from], 1000)) {
      for (const row of rows) yield long(row['bucket'])
    }
  }

  /**
   * Log entries in order, strictly after (ascending) or before (descending) a position. Pending
   * rows are resolved; an ascending scan stops at an intent still in flight (`blocked`), so a
   * follower does not move past a batch about to be stored, unless `skipInFlight`.
   */
  private async *scanLog(
    desc: boolean,
    from: Position | undefined,
    fetchSize: number,
    skipInFlight = false,
  ): AsyncGenerator<ScanItem> {
    const s = this.session
    const dir = desc ? 'DESC' : 'ASC'
    const columns =
      'position, originator_id, from_version, to_version, topics, aggregate_topic, digest, status'
    for await (const bucket of this.buckets(desc, from?.bucket)) {
      const restricted = from !== undefined && bucket === from.bucket
      const q = restricted
        ? s.cql(
            `log:${dir}:from`,
            (ks) =>
              `SELECT ${columns} FROM ${ks}.event_log WHERE bucket = ? AND position ${desc ? '<' : '>'} ? ORDER BY position ${dir}`,
          )
        : s.cql(
            `log:${dir}`,
            (ks) =>
              `SELECT ${columns} FROM ${ks}.event_log WHERE bucket = ? ORDER BY position ${dir}`,
          )
      for await (const rows of s.pages(q, restricted ? [bucket, from.uuid] : [bucket], fetchSize)) {
        for (const row of rows) {
          if (row['status'] !== CONFIRMED) {
            const verdict = await this.resolveLogRow(bucket, row)
            if (verdict === 'inflight' && !desc && !skipInFlight) {
              yield { blocked: true }
              return
            }
            if (verdict !== 'stored') continue
          }
          const position = row['position'] as cassandra.types.TimeUuid
          const uuid = position.toString()
          yield {
            entry: {
              position: formatPosition(bucket, uuid),
              originatorId: (row['originator_id'] as cassandra.types.Uuid).toString(),
              fromVersion: long(row['from_version']),
              toVersion: long(row['to_version']),
              topics: (row['topics'] as string[] | null) ?? [],
              recordedAt: uuidDate(uuid),
            },
          }
        }
      }
    }
  }

  async selectLog(query: LogQuery): Promise<LogEntry[]> {
    if (!Number.isInteger(query.limit) || query.limit < 0) {
      throw new TypeError(`limit must be a non-negative integer, not ${query.limit}`)
    }
    if (query.limit === 0) return []
    const desc = query.desc === true
    const mark = desc ? query.before : query.after
    const from = mark === undefined ? undefined : parsePosition(mark)
    const out: LogEntry[] = []
    const scan = this.scanLog(
      desc,
      from,
      Math.min(FETCH_SIZE, query.limit + 16),
      query.skipInFlight === true,
    )
    try {
      for await (const item of scan) {
        if ('blocked' in item) break
        out.push(item.entry)
        if (out.length >= query.limit) break
      }
    } finally {
      await scan.return(undefined)
    }
    return out
  }

  // --- the index -------------------------------------------------------------------------------

  async listAggregates(query: AggregateListQuery): Promise<Page<AggregateSummary>> {
    if (!Number.isInteger(query.limit) || query.limit < 0) {
      throw new TypeError(`limit must be a non-negative integer, not ${query.limit}`)
    }
    if (query.limit === 0) return { items: [] }
    const prefix = normalizeIdPrefix(query)
    // Ids are UUIDs: a prefix with anything else matches nothing.
    if (prefix !== undefined && !/^[0-9a-f-]{1,36}$/.test(prefix)) return { items: [] }
    if (query.order === 'id') return this.listById(query, prefix)
    if (prefix !== undefined && prefix.length >= INDEX_PREFIX_LENGTH)
      return this.listRecentByIndex(query, prefix)
    return this.listRecentByLog(query, prefix)
  }

  private matches(summary: AggregateSummary, query: AggregateListQuery): boolean {
    return query.aggregateTopic === undefined || summary.aggregateTopic === query.aggregateTopic
  }

  /** Newest change first, from the log: an entry counts when it is its aggregate's latest. */
  private async listRecentByLog(
    query: AggregateListQuery,
    prefix: string | undefined,
  ): Promise<Page<AggregateSummary>> {
    const token =
      query.pageToken === undefined ? undefined : decodeToken(query.pageToken, isRecentToken)
    const from = token === undefined ? undefined : parsePosition(token.p)
    const items: AggregateSummary[] = []
    const seen = new Map<string, Promise<Listed | undefined>>()
    let lastReturned: string | undefined
    let lastScanned: string | undefined
    let scanned = 0
    let more = false
    const budget = Math.max(SCAN_BUDGET, query.limit * 20)
    const scan = this.scanLog(true, from, 1000)
    try {
      let done = false
      while (!done) {
        // A chunk of entries, whose index rows are looked up concurrently.
        const chunk: LogEntry[] = []
        while (chunk.length < 64) {
          const next = await scan.next()
          if (next.done) {
            done = true
            break
          }
          if ('blocked' in next.value) continue
          chunk.push(next.value.entry)
        }
        for (const entry of chunk) {
          if (prefix !== undefined && !entry.originatorId.startsWith(prefix)) continue
          if (!seen.has(entry.originatorId)) {
            const lookup = this.lookupIndex(entry.originatorId)
            lookup.catch(() => {}) // awaited below, unless the page fills first
            seen.set(entry.originatorId, lookup)
          }
        }
        for (const entry of chunk) {
          scanned++
          lastScanned = entry.position
          if (prefix !== undefined && !entry.originatorId.startsWith(prefix)) continue
          const listed = await seen.get(entry.originatorId)!
          if (
            !listed ||
            listed.summary.version !== entry.toVersion ||
            !this.matches(listed.summary, query)
          )
            continue
          if (items.length >= query.limit) {
            more = true
            done = true
            break
          }
          items.push(listed.summary)
          lastReturned = entry.position
        }
        if (!done && scanned >= budget) {
          more = true
          done = true
        }
      }
    } finally {
      await scan.return(undefined)
    }
    const resume = items.length >= query.limit ? lastReturned : lastScanned
    return {
      items,
      ...(more && resume !== undefined
        ? { nextPageToken: encodeToken({ o: 'r', p: resume } satisfies RecentToken) }
        : {}),
    }
  }

  /** Index rows of the shards a prefix can match, in id order, resolved and filtered. */
  private async *indexRows(
    prefix: string | undefined,
    after: { s: string; id: string } | undefined,
  ): AsyncGenerator<Listed> {
    const s = this.session
    let shards = SHARDS
    if (prefix !== undefined) {
      shards =
        prefix.length >= 2
          ? SHARDS.filter((x) => x === prefix.slice(0, 2))
          : SHARDS.filter((x) => x.startsWith(prefix))
    }
    if (after !== undefined) shards = shards.filter((x) => x >= after.s)
    const upper = prefix === undefined ? undefined : prefixUpperBound(prefix)
    const queryFor = (shard: string): { q: string; params: unknown[] } => {
      const resume = after !== undefined && shard === after.s
      const lower = resume ? 'gt' : prefix !== undefined ? 'ge' : 'none'
      const q = s.cql(`index:range:${lower}:${upper !== undefined}`, (ks) => {
        let text = `SELECT ${INDEX_COLUMNS} FROM ${ks}.aggregates WHERE shard = ?`
        if (lower === 'gt') text += ' AND originator_id > ?'
        if (lower === 'ge') text += ' AND originator_id >= ?'
        if (upper !== undefined) text += ' AND originator_id < ?'
        return text
      })
      const params: unknown[] = [shard]
      if (lower === 'gt') params.push(after!.id)
      if (lower === 'ge') params.push(prefix)
      if (upper !== undefined) params.push(upper)
      return { q, params }
    }
    // First pages of a few shards at a time: most shards of a small index are empty.
    const window = 8
    for (let i = 0; i < shards.length; i += window) {
      const group = shards.slice(i, i + window)
      const firsts = group.map((shard) => {
        const { q, params } = queryFor(shard)
        const gen = s.pages(q, params, 1000)
        const first = gen.next()
        first.catch(() => {}) // awaited below, unless the consumer stops first
        return { gen, first }
      })
      for (const { gen, first } of firsts) {
        let page = await first
        while (!page.done) {
          const rows = page.value
          const resolved = await Promise.all(rows.map((row) => this.resolveIndexRow(indexRow(row))))
          for (const listed of resolved) if (listed) yield listed
          page = await gen.next()
        }
      }
    }
  }

  private async listById(
    query: AggregateListQuery,
    prefix: string | undefined,
  ): Promise<Page<AggregateSummary>> {
    const token =
      query.pageToken === undefined ? undefined : decodeToken(query.pageToken, isIdToken)
    const items: AggregateSummary[] = []
    let more = false
    let scanned = 0
    let lastScanned: string | undefined
    const budget = Math.max(SCAN_BUDGET, query.limit * 20)
    const rows = this.indexRows(prefix, token)
    try {
      for await (const listed of rows) {
        scanned++
        if (this.matches(listed.summary, query)) {
          if (items.length >= query.limit) {
            more = true
            break
          }
          items.push(listed.summary)
        }
        lastScanned = listed.summary.originatorId
        if (scanned >= budget && items.length < query.limit) {
          more = true
          break
        }
      }
    } finally {
      await rows.return(undefined)
    }
    const last = items.length >= query.limit ? items[items.length - 1]?.originatorId : lastScanned
    return {
      items,
      ...(more && last !== undefined
        ? { nextPageToken: encodeToken({ o: 'i', s: shardOf(last), id: last } satisfies IdToken) }
        : {}),
    }
  }

  /** Newest change first among the index rows of a narrow prefix (read whole, then sorted). */
  private async listRecentByIndex(
    query: AggregateListQuery,
    prefix: string,
  ): Promise<Page<AggregateSummary>> {
    const token =
      query.pageToken === undefined ? undefined : decodeToken(query.pageToken, isIndexRecentToken)
    const all: Listed[] = []
    for await (const listed of this.indexRows(prefix, undefined)) {
      if (this.matches(listed.summary, query)) all.push(listed)
    }
    const newerFirst = (a: Listed, b: Listed): number =>
      a.ticks !== b.ticks
        ? a.ticks > b.ticks
          ? -1
          : 1
        : a.summary.originatorId > b.summary.originatorId
          ? -1
          : a.summary.originatorId < b.summary.originatorId
            ? 1
            : 0
    all.sort(newerFirst)
    let rest = all
    if (token !== undefined) {
      const t = BigInt(token.t)
      rest = all.filter((l) => l.ticks < t || (l.ticks === t && l.summary.originatorId < token.id))
    }
    const page = rest.slice(0, query.limit)
    const last = page[page.length - 1]
    return {
      items: page.map((l) => l.summary),
      ...(rest.length > page.length && last
        ? {
            nextPageToken: encodeToken({
              o: 'x',
              t: last.ticks.toString(),
              id: last.summary.originatorId,
            } satisfies IndexRecentToken),
          }
        : {}),
    }
  }

  /** The sum of the shards' counts (at most 256 rows), plus the legacy counter if there is one. */
  async countAggregates(): Promise<number> {
    const s = this.session
    let total = 0
    for await (const rows of s.pages(
      s.cql('count:all', (ks) => `SELECT n FROM ${ks}.aggregate_counts`),
      [],
      1000,
    )) {
      for (const row of rows) total += (row['n'] as Long | null)?.toNumber() ?? 0
    }
    if (this.legacyCounter) {
      const row = (
        await s.execute(
          s.cql(
            'count:legacy',
            (ks) => `SELECT aggregates FROM ${ks}.aggregate_count WHERE id = 0`,
          ),
          [],
        )
      ).first()
      total += (row?.['aggregates'] as Long | null | undefined)?.toNumber() ?? 0
    }
    return total
  }
}

// ---------------------------------------------------------------------------------------------
// Schema and store

const TABLES: Record<string, (ks: string) => string> = {
  events: (ks) =>
    `CREATE TABLE IF NOT EXISTS ${ks}.events (originator_id uuid, originator_version bigint, topic text, state blob, PRIMARY KEY ((originator_id), originator_version)) WITH CLUSTERING ORDER BY (originator_version ASC)`,
  snapshots: (ks) =>
    `CREATE TABLE IF NOT EXISTS ${ks}.snapshots (originator_id uuid, originator_version bigint, topic text, state blob, PRIMARY KEY ((originator_id), originator_version)) WITH CLUSTERING ORDER BY (originator_version ASC)`,
  event_log: (ks) =>
    `CREATE TABLE IF NOT EXISTS ${ks}.event_log (bucket bigint, position timeuuid, originator_id uuid, from_version bigint, to_version bigint, topics list<text>, aggregate_topic text, digest blob, status int, PRIMARY KEY ((bucket), position)) WITH CLUSTERING ORDER BY (position ASC)`,
  log_buckets: (ks) =>
    `CREATE TABLE IF NOT EXISTS ${ks}.log_buckets (shard int, bucket bigint, PRIMARY KEY ((shard), bucket)) WITH CLUSTERING ORDER BY (bucket ASC)`,
  aggregates: (ks) =>
    `CREATE TABLE IF NOT EXISTS ${ks}.aggregates (shard text, originator_id text, aggregate_topic text, created_at timestamp, last_modified timestamp, version bigint, last_topic text, last_position timeuuid, pending_version bigint, pending_topic text, pending_position timeuuid, PRIMARY KEY ((shard), originator_id)) WITH CLUSTERING ORDER BY (originator_id ASC)`,
  counted_aggregates: (ks) =>
    `CREATE TABLE IF NOT EXISTS ${ks}.counted_aggregates (originator_id uuid PRIMARY KEY)`,
  aggregate_counts: (ks) =>
    `CREATE TABLE IF NOT EXISTS ${ks}.aggregate_counts (shard text PRIMARY KEY, n bigint, last uuid)`,
}

/** The schema versions one node reports: its own and its peers' (as it learnt them by gossip). */
export interface SchemaVersions {
  readonly local: { readonly hostId: string; readonly version: string | null }
  readonly peers: readonly { readonly hostId: string | null; readonly version: string | null }[]
}

/**
 * Whether the nodes that are up agree on the schema: the answering node and those of its peers
 * that `isUp` accepts (by host id) report one version. A down node keeps the version it had, so
 * counting it (as the driver's `checkSchemaAgreement` does) would block any schema change
 * until it is back.
 */
export function schemaAgreed(versions: SchemaVersions, isUp: (hostId: string) => boolean): boolean {
  if (versions.local.version === null) return false
  const seen = new Set([versions.local.version])
  for (const peer of versions.peers) {
    if (peer.hostId === null || !isUp(peer.hostId)) continue
    if (peer.version === null) return false
    seen.add(peer.version)
  }
  return seen.size === 1
}

async function schemaVersions(client: Client): Promise<SchemaVersions | undefined> {
  // Both reads from one node, so that its own version and its view of its peers go together.
  const host = client.hosts.values().find((h) => h.isUp())
  if (host === undefined) return undefined
  const options = { host, prepare: false, consistency: types.consistencies.one }
  const [local, peers] = await Promise.all([
    client.execute('SELECT host_id, schema_version FROM system.local', [], options),
    client.execute('SELECT host_id, schema_version FROM system.peers', [], options),
  ])
  const str = (v: unknown): string | null => (v == null ? null : String(v))
  const row = local.first()
  if (!row) return undefined
  return {
    local: { hostId: String(row['host_id']), version: str(row['schema_version']) },
    peers: peers.rows.map((r) => ({
      hostId: str(r['host_id']),
      version: str(r['schema_version']),
    })),
  }
}

/** Waits until the nodes that are up agree on the schema (down nodes catch up when back). */
async function awaitSchemaAgreement(client: Client): Promise<void> {
  if (client.hosts.length <= 1) return
  const deadline = Date.now() + 30_000
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const versions = await schemaVersions(client)
      const up = new Set(
        client.hosts
          .values()
          .filter((h) => h.isUp() && h.hostId != null)
          .map((h) => String(h.hostId)),
      )
      if (versions && schemaAgreed(versions, (id) => up.has(id))) return
    } catch (error) {
      last = error // a node that just went down: ask again
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new StoreUnavailable(
    'Cassandra nodes that are up did not agree on the schema within 30 s; creating the schema ' +
      'is idempotent, so opening the store again completes it' +
      (last instanceof Error ? ` (last error: ${last.message})` : ''),
    ...(last === undefined ? [] : [{ cause: last }]),
  )
}

/**
 * Creates the keyspace and the tables that are missing (`IF NOT EXISTS`: a start that failed
 * part-way is completed by the next), waiting after each for the nodes that are up to agree.
 * Returns whether the keyspace has the legacy `aggregate_count` counter.
 */
async function ensureSchema(
  session: CassandraSession,
  replicationFactor: number,
): Promise<boolean> {
  const { client, keyspace } = session
  const ddl = async (text: string): Promise<void> => {
    try {
      await client.execute(text, [], { prepare: false, consistency: QUORUM })
    } catch (error) {
      throw session.wrap(error)
    }
    await awaitSchemaAgreement(client)
  }
  const existing = await session.execute(
    'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?',
    [keyspace],
    {
      consistency: types.consistencies.one,
    },
  )
  const have = new Set(existing.rows.map((r) => r['table_name'] as string))
  if (have.size === 0) {
    await ddl(
      `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${replicationFactor}}`,
    )
  }
  for (const [table, create] of Object.entries(TABLES)) {
    if (!have.has(table)) await ddl(create(keyspace))
  }
  return have.has('aggregate_count')
}

/** The driver's native port for a contact point without one. */
const DEFAULT_PORT = 9042

/** The port a contact point names (`host:port`, `[ipv6]:port`), or undefined (`host`, `ipv6`). */
function portOf(contactPoint: string): number | undefined {
  let port: string | undefined
  if (contactPoint.startsWith('[')) {
    port = /^\[[^\]]+\]:(.*)$/.exec(contactPoint)?.[1]
  } else {
    const parts = contactPoint.split(':')
    if (parts.length === 2) port = parts[1]
  }
  if (port === undefined) return undefined
  const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN
  if (!(n >= 1 && n <= 65_535)) {
    throw new ConfigurationError(`invalid port in Cassandra contact point '${contactPoint}'`)
  }
  return n
}

/**
 * The driver options for these settings. The contact points go as given; their common port
 * (9042 when none is named) becomes `protocolOptions.port`, the port the driver gives every node
 * it discovers through `system.peers` — left at 9042 on a cluster on another port, the driver
 * marks the peers down or reaches another cluster's node. It cannot mix ports for discovered
 * peers, so contact points with different ports are a ConfigurationError.
 */
export function cassandraClientOptions(settings: CassandraSettings): cassandra.ClientOptions {
  if (!settings.contactPoints.length)
    throw new ConfigurationError('Cassandra needs at least one contact point')
  const ports = new Map<number, string[]>()
  for (const contactPoint of settings.contactPoints) {
    const port = portOf(contactPoint) ?? DEFAULT_PORT
    ports.set(port, [...(ports.get(port) ?? []), contactPoint])
  }
  if (ports.size > 1) {
    const which = [...ports].map(([port, points]) => `${port} (${points.join(', ')})`).join(', ')
    throw new ConfigurationError(
      `Cassandra contact points must all use the same native port, not ${which}: the driver ` +
        `reaches every node it discovers on one port (a contact point without a port means ${DEFAULT_PORT})`,
    )
  }
  const port = [...ports.keys()][0]!
  const options: cassandra.ClientOptions = {
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    socketOptions: {
      connectTimeout: settings.connectTimeoutMs ?? 5000,
      readTimeout: settings.requestTimeoutMs ?? 12_000,
    },
    queryOptions: { consistency: QUORUM, prepare: true, fetchSize: FETCH_SIZE },
    // No wait by the driver after a schema change: it would compare down nodes too (for its full
    // wait, on every statement). The store waits for the nodes that are up (awaitSchemaAgreement).
    protocolOptions: { port, maxSchemaAgreementWaitSeconds: 0 },
    // Try a node that went down again every 0.5–2 s, however long it was down: the default
    // back-off doubles up to 10 minutes, so after a long outage the app stayed down for minutes
    // after the cluster answered again. Idle connections are probed every 5 s (default 30 s)
    // so a link that died silently is noticed as quickly.
    policies: {
      reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(
        500,
        2000,
        false,
      ),
    },
    pooling: { heartBeatInterval: 5000 },
  }
  if (settings.username !== undefined) {
    options.authProvider = new auth.PlainTextAuthProvider(
      settings.username,
      settings.password ?? '',
    )
  }
  if (settings.tls) options.sslOptions = {}
  return options
}

/** Connects, creates the keyspace and tables on first use, and returns the store. */
export async function createCassandraStore(settings: CassandraSettings): Promise<Store> {
  const keyspace = checkKeyspaceName(settings.keyspace)
  const replicationFactor = settings.replicationFactor ?? 1
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new ConfigurationError(
      `replication factor must be a positive integer, not ${replicationFactor}`,
    )
  }
  const options = cassandraClientOptions(settings)
  const where = describeSettings(settings)
  const client = new Client(options)
  const session = new CassandraSession(client, keyspace, where)
  let legacyCounter: boolean
  try {
    try {
      await client.connect()
    } catch (error) {
      throw new StoreUnavailable(
        `cannot connect to Cassandra at ${where}: ${(error as Error).message}`,
        { cause: error },
      )
    }
    legacyCounter = await ensureSchema(session, replicationFactor)
  } catch (error) {
    await client.shutdown().catch(() => {})
    throw error
  }
  return {
    kind: 'cassandra',
    description: `Cassandra ${settings.contactPoints.join(', ')}, keyspace ${keyspace}`,
    events: new CassandraApplicationRecorder(
      session,
      settings.intentTimeoutMs ?? 60_000,
      legacyCounter,
      settings.maxClockSkewMs ?? 60_000,
    ),
    snapshots: new CassandraAggregateRecorder(session, 'snapshots'),
    close: () => client.shutdown(),
  }
}
