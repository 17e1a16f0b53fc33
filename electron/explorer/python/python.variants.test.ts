/**
 * Stores Python's eventsourcing writes with settings other than its defaults, through `dispatch`
 * as both transports call it, on SQLite and a real PostgreSQL: aggregates whose versions start
 * at 0 (INITIAL_VERSION = 0), and aggregates with text ids (ORIGINATOR_ID_TYPE=text), some of
 * them hostile (write_stores.py TICKET_CODES).
 */
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  pythonTestDatabase,
  pythonConnectSettings,
  type ReportedApplication,
  writePythonStores,
  type WriteReport,
} from '../../../test/pythonStores'
import { closeOpenServices, harness, type Harness } from '../serviceTesting'

const { database, unavailable } = await pythonTestDatabase('the Python store variant tests')

let report: WriteReport & { sqliteDir: string }
const app = (backend: string, name: string): ReportedApplication =>
  report.applications.find((a) => a.backend === backend && a.name === name)!

async function connectTo(a: ReportedApplication): Promise<Harness> {
  const h = harness({ cipherKey: undefined })
  await h.ok('connect', pythonConnectSettings(a, database?.url))
  return h
}

describe.skipIf(unavailable !== undefined && !process.env['CI'])(
  'Python eventsourcing stores written with other settings',
  () => {
    beforeAll(() => {
      if (unavailable) throw new Error(`Python store variant tests: ${unavailable}`)
      report = writePythonStores({ postgresUrl: database!.url })
    }, 120_000)
    afterEach(() => closeOpenServices())
    afterAll(() => database?.drop())

    describe.each(['sqlite', 'postgres'])('on %s', (backend) => {
      test('versions from 0 (INITIAL_VERSION = 0): every version, the state at 0, its snapshots', async () => {
        const counters = app(backend, 'Counters')
        const counter = counters.aggregates.find((a) => a.events.length > 4)!
        expect(counter.events[0]!.version).toBe(0)
        const h = await connectTo(counters)

        const listed = await h.ok('listAggregates', { limit: 10, order: 'id' })
        expect(listed.items.find((i) => i.id === counter.id)).toMatchObject({
          version: counter.version,
          createdAt: counter.events[0]!.payload['timestamp'],
        })

        const events = await h.ok('listEvents', { id: counter.id, fromVersion: 0 })
        expect(events).toMatchObject({ firstVersion: 0, latestVersion: counter.version })
        expect(events.items.map((e) => [e.version, e.role, e.payload])).toEqual(
          counter.events.map((e, i) => [e.version, i === 0 ? 'created' : 'changed', e.payload]),
        )

        // The state at version 0 is the library's snapshot at 0 (repository.get(id, version=0)).
        const [atZero, atOne] = counter.snapshots
        expect([atZero!.version, atOne!.version]).toEqual([0, 2])
        const zero = await h.ok('getAggregate', { id: counter.id, at: 0 })
        expect(zero).toMatchObject({
          version: 0,
          latestVersion: counter.version,
          loadedFromSnapshot: 0,
          state: atZero!.payload['state'],
          createdOn: counter.events[0]!.payload['timestamp'],
          lastModified: counter.events[0]!.payload['timestamp'],
        })
        expect(zero.hashChain).toMatchObject({ status: 'absent' })
        expect(zero.hashChain.message).toMatch(/^snapshot v0 \+ no event after it/)
        const one = await h.ok('getAggregate', { id: counter.id, at: 1 })
        expect(one.hashChain.message).toMatch(/^snapshot v0 \+ 1 event after it \(v1–v1\)/)
        const beyond = await h.fail('getAggregate', { id: counter.id, at: counter.version + 1 })
        expect(beyond.message).toContain(`its versions are 0–${counter.version}`)

        const snapshots = await h.ok('listSnapshotVersions', { id: counter.id })
        expect(snapshots.versions).toEqual(counter.snapshots.map((s) => s.version).reverse())
        const raw = await h.ok('getRawRecord', { id: counter.id, version: 0 })
        expect(raw.topic).toBe(counter.events[0]!.topic)
        const diff = await h.ok('getEventDiff', { id: counter.id, version: 0 })
        expect(diff.map((d) => d.kind)).toContain('added')
      })

      test('text ids: listed, paged and opened as stored, hostile ones included', async () => {
        const tickets = app(backend, 'Tickets')
        const ids = tickets.aggregates.map((a) => a.id)
        expect(ids).toContain('invoice\u202etxt.exe')
        expect(ids.some((id) => id.length > 300)).toBe(true)
        const h = await connectTo(tickets)

        // Every id once, through pages of 2 (the page token carries the last id).
        for (const order of ['id', 'recent'] as const) {
          const listed: string[] = []
          let pageToken: string | undefined
          do {
            const page = await h.ok('listAggregates', {
              limit: 2,
              order,
              ...(pageToken ? { pageToken } : {}),
            })
            listed.push(...page.items.map((i) => i.id))
            pageToken = page.nextPageToken
          } while (pageToken)
          expect(listed.sort(), order).toEqual([...ids].sort())
        }
        expect(await h.ok('countAggregates', {})).toEqual({ total: ids.length })

        for (const ticket of tickets.aggregates) {
          const [snapshot] = ticket.snapshots
          const view = await h.ok('getAggregate', { id: ticket.id })
          expect(view).toMatchObject({
            id: ticket.id,
            version: ticket.version,
            loadedFromSnapshot: snapshot!.version,
            state: snapshot!.payload['state'],
          })
          const events = await h.ok('listEvents', { id: ticket.id, fromVersion: 0 })
          expect(events.items.map((e) => [e.originatorId, e.version, e.payload])).toEqual(
            ticket.events.map((e) => [ticket.id, e.version, e.payload]),
          )
          const raw = await h.ok('getRawRecord', { id: ticket.id, version: 1 })
          expect(raw.originatorId).toBe(ticket.id)
          const snapshots = await h.ok('listSnapshots', { id: ticket.id })
          expect(snapshots.items.map((i) => [i.originatorId, i.version])).toEqual([
            [ticket.id, snapshot!.version],
          ])
          const exported = await h.ok('exportHistory', { id: ticket.id })
          expect([exported.aggregateId, exported.events.length]).toEqual([
            ticket.id,
            ticket.events.length,
          ])
        }

        // The id filter matches an id's first characters, as typed (case and all).
        for (const [prefix, expected] of [
          ['TCK', ['TCK-1']],
          ['tck', []],
          ['<img', ['<img src=x onerror=alert(1)>']],
          ['invoice\u202e', ['invoice\u202etxt.exe']],
          ['ticket/long-long', ids.filter((id) => id.startsWith('ticket/'))],
          ['0badc0de-', ['0badc0de-0000-4000-8000-00000000000a']],
        ] as const) {
          const page = await h.ok('listAggregates', { limit: 50, order: 'id', idPrefix: prefix })
          expect(
            page.items.map((i) => i.id),
            prefix,
          ).toEqual(expected)
        }
        const missing = await h.fail('getAggregate', { id: 'TCK-404' })
        expect(missing.code).toBe('AggregateNotFound')
      })

      test('a text id asked of a store of UUIDs is not found (and no query fails on it)', async () => {
        const h = await connectTo(app(backend, 'Counters'))
        for (const [method, request] of [
          ['getAggregate', { id: 'TCK-1' }],
          ['listEvents', { id: 'TCK-1' }],
          ['getRawRecord', { id: 'TCK-1', version: 1 }],
        ] as const) {
          const error = await h.fail(method, request)
          expect(error.code, method).toBe('AggregateNotFound')
        }
        expect(await h.ok('listSnapshots', { id: 'TCK-1' })).toEqual({ items: [] })
        const filtered = await h.ok('listAggregates', { limit: 10, order: 'id', idPrefix: 'TCK' })
        expect(filtered.items).toEqual([])
      })
    })

    // The column's collation orders the ids: in a language's, the ids starting with a prefix
    // are not one range of the key (ICU's English sorts "TCK-1" among the "tck…", Czech sorts
    // "ch…" after "h…"). The Tickets table copied into schemas whose id column has one.
    test.each([
      ['en-x-icu', 'tck', []],
      ['en-x-icu', 'TCK', ['TCK-1']],
      ['en-x-icu', 'ch', ['chata-1']],
      ['cs-x-icu', 'c', ['cesta-1', 'chata-1']],
      ['cs-x-icu', 'ch', ['chata-1']],
      ['C', 'c', ['cesta-1', 'chata-1']],
    ] as const)(
      'on postgres, ids collated %s: the prefix %j lists exactly the ids that start with it',
      async (collation, prefix, expected) => {
        const tickets = app('postgres', 'Tickets')
        const schema = `collated_${collation.replace(/\W/g, '_').toLowerCase()}`
        const client = new pg.Client({ connectionString: database!.url })
        await client.connect()
        try {
          const known = await client.query('SELECT 1 FROM pg_collation WHERE collname = $1', [
            collation,
          ])
          // Debian's PostgreSQL is built with ICU; a build without it has no such collation.
          if (known.rowCount === 0) throw new Error(`this PostgreSQL has no collation ${collation}`)
          const source = `${tickets.tables.schema ?? 'public'}.${tickets.tables.events}`
          const copy = `${schema}.${tickets.tables.events}`
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
          await client.query(`DROP TABLE IF EXISTS ${copy}`)
          await client.query(`CREATE TABLE ${copy} (LIKE ${source} INCLUDING ALL)`)
          await client.query(
            `ALTER TABLE ${copy} ALTER COLUMN originator_id TYPE text COLLATE "${collation}"`,
          )
          await client.query(`INSERT INTO ${copy} SELECT * FROM ${source}`)
          // Three more aggregates: TCK-1's events under other ids.
          for (const id of ['chata-1', 'cesta-1', 'hora-1'])
            await client.query(
              `INSERT INTO ${copy} (originator_id, originator_version, topic, state)
               SELECT $1, originator_version, topic, state FROM ${source} WHERE originator_id = 'TCK-1'`,
              [id],
            )
        } finally {
          await client.end()
        }
        const h = harness({ cipherKey: undefined })
        const settings = pythonConnectSettings(tickets, database!.url)
        if (settings.kind !== 'python-postgres') throw new Error('expected PostgreSQL settings')
        await h.ok('connect', { ...settings, pgSchema: schema })
        const listed: string[] = []
        let pageToken: string | undefined
        do {
          const page = await h.ok('listAggregates', {
            limit: 1,
            order: 'id',
            idPrefix: prefix,
            ...(pageToken ? { pageToken } : {}),
          })
          listed.push(...page.items.map((i) => i.id))
          pageToken = page.nextPageToken
        } while (pageToken)
        expect(listed.sort()).toEqual(expected)
      },
    )
  },
)
