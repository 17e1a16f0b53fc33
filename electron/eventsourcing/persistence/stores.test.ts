import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ConfigurationError } from '../errors'
import { sqliteDriverOf, sqlitePragmasOf } from './recorders/sqlite'
import { openStore, type StoreSettings } from './stores'

describe('openStore', () => {
  test('when memory is asked for, then a memory store opens', async () => {
    const store = await openStore({ kind: 'memory' })
    try {
      expect(store.kind).toBe('memory')
      expect(await store.events.select('00000000-0000-4000-8000-000000000001')).toEqual([])
    } finally {
      await store.close()
    }
  })

  test('when SQLite is asked for with options, then the file opens with that driver and durability', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'stores-')), 's.sqlite')
    const store = await openStore({
      kind: 'sqlite',
      path,
      driver: 'better-sqlite3',
      synchronous: 'NORMAL',
    })
    try {
      expect(store.kind).toBe('sqlite')
      expect(store.description).toBe(path)
      expect(sqliteDriverOf(store)).toBe('better-sqlite3')
      // 1 is NORMAL; the default would be FULL (2).
      expect(sqlitePragmasOf(store)).toEqual({ journalMode: 'wal', synchronous: 1 })
    } finally {
      await store.close()
    }
  })

  test('when Cassandra is asked for, then its own settings check runs (before any connection)', async () => {
    const error = await openStore({
      kind: 'cassandra',
      contactPoints: ['127.0.0.1:1'],
      localDataCenter: 'datacenter1',
      keyspace: '1 not a keyspace',
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toMatch(/^invalid Cassandra keyspace name '1 not a keyspace'/)
  })

  test('when an unknown kind is asked for, then it is refused naming the kind', async () => {
    const settings = { kind: 'postgres' } as unknown as StoreSettings
    const error = await openStore(settings).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toBe('unknown store kind postgres')
  })
})
