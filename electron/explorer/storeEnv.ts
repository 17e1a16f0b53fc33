/**
 * The library's store options, made from a connection's settings (the contract's shape) and
 * the store settings only the environment sets (shared/settings.ts describes them all). The
 * library reads no environment: the explorer, the scripts and the tests read it here and hand
 * the library explicit options.
 */
import type { ConnectionSettings } from '../../shared/contract'
import type { connectionOptions, SqliteDriverSetting } from '../../shared/settings'
import {
  type CassandraSettings,
  type SqliteDriverName,
  type StoreSettings,
  StoreUnavailable,
} from '../eventsourcing'
import { readSetting, readSettings, type Env } from './settings'

type CassandraConnection = Extract<ConnectionSettings, { kind: 'cassandra' }>

// Every field of a Cassandra connection (the schema's settings with a contract type) names an
// option of the library's: a setting the library would not know fails to compile here.
type CassandraFields = Exclude<keyof CassandraConnection, 'kind' | keyof typeof connectionOptions>
const everyFieldReachesTheStore: CassandraFields extends keyof CassandraSettings ? true : never =
  true
void everyFieldReachesTheStore
// The schema names the library's SQLite drivers, no more and no fewer.
const sameDrivers: [SqliteDriverSetting] extends [SqliteDriverName]
  ? [SqliteDriverName] extends [SqliteDriverSetting]
    ? true
    : never
  : never = true
void sameDrivers

/**
 * The one conversion from a connection's settings to the library's store options, with what
 * only the environment sets (EVENTSCOPE_SQLITE_DRIVER, CASSANDRA_REPLICATION_FACTOR; read from
 * `env`, process.env unless given, and only for the store they concern).
 * `defaultSqlitePath`: the file a sqlite connection without a path opens.
 */
export function toStoreSettings(
  settings: ConnectionSettings,
  options: {
    readonly defaultSqlitePath?: string | undefined
    readonly env?: Env
    /** Open the store without ever writing to it (SQLite: not even its schema). */
    readonly readOnly?: boolean
  } = {},
): StoreSettings {
  const env = options.env ?? process.env
  switch (settings.kind) {
    case 'memory':
      return { kind: 'memory' }
    case 'sqlite': {
      const path = settings.path ?? options.defaultSqlitePath
      if (!path)
        throw new StoreUnavailable('no SQLite file was named and this app has no default one')
      const driver = readSetting(env, 'sqliteDriver')
      return {
        kind: 'sqlite',
        path,
        ...(driver ? { driver } : {}),
        ...(options.readOnly ? { readOnly: true } : {}),
      }
    }
    case 'cassandra':
      return {
        kind: 'cassandra',
        ...cassandraOptions(settings, readSetting(env, 'replicationFactor')),
      }
    case 'python-sqlite':
    case 'python-postgres':
      // Read by the explorer's own readers (python/session.ts): the library has no such store.
      throw new StoreUnavailable(`a ${settings.kind} store is not one of the library's stores`)
  }
}

function cassandraOptions(
  settings: Omit<CassandraConnection, 'kind'>,
  replicationFactor: number | undefined,
): CassandraSettings {
  return {
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    keyspace: settings.keyspace,
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    // Off is the library's default: said only when on.
    ...(settings.tls ? { tls: true } : {}),
    ...(replicationFactor === undefined ? {} : { replicationFactor }),
  }
}

/** Settings from CASSANDRA_* environment variables; defaults suit a local single node. */
export function cassandraSettingsFromEnv(env: Env = process.env): CassandraSettings {
  const { replicationFactor, ...settings } = readSettings(env, 'cassandra')
  return cassandraOptions(settings, replicationFactor)
}

/**
 * EVENTSCOPE_SQLITE_DRIVER (better-sqlite3 or node:sqlite); undefined, or any other value: the
 * library's default for this runtime (node:sqlite inside Electron, better-sqlite3 in Node).
 */
export function sqliteDriverFromEnv(env: Env = process.env): SqliteDriverName | undefined {
  return readSetting(env, 'sqliteDriver')
}
