/**
 * The explorer over Python-written stores, through `dispatch` as both transports call it:
 * connect (read-only), list, timeline, raw records, snapshots with state, the state at a
 * version as "snapshot vN + these events", diffs, activity, export, and the live tail of the
 * notification log as Python writes more. On SQLite and a real PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { RequestOf } from '../../../shared/contract'
import {
  appendPythonEvents,
  pythonTestDatabase,
  pythonConnectSettings,
  type ReportedApplication,
  writePythonStores,
  type WriteReport,
} from '../../../test/pythonStores'
import { closeOpenServices, harness, type Harness, until } from '../serviceTesting'

const { database, unavailable } = await pythonTestDatabase('the Python store service tests')

let report: WriteReport & { sqliteDir: string }
const app = (backend: string, name: string): ReportedApplication =>
  report.applications.find((a) => a.backend === backend && a.name === name)!

const settingsOf = (a: ReportedApplication): RequestOf<'connect'> =>
  pythonConnectSettings(a, database?.url)

async function connectTo(a: ReportedApplication, key: string | undefined): Promise<Harness> {
  const h = harness({ cipherKey: key ? Buffer.from(key, 'base64') : undefined })
  await h.ok('connect', settingsOf(a))
  return h
}

describe.skipIf(unavailable !== undefined && !process.env['CI'])(
  'the explorer over Python eventsourcing stores',
  () => {
    beforeAll(() => {
      if (unavailable) throw new Error(`Python store service tests: ${unavailable}`)
      report = writePythonStores({ postgresUrl: database!.url })
    }, 120_000)
    afterEach(() => closeOpenServices())
    afterAll(() => database?.drop())

    describe.each(['sqlite', 'postgres'])('on %s', (backend) => {
      test('list, timeline, raw record, snapshots, state at a version, diffs, export', async () => {
        const shop = app(backend, 'Shop')
        const h = await connectTo(shop, report.key)
        const info = await h.ok('getConnection', {})
        expect(info).toMatchObject({
          status: 'connected',
          readOnly: true,
          kind: settingsOf(shop).kind,
        })
        // The key checked on the store's own events, not the empty stand-in's key check.
        expect(info.keyStatus).toMatchObject({ state: 'verified', basis: 'stored-event' })
        expect(info.encrypted).toBe(true)
        const listed = await h.ok('listAggregates', { limit: 2, order: 'id' })
        // The page does not wait for a count of the whole primary key: that is asked apart.
        expect(listed.total).toBeUndefined()
        expect(await h.ok('countAggregates', {})).toEqual({ total: shop.aggregates.length })
        const next = await h.ok('listAggregates', {
          limit: 50,
          order: 'id',
          pageToken: listed.nextPageToken!,
        })
        const ids = [...listed.items, ...next.items].map((i) => i.id)
        expect(ids).toEqual(shop.aggregates.map((a) => a.id).sort())
        const cart = shop.aggregates.find((a) => a.type.endsWith(':Cart'))!
        const row = [...listed.items, ...next.items].find((i) => i.id === cart.id)!
        expect(row).toMatchObject({ type: cart.type, version: cart.version })
        expect(row.createdAt).toBe(cart.events[0]!.payload['timestamp'])

        const events = await h.ok('listEvents', { id: cart.id, fromVersion: 1 })
        expect(events.latestVersion).toBe(cart.version)
        // Where the history starts is read from the store (the timeline counts from it).
        expect(events.firstVersion).toBe(cart.events[0]!.version)
        const fromZero = await h.ok('listEvents', { id: cart.id, fromVersion: 0, limit: 2 })
        expect(fromZero.items.map((e) => e.version)).toEqual([1, 2])
        expect([fromZero.firstVersion, fromZero.nextFromVersion]).toEqual([1, 3])
        const later = await h.ok('listEvents', { id: cart.id, fromVersion: 3 })
        expect(later.firstVersion).toBe(1)
        expect(events.items.map((e) => [e.version, e.topic, e.payload])).toEqual(
          cart.events.map((e) => [e.version, e.topic, e.payload]),
        )
        expect(events.items[0]!.role).toBe('created')

        const raw = await h.ok('getRawRecord', { id: cart.id, version: 2 })
        expect(raw).toMatchObject({ encrypted: true, topic: cart.events[1]!.topic })

        const snapshots = await h.ok('listSnapshots', { id: cart.id })
        expect(snapshots.items.map((s) => s.version)).toEqual(
          cart.snapshots.map((s) => s.version).reverse(),
        )
        const newestSnapshot = cart.snapshots[cart.snapshots.length - 1]!
        expect(snapshots.items[0]!.state).toEqual(newestSnapshot.payload['state'])
        // The panel's list: the same snapshots without their states.
        const summaries = await h.ok('listSnapshotSummaries', { id: cart.id })
        expect(summaries.items.map((s) => [s.version, s.timestamp, s.type, s.discarded])).toEqual(
          snapshots.items.map((s) => [s.version, s.timestamp, s.type, s.state === null]),
        )
        expect(summaries.items.every((s) => s.storedBytes > 0)).toBe(true)
        // The Snapshots panel's pages of a snapshot's state (here all of it, from the root).
        const root = await h.ok('getStateChildren', {
          ...{ id: cart.id, at: newestSnapshot.version, path: [], offset: 0, limit: 100 },
          snapshot: true,
        })
        expect(Object.fromEntries(root.children.map((c) => [c.key, c.value]))).toEqual(
          newestSnapshot.payload['state'],
        )

        const view = await h.ok('getAggregate', { id: cart.id })
        expect(view).toMatchObject({
          version: cart.version,
          loadedFromSnapshot: newestSnapshot.version,
          definitionLoaded: false,
          state: newestSnapshot.payload['state'],
        })
        // A Python store has no hash chain: the screen must not say "verified".
        expect(view.hashChain.status).toBe('absent')
        expect(view.hashChain.message).toMatch(
          new RegExp(
            `snapshot v${newestSnapshot.version} \\+ ${cart.version - newestSnapshot.version} event`,
          ),
        )

        const [older, newer] = cart.snapshots
        const diff = await h.ok('diffVersions', {
          id: cart.id,
          from: older!.version,
          to: newer!.version,
        })
        expect(diff.from).toEqual(older!.payload['state'])
        expect(diff.diff.length).toBeGreaterThan(0)
        const eventDiff = await h.ok('getEventDiff', { id: cart.id, version: 3 })
        expect(eventDiff.some((d) => d.path[0] === 'quantity')).toBe(true)

        const activity = await h.ok('getActivity', { buckets: 10 })
        expect(activity.total).toBe(shop.aggregates.reduce((n, a) => n + a.events.length, 0))
        const exported = await h.ok('exportHistory', { id: cart.id, fromVersion: 1 })
        expect(exported.events).toHaveLength(cart.events.length)

        const refused = await h.fail('execute', {
          type: cart.type,
          id: cart.id,
          expectedVersion: cart.version,
          commands: [{ name: 'x', params: {} }],
        })
        expect(refused.code).toBe('ReadOnly')
      })

      test('newest change first: the notification log read backwards, each aggregate once', async () => {
        const shop = app(backend, 'Shop')
        const h = await connectTo(shop, report.key)
        const lastStamp = (a: ReportedApplication['aggregates'][number]): string =>
          String(a.events[a.events.length - 1]!.payload['timestamp'])
        const expected = [...shop.aggregates]
          .sort((a, b) => (lastStamp(a) < lastStamp(b) ? 1 : -1))
          .map((a) => a.id)
        const ids: string[] = []
        let pageToken: string | undefined
        do {
          const page = await h.ok('listAggregates', {
            limit: 2,
            order: 'recent',
            ...(pageToken ? { pageToken } : {}),
          })
          ids.push(...page.items.map((i) => i.id))
          pageToken = page.nextPageToken
        } while (pageToken)
        expect(ids).toEqual(expected)
        const cartType = shop.aggregates.find((a) => a.type.endsWith(':Cart'))!.type
        const carts = await h.ok('listAggregates', { limit: 10, type: cartType })
        expect(carts.items).toHaveLength(2)
      })

      test('a wrong key: the timeline fails with a DataIntegrityError naming the record', async () => {
        const library = app(backend, 'Library')
        const h = await connectTo(library, Buffer.alloc(32, 3).toString('base64'))
        const book = library.aggregates[0]!
        // The list still shows every aggregate, newest change first: only its dates are unknown.
        const listed = await h.ok('listAggregates', { limit: 50 })
        expect(listed.items.map((i) => i.id).sort()).toEqual(
          library.aggregates.map((a) => a.id).sort(),
        )
        // Unknown, said as such (null), not shown as some date.
        expect(new Set(listed.items.flatMap((i) => [i.createdAt, i.lastModified]))).toEqual(
          new Set([null]),
        )
        const error = await h.fail('listEvents', { id: book.id, fromVersion: 1 })
        expect(error.code).toBe('DataIntegrityError')
        expect(error.message).toContain(`${book.id} v1`)
        // The history's ends, so the timeline draws its rows, the refused ones explained.
        expect(error.details).toMatchObject({
          originatorVersion: 1,
          firstVersion: 1,
          latestVersion: book.version,
        })
        // Its snapshots are listed, each refused in its own row.
        const snapshotted = library.aggregates.find((a) => a.snapshots.length > 0)!
        const summaries = await h.ok('listSnapshotSummaries', { id: snapshotted.id })
        expect(summaries.items.map((s) => s.version)).toEqual(
          snapshotted.snapshots.map((s) => s.version).reverse(),
        )
        for (const s of summaries.items) {
          expect(s).toMatchObject({ timestamp: null, type: null })
          expect(s.problem).toContain(`${snapshotted.id} v${s.version}`)
        }
      })

      test('events Python writes later appear in the live tail, paged by notification id', async () => {
        const library = app(backend, 'Library')
        const h = await connectTo(library, report.key)
        const book = library.aggregates[1]!
        const appended = appendPythonEvents({
          sqliteDir: report.sqliteDir,
          ...(backend === 'postgres' ? { postgresUrl: database!.url } : {}),
          key: report.key,
          app: 'Library',
          backend: backend as 'sqlite' | 'postgres',
          id: book.id,
          // More than one page of the log (session.ts reads 500 notifications at a time).
          count: 601,
        })
        const versions = appended.aggregates[0]!.events.map((e) => e.version)
        expect(versions).toEqual(Array.from({ length: 601 }, (_, i) => book.version + 1 + i))
        const seen = (): number[] =>
          h.emitted
            .filter((e) => e.event === 'changes')
            .flatMap(
              (e) =>
                (e.payload as { entries: Array<{ originatorId: string; toVersion: number }> })
                  .entries,
            )
            .filter((entry) => entry.originatorId === book.id)
            .map((entry) => entry.toVersion)
        await until(() => seen().length === versions.length, 20_000)
        expect(seen()).toEqual(versions)
        const events = await h.ok('listEvents', {
          id: book.id,
          fromVersion: book.version + 1,
          limit: 1000,
        })
        expect(events.items.map((e) => e.payload)).toEqual(
          appended.aggregates[0]!.events.map((e) => e.payload),
        )
      })

      test('the count, kept a few seconds, is taken again once the log shows a new aggregate', async () => {
        const library = app(backend, 'Library')
        const h = await connectTo(library, report.key)
        const before = (await h.ok('countAggregates', {})).total
        expect(before).toBeGreaterThanOrEqual(library.aggregates.length)
        const created = appendPythonEvents({
          sqliteDir: report.sqliteDir,
          ...(backend === 'postgres' ? { postgresUrl: database!.url } : {}),
          key: report.key,
          app: 'Library',
          backend: backend as 'sqlite' | 'postgres',
          count: 1,
        }).aggregates[0]!
        // Within the count's few seconds: the cached count still stands until the log shows it.
        await until(
          () =>
            h.emitted.some(
              (e) =>
                e.event === 'changes' &&
                (e.payload as { entries: Array<{ originatorId: string }> }).entries.some(
                  (entry) => entry.originatorId === created.id,
                ),
            ),
          20_000,
        )
        expect(await h.ok('countAggregates', {})).toEqual({ total: before + 1 })
      })
    })
  },
)
