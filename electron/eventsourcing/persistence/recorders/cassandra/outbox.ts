import { CONFIRMED, PENDING, type Intent } from './logRows'
import type { CassandraSession } from './session'

/** The seam's steps the outbox sends (see `SaveStep` in logWriter.ts). */
export type OutboxStep = 'index' | 'confirm'
export type OutboxFault = 'halt' | 'lose' | 'noAnswer'

/**
 * Most partitions in one request: an unlogged batch over more than Cassandra's
 * `unlogged_batch_across_partitions_warn_threshold` (10) logs a warning on the server each time.
 */
const MAX_PARTITIONS = 9
/** Topics in one request: a log row lists its batch's topics (`batch_size_warn_threshold`). */
const MAX_TOPICS = 64

interface Statement {
  readonly query: string
  readonly params: unknown[]
}

/** What one request carries for one save; `done` is told the request's outcome. */
interface Unit {
  readonly statements: Statement[]
  readonly partitions: string[]
  readonly topics: number
  readonly done: (error?: unknown) => void
}

/** What a save learns from its two requests: whether each failed, and why. */
export interface SaveOutcome {
  readonly intentFailed: boolean
  readonly intentError: unknown
  readonly eventsFailed: boolean
  readonly eventsError: unknown
}

/**
 * A save's intent waiting for this turn's requests, and its outcome once both its requests are
 * answered (one object and one promise a save, no closures).
 */
class Sending implements SaveOutcome {
  intentFailed = false
  intentError: unknown = undefined
  eventsFailed = false
  eventsError: unknown = undefined
  private answers = 0
  private resolve!: (outcome: SaveOutcome) => void
  readonly outcome = new Promise<SaveOutcome>((resolve) => (this.resolve = resolve))

  constructor(
    readonly intent: Intent,
    readonly newBucket: boolean,
    readonly fault: 'lose' | 'noAnswer' | undefined,
    /**
     * Sends the save's conditional batch, called once its intent is handed to the driver; it may
     * throw (the crash-test seam halting the writer before its events).
     */
    readonly sendEvents: () => Promise<void>,
  ) {}

  logged(failed: boolean, error?: unknown): void {
    this.intentFailed = failed
    this.intentError = error
    if (++this.answers === 2) this.resolve(this)
  }

  readonly stored = (): void => {
    if (++this.answers === 2) this.resolve(this)
  }

  readonly notStored = (error: unknown): void => {
    this.eventsFailed = true
    this.eventsError = error
    if (++this.answers === 2) this.resolve(this)
  }
}

interface Confirming {
  readonly intent: Intent
  /** Its intent was acknowledged: the CONFIRMED row needs only its status cell. */
  readonly logged: boolean
  readonly confirmed: Deferred
}

interface Deferred {
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

function deferred(): { promise: Promise<void>; settle: Deferred } {
  let settle!: Deferred
  const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }))
  return { promise, settle }
}

/**
 * The writes of saves beside their conditional batches (docs/cassandra-log.md), gathered per
 * turn of the event loop so that concurrent saves share requests:
 *
 * - intents (step 1): those of the saves issued in one turn go out together at its end, before
 *   any of their conditional batches (each is handed to the driver right after the requests
 *   holding its intent, in the same synchronous call);
 * - confirmations (step 3) in two stages: the index advance, then, once that is acknowledged, the
 *   log row rewritten whole as CONFIRMED. Both stages ride in the next turn's intent requests
 *   when saves follow (a writer saving one at a time sends nothing else), or go alone in the
 *   turn after. A CONFIRMED row is only ever sent after its index advance was acknowledged, so
 *   it means its batch is in the index; a failed stage is left to readers (the row stays pending).
 *
 * Every request is one unlogged batch over at most MAX_PARTITIONS partitions (log rows of one
 * hourly bucket share one), all at their own write timestamps.
 */
