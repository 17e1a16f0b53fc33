import { randomUUID } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import {
  type AggregateListQuery,
  type AggregateRecorder,
  type ApplicationRecorder,
  ConcurrencyError,
  type Store,
  type StoredRecord,
} from '../electron/eventsourcing'

function record(
  originatorId: string,
  originatorVersion: number,
  topic = 'test#Thing.Changed',
): StoredRecord {
  return {
    originatorId,
    originatorVersion,
    topic,
    state: Buffer.from(`state ${originatorVersion}`),
  }
}

/** Every id of a listing, page by page from one end: `next` from the start, `prev` from the end. */
async function collect(
  events: ApplicationRecorder,
  query: AggregateListQuery,
  way: 'next' | 'prev',
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = []
  let token: string | undefined
  let pages = 0
  do {
    const page = await events.listAggregates({
      ...query,
      from: way === 'next' ? 'start' : 'end',
      ...(token === undefined ? {} : { pageToken: token }),
    })
    pages += 1
    const got = page.items.map((i) => i.originatorId)
    if (way === 'next') ids.push(...got)
    else ids.unshift(...got)
    token = way === 'next' ? page.nextPageToken : page.prevPageToken
  } while (token !== undefined && pages < 1000)
  return { ids, pages }
}

/**
 * The behaviour every store promises, run against each of them with the same body:
 * atomic batches, concurrency errors, range reads, the log and the aggregate index.
 */
