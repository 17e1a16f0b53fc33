import type cassandra from 'cassandra-driver'
import { aggregateTopicOfEventTopic } from '../../../domain/topics'
import type { LogEntry, LogQuery } from '../../recorder'
import { FETCH_SIZE, long, QUORUM, SERIAL, TimeUuid, type Row } from './driver'
import { INDEX_COLUMNS, indexRow, listedOf, shardOf, type IndexRow, type Listed } from './indexRows'
import {
  CONFIRMED,
  digestOf,
  formatPosition,
  microsOf,
  parsePosition,
  uuidDate,
  uuidTicks,
  type LogVerdict,
  type Position,
  type ScanItem,
} from './logRows'
import { CassandraLogWriter } from './logWriter'

/**
 * The reading side of the application recorder (see docs/cassandra-log.md): resolving pending
 * log rows and index rows (repairing or dropping them) and scanning the log. A layer of
 * CassandraApplicationRecorder, which is the class to use.
 */
export abstract class CassandraLogReader extends CassandraLogWriter {
  /**
   * Whether an intent is past its timeout whatever the clocks: the reader's clock and its writer's
   * may differ by `2 × maxClockSkewMs`. Judged too early, an intent still in flight would be
   * deleted, and the delete (at the reader's later timestamp) would shadow its confirmation.
   */
  private isOld(position: string): boolean {
    return (
      this.clock() - uuidDate(position).getTime() > this.intentTimeoutMs + 2 * this.maxClockSkewMs
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
  protected async resolveIndexRow(row: IndexRow): Promise<Listed | undefined> {
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

  protected async lookupIndex(originatorId: string): Promise<Listed | undefined> {
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
  protected async *scanLog(
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
}
