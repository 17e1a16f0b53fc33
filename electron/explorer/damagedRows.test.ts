/**
 * Log and index rows another program damaged, in a SQLite store: the store still opens, the
 * list shows every row the contract can carry, and the log is read past the damaged entries.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { methods, type MethodName, type RequestOf, type ResponseOf } from '../../shared/contract'
import { createSqliteStore } from '../eventsourcing'
import { dispatch } from './dispatch'
import { ExplorerService } from './service'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-damaged-rows-'))
let n = 0
const ids = ['0a1b2c3d-0000-4000-8000-000000000001', '0a1b2c3d-0000-4000-8000-000000000002']

const services: ExplorerService[] = []
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()))
})

async function ok<M extends MethodName>(
  s: ExplorerService,
  method: M,
  request: RequestOf<M>,
): Promise<ResponseOf<M>> {
  const envelope = await dispatch(s, method, request)
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code}: ${envelope.error.message}`)
  // Parsed as the renderer parses it: an answer it would refuse fails here.
  return methods[method].response.parse(envelope.value) as ResponseOf<M>
}

/** A store of two aggregates of one event each, its index folded, then `damage` run on it. */
async function damagedStore(damage: string): Promise<string> {
  const path = join(folder, `store-${++n}.sqlite`)
  const store = createSqliteStore(path, 'better-sqlite3')
  for (const id of ids) {
    await store.events.insert([
      {
        originatorId: id,
        originatorVersion: 0,
        topic: 'shop#Cart.Created',
        state: Uint8Array.of(1),
      },
    ])
  }
  await store.close()
  const db = new Database(path)
  db.exec(damage)
  db.close()
  return path
}

describe('damaged rows another program wrote', () => {
  test.each([
    [
      'a log entry whose topics are not JSON',
      "UPDATE event_log SET topics = 'not json' WHERE position = 1",
    ],
    [
      'a log entry dated out of range',
      'UPDATE event_log SET recorded_at = 1e17 WHERE position = 1',
    ],
    [
      'index rows with an id no aggregate can have, and a date out of range',
      `INSERT INTO aggregates VALUES ('<img src=x onerror=alert(1)>', 'shop#Cart', 0, 0, 0, 'shop#Cart.Created', 1);
       INSERT INTO aggregates VALUES ('${ids[0]!.toUpperCase()}', 'shop#Cart', 0, 0, 0, 'shop#Cart.Created', 1);
       UPDATE aggregates SET created_at = -1e17 WHERE originator_id = '${ids[1]}'`,
    ],
  ])('%s: the store opens and the list shows the rest', async (_, damage) => {
    const path = await damagedStore(damage)
    const s = new ExplorerService({ snapshotPeriod: 0, emit: () => {} })
    services.push(s)
    await ok(s, 'connect', { kind: 'sqlite', path })
    const listed = await ok(s, 'listAggregates', { limit: 50 })
    expect(listed.items.map((a) => a.id)).toContain(ids[0])
    for (const item of listed.items) expect(ids).toContain(item.id)
  })

  test('the log is read past damaged entries, even a page of nothing else', async () => {
    const path = await damagedStore("UPDATE event_log SET topics = '' WHERE position = 1")
    const store = createSqliteStore(path, 'better-sqlite3')
    try {
      const page = await store.events.selectLog({ limit: 1 })
      expect(page.map((e) => [e.position, e.originatorId])).toEqual([['2', ids[1]]])
      expect(await store.events.selectLog({ limit: 10, desc: true })).toHaveLength(1)
    } finally {
      await store.close()
    }
  })
})