export function describeRecorderContract(name: string, openStore: () => Promise<Store>): void {
  describe(`${name} recorder contract`, () => {
    const withStore = async (body: (store: Store) => Promise<void>): Promise<void> => {
      const store = await openStore()
      try {
        await body(store)
      } finally {
        await store.close()
      }
    }

    test('storedOriginatorIds lists each id with stored records once, events and snapshots alike', () =>
      withStore(async (store) => {
        const ids = [randomUUID(), randomUUID(), randomUUID()]
        for (const id of ids) await store.events.insert([record(id, 0, 'test#Thing.Created')])
        await store.events.insert([record(ids[0]!, 1)])
        const snapshotOnly = randomUUID()
        await store.snapshots.insert([record(snapshotOnly, 4, 'test#Thing')])
        const listed = async (recorder: AggregateRecorder): Promise<string[]> => {
          const all: string[] = []
          for await (const page of recorder.storedOriginatorIds!()) all.push(...page)
          return all
        }
        // The store may hold other tests' aggregates (Cassandra's keyspace is shared).
        const events = await listed(store.events)
        expect(new Set(events).size).toBe(events.length)
        expect(events).toEqual(expect.arrayContaining(ids))
        expect(events).not.toContain(snapshotOnly)
        expect(await listed(store.snapshots)).toContain(snapshotOnly)
      }))

    test('several originators in one insertBatches: all or none, a log entry and an index row each (absent on Cassandra)', () =>
      withStore(async (store) => {
        const { events } = store
        if (store.kind === 'cassandra') {
          // A conditional batch cannot span partitions: the application refuses such a save.
          expect(events.insertBatches).toBeUndefined()
          return
        }
        const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()]
        const [last] = await events.selectLog({ desc: true, limit: 1 })
        await events.insertBatches!([
          [record(a, 0, 'test#Thing.Created'), record(a, 1)],
          [record(b, 0, 'test#Thing.Created')],
        ])
        expect((await events.select(a)).map((r) => r.originatorVersion)).toEqual([0, 1])
        expect((await events.select(b)).map((r) => r.originatorVersion)).toEqual([0])
        const log = await events.selectLog({
          limit: 10,
          ...(last === undefined ? {} : { after: last.position }),
        })
        expect(log.map((e) => [e.originatorId, e.fromVersion, e.toVersion])).toEqual([
          [a, 0, 1],
          [b, 0, 0],
        ])

        // b's version 0 exists: nothing of c or of b's batch is stored.
        const error = await events.insertBatches!([
          [record(c, 0, 'test#Thing.Created')],
          [record(b, 0), record(b, 1)],
        ]).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ConcurrencyError)
        expect((error as ConcurrencyError).details.originatorId).toBe(b)
        expect(await events.select(c)).toEqual([])
        expect((await events.select(b)).map((r) => r.originatorVersion)).toEqual([0])
        expect((await events.listAggregates({ limit: 1, idPrefix: c })).items).toEqual([])

        await expect(events.insertBatches!([[record(c, 0)], [record(c, 1)]])).rejects.toThrow(
          /one batch per originator/,
        )
      }))

    test('stores a batch and reads it back in order, with ranges and limits', () =>
      withStore(async ({ events }) => {
        const id = randomUUID()
        await events.insert(
          [0, 1, 2, 3, 4].map((v) =>
            record(id, v, v === 0 ? 'test#Thing.Created' : 'test#Thing.Changed'),
          ),
        )
        const all = await events.select(id)
        expect(all.map((r) => r.originatorVersion)).toEqual([0, 1, 2, 3, 4])
        expect(Buffer.from(all[2]!.state).toString()).toBe('state 2')
        expect(all[0]!.topic).toBe('test#Thing.Created')
        expect(
          (await events.select(id, { gt: 1, lte: 3 })).map((r) => r.originatorVersion),
        ).toEqual([2, 3])
        expect(
          (await events.select(id, { gte: 1, lt: 3 })).map((r) => r.originatorVersion),
        ).toEqual([1, 2])
        expect(
          (await events.select(id, { desc: true, limit: 2 })).map((r) => r.originatorVersion),
        ).toEqual([4, 3])
        expect(
          (await events.select(id, { lte: 2, desc: true, limit: 1 })).map(
            (r) => r.originatorVersion,
          ),
        ).toEqual([2])
        expect(await events.select(randomUUID())).toEqual([])
      }))

    test('a batch whose last version exists stores none of its records', () =>
      withStore(async ({ events }) => {
        const id = randomUUID()
        await events.insert([record(id, 0), record(id, 1)])
        // Version 4 is already taken: the batch 2..4 conflicts on its last record only.
        await events.insert([record(id, 4)])
        const error = await events
          .insert([record(id, 2), record(id, 3), record(id, 4)])
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ConcurrencyError)
        expect((error as ConcurrencyError).details.originatorId).toBe(id)
        expect((await events.select(id)).map((r) => r.originatorVersion)).toEqual([0, 1, 4])
      }))

    test('two writers of the same version: exactly one wins', () =>
      withStore(async ({ events }) => {
        const id = randomUUID()
        await events.insert([record(id, 0)])
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            events.insert([{ ...record(id, 1), state: Buffer.from(`writer ${i}`) }]),
          ),
        )
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError)
        expect((await events.select(id)).map((r) => r.originatorVersion)).toEqual([0, 1])
      }))

    test('snapshots are a separate table with the same range reads', () =>
      withStore(async ({ events, snapshots }) => {
        const id = randomUUID()
        await snapshots.insert([record(id, 1, 'eventsourcing#Snapshot')])
        await snapshots.insert([record(id, 3, 'eventsourcing#Snapshot')])
        expect(
          (await snapshots.select(id, { lte: 2, desc: true, limit: 1 })).map(
            (r) => r.originatorVersion,
          ),
        ).toEqual([1])
        expect(
          (await snapshots.select(id, { desc: true, limit: 1 })).map((r) => r.originatorVersion),
        ).toEqual([3])
        expect(await events.select(id)).toEqual([])
      }))

    test('the log records every stored batch, in order, and can be followed', () =>
      withStore(async ({ events }) => {
        const before = await events.selectLog({ desc: true, limit: 1 })
        const start = before[0]?.position
        const a = randomUUID()
        const b = randomUUID()
        await events.insert([record(a, 0, 'test#Thing.Created'), record(a, 1)])
        await events.insert([record(b, 0, 'test#Thing.Created')])
        await events.insert([record(a, 2)])
        const entries = await events.selectLog({
          ...(start === undefined ? {} : { after: start }),
          limit: 100,
        })
        const mine = entries.filter((e) => e.originatorId === a || e.originatorId === b)
        expect(mine.map((e) => [e.originatorId, e.fromVersion, e.toVersion])).toEqual([
          [a, 0, 1],
          [b, 0, 0],
          [a, 2, 2],
        ])
        expect(mine[0]!.topics).toEqual(['test#Thing.Created', 'test#Thing.Changed'])
        const last = entries[entries.length - 1]!
        expect(await events.selectLog({ after: last.position, limit: 10 })).toEqual([])
        const newest = await events.selectLog({ desc: true, limit: 2 })
        expect(newest.map((e) => [e.originatorId, e.toVersion])).toEqual([
          [a, 2],
          [b, 0],
        ])
        const older = await events.selectLog({ desc: true, before: newest[1]!.position, limit: 1 })
        expect(older.map((e) => [e.originatorId, e.toVersion])).toEqual([[a, 1]])
      }))

    test('a rejected batch leaves no log entry and no index row behind', () =>
      withStore(async ({ events }) => {
        const id = randomUUID()
        await events.insert([record(id, 0, 'test#Thing.Created')])
        await expect(events.insert([record(id, 0, 'test#Thing.Created')])).rejects.toBeInstanceOf(
          ConcurrencyError,
        )
        const log = await events.selectLog({ desc: true, limit: 20 })
        expect(log.filter((e) => e.originatorId === id)).toHaveLength(1)
        const page = await events.listAggregates({ limit: 10, idPrefix: id })
        expect(page.items.map((i) => [i.originatorId, i.version])).toEqual([[id, 0]])
      }))

    test('lists aggregates by recent change and by id, paged, filtered by prefix and type', () =>
      withStore(async ({ events }) => {
        const type = `test#Kind${randomUUID().slice(0, 8)}`
        const countBefore = await events.countAggregates()
        const ids: string[] = []
        for (let i = 0; i < 5; i++) {
          const id = randomUUID()
          ids.push(id)
          await events.insert([record(id, 0, `${type}.Created`)])
        }
        // Touch the first one last: it becomes the most recent.
        await events.insert([record(ids[0]!, 1, `${type}.Discarded`)])
        const first = await events.listAggregates({ limit: 3, aggregateTopic: type })
        expect(first.items).toHaveLength(3)
        expect(first.items[0]!.originatorId).toBe(ids[0])
        expect(first.items[0]!.version).toBe(1)
        expect(first.items[0]!.lastTopic).toBe(`${type}.Discarded`)
        expect(first.items[0]!.aggregateTopic).toBe(type)
        expect(first.nextPageToken).toBeDefined()
        const second = await events.listAggregates({
          limit: 3,
          aggregateTopic: type,
          pageToken: first.nextPageToken!,
        })
        const seen = [...first.items, ...second.items].map((i) => i.originatorId)
        expect(new Set(seen)).toEqual(new Set(ids))
        expect(second.nextPageToken).toBeUndefined()

        const byId = await events.listAggregates({ limit: 10, aggregateTopic: type, order: 'id' })
        expect(byId.items.map((i) => i.originatorId)).toEqual([...ids].sort())

        const target = ids[3]!
        const found = await events.listAggregates({
          limit: 10,
          idPrefix: target.slice(0, 13).toUpperCase(),
        })
        expect(found.items.map((i) => i.originatorId)).toEqual([target])
        // Five new aggregates; changing one of them again does not count it twice.
        expect(await events.countAggregates()).toBe(countBefore + 5)
      }))

    test('pages by keyset from either end in both orders, each page in list order', () =>
      withStore(async ({ events }) => {
        const type = `test#Ends${randomUUID().slice(0, 8)}`
        const ids: string[] = []
        for (let i = 0; i < 7; i++) {
          const id = randomUUID()
          ids.push(id)
          await events.insert([record(id, 0, `${type}.Created`)])
        }
        await events.insert([record(ids[2]!, 1)])
        const recent = [ids[2]!, ...ids.filter((id) => id !== ids[2]).reverse()]
        for (const [order, expected] of [
          ['recent', recent],
          ['id', [...ids].sort()],
        ] as const) {
          const query = { limit: 3, aggregateTopic: type, order }
          expect((await collect(events, query, 'next')).ids).toEqual(expected)
          expect((await collect(events, query, 'prev')).ids).toEqual(expected)

          // The end: the last page, in list order, with the way back and none forward.
          const end = await events.listAggregates({ ...query, from: 'end' })
          expect(end.items.map((i) => i.originatorId)).toEqual(expected.slice(-3))
          expect(end.nextPageToken).toBeUndefined()
          const start = await events.listAggregates(query)
          expect(start.prevPageToken).toBeUndefined()
          // From the middle page, each way leads to its neighbour.
          const middle = await events.listAggregates({ ...query, pageToken: end.prevPageToken! })
          expect(middle.items.map((i) => i.originatorId)).toEqual(expected.slice(1, 4))
          const after = await events.listAggregates({ ...query, pageToken: middle.nextPageToken! })
          expect(after.items.map((i) => i.originatorId)).toEqual(expected.slice(4))
          const before = await events.listAggregates({ ...query, pageToken: middle.prevPageToken! })
          expect(before.items.map((i) => i.originatorId)).toEqual(expected.slice(0, 1))
          expect(before.prevPageToken).toBeUndefined()
        }
        // Narrowed by a prefix too (one id: the first and only page from either end).
        const one = await events.listAggregates({ limit: 3, idPrefix: ids[4]!, from: 'end' })
        expect(one.items.map((i) => i.originatorId)).toEqual([ids[4]])
        expect([one.nextPageToken, one.prevPageToken]).toEqual([undefined, undefined])
      }))
  })
}
