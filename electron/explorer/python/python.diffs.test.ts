/**
 * Diffs and activity over a Python store, through `dispatch`: no event can be applied, so a
 * diff is claimed only between versions that have snapshots of their own, an event's change
 * is its own fields, and the activity's total is counted where that is cheap (the chart is
 * drawn from a sample). SQLite only: what is tested is the handlers'.
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

async function connectTo(path: string): Promise<Harness> {
  const h = harness({ cipherKey: Buffer.from(report.key, 'base64') })
  await h.ok('connect', { kind: 'python-sqlite', path })
  return h
}

describe.skipIf(!available.ok && !process.env['CI'])('diffs and activity of a Python store', () => {
  beforeAll(() => {
    if (!available.ok) throw new Error(available.reason)
    report = writePythonStores({})
  }, 120_000)
  afterEach(() => closeOpenServices())

  test('versions above their snapshot are not said to have the same state', async () => {
    const shop = app('Shop')
    // Snapshots every 3 versions: one with two versions above its snapshot.
    const cart = shop.aggregates.find((a) => a.snapshots.some((s) => a.version >= s.version + 2))!
    const snapshot = cart.snapshots.find((s) => cart.version >= s.version + 2)!
    const h = await connectTo(shop.path!)
    const above = await h.ok('diffVersions', {
      id: cart.id,
      from: snapshot.version + 1,
      to: snapshot.version + 2,
    })
    expect(above.diff).toEqual([])
    expect(above.cannotCompare).toMatch(/no snapshot of their own/)
    const [older, newer] = cart.snapshots
    if (older && newer) {
      const between = await h.ok('diffVersions', {
        id: cart.id,
        from: older.version,
        to: newer.version,
      })
      expect(between.cannotCompare).toBeUndefined()
      expect(between.from).toEqual(older.payload['state'])
    }
  })

  test("an event's change is its own fields, not a diff with the event before it", async () => {
    const shop = app('Shop')
    const cart = shop.aggregates.find((a) => a.events.length >= 3)!
    const h = await connectTo(shop.path!)
    const diff = await h.ok('getEventDiff', { id: cart.id, version: 3 })
    const own = Object.entries(cart.events[2]!.payload).filter(
      ([key]) => !['originator_id', 'originator_version', 'timestamp'].includes(key),
    )
    expect(diff.map((d) => [d.path, d.kind, d.after])).toEqual(
      own.map(([key, value]) => [[key], 'added', value]),
    )
  })

  test('the activity total is the real count, the chart from a sample', async () => {
    const plain = app('Plain')
    const book = plain.aggregates[0]!
    // 6,000 more events of one aggregate, each a copy of its second (timestamps alike).
    const copy = editedSqliteCopy(
      plain.path!,
      `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
oid = bytes.fromhex(sys.argv[2]) if db.execute("SELECT typeof(originator_id) FROM stored_events LIMIT 1").fetchone()[0] == "blob" else sys.argv[2]
topic, state = db.execute("SELECT topic, state FROM stored_events WHERE originator_id = ? AND originator_version = 2", (oid,)).fetchone()
db.executemany("INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)", [(oid, v, topic, state) for v in range(3, 6003)])
db.commit()`,
      [book.id.replace(/-/g, '')],
    )
    const h = await connectTo(copy)
    const one = await h.ok('getActivity', { id: book.id, buckets: 10 })
    // The newest 5,000 charted; the aggregate's count is exact (its versions follow one another).
    expect([one.total, one.sampled, one.allEvents]).toEqual([5000, true, 6002])
    const all = await h.ok('getActivity', { buckets: 10 })
    // Notification ids do not count events exactly: no total is claimed for the store.
    expect([all.total, all.sampled, all.allEvents]).toEqual([5000, true, undefined])
  })
})
