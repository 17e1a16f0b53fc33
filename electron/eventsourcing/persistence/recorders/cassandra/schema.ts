import { StoreUnavailable } from '../../../errors'
import { QUORUM, types, type Client } from './driver'
import type { CassandraSession } from './session'

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
export async function ensureSchema(
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
