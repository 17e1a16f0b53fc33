import { describe, expect, test } from 'vitest'
import { ConfigurationError } from '../eventsourcing'
import { cassandraSettingsFromEnv, sqliteDriverFromEnv } from './storeEnv'

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
