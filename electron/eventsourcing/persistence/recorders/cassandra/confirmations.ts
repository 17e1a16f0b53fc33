import { CONFIRMED, type Intent } from './logRows'
import type { CassandraSession } from './session'

/**
 * Most confirmations in one request: an unlogged batch over more partitions than Cassandra's
 * `unlogged_batch_across_partitions_warn_threshold` (10) logs a warning on the server each time,
 * and a large batch crosses `batch_size_warn_threshold`.
 */
const MAX_GROUP = 8
/** Topics in one group: a log row lists its batch's topics, so big batches go in fewer per request. */
const MAX_GROUP_TOPICS = 64

interface Waiting {
  readonly intent: Intent
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * Step 3 of a save (docs/cassandra-log.md), for several saves at once: the index advances of a
 * group in one unlogged batch, then, once that is acknowledged, the group's log rows rewritten
 * whole as CONFIRMED in another (rows of one log bucket: one partition, one mutation). The order
 * is what makes a CONFIRMED row mean its batch is in the index, without a logged batch's
 * batchlog: a failed index batch sends no log row, and readers redo the step for rows left
 * pending. Confirmations queued while a flush runs go out together in the next one, so a writer
 * saving one at a time sends about one request per save here, and many writers far fewer.
 */
export class ConfirmationQueue {
  private queue: Waiting[] = []
  private flushing = false

  constructor(private readonly session: CassandraSession) {}

  /** Resolves once this intent's log row is confirmed; rejects if either request failed. */
  confirm(intent: Intent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ intent, resolve, reject })
      if (!this.flushing) {
        this.flushing = true
        // The next turn, so that saves answered in this one share the requests.
        setImmediate(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const groups: Waiting[][] = []
      let group: Waiting[] = []
      let topics = 0
      for (const w of this.queue) {
        if (
          group.length >= MAX_GROUP ||
          (group.length > 0 && topics + w.intent.topics.length > MAX_GROUP_TOPICS)
        ) {
          groups.push(group)
          group = []
          topics = 0
        }
        group.push(w)
        topics += w.intent.topics.length
      }
      groups.push(group)
      this.queue = []
      await Promise.all(groups.map((g) => this.write(g)))
    }
    this.flushing = false
  }

  private async write(group: Waiting[]): Promise<void> {
    const s = this.session
    try {
      await s.batch(
        group.map((w) => indexAdvance(s, w.intent)),
        { logged: false },
      )
      await s.batch(
        group.map((w) => confirmedLogRow(s, w.intent)),
        { logged: false },
      )
    } catch (error) {
      for (const w of group) w.reject(error)
      return
    }
    for (const w of group) w.resolve()
  }
}

/**
 * The index row's version/last_* cells (and for a creation its topic and creation time) at the
 * position's timestamp, so a late confirmation of an older batch cannot win.
 */
function indexAdvance(s: CassandraSession, intent: Intent): { query: string; params: unknown[] } {
  if (intent.from === 0) {
    return {
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
        intent.position,
        intent.aggregateTopic,
        intent.time,
        intent.shard,
        intent.originatorId,
      ],
    }
  }
  return {
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
      intent.position,
      intent.shard,
      intent.originatorId,
    ],
  }
}

/** The whole log row as CONFIRMED (it stands in for a lost intent), after its pending version. */
function confirmedLogRow(
  s: CassandraSession,
  intent: Intent,
): { query: string; params: unknown[] } {
  return {
    query: s.cql(
      'log:confirm:ts',
      (ks) =>
        `INSERT INTO ${ks}.event_log (bucket, position, originator_id, from_version, to_version, topics, aggregate_topic, digest, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    ),
    params: [
      intent.bucket,
      intent.position,
      intent.originatorId,
      intent.from,
      intent.to,
      intent.topics,
      intent.aggregateTopic,
      intent.digest,
      CONFIRMED,
      intent.micros.add(1),
    ],
  }
}
