import type cassandra from 'cassandra-driver'
import { StoreUnavailable } from '../../../errors'
import { Long, QUORUM, SERIAL } from './driver'
import { shardOf } from './indexRows'
import type { CassandraSession } from './session'

// Counting aggregates: one row (n, last) per index shard, moved `IF n = ?` (see docs/cassandra-log.md).

/**
 * Counts an aggregate once, whoever (writer or repairing reader) gets here first, however often
 * it is retried: see "Counting" in docs/cassandra-log.md. Throws when it cannot tell (a
 * timeout): then it was not counted, or it was and a retry finds out.
 */
export async function countCreation(s: CassandraSession, originatorId: string): Promise<void> {
  const shard = shardOf(originatorId)
  const readShard = async (
    consistency: number,
  ): Promise<{ n: Long | null; last: string | null }> => {
    const row = (
      await s.execute(
        s.cql('count:shard', (ks) => `SELECT n, last FROM ${ks}.aggregate_counts WHERE shard = ?`),
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