export class SaveOutbox {
  private sending: Sending[] = []
  private indexing: Confirming[] = []
  private confirming: Confirming[] = []
  private turnScheduled = false
  /** Saves whose intent is queued or sent and whose outcome is not known yet (`saveDone`). */
  private saves = 0
  private idleScheduled = false

  constructor(
    private readonly session: CassandraSession,
    /** The crash-test seam, consulted before each confirmation stage is sent. */
    private readonly fault: (step: OutboxStep) => OutboxFault | undefined,
    private readonly halt: (step: OutboxStep) => Error,
    /** Told of a `confirmLater` confirmation that failed (readers repair it). */
    private readonly failed: (intent: Intent, error: unknown) => void,
  ) {}

  /** A confirmation stage failed: its waiter told (a `confirmLater` one through `failed`). */
  private fail(c: Confirming, error: unknown): void {
    if (c.confirmed === this.settledOne) this.failed(c.intent, error)
    c.confirmed.reject(error)
  }

  /**
   * Queues a save's intent for this turn's requests; `sendEvents` is called right after they are
   * handed to the driver. Resolves once both are answered.
   */
  intent(
    intent: Intent,
    newBucket: boolean,
    fault: 'lose' | 'noAnswer' | undefined,
    sendEvents: () => Promise<void>,
  ): Promise<SaveOutcome> {
    const sending = new Sending(intent, newBucket, fault, sendEvents)
    this.saves++
    this.sending.push(sending)
    if (!this.turnScheduled) {
      this.turnScheduled = true
      // After the promise jobs of this turn: every save issued in it has queued its intent.
      process.nextTick(this.flushTurn)
    }
    return sending.outcome
  }

  private readonly flushTurn = (): void => this.flush()

  /** A save queued by `intent` has its outcome (stored or not): it sends no more intents. */
  saveDone(): void {
    this.saves--
    this.scheduleIdle()
  }

  /**
   * Resolves once this batch's log row is CONFIRMED (its index advanced first). `logged`: its
   * intent was acknowledged, so the status cell alone is written; otherwise the whole row (it
   * stands in for the intent).
   */
  confirm(intent: Intent, logged = false): Promise<void> {
    const { promise, settle } = deferred()
    this.indexing.push({ intent, logged, confirmed: settle })
    this.scheduleIdle()
    return promise
  }

  /**
   * `confirm` for a save whose intent was acknowledged, in the background: nothing to wait for
   * but `settled` (its failure is left to readers, as the log row stays pending).
   */
  confirmLater(intent: Intent): void {
    this.unsettled++
    this.indexing.push({ intent, logged: true, confirmed: this.settledOne })
    this.scheduleIdle()
  }

  /** Confirmations queued by `confirmLater` not yet answered. */
  private unsettled = 0
  private idleWaiters: (() => void)[] = []
  private readonly settledOne: Deferred = {
    resolve: () => this.settleOne(),
    reject: () => this.settleOne(),
  }

