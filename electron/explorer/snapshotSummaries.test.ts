/**
 * listSnapshotSummaries over damaged records: each record that cannot be read is reported in its
 * own row (DataIntegrityError's message), and the others are listed as ever.
 */
import Database from 'better-sqlite3'
import { afterEach, expect, test } from 'vitest'
import { closeOpenServices, connected, newSqlitePath, walkthroughAggregate } from './serviceTesting'

afterEach(closeOpenServices)

test('a damaged snapshot is listed with its problem; the others as they are', async () => {
  const path = newSqlitePath()
  const h = await connected('sqlite', {}, path)
  const id = await walkthroughAggregate(h) // snapshots at 1, 3, 5, 7 (discarded)
  const before = await h.ok('listSnapshotSummaries', { id })
  expect(before.items.every((s) => s.problem === undefined)).toBe(true)

  // Another program damages two records: text that is not JSON, and a format byte no version wrote.
  const db = new Database(path)
  const damage = db.prepare(
    'UPDATE snapshots SET state = ? WHERE originator_id = ? AND originator_version = ?',
  )
  damage.run(Buffer.from('\u0000{not json', 'latin1'), id, 3)
  damage.run(Buffer.from([0xff, 1, 2, 3]), id, 5)
  db.close()

  const { items } = await h.ok('listSnapshotSummaries', { id })
  expect(items.map((s) => s.version)).toEqual([7, 5, 3, 1])
  const [v7, v5, v3, v1] = items
  expect(v7).toEqual(before.items[0])
  expect(v1).toEqual(before.items[3])
  expect(v5).toMatchObject({ timestamp: null, type: null, discarded: false, storedBytes: 4 })
  expect(v5!.problem).toMatch(/unknown state format 255/)
  expect(v3).toMatchObject({ timestamp: null, type: null, storedBytes: 10 })
  expect(v3!.problem).toMatch(new RegExp(`${id}.*v3`))
  // Opening it reports the same damage.
  const opened = await h.fail('listSnapshots', { id, afterVersion: 2, beforeVersion: 4, limit: 1 })
  expect(opened.code).toBe('DataIntegrityError')
})
