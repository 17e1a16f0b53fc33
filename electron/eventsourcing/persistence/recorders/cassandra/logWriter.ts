import type cassandra from 'cassandra-driver'
import { aggregateTopicOfEventTopic } from '../../../domain/topics'
import { ConcurrencyError, ConfigurationError, StoreUnavailable } from '../../../errors'
import type { StoredRecord } from '../../recorder'
import { aggregateTopicOf, checkBatch } from '../common'
import { Long, types } from './driver'
import { shardOf } from './indexRows'
import type { Intent } from './logRows'
import { bucketOf, CONFIRMED, digestOf, microsOf, PositionClock, uuidDate } from './logRows'
import { intentStatements, SaveOutbox } from './outbox'
import { countCreation } from './counting'
import { CassandraAggregateRecorder } from './records'
import type { CassandraSession } from './session'

/**
 * The statements of a save, in order: intent and events are sent together; the index advance
 * ('index') and the CONFIRMED log row ('confirm') ride in later requests (outbox.ts).
 */
export type SaveStep = 'intent' | 'events' | 'count' | 'index' | 'confirm'
export type SaveFault = 'halt' | 'lose' | 'noAnswer'

/** A writer stopped by the crash-test seam: as if its process died at that step. */
export class WriterHalted extends Error {
  constructor(readonly step: SaveStep) {
    super(`writer halted before step '${step}' (crash test)`)
    this.name = 'WriterHalted'
  }
}
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
  /** Background writes of this recorder's saves (see `settled`). */
  private readonly inFlight = new Set<Promise<void>>()
  /**
   * The crash-test seam: consulted before each statement of a save (never by readers). 'halt'
   * abandons the writer there (nothing after it is sent), 'lose' drops that request, 'noAnswer'
   * sends it and drops its answer. Unset in production.
   */
  saveFault: ((step: SaveStep) => SaveFault | undefined) | undefined
  private readonly positions = new PositionClock(() => this.clock())
  private readonly outbox: SaveOutbox

  constructor(
    session: CassandraSession,
    readonly intentTimeoutMs = 60_000,
    /**
     * The keyspace has the `aggregate_count` counter of the earlier counting scheme: its
     * aggregates are in `counted_aggregates` and counted there, so it is added to the total.
     */
    readonly legacyCounter = false,
    readonly maxClockSkewMs = 60_000,
    /** This wall clock (ms) gives positions and buckets, ages intents, is checked (tests move it). */
    readonly clock: () => number = Date.now,
  ) {
    super(session, 'events')
    this.outbox = new SaveOutbox(
      session,
      (step) => this.saveFault?.(step),
      (step) => new WriterHalted(step),
      (intent, error) => this.confirmFailed(intent, error),
    )
  }

  /**
   * Told of a background confirmation that failed: its log row stays pending for readers to
   * repair. Does nothing; the resilience check (scripts/node-failure.ts) counts these.
   */
  confirmFailed(_intent: Intent, _error: unknown): void {}

  /**
   * An intent reaches the store at most `intentTimeoutMs / 2` after its position's time by its
   * writer's clock (it is sent at that time and answered within the request timeout, which is
   * under `intentTimeoutMs / 2`; see docs/cassandra-log.md), and two clocks differ by at most
   * `2 × maxClockSkewMs`: so an entry can appear at most this far behind the newest one seen, or
   * behind a reader's own clock.
   */
  get logReorderWindowMs(): number {
    return 2 * this.maxClockSkewMs + this.intentTimeoutMs / 2
  }

  /**
   * One round trip on the save's critical path: the intent (step 1) and the conditional batch
   * (step 2) are sent together, the intent first; the save is acknowledged once both are written,
   * and the confirmation (step 3) follows in the background, repaired by readers if it is lost.
   * See "The application log and the aggregate index" in docs/cassandra-log.md.
   */
  override async insert(records: readonly StoredRecord[]): Promise<void> {
    const clockCheck = this.checkClock()
    if (clockCheck !== undefined) await clockCheck
    const intent = this.intentOf(records)
    const fault = this.saveFault?.('intent')
    if (fault === 'halt') throw new WriterHalted('intent')
    const newBucket = !this.knownBuckets.has(intent.bucket)
    // The intent goes with those of the other saves of this turn; the events right after it.
    const outcome = await this.outbox.intent(intent, newBucket, fault, () =>
      this.step('events', () => this.storeRecords(records)),
    )
    this.outbox.saveDone()
    if (newBucket && !outcome.intentFailed) this.knownBuckets.add(intent.bucket)
    if (outcome.eventsFailed) {
      const error: unknown = outcome.eventsError
      // Rejected for certain: the intent must not be shown. Readers drop it anyway (the version
      // it names holds another batch), so this delete is not waited for.
      if (error instanceof ConcurrencyError) this.background(() => this.dropIntent(intent))
      throw error
    }
    if (!outcome.intentFailed) {
      // A creation is counted first; other confirmations go straight to the outbox (no promise).
      if (intent.from === 0) this.background(() => this.confirm(intent, true))
      else this.outbox.confirmLater(intent)
      return
    }
    // Stored, but the intent may not be: nothing in the log or the index may point at these
    // events yet, so the confirmation (which writes the whole log row) is waited for.
    await this.confirmStored(intent)
  }

  /**
   * The confirmation of a batch whose intent failed: retried while the log row would still reach
   * the store within `intentTimeoutMs / 2` of its position (so followers see it), then in the
   * background; the caller is told the log entry is not written yet.
   */
  private async confirmStored(intent: Intent): Promise<void> {
    let last: unknown
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.clock() - intent.time.getTime() > this.intentTimeoutMs / 2) break
      try {
        return await this.confirm(intent)
      } catch (error) {
        if (error instanceof WriterHalted) throw error
        last = error
      }
    }
    this.background(async () => {
      for (let attempt = 0; attempt < 10; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** Math.min(attempt, 4)))
        if (
          await this.confirm(intent).then(
            () => true,
            () => false,
          )
        )
          return
      }
    })
    throw new StoreUnavailable(
      `Cassandra at ${this.session.where}: versions ${intent.from}..${intent.to} of ${intent.originatorId} were stored, but their log entry is not written yet (${(last as Error | undefined)?.message ?? 'too slow'}); it is retried in the background`,
    )
  }

  /** A save's statement, through the crash-test seam when one is set. */
  private step<T>(step: SaveStep, write: () => Promise<T>): Promise<T> {
    const fault = this.saveFault?.(step)
    if (fault === undefined) return write()
    // Thrown, not returned: nothing after this step is sent.
    if (fault === 'halt') throw new WriterHalted(step)
    if (fault === 'lose') {
      return Promise.reject(this.session.unavailable(new Error(`${step}: request lost (injected)`)))
    }
    return write().then(() => {
      throw this.session.unavailable(new Error(`${step}: answer lost (injected)`))
    })
  }

  /** Runs a write after the save returns; `settled()` waits for it. Its failure is left to readers. */
  private background(task: () => Promise<unknown>): void {
    const done: Promise<void> = task()
      .then(() => {})
      .catch(() => {})
      .finally(() => this.inFlight.delete(done))
    this.inFlight.add(done)
  }

  /** Background writes done (or `timeoutMs` passed): a store closed or counted next has them. */
  async settled(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const waiting = [...this.inFlight, this.outbox.idle()]
      if ((this.inFlight.size === 0 && this.outbox.isIdle) || Date.now() >= deadline) return
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.all(waiting),
        new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ])
      clearTimeout(timer)
    }
  }

  /**
   * Log positions come from this clock, and followers allow for `maxClockSkewMs` of error: a save
   * is refused while this clock is further than that from the coordinator's (beyond the round
   * trip's doubt). Compared before the first save, then once a minute in the background, so no
   * later save waits for it. An unanswered comparison refuses nothing (it is retried soon).
   */
  private checkClock(): Promise<void> | undefined {
    if (this.clockChecked === undefined) return this.firstClockCheck()
    if (performance.now() - this.clockChecked.at > CLOCK_CHECK_INTERVAL_MS) {
      this.clockCheck ??= this.compareClock()
    }
    const fault = this.clockChecked.fault
    if (fault !== undefined) throw new ConfigurationError(fault)
    return undefined // no promise to wait for on a save's path
  }

  private async firstClockCheck(): Promise<void> {
    await (this.clockCheck ??= this.compareClock())
    const fault = this.clockChecked?.fault
    if (fault !== undefined) throw new ConfigurationError(fault)
  }

  private async compareClock(): Promise<void> {
    const s = this.session
    try {
      const sent = this.clock()
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
    const stamp = this.positions.next()
    const last = records[records.length - 1]!
    return {
      originatorId,
      shard: shardOf(originatorId),
      from,
      to,
      topics: records.map((r) => r.topic),
      aggregateTopic: aggregateTopicOf(records),
      lastTopic: last.topic,
      bucket: bucketOf(stamp.ms),
      position: stamp.text,
      positionId: stamp.uuid,
      time: new Date(stamp.ms),
      // = microsOf(position), without parsing the text (exact: under 2^53)
      micros: Long.fromNumber(stamp.ms * 1000 + Math.floor(stamp.ticks / 10)),
      digest: digestOf(last.topic, last.state),
    }
  }

  /**
   * Step 1 alone (saves send it through the outbox): the pending log row, the index row's
   * pending cells, the bucket, in one unlogged batch at the position's timestamp. For crash tests.
   */
  async writeIntent(intent: Intent): Promise<void> {
    const newBucket = !this.knownBuckets.has(intent.bucket)
    await this.session.batch(intentStatements(this.session, intent, newBucket), { logged: false })
    if (newBucket) this.knownBuckets.add(intent.bucket)
  }

  /**
   * Step 3: a creation counted; then the index advanced and, once that is acknowledged, the log
   * row confirmed (the whole row, so it also stands in for an intent that was lost), in requests
   * shared with other saves (outbox.ts): a CONFIRMED row means the batch is in the index. Until
   * then the log row stays pending and readers redo this step.
   */
  async confirm(intent: Intent, logged = false): Promise<void> {
    if (intent.from === 0) await this.step('count', () => this.countCreation(intent.originatorId))
    await this.outbox.confirm(intent, logged)
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

  /** Counts a creation once, however often retried (see counting.ts). */
  countCreation(originatorId: string): Promise<void> {
    return countCreation(this.session, originatorId)
  }
}
