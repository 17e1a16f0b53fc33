/**
 * Log and index rows another program damaged, in a SQLite store: the store still opens, the
 * list shows every row the contract can carry, and the log is read past the damaged entries.
 */
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { createSqliteStore } from '../eventsourcing'
import { closeOpenServices, harness, newSqlitePath, type Harness } from './serviceTesting'

const ids = ['0a1b2c3d-0000-4000-8000-000000000001', '0a1b2c3d-0000-4000-8000-000000000002']

afterEach(closeOpenServices)

/** Runs `sql` on the file as another program would. */
function damage(path: string, sql: string): void {
  const db = new Database(path)
  db.exec(sql)
  db.close()
}

/** A service (no cipher key) connected to `path`, answers parsed as the renderer parses them. */
async function connected(path: string): Promise<Harness> {
  const h = harness({ cipherKey: undefined, snapshotPeriod: 0 })
  await h.ok('connect', { kind: 'sqlite', path })
  return h
}

/** A service on a new store with one example aggregate of `events` events; its id. */
async function oneAggregate(events: number): Promise<{ h: Harness; path: string; id: string }> {
  const path = newSqlitePath()
  const h = await connected(path)
  const { id } = await h.ok('execute', {
    type: 'example#ExampleAggregateRoot',
    expectedVersion: -1,
    commands: [{ name: 'create', params: { foo: 'v0' } }],
  })
  if (events > 1)
    await h.ok('execute', {
      id,
      expectedVersion: 0,
      commands: Array.from({ length: events - 1 }, (_, i) => ({
        name: 'setFoo',
        params: { value: `v${i + 1}` },
      })),
    })
  return { h, path, id }
}

/** A store of two aggregates of one event each, its index folded, then `damage` run on it. */
async function damagedStore(sql: string): Promise<string> {
  const path = newSqlitePath()
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
  damage(path, sql)
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
  ])('%s: the store opens and the list shows the rest', async (_, sql) => {
    const h = await connected(await damagedStore(sql))
    const listed = await h.ok('listAggregates', { limit: 50 })
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

describe('event rows whose version another program wrote as no version', () => {
  test.each([
    [
      'text',
      "UPDATE events SET originator_version = 'ten' WHERE originator_version = 2",
      /the stored event after version 1 of .* has the version "ten", which is not the next version|the newest stored version of .* is "ten"/,
    ],
    [
      'a fraction',
      'UPDATE events SET originator_version = 1.5 WHERE originator_version = 2',
      /the stored event after version 1 of .* has the version 1\.5, which is not the next version \(a whole number from 2\)/,
    ],
    [
      'a negative number',
      'UPDATE events SET originator_version = -1 WHERE originator_version = 2',
      /the first stored event of .* has the version -1, which is not the next version \(a whole number from 0\)/,
    ],
  ])('%s: a clear integrity error, in the events list and in a load', async (_, sql, message) => {
    const { h, path, id } = await oneAggregate(4)
    damage(path, sql)
    for (const [method, request] of [
      ['listEvents', { id }],
      ['getAggregate', { id }],
    ] as const) {
      const error = await h.fail(method, request)
      expect(error.code).toBe('DataIntegrityError')
      expect(error.message).toMatch(message)
    }
  })
})

test('a state stored as TEXT is a clear integrity problem in Verify, not a type error', async () => {
  const { h, path, id } = await oneAggregate(1)
  damage(path, `UPDATE events SET state = CAST(state AS TEXT) WHERE originator_id = '${id}'`)
  const verified = await h.ok('verifyHistory', { id })
  expect(verified.problems).toHaveLength(1)
  expect(verified.problems[0]).toMatchObject({ version: 0, kind: 'undecodable' })
  expect(verified.problems[0]!.message).not.toMatch(/is not a function/)
})

test('Verify store reports an index row whose id is no aggregate id, instead of failing', async () => {
  const path = await damagedStore(
    "INSERT INTO aggregates VALUES ('<img src=x onerror=alert(1)>', 'shop#Cart', 0, 0, 0, 'shop#Cart.Created', 9)",
  )
  const h = await connected(path)
  // Parsed as the page parses it: the answer passes the contract.
  const verified = await h.ok('verifyStore', { taskId: 'verify-damaged-index' })
  const problem = verified.problems.find((p) => p.aggregateId === '<img src=x onerror=alert(1)>')
  expect(problem).toMatchObject({ version: 0, kind: 'missing' })
})

test('Verify store finds events written around the log: an aggregate the index does not know, versions past the one it records', async () => {
  const { h, path, id } = await oneAggregate(3)
  const copy = '0a1b2c3d-0000-4000-8000-000000000099'
  damage(
    path,
    `INSERT INTO events SELECT '${copy}', originator_version, topic, state FROM events WHERE originator_id = '${id}';
     INSERT INTO events SELECT originator_id, 3, topic, state FROM events WHERE originator_id = '${id}' AND originator_version = 2;
     INSERT INTO events VALUES ('<b>no id</b>', 0, 'shop#Cart.Created', x'01');`,
  )
  const verified = await h.ok('verifyStore', { taskId: 'verify-unlisted' })
  expect(verified.aggregatesChecked).toBe(3)
  const unlisted = verified.problems.filter((p) => p.kind === 'unlisted')
  expect(unlisted).toEqual([
    expect.objectContaining({ aggregateId: id, version: 3 }),
    expect.objectContaining({ aggregateId: copy, version: 0 }),
    expect.objectContaining({ aggregateId: '<b>no id</b>', version: 0 }),
  ])
  expect(unlisted[0]!.message).toMatch(
    /version 3 of .* is stored, but the aggregate index records version 2: no log entry covers it,/,
  )
  expect(unlisted[1]!.message).toMatch(/versions 0–2 .* does not know the aggregate/)
  // Verify whole history of the one aggregate says so too.
  const history = await h.ok('verifyHistory', { id })
  expect(history.problems).toContainEqual(expect.objectContaining({ version: 3, kind: 'unlisted' }))
})
