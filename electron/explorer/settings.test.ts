import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ConfigurationError } from '../eventsourcing'
import {
  connectionOptionsFromEnv,
  describeEncryption,
  parseCipherKey,
  parseSnapshotPeriod,
  settingsFromEnv,
} from './settings'

const dataDir = join('/tmp', 'eventscope-data')
const key32 = Buffer.alloc(32, 7).toString('base64')

describe('settings from the environment', () => {
  test('given nothing, then SQLite in the data folder, no encryption, snapshots every 2 versions', async () => {
    const settings = await settingsFromEnv({}, { dataDir })

    expect(settings.connection).toEqual({
      kind: 'sqlite',
      path: join(dataDir, 'eventscope.sqlite'),
    })
    expect(settings.defaultSqlitePath).toBe(join(dataDir, 'eventscope.sqlite'))
    expect(settings.cipherKey).toBeUndefined()
    expect(settings.snapshotPeriod).toBe(2)
    expect(describeEncryption(settings.cipherKey)).toMatch(/not encrypted/i)
  })

  test('given a store, a file, a key and a period, then they are used', async () => {
    const settings = await settingsFromEnv(
      {
        EVENTSCOPE_STORE: 'SQLite',
        EVENTSCOPE_SQLITE_PATH: '/data/x.sqlite',
        EVENTSCOPE_CIPHER_KEY: key32,
        EVENTSCOPE_SNAPSHOT_PERIOD: '0',
      },
      { dataDir },
    )

    expect(settings.connection).toEqual({ kind: 'sqlite', path: '/data/x.sqlite' })
    expect([...settings.cipherKey!]).toEqual([...Buffer.alloc(32, 7)])
    expect(settings.snapshotPeriod).toBe(0)
    expect(describeEncryption(settings.cipherKey)).toContain('AES-256-GCM')
  })

  test('given memory, then the memory store', async () => {
    expect((await settingsFromEnv({ EVENTSCOPE_STORE: 'memory' }, { dataDir })).connection).toEqual(
      { kind: 'memory' },
    )
  })

  test('given cassandra, then the CASSANDRA_* settings, password kept in the main process only', async () => {
    const settings = await settingsFromEnv(
      {
        EVENTSCOPE_STORE: 'cassandra',
        CASSANDRA_CONTACT_POINTS: '10.0.0.1:9042,10.0.0.2',
        CASSANDRA_LOCAL_DC: 'dc2',
        CASSANDRA_KEYSPACE: 'shop',
        CASSANDRA_USERNAME: 'u',
        CASSANDRA_PASSWORD: 'pw',
      },
      { dataDir },
    )

    expect(settings.connection).toEqual({
      kind: 'cassandra',
      contactPoints: ['10.0.0.1:9042', '10.0.0.2'],
      localDataCenter: 'dc2',
      keyspace: 'shop',
      username: 'u',
      password: 'pw',
      tls: false,
    })
  })

  test('given an unknown store, then a clear ConfigurationError', async () => {
    await expect(settingsFromEnv({ EVENTSCOPE_STORE: 'postgres' }, { dataDir })).rejects.toThrow(
      /EVENTSCOPE_STORE must be sqlite, cassandra, memory, python-sqlite or python-postgres/,
    )
  })

  test('a Python application on SQLite: its file and name, never a default file', async () => {
    const { connection } = await settingsFromEnv(
      {
        EVENTSCOPE_STORE: 'python-sqlite',
        EVENTSCOPE_SQLITE_PATH: '/data/bank.sqlite',
        EVENTSCOPE_PYTHON_APPLICATION: 'Bank',
      },
      { dataDir },
    )
    expect(connection).toEqual({
      kind: 'python-sqlite',
      path: '/data/bank.sqlite',
      pythonApplication: 'Bank',
    })
    await expect(
      settingsFromEnv({ EVENTSCOPE_STORE: 'python-sqlite' }, { dataDir }),
    ).rejects.toThrow(/EVENTSCOPE_SQLITE_PATH must name the Python application's SQLite file/)
  })

  test('a Python application on PostgreSQL: the URL gives host, port, database, user, password, TLS', async () => {
    const { connection } = await settingsFromEnv(
      {
        EVENTSCOPE_STORE: 'python-postgres',
        EVENTSCOPE_POSTGRES_URL: 'postgres://ada:s%40cret@db.example:6543/bank?sslmode=require',
        EVENTSCOPE_POSTGRES_SCHEMA: 'apps',
        EVENTSCOPE_PYTHON_EVENTS_TABLE: 'bank_events',
      },
      { dataDir },
    )
    expect(connection).toEqual({
      kind: 'python-postgres',
      pgHost: 'db.example',
      pgPort: 6543,
      pgDatabase: 'bank',
      pgUser: 'ada',
      pgPassword: 's@cret',
      pgSchema: 'apps',
      pgTls: true,
      pythonEventsTable: 'bank_events',
    })
    await expect(
      settingsFromEnv(
        { EVENTSCOPE_STORE: 'python-postgres', EVENTSCOPE_POSTGRES_URL: 'mysql://x' },
        { dataDir },
      ),
    ).rejects.toThrow(/EVENTSCOPE_POSTGRES_URL must be a postgres:\/\/ URL/)
  })

  test.each([
    ['not base64', 'this is not base64!'],
    ['too short', Buffer.alloc(8).toString('base64')],
    ['between sizes', Buffer.alloc(20).toString('base64')],
    ['too long', Buffer.alloc(64).toString('base64')],
    ['bad padding', 'abc'],
  ])(
    'given a cipher key that is %s, then a clear error that does not repeat the key',
    (_why, text) => {
      let error: unknown
      try {
        parseCipherKey(text)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ConfigurationError)
      expect((error as Error).message).toContain('EVENTSCOPE_CIPHER_KEY')
      expect((error as Error).message).not.toContain(text)
    },
  )

  test.each([16, 24, 32])('given a %i-byte key, then it is accepted', (bytes) => {
    expect(parseCipherKey(Buffer.alloc(bytes, 1).toString('base64'))?.length).toBe(bytes)
  })

  test('given an empty key, then no encryption', () => {
    expect(parseCipherKey('  ')).toBeUndefined()
  })

  test.each(['-1', '1.5', 'two', '1e3'])(
    'given the snapshot period %s, then a clear error',
    (text) => {
      expect(() => parseSnapshotPeriod(text)).toThrow(
        /EVENTSCOPE_SNAPSHOT_PERIOD must be a whole number/,
      )
    },
  )

  test('given snapshot periods 0 and 10, then they are used', () => {
    expect(parseSnapshotPeriod('0')).toBe(0)
    expect(parseSnapshotPeriod(' 10 ')).toBe(10)
  })
})

describe('read-only mode and the label from the environment', () => {
  test('given EVENTSCOPE_READ_ONLY, EVENTSCOPE_LABEL and EVENTSCOPE_LABEL_COLOUR, then the connection carries them', async () => {
    const settings = await settingsFromEnv(
      {
        EVENTSCOPE_STORE: 'memory',
        EVENTSCOPE_READ_ONLY: ' yes ',
        EVENTSCOPE_LABEL: ' PRODUCTION ',
        EVENTSCOPE_LABEL_COLOUR: 'Red',
      },
      { dataDir },
    )
    expect(settings.connection).toEqual({
      kind: 'memory',
      readOnly: true,
      label: 'PRODUCTION',
      labelColour: 'red',
    })
  })

  test.each(['1', 'true', 'on', 'YES'])('EVENTSCOPE_READ_ONLY=%s is read-only', (value) => {
    expect(connectionOptionsFromEnv({ EVENTSCOPE_READ_ONLY: value })).toEqual({ readOnly: true })
  })

  test.each(['', '0', 'false', 'no', 'off'])('EVENTSCOPE_READ_ONLY=%j is writable', (value) => {
    expect(connectionOptionsFromEnv({ EVENTSCOPE_READ_ONLY: value })).toEqual({})
  })

  test('given an unclear flag, an unknown colour or a too-long label, then a clear error', async () => {
    expect(() => connectionOptionsFromEnv({ EVENTSCOPE_READ_ONLY: 'maybe' })).toThrow(
      /EVENTSCOPE_READ_ONLY must be 1 or 0/,
    )
    expect(() => connectionOptionsFromEnv({ EVENTSCOPE_LABEL_COLOUR: 'pink' })).toThrow(
      /EVENTSCOPE_LABEL_COLOUR must be one of red, orange, green, blue, purple, grey/,
    )
    await expect(
      settingsFromEnv(
        { EVENTSCOPE_STORE: 'memory', EVENTSCOPE_LABEL: 'x'.repeat(41) },
        { dataDir },
      ),
    ).rejects.toThrow(/label/)
    await expect(
      settingsFromEnv({ EVENTSCOPE_STORE: 'memory', EVENTSCOPE_LABEL: 'evil\u202E' }, { dataDir }),
    ).rejects.toBeInstanceOf(ConfigurationError)
  })
})
