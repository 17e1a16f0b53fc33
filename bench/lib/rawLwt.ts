/**
 * The Cassandra saves' floor: a prepared `INSERT … IF NOT EXISTS` (QUORUM/SERIAL) of one row the
 * size Eventscope stores for an AttributeChanged event, on a table of the events' shape. Shared by
 * the bench's rows (rows/cassandra.ts) and the profiling script (cassandraProfile.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import cassandra from 'cassandra-driver'

/** One partition of the raw loop: its id and the next version to insert. */
export interface RawPartition {
  readonly id: string
  version: number
}

/**
 * Creates `keyspace`.raw_events if missing; returns the insert of the next version of a
 * partition, which throws when the server did not apply it.
 */
export async function rawLwtInsert(
  client: cassandra.Client,
  keyspace: string,
): Promise<(partition: RawPartition) => Promise<void>> {
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${keyspace}.raw_events (originator_id uuid, originator_version bigint, topic text, state blob, PRIMARY KEY ((originator_id), originator_version))`,
  )
  const insert = `INSERT INTO ${keyspace}.raw_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?) IF NOT EXISTS`
  const options = {
    prepare: true,
    consistency: cassandra.types.consistencies.quorum,
    serialConsistency: cassandra.types.consistencies.serial,
  }
  // A state of the size Eventscope stores for an AttributeChanged event (format byte + JSON).
  const state = (i: number): Buffer =>
    Buffer.concat([
      Buffer.of(0),
      Buffer.from(
        JSON.stringify({
          name: '_foo',
          value: `value ${i}`,
          timestamp: { _t_: 'date', _v_: new Date().toISOString() },
          previousHash: randomBytes(32).toString('hex'),
          hash: randomBytes(32).toString('hex'),
        }),
      ),
    ])
  return async (p) => {
    const v = p.version++
    const rs = await client.execute(
      insert,
      [p.id, v, 'example#Example.AttributeChanged', state(v)],
      options,
    )
    if (!rs.wasApplied()) throw new Error('raw LWT insert not applied')
  }
}

/** `count` fresh partitions for the raw loop. */
export function rawPartitions(count: number): RawPartition[] {
  return Array.from({ length: count }, () => ({ id: randomUUID(), version: 0 }))
}
