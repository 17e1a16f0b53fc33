/**
 * A Python store with one damaged event row, through `dispatch`: the timeline lists the page's
 * good events and explains the damaged one in its row; the state at a version still shows its
 * snapshot when the first event cannot be read. SQLite only: the damage is made with Python's
 * sqlite3, and what is tested is the handlers', not the reader's.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  pythonAvailable,
  editedSqliteCopy,
  type ReportedAggregate,
  type ReportedApplication,
  type ReportedRecord,
  writePythonStores,
  type WriteReport,
} from '../../../test/pythonStores'
import { closeOpenServices, harness, type Harness } from '../serviceTesting'

const available = pythonAvailable()
let report: WriteReport & { sqliteDir: string }

/** A copy of the application's SQLite file with these versions of the aggregate damaged. */
function damagedCopy(
  a: ReportedApplication,
  victim: ReportedAggregate,
  versions: number[],
  table: 'events' | 'snapshots' = 'events',
) {
  return editedSqliteCopy(
    a.path!,
    `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for v in sys.argv[3:]:
    where = " WHERE originator_id = ? AND originator_version = ?"
    state = bytearray(db.execute("SELECT state FROM ${a.tables[table]}" + where, (sys.argv[2], int(v))).fetchone()[0])
    state[-1] ^= 1
    db.execute("UPDATE ${a.tables[table]} SET state = ?" + where, (bytes(state), sys.argv[2], int(v)))
db.commit()`,
    [victim.id.replace(/-/g, ''), ...[...new Set(versions)].map(String)],
  )
}

async function connectTo(path: string): Promise<Harness> {
  const h = harness({ cipherKey: Buffer.from(report.key, 'base64') })
  await h.ok('connect', { kind: 'python-sqlite', path })
  return h
}

describe.skipIf(!available.ok && !process.env['CI'])('a damaged row of a Python store', () => {
  beforeAll(() => {
    if (!available.ok) throw new Error(available.reason)
    report = writePythonStores({})
  }, 120_000)
  afterEach(() => closeOpenServices())

  const shop = (): ReportedApplication =>
    report.applications.find((a) => a.backend === 'sqlite' && a.name === 'Shop')!
  const snapshotted = (): ReportedAggregate =>
    shop().aggregates.find((a) => a.snapshots.length > 0 && a.version >= 3)!

  test('the timeline lists the good events and explains the damaged one in its row', async () => {
    const cart = snapshotted()
    const h = await connectTo(damagedCopy(shop(), cart, [2]))
    const page = await h.ok('listEvents', { id: cart.id, fromVersion: 1 })
    expect(page.items.map((e) => e.version)).toEqual(cart.events.map((e) => e.version))
    const [one, two, ...rest] = page.items
    expect(one!.payload).toEqual(cart.events[0]!.payload)
    expect(one!.problem).toBeUndefined()
    expect(two).toMatchObject({ version: 2, payload: null, topic: cart.events[1]!.topic })
    expect(two!.problem).toMatch(/v2 .*damaged/)
    // Later rows are not tainted: no hash chain links them.
    expect(rest.map((e) => [e.payload, e.problem])).toEqual(
      cart.events.slice(2).map((e) => [e.payload, undefined]),
    )
    // A page of nothing but the damaged row is listed too: the key is right, the row damaged.
    const alone = await h.ok('listEvents', { id: cart.id, fromVersion: 2, limit: 1 })
    expect(alone.items.map((e) => [e.version, e.payload, e.problem])).toEqual([
      [2, null, two!.problem],
    ])
  })

  test('a damaged first event leaves its time unknown, and the snapshot is still shown', async () => {
    const cart = snapshotted()
    const newestSnapshot = cart.snapshots[cart.snapshots.length - 1]!
    const h = await connectTo(damagedCopy(shop(), cart, [1, newestSnapshot.version]))
    const view = await h.ok('getAggregate', { id: cart.id, at: newestSnapshot.version })
    expect(view).toMatchObject({
      version: newestSnapshot.version,
      loadedFromSnapshot: newestSnapshot.version,
      state: newestSnapshot.payload['state'],
      createdOn: null,
      lastModified: null,
    })
    expect(view.hashChain.message).toMatch(/Time unknown: .*v1 .*damaged/)
  })

  test('a damaged snapshot leaves the state to an older one, and says why', async () => {
    const cart = shop().aggregates.find((a) => a.snapshots.length >= 2)!
    const [older, newer] = cart.snapshots.slice(-2) as [ReportedRecord, ReportedRecord]
    const h = await connectTo(damagedCopy(shop(), cart, [newer.version], 'snapshots'))
    const view = await h.ok('getAggregate', { id: cart.id, at: newer.version })
    expect(view).toMatchObject({
      version: newer.version,
      loadedFromSnapshot: older.version,
      state: older.payload['state'],
    })
    expect(view.hashChain.message).toMatch(
      new RegExp(`snapshot at v${newer.version} is not used: it cannot be read \\(.*damaged`),
    )
    // The Snapshots tab's list still lists it, with the reason in its row.
    const summaries = await h.ok('listSnapshotSummaries', { id: cart.id })
    expect(summaries.items.find((i) => i.version === newer.version)?.problem).toMatch(/damaged/)
    const diff = await h.ok('diffVersions', { id: cart.id, from: older.version, to: newer.version })
    expect(diff).toMatchObject({
      diff: [],
      cannotCompare: expect.stringMatching(/cannot be read: .*damaged/),
    })
    // Every snapshot damaged: no state, the events from the first are shown, nothing fails.
    const all = cart.snapshots.map((x) => x.version)
    const bare = await connectTo(damagedCopy(shop(), cart, all, 'snapshots'))
    const none = await bare.ok('getAggregate', { id: cart.id, at: newer.version })
    expect(none.state).toBeNull()
    expect(none.loadedFromSnapshot).toBeUndefined()
    for (const v of all) expect(none.hashChain.message).toContain(`snapshot at v${v} is not used`)
  })
})
