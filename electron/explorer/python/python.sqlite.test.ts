import { copyFileSync, mkdtempSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { besidesNodeSqlite } from '../../../test/sqliteRun'
import {
  pythonAvailable,
  editedSqliteCopy,
  pythonBinary,
  type ReportedApplication,
  writePythonStores,
  type WriteReport,
} from '../../../test/pythonStores'
import { ConfigurationError, StoreUnavailable } from '../../eventsourcing'
import { sqliteDriverFromEnv } from '../storeEnv'
import { PythonCodec } from './codec'
import { pythonTables, type PythonReader } from './reader'
import { checkApplication, expectUndecodable } from './readerChecks'
import { openPythonSqlite } from './sqliteReader'

/*
 * SQLite files written by Python's eventsourcing 9.5.6 (write_stores.py), read back through
 * the driver this run uses (EVENTSCOPE_SQLITE_DRIVER: better-sqlite3, or node:sqlite under
 * Node 22 as the desktop app runs it).
 */
const available = pythonAvailable()
if (!available.ok && !process.env['CI'])
  console.warn(`\n!! SKIPPED the Python SQLite tests: ${available.reason}\n`)

const driver = sqliteDriverFromEnv()
let report: WriteReport & { sqliteDir: string }
const sqliteApps = (): ReportedApplication[] =>
  report.applications.filter((a) => a.backend === 'sqlite')
const app = (name: string): ReportedApplication => sqliteApps().find((a) => a.name === name)!
const open = (a: ReportedApplication): PythonReader =>
  openPythonSqlite(a.path!, pythonTables('sqlite', a.name), driver)

describe.skipIf(!available.ok && !process.env['CI'])('Python eventsourcing on SQLite', () => {
  beforeAll(() => {
    if (!available.ok) throw new Error(available.reason)
    report = writePythonStores({})
  }, 120_000)
  const readers: PythonReader[] = []
  afterAll(async () => {
    for (const r of readers) await r.close()
  })
  const tracked = (r: PythonReader): PythonReader => {
    readers.push(r)
    return r
  }

  test.each(['Shop', 'Library', 'Plain', 'Ledger'])(
    '%s: every aggregate, version, payload, snapshot and notification as the library wrote it',
    async (name) => {
      const a = app(name)
      expect(a.aggregates.length).toBeGreaterThan(0)
      await checkApplication(tracked(open(a)), a, report.key)
    },
  )

  besidesNodeSqlite(() =>
    test('what the report covers: two aggregate types, snapshots, both cipher settings', () => {
      const shop = app('Shop')
      expect(new Set(shop.aggregates.map((a) => a.type)).size).toBe(2)
      expect(shop.aggregates.some((a) => a.snapshots.length > 1)).toBe(true)
      expect([shop.compressed, app('Library').compressed, app('Plain').encrypted]).toEqual([
        true,
        false,
        false,
      ])
    }),
  )

  test('tags the reader does not know are shown as stored', async () => {
    const shop = app('Shop')
    const cart = shop.aggregates.find((a) => a.type.endsWith(':Cart'))!
    const reader = tracked(open(shop))
    const [checkout] = await reader.events(cart.id, { desc: true, limit: 1 })
    const fields = new PythonCodec(report.key).decode(checkout!)
    expect(fields['total']).toEqual({ _type_: 'money', _data_: { cents: 12345, currency: 'EUR' } })
  })

  test('a wrong key: every encrypted record is a DataIntegrityError of its own', async () => {
    const other = Buffer.alloc(32, 7).toString('base64')
    for (const name of ['Shop', 'Library']) {
      await expectUndecodable(
        tracked(open(app(name))),
        app(name),
        new PythonCodec(other),
        /cipher key is wrong/,
      )
    }
  })

  test('no key: encrypted records say that no key is configured', async () => {
    await expectUndecodable(
      tracked(open(app('Shop'))),
      app('Shop'),
      new PythonCodec(),
      /no cipher key/,
    )
  })

  besidesNodeSqlite(() =>
    test('a key that cannot be one is refused before anything is read', () => {
      expect(() => new PythonCodec('not base64!')).toThrow(ConfigurationError)
      expect(() => new PythonCodec(Buffer.alloc(20).toString('base64'))).toThrow(/16, 24 or 32/)
    }),
  )

  test('damaged bytes fail that record only', async () => {
    const shop = app('Shop')
    const victim = shop.aggregates[0]!
    const copy = editedSqliteCopy(
      shop.path!,
      `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
where = " WHERE originator_id = ? AND originator_version = 1"
state = bytearray(db.execute("SELECT state FROM stored_events" + where, (sys.argv[2],)).fetchone()[0])
state[-1] ^= 1
db.execute("UPDATE stored_events SET state = ?" + where, (bytes(state), sys.argv[2]))
db.commit()`,
      [victim.id.replace(/-/g, '')],
    )
    const reader = tracked(openPythonSqlite(copy, pythonTables('sqlite', 'Shop'), driver))
    const codec = new PythonCodec(report.key)
    const [first, ...rest] = await reader.events(victim.id)
    expect(() => codec.decode(first!)).toThrow(/record .* v1 .*damaged/)
    for (const [i, record] of rest.entries())
      expect(codec.decode(record)).toEqual(victim.events[i + 1]!.payload)
  })

  test('the list takes a plain timestamp from the bytes, and the state when it is not plain', async () => {
    const plain = app('Plain')
    const copy = join(mkdtempSync(join(tmpdir(), 'eventscope-escaped-')), 'plain.sqlite')
    copyFileSync(plain.path!, copy)
    const reader = tracked(openPythonSqlite(copy, pythonTables('sqlite', 'Plain'), driver))
    const codec = new PythonCodec()
    const before = await reader.recentChanges(undefined, 100)
    const listed = before.flatMap((c) => (c.ends ? [c.ends.last] : []))
    expect(listed.length).toBe(plain.aggregates.length)
    for (const event of listed)
      expect([event.timestamp, event.state]).toEqual([expect.any(String), undefined])
    // The newest event rewritten with its timestamp's '+' as a JSON escape (what a writer other
    // than the library could store): the same value, but not what the shortcut reads.
    const victim = listed[0]!
    execFileSync(pythonBinary(), [
      '-c',
      `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
where = " WHERE originator_id = ? AND originator_version = ?"
key = (sys.argv[2], int(sys.argv[3]))
text = db.execute("SELECT state FROM stored_events" + where, key).fetchone()[0].decode()
text = text.replace("+", "\\\\u002b", 1)
db.execute("UPDATE stored_events SET state = ?" + where, (text.encode(), *key))
db.commit()`,
      copy,
      victim.originatorId.replace(/-/g, ''),
      String(victim.originatorVersion),
    ])
    const [change] = await reader.recentChanges(undefined, 1)
    const event = change!.ends!.last
    expect([event.originatorId, event.timestamp]).toEqual([victim.originatorId, undefined])
    expect(Buffer.from(event.state!).toString()).toContain('\\u002b')
    expect(codec.timestamp({ ...event, state: event.state! })).toBe(victim.timestamp)
  })

  test('a missing file or a file of another kind is StoreUnavailable, and nothing is created', () => {
    const missing = join(report.sqliteDir, 'none.sqlite')
    expect(() => openPythonSqlite(missing, pythonTables('sqlite', 'x'), driver)).toThrow(
      StoreUnavailable,
    )
    expect(() =>
      openPythonSqlite(app('Shop').path!, { events: 'nope_events', snapshots: 'x' }, driver),
    ).toThrow(/no table nope_events/)
  })
})
