import type cassandra from 'cassandra-driver'
import { aggregateTopicOfEventTopic } from '../../../domain/topics'
import { ConcurrencyError, ConfigurationError, StoreUnavailable } from '../../../errors'
import type { StoredRecord } from '../../recorder'
import { aggregateTopicOf, checkBatch } from '../common'
import { Long, QUORUM, SERIAL, TimeUuid, types } from './driver'
import { shardOf } from './indexRows'
import { CONFIRMED, digestOf, microsOf, PENDING, uuidDate, type Intent } from './logRows'
import { CassandraAggregateRecorder } from './records'
import type { CassandraSession } from './session'

const HOUR_MS = 3_600_000
/** How often a writer compares its clock with Cassandra's (in the background after the first). */
const CLOCK_CHECK_INTERVAL_MS = 60_000

/**
 * The writing side of the application recorder (see docs/cassandra-log.md): the clock check, the
 * intent, the confirmation (index, count, log row) and counting. A layer of
 * CassandraApplicationRecorder, which is the class to use.
 */
export abstract class CassandraLogWriter extends CassandraAggregateRecorder {
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
  protected async applyToIndex(
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

  protected writeConfirmedLog(
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

  protected advanceIndex(
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

  protected clearPending(originatorId: string, micros: Long): Promise<unknown> {
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
}