  private settleOne(): void {
    if (--this.unsettled > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }

  get isIdle(): boolean {
    return this.unsettled === 0
  }

  /** Resolves once every `confirmLater` confirmation is answered (written or failed). */
  idle(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Confirmations wait for the next save's intent requests while saves are in flight (one will
   * follow, or `saveDone` comes); once none is, they go on their own in the next turn, unless a
   * save issued in this one takes them first.
   */
  private scheduleIdle(): void {
    if (this.idleScheduled || this.saves > 0) return
    if (this.indexing.length === 0 && this.confirming.length === 0) return
    this.idleScheduled = true
    setImmediate(() => {
      this.idleScheduled = false
      this.flush()
    })
  }

  private flush(): void {
    this.turnScheduled = false
    const { sending, indexing, confirming } = this
    this.sending = []
    this.indexing = []
    this.confirming = []
    const units: Unit[] = []
    for (const s of sending) {
      if (s.fault === 'lose') {
        s.logged(true, this.session.unavailable(new Error('intent: request lost (injected)')))
      } else units.push(intentUnit(this.session, s))
    }
    let halted: Error | undefined
    const stages: [OutboxStep, Confirming[]][] = [
      ['index', indexing],
      ['confirm', confirming],
    ]
    for (const [step, waiting] of stages) {
      for (const c of waiting) {
        halted ??= this.add(units, step, c)
        if (halted) this.fail(c, halted)
      }
    }
    if (halted) {
      // The writer died here: nothing of this turn is sent, not even its conditional batches.
      for (const u of units) u.done(halted)
      for (const s of sending) s.notStored(halted)
      return
    }
    for (const batch of pack(units)) {
      const statements: Statement[] = []
      for (const u of batch) for (const st of u.statements) statements.push(st)
      this.session.batch(statements, { logged: false }).then(
        () => {
          for (const u of batch) u.done()
        },
        (error: unknown) => {
          for (const u of batch) u.done(error)
        },
      )
    }
    for (const s of sending) {
      let events: Promise<void>
      try {
        events = s.sendEvents()
      } catch (error) {
        s.notStored(error) // the seam halted the writer before its events
        continue
      }
      events.then(s.stored, s.notStored)
    }
  }

  /**
   * A confirmation stage as a unit, through the crash-test seam: returns the error of a writer
   * halted there (the caller rejects the stage).
   */
  private add(units: Unit[], step: OutboxStep, c: Confirming): Error | undefined {
    const fault = this.fault(step)
    if (fault === 'halt') return this.halt(step)
    if (fault === 'lose') {
      this.fail(c, this.session.unavailable(new Error(`${step}: request lost (injected)`)))
      return undefined
    }
    const { partition, ...statement } =
      step === 'index'
        ? indexAdvance(this.session, c.intent)
        : confirmedLogRow(this.session, c.intent, c.logged)
    units.push({
      statements: [statement],
      partitions: [partition],
      topics: step === 'confirm' ? c.intent.topics.length : 0,
      done: (error) => {
        if (error === undefined && fault === 'noAnswer') {
          error = this.session.unavailable(new Error(`${step}: answer lost (injected)`))
        }
        if (error !== undefined) this.fail(c, error)
        else if (step === 'confirm') c.confirmed.resolve()
        else {
          // Index acknowledged: the log row may now say CONFIRMED.
          this.confirming.push(c)
          this.scheduleIdle()
        }
      },
    })
    return undefined
  }
}

/** Units packed in order into requests of at most MAX_PARTITIONS partitions and MAX_TOPICS. */
function pack(units: Unit[]): Unit[][] {
  const batches: Unit[][] = []
  let batch: Unit[] = []
  let partitions = new Set<string>()
  let topics = 0
  for (const u of units) {
    const added = u.partitions.filter((p) => !partitions.has(p)).length
    if (
      batch.length > 0 &&
      (partitions.size + added > MAX_PARTITIONS || topics + u.topics > MAX_TOPICS)
    ) {
      batches.push(batch)
      batch = []
      partitions = new Set()
      topics = 0
    }
    batch.push(u)
    for (const p of u.partitions) partitions.add(p)
    topics += u.topics
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}

/** Step 1 of a save: its pending log row, the index row's pending cells, a new bucket's row. */
function intentUnit(s: CassandraSession, sending: Sending): Unit {
  const { intent, fault } = sending
  return {
    statements: intentStatements(s, intent, sending.newBucket),
    partitions: sending.newBucket
      ? [`l${intent.bucket}`, `i${intent.shard}`, 'b']
      : [`l${intent.bucket}`, `i${intent.shard}`],
    topics: intent.topics.length,
    done: (error) => {
      if (error === undefined && fault === 'noAnswer') {
        error = s.unavailable(new Error('intent: answer lost (injected)'))
      }
      if (error === undefined) sending.logged(false)
      else sending.logged(true, error)
    },
  }
}

/** The intent's statements, all at the position's timestamp. */
export function intentStatements(
  s: CassandraSession,
  intent: Intent,
  newBucket: boolean,
): Statement[] {
  const statements: Statement[] = [
    logRow(s, intent, PENDING, intent.micros),
    {
      query: s.cql(
        'index:pending:ts',
        (ks) =>
          `UPDATE ${ks}.aggregates USING TIMESTAMP ? SET pending_version = ?, pending_topic = ?, pending_position = ? WHERE shard = ? AND originator_id = ?`,
      ),
      params: [
        intent.micros,
        intent.to,
        intent.lastTopic,
        intent.positionId,
        intent.shard,
        intent.originatorId,
      ],
    },
  ]
  if (newBucket) {
    statements.push({
      query: s.cql(
        'bucket:insert:ts',
        (ks) => `INSERT INTO ${ks}.log_buckets (shard, bucket) VALUES (0, ?) USING TIMESTAMP ?`,
      ),
      params: [intent.bucket, intent.micros],
    })
  }
  return statements
}

/**
 * The index row's version/last_* cells (and for a creation its topic and creation time) at the
 * position's timestamp, so a late confirmation of an older batch cannot win.
 */
function indexAdvance(s: CassandraSession, intent: Intent): Statement & { partition: string } {
  const partition = `i${intent.shard}`
  if (intent.from === 0) {
    return {
      partition,
      query: s.cql(
        'index:create:ts',
        (ks) =>
          `UPDATE ${ks}.aggregates USING TIMESTAMP ? SET version = ?, last_topic = ?, last_modified = ?, last_position = ?, aggregate_topic = ?, created_at = ? WHERE shard = ? AND originator_id = ?`,
      ),
      params: [
        intent.micros,
        intent.to,
        intent.lastTopic,
        intent.time,
        intent.positionId,
        intent.aggregateTopic,
        intent.time,
        intent.shard,
        intent.originatorId,
      ],
    }
  }
  return {
    partition,
    query: s.cql(
      'index:advance:ts',
      (ks) =>
        `UPDATE ${ks}.aggregates USING TIMESTAMP ? SET version = ?, last_topic = ?, last_modified = ?, last_position = ? WHERE shard = ? AND originator_id = ?`,
    ),
    params: [
      intent.micros,
      intent.to,
      intent.lastTopic,
      intent.time,
      intent.positionId,
      intent.shard,
      intent.originatorId,
    ],
  }
}

/**
 * The log row as CONFIRMED, after its pending version: the status cell alone when the intent was
 * acknowledged (the row is there: only a reader that found its events absent deletes an intent),
 * else the whole row, which stands in for a lost intent. The whole row costs the server more: an
 * INSERT of a list column also writes a tombstone for the list it replaces.
 */
function confirmedLogRow(
  s: CassandraSession,
  intent: Intent,
  logged: boolean,
): Statement & { partition: string } {
  const partition = `l${intent.bucket}`
  const micros = intent.micros.add(1)
  if (!logged) return { partition, ...logRow(s, intent, CONFIRMED, micros) }
  return {
    partition,
    query: s.cql(
      'log:confirm:ts',
      (ks) =>
        `UPDATE ${ks}.event_log USING TIMESTAMP ? SET status = ? WHERE bucket = ? AND position = ?`,
    ),
    params: [micros, CONFIRMED, intent.bucket, intent.positionId],
  }
}

/** The batch's whole log row with `status`, written at `micros`. */
function logRow(
  s: CassandraSession,
  intent: Intent,
  status: typeof PENDING | typeof CONFIRMED,
  micros: Intent['micros'],
): Statement {
  return {
    query: s.cql(
      'log:row:ts',
      (ks) =>
        `INSERT INTO ${ks}.event_log (bucket, position, originator_id, from_version, to_version, topics, aggregate_topic, digest, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    ),
    params: [
      intent.bucket,
      intent.positionId,
      intent.originatorId,
      intent.from,
      intent.to,
      intent.topics,
      intent.aggregateTopic,
      intent.digest,
      status,
      micros,
    ],
  }
}
