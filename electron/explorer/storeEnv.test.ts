import { describe, expect, test } from 'vitest'
import { ConfigurationError, StoreUnavailable } from '../eventsourcing'
import { settingsFromEnv } from './settings'
import { cassandraSettingsFromEnv, sqliteDriverFromEnv, toStoreSettings } from './storeEnv'

describe('cassandra settings', () => {
  test('are read from the environment with local defaults', () => {
    expect(cassandraSettingsFromEnv({})).toEqual({
      contactPoints: ['127.0.0.1:9042'],
      localDataCenter: 'datacenter1',
      keyspace: 'eventscope',
    })
    expect(
      cassandraSettingsFromEnv({
        CASSANDRA_CONTACT_POINTS: ' 10.0.0.1:9042, 10.0.0.2 ,',
        CASSANDRA_LOCAL_DC: 'dc2',
        CASSANDRA_KEYSPACE: 'shop',
        CASSANDRA_USERNAME: 'u',
        CASSANDRA_PASSWORD: 'p',
        CASSANDRA_TLS: 'true',
        CASSANDRA_REPLICATION_FACTOR: '3',
      }),
    ).toEqual({
      contactPoints: ['10.0.0.1:9042', '10.0.0.2'],
      localDataCenter: 'dc2',
      keyspace: 'shop',
      username: 'u',
      password: 'p',
      tls: true,
      replicationFactor: 3,
    })
    expect(cassandraSettingsFromEnv({ CASSANDRA_TLS: '1' }).tls).toBe(true)
    expect(cassandraSettingsFromEnv({ CASSANDRA_TLS: '0' }).tls).toBeUndefined()
    expect(() => cassandraSettingsFromEnv({ CASSANDRA_REPLICATION_FACTOR: 'two' })).toThrow(
      ConfigurationError,
    )
  })
})

describe('the SQLite driver setting', () => {
  test('names a driver, or leaves the choice to the library', () => {
    expect(sqliteDriverFromEnv({ EVENTSCOPE_SQLITE_DRIVER: 'node:sqlite' })).toBe('node:sqlite')
    expect(sqliteDriverFromEnv({ EVENTSCOPE_SQLITE_DRIVER: 'better-sqlite3' })).toBe(
      'better-sqlite3',
    )
    expect(sqliteDriverFromEnv({ EVENTSCOPE_SQLITE_DRIVER: 'sqlite4' })).toBeUndefined()
    expect(sqliteDriverFromEnv({})).toBeUndefined()
  })
})

describe("a connection's store options", () => {
  test('memory and SQLite: the default file when none is named, the driver from the environment', () => {
    expect(toStoreSettings({ kind: 'memory' })).toEqual({ kind: 'memory' })
    expect(
      toStoreSettings(
        { kind: 'sqlite', readOnly: true },
        { defaultSqlitePath: '/data/eventscope.sqlite', env: {} },
      ),
    ).toEqual({ kind: 'sqlite', path: '/data/eventscope.sqlite' })
    expect(
      toStoreSettings(
        { kind: 'sqlite', path: '/x.sqlite' },
        { env: { EVENTSCOPE_SQLITE_DRIVER: 'node:sqlite' } },
      ),
    ).toEqual({ kind: 'sqlite', path: '/x.sqlite', driver: 'node:sqlite' })
    expect(() => toStoreSettings({ kind: 'sqlite' }, { env: {} })).toThrow(StoreUnavailable)
  })

  test('Cassandra: every field of the connection, and the replication factor from the environment', () => {
    const connection = {
      kind: 'cassandra' as const,
      contactPoints: ['10.0.0.1:9042'],
      localDataCenter: 'dc2',
      keyspace: 'shop',
      username: 'u',
      password: 'p',
      tls: true,
      label: 'PRODUCTION',
    }
    expect(toStoreSettings(connection, { env: { CASSANDRA_REPLICATION_FACTOR: ' 3 ' } })).toEqual({
      kind: 'cassandra',
      contactPoints: ['10.0.0.1:9042'],
      localDataCenter: 'dc2',
      keyspace: 'shop',
      username: 'u',
      password: 'p',
      tls: true,
      replicationFactor: 3,
    })
    expect(toStoreSettings({ ...connection, tls: false }, { env: {} })).not.toHaveProperty('tls')
    // A bad factor stops a Cassandra connection only: SQLite never reads it.
    const bad = { CASSANDRA_REPLICATION_FACTOR: '0' }
    expect(() => toStoreSettings(connection, { env: bad })).toThrow(
      /CASSANDRA_REPLICATION_FACTOR must be a positive integer, not '0'/,
    )
    expect(toStoreSettings({ kind: 'sqlite', path: '/x.sqlite' }, { env: bad })).toEqual({
      kind: 'sqlite',
      path: '/x.sqlite',
    })
  })

  test('the environment and a connection to the same cluster give the same store options', async () => {
    const env = {
      EVENTSCOPE_STORE: 'cassandra',
      CASSANDRA_CONTACT_POINTS: '10.0.0.1:9042,10.0.0.2',
      CASSANDRA_USERNAME: 'u',
      CASSANDRA_PASSWORD: 'p',
      CASSANDRA_TLS: 'TRUE',
      CASSANDRA_REPLICATION_FACTOR: '2',
    }
    const { connection } = await settingsFromEnv(env, { dataDir: '/data' })
    expect(toStoreSettings(connection, { env })).toEqual({
      kind: 'cassandra',
      ...cassandraSettingsFromEnv(env),
    })
  })
})
