/**
 * Store settings from environment variables. The library reads no environment: the explorer,
 * the scripts and the tests parse it here and hand the library explicit options.
 */
import { ConfigurationError, type CassandraSettings, type SqliteDriverName } from '../eventsourcing'

type Env = Readonly<Record<string, string | undefined>>

/** Settings from CASSANDRA_* environment variables; defaults suit a local single node. */
export function cassandraSettingsFromEnv(env: Env = process.env): CassandraSettings {
  const contactPoints = (env['CASSANDRA_CONTACT_POINTS'] ?? '127.0.0.1:9042')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  const settings: CassandraSettings = {
    contactPoints: contactPoints.length ? contactPoints : ['127.0.0.1:9042'],
    localDataCenter: env['CASSANDRA_LOCAL_DC']?.trim() || 'datacenter1',
    keyspace: env['CASSANDRA_KEYSPACE']?.trim() || 'eventscope',
  }
  if (env['CASSANDRA_USERNAME']) settings.username = env['CASSANDRA_USERNAME']
  if (env['CASSANDRA_PASSWORD'] !== undefined) settings.password = env['CASSANDRA_PASSWORD']
  const tls = env['CASSANDRA_TLS']?.trim().toLowerCase()
  if (tls === '1' || tls === 'true') settings.tls = true
  const rf = env['CASSANDRA_REPLICATION_FACTOR']?.trim()
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

/**
 * EVENTSCOPE_SQLITE_DRIVER (better-sqlite3 or node:sqlite); undefined, or any other value: the
 * library's default for this runtime (node:sqlite inside Electron, better-sqlite3 in Node).
 */
export function sqliteDriverFromEnv(env: Env = process.env): SqliteDriverName | undefined {
  const chosen = env['EVENTSCOPE_SQLITE_DRIVER']
  return chosen === 'better-sqlite3' || chosen === 'node:sqlite' ? chosen : undefined
}
