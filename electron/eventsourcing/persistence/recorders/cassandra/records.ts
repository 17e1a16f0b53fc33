import type cassandra from 'cassandra-driver'
import { StoreUnavailable } from '../../../errors'
import type { AggregateRecorder, RecordQuery, StoredRecord } from '../../recorder'
import { checkBatch, concurrencyError } from '../common'
import { asBuffer, FETCH_SIZE, long, QUORUM, SERIAL, type Long, type Row } from './driver'
import type { CassandraSession } from './session'

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
    const out: StoredRecord[] = []
    for await (const rows of this.rangeRows(
      originatorId,
      query,
      'originator_version, topic, state',
    )) {
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

  /** The table's partition keys, in token order (a whole-table walk, paged by the driver). */
  async *storedOriginatorIds(): AsyncIterable<readonly string[]> {
    const q = this.session.cql(`distinct:${this.table}`, (ks) => {
      return `SELECT DISTINCT originator_id FROM ${ks}.${this.table}`
    })
    for await (const rows of this.session.pages(q, [], FETCH_SIZE)) {
      yield rows.map((row) => String(row['originator_id']))
    }
  }

  /** The versions within the range, without reading the records' states. */
  async selectVersions(originatorId: string, query: RecordQuery = {}): Promise<number[]> {
    const out: number[] = []
    for await (const rows of this.rangeRows(originatorId, query, 'originator_version')) {
      for (const row of rows) out.push((row['originator_version'] as Long).toNumber())
    }
    return out
  }

  private async *rangeRows(
    originatorId: string,
    query: RecordQuery,
    columns: string,
  ): AsyncGenerator<Row[]> {
    if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
      throw new TypeError(`limit must be a non-negative integer, not ${query.limit}`)
    }
    if (query.limit === 0) return
    const { lo, hi } = versionBounds(query)
    if (lo !== undefined && hi !== undefined && lo > hi) return
    const table = this.table
    const desc = query.desc === true
    const limited = query.limit !== undefined
    const shape = `select:${table}:${columns}:${lo !== undefined}:${hi !== undefined}:${desc}:${limited}`
    const q = this.session.cql(shape, (ks) => {
      let text = `SELECT ${columns} FROM ${ks}.${table} WHERE originator_id = ?`
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
    const fetchSize = limited ? Math.min(FETCH_SIZE, query.limit!) : FETCH_SIZE
    yield* this.session.pages(q, params, fetchSize)
  }
}
