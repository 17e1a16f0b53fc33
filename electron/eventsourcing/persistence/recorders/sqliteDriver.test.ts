import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { classifySqliteError, defaultSqliteDriver, openSqlite } from './sqliteDriver'

// The failure words both drivers are mapped to: better-sqlite3 reports a code string,
// node:sqlite an extended result code (its low byte is the primary code).
describe('classifySqliteError', () => {
  test.each([
    [{ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }, 'constraint'],
    [{ code: 'SQLITE_CONSTRAINT' }, 'constraint'],
    [{ errcode: 19 }, 'constraint'],
    [{ errcode: 1555 }, 'constraint'],
    [{ code: 'SQLITE_BUSY' }, 'busy'],
    [{ code: 'SQLITE_BUSY_SNAPSHOT' }, 'busy'],
    [{ code: 'SQLITE_LOCKED' }, 'busy'],
    [{ code: 'SQLITE_LOCKED_SHAREDCACHE' }, 'busy'],
    [{ errcode: 5 }, 'busy'],
    [{ errcode: 517 }, 'busy'],
    [{ errcode: 6 }, 'busy'],
    [{ errcode: 262 }, 'busy'],
    [{ code: 'SQLITE_READONLY' }, 'readonly'],
    [{ code: 'SQLITE_READONLY_DBMOVED' }, 'readonly'],
    [{ errcode: 8 }, 'readonly'],
    [{ errcode: 1032 }, 'readonly'],
    [{ code: 'SQLITE_ERROR' }, 'other'],
    [{ errcode: 1 }, 'other'],
    [{ errcode: '19' }, 'other'],
    [{ code: 19 }, 'other'],
    [{ code: 'X_SQLITE_BUSY' }, 'other'],
    [{ code: 'X_SQLITE_LOCKED' }, 'other'],
    [{ code: 'X_SQLITE_READONLY' }, 'other'],
    [{ code: 'X_SQLITE_CONSTRAINT' }, 'other'],
    [{}, 'other'],
    [new Error('plain'), 'other'],
  ])('%j is %s', (error, failure) => {
    expect(classifySqliteError(error)).toBe(failure)
  })
})

describe('the driver', () => {
  const electron = process.versions['electron']
  afterEach(() => {
    if (electron === undefined) delete (process.versions as Record<string, string>)['electron']
    else (process.versions as Record<string, string>)['electron'] = electron
  })

  test('is better-sqlite3 in Node and node:sqlite inside Electron', () => {
    delete (process.versions as Record<string, string>)['electron']
    expect(defaultSqliteDriver()).toBe('better-sqlite3')
    ;(process.versions as Record<string, string>)['electron'] = '33.0.0'
    expect(defaultSqliteDriver()).toBe('node:sqlite')
  })

  test('opened without a name is better-sqlite3 in Node, waiting 10 s for a lock', () => {
    delete (process.versions as Record<string, string>)['electron']
    const folder = mkdtempSync(join(tmpdir(), 'eventscope-driver-'))
    const connection = openSqlite(join(folder, 'x.sqlite'))
    expect(connection.driver).toBe('better-sqlite3')
    expect(connection.prepare('PRAGMA busy_timeout').get()).toEqual([10_000])
    connection.close()
    // Closing twice is harmless.
    expect(() => connection.close()).not.toThrow()
  })

  test('named node:sqlite is node:sqlite, or fails where this Node lacks it', () => {
    let driver: string
    try {
      const connection = openSqlite(':memory:', 'node:sqlite')
      driver = connection.driver
      connection.close()
    } catch {
      driver = 'unavailable'
    }
    expect(driver).not.toBe('better-sqlite3')
  })
})
