/**
 * What a Python store's data says of the cipher key, through `dispatch`: the library keeps no
 * key check, so the store's newest events are read at connect. Encrypted is what the events
 * are, not whether a key is set; a missing or wrong key is said in keyStatus, as for our own
 * stores. And a row that is not JSON in a plain store is called damaged, not encrypted.
 * SQLite only: the check is the handlers', the readers are tested on both databases elsewhere.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  pythonAvailable,
  editedSqliteCopy,
  type ReportedApplication,
  writePythonStores,
  type WriteReport,
} from '../../../test/pythonStores'
import { closeOpenServices, harness, type Harness } from '../serviceTesting'

const available = pythonAvailable()
let report: WriteReport & { sqliteDir: string }
const app = (name: string): ReportedApplication =>
  report.applications.find((a) => a.backend === 'sqlite' && a.name === name)!

async function connectTo(path: string, key: string | undefined): Promise<Harness> {
  const h = harness({ cipherKey: key === undefined ? undefined : Buffer.from(key, 'base64') })
  await h.ok('connect', { kind: 'python-sqlite', path })
  return h
}

describe.skipIf(!available.ok && !process.env['CI'])('the key of a Python store', () => {
  beforeAll(() => {
    if (!available.ok) throw new Error(available.reason)
    report = writePythonStores({})
  }, 120_000)
  afterEach(() => closeOpenServices())

  test('an encrypted store without a key: encrypted, and the missing key said', async () => {
    const library = app('Library')
    const h = await connectTo(library.path!, undefined)
    const info = await h.ok('getConnection', {})
    expect(info.encrypted).toBe(true)
    expect(info.keyStatus).toMatchObject({ state: 'missing-key', mismatch: true })
  })

  test('a wrong key is reported as such, not shown as a working one', async () => {
    const library = app('Library')
    const h = await connectTo(library.path!, Buffer.alloc(32, 3).toString('base64'))
    const info = await h.ok('getConnection', {})
    expect(info.keyStatus).toMatchObject({ state: 'wrong-key', mismatch: true })
    expect(info.keyStatus!.message).toMatch(/does not decrypt/)
    // Read-only for its own reason still: the key's is in keyStatus.
    expect(info.readOnlyReason).not.toMatch(/cipher key is fixed/)
  })

  test('the right key is checked on the data', async () => {
    const library = app('Library')
    const h = await connectTo(library.path!, report.key)
    const info = await h.ok('getConnection', {})
    expect(info).toMatchObject({
      encrypted: true,
      keyStatus: { state: 'verified', mismatch: false },
    })
  })

  test('a key entered later is checked on the data again', async () => {
    const library = app('Library')
    const h = await connectTo(library.path!, undefined)
    const wrong = await h.ok('setCipherKey', {
      keyBase64: Buffer.alloc(32, 3).toString('base64'),
      remember: false,
    })
    expect(wrong.keyStatus).toMatchObject({ state: 'wrong-key', mismatch: true })
    const right = await h.ok('setCipherKey', { keyBase64: report.key, remember: false })
    expect(right.keyStatus).toMatchObject({ state: 'verified', mismatch: false })
  })

  test('a plain store with a key set: not encrypted, the key said to be unused', async () => {
    const plain = app('Plain')
    const h = await connectTo(plain.path!, report.key)
    const info = await h.ok('getConnection', {})
    expect(info.encrypted).toBe(false)
    expect(info.keyStatus).toMatchObject({ state: 'unexpected-key' })
    const view = await h.ok('getAggregate', { id: plain.aggregates[0]!.id })
    expect(view.encrypted).toBe(false)
  })

  test('a row that is not JSON in a plain store is damaged, not "encrypted"', async () => {
    const plain = app('Plain')
    // The oldest aggregate's first event: the key check reads the newest ones.
    const victim = plain.aggregates[0]!
    const copy = editedSqliteCopy(
      plain.path!,
      `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = 1", (b"\\x00garbage", sys.argv[2]))
db.commit()`,
      [victim.id.replace(/-/g, '')],
    )
    const h = await connectTo(copy, undefined)
    const page = await h.ok('listEvents', { id: victim.id, fromVersion: 1 })
    expect(page.items[0]!.problem).toMatch(/damaged: its state is not valid JSON/)
    expect(page.items[0]!.problem).not.toMatch(/encrypted/)
  })
})
