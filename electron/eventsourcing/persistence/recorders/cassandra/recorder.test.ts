/**
 * The Cassandra recorder on a real node: the contract every store keeps, then what is Cassandra's
 * own: conditional batches, paging through the log and the index, a half-created schema,
 * large partitions.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, test, vi } from 'vitest'
import {
  bucketsSince,
  inList,
  record,
  withStore,
} from '../../../../../test/cassandraRecorderTesting'
import {
  describeWithCassandra,
  openCassandraTestStore,
  testKeyspace,
} from '../../../../../test/cassandraTestStore'
import { describeRecorderContract } from '../../../../../test/recorderContract'
import { ConcurrencyError } from '../../../errors'
import type { CassandraApplicationRecorder } from './index'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

await describeWithCassandra('cassandra', () => {
  describeRecorderContract('cassandra', () => openCassandraTestStore())

  describe('cassandra specifics', () => {
    test('a conditional batch is rejected as a whole when its last row conflicts, log and index included', () =>
      withStore(async (store, events) => {
        const started = Date.now()
        const id = randomUUID()
        const type = `test#Batch${randomUUID().slice(0, 8)}`
        await events.insert([record(id, 0, `${type}.Created`), record(id, 1, `${type}.Changed`)])
        await events.insert([record(id, 4, `${type}.Changed`)])
        const error = await events
          .insert([
            record(id, 2, `${type}.Changed`),
            record(id, 3, `${type}.Changed`),
            record(id, 4, `${type}.Changed`),
          ])
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ConcurrencyError)
        expect((error as ConcurrencyError).details).toEqual({
          originatorId: id,
          attempted: [2, 3, 4],
          actualVersion: 4,
        })
        expect((await events.select(id)).map((r) => r.originatorVersion)).toEqual([0, 1, 4])

        const log = (await events.selectLog({ desc: true, limit: 50 })).filter(
          (e) => e.originatorId === id,
        )
        expect(log.map((e) => [e.fromVersion, e.toVersion])).toEqual([
          [4, 4],
          [0, 1],
        ])
        // No intent left behind either: the rejected batch's log row was deleted.
        // In the hours the writes went to (the hour may have turned during the test).
        const hours = inList(bucketsSince(started))
        const rows = await events.session.execute(
          `SELECT originator_id, status FROM ${testKeyspace}.event_log WHERE bucket ${hours.sql}`,
          hours.params,
        )
        expect(
          rows.rows.filter((r) => String(r['originator_id']) === id).map((r) => r['status']),
        ).toEqual([1, 1])
        const page = await events.listAggregates({ limit: 5, idPrefix: id })
        expect(page.items.map((i) => [i.version, i.aggregateTopic])).toEqual([[4, type]])

        // Snapshots: the same conditional batch.
        await store.snapshots.insert([record(id, 5, 'eventsourcing#Snapshot')])
        await expect(
          store.snapshots.insert([
            record(id, 4, 'eventsourcing#Snapshot'),
            record(id, 5, 'eventsourcing#Snapshot'),
          ]),
        ).rejects.toBeInstanceOf(ConcurrencyError)
        expect((await store.snapshots.select(id)).map((r) => r.originatorVersion)).toEqual([5])
      }))

    test('pages through the log both ways and through the index by id and by recent change', () =>
      withStore(async (_store, events) => {
        const type = `test#Paged${randomUUID().slice(0, 8)}`
        const start = (await events.selectLog({ desc: true, limit: 1 }))[0]?.position
        const ids: string[] = []
        for (let i = 0; i < 7; i++) {
          const id = randomUUID()
          ids.push(id)
          await events.insert([record(id, 0, `${type}.Created`)])
          await events.insert([record(id, 1, `${type}.Changed`), record(id, 2, `${type}.Changed`)])
        }
        const forward: string[] = []
        let after = start
        for (;;) {
          const page = await events.selectLog({
            ...(after === undefined ? {} : { after }),
            limit: 3,
          })
          if (!page.length) break
          forward.push(...page.map((e) => `${e.originatorId}:${e.toVersion}`))
          after = page[page.length - 1]!.position
        }
        expect(forward).toEqual(ids.flatMap((id) => [`${id}:0`, `${id}:2`]))
        const backward: string[] = []
        let before: string | undefined
        while (backward.length < forward.length) {
          const page = await events.selectLog({
            desc: true,
            ...(before === undefined ? {} : { before }),
            limit: 4,
          })
          backward.push(...page.map((e) => `${e.originatorId}:${e.toVersion}`))
          before = page[page.length - 1]!.position
        }
        expect(backward.slice(0, forward.length)).toEqual([...forward].reverse())
        await expect(events.selectLog({ after: 'not a position', limit: 1 })).rejects.toThrow(
          TypeError,
        )

        for (const order of ['id', 'recent'] as const) {
          const seen: string[] = []
          let pageToken: string | undefined
          do {
            const page = await events.listAggregates({
              limit: 2,
              aggregateTopic: type,
              order,
              ...(pageToken ? { pageToken } : {}),
            })
            seen.push(...page.items.map((i) => i.originatorId))
            expect(page.items.every((i) => i.version === 2 && i.aggregateTopic === type)).toBe(true)
            pageToken = page.nextPageToken
          } while (pageToken)
          expect(seen).toEqual(order === 'id' ? [...ids].sort() : [...ids].reverse())
        }
        // A one-character prefix: the shards starting with it, by id.
        const target = ids[2]!
        const byShard = await events.listAggregates({
          limit: 100,
          idPrefix: target.slice(0, 1),
          order: 'id',
          aggregateTopic: type,
        })
        expect(byShard.items.map((i) => i.originatorId)).toEqual(
          ids.filter((id) => id[0] === target[0]).sort(),
        )
        const recentPrefix = await events.listAggregates({
          limit: 100,
          idPrefix: target.slice(0, 2),
          aggregateTopic: type,
        })
        expect(recentPrefix.items.map((i) => i.originatorId)).toContain(target)
        expect((await events.listAggregates({ limit: 5, idPrefix: 'zz' })).items).toEqual([])
        await expect(events.listAggregates({ limit: 5, pageToken: 'garbage' })).rejects.toThrow(
          TypeError,
        )
      }))

    test('a schema left half-created is completed on the next start, and a legacy counter still counts', async () => {
      const keyspace = `${testKeyspace}_half`
      const setup = await openCassandraTestStore()
      const client = (setup.events as CassandraApplicationRecorder).session.client
      try {
        // As left by a start that failed part-way, with the earlier counter of 3 aggregates.
        await client.execute(
          `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
        )
        await client.execute(
          `CREATE TABLE ${keyspace}.events (originator_id uuid, originator_version bigint, topic text, state blob, PRIMARY KEY ((originator_id), originator_version))`,
        )
        await client.execute(
          `CREATE TABLE ${keyspace}.aggregate_count (id int PRIMARY KEY, aggregates counter)`,
        )
        await client.execute(
          `UPDATE ${keyspace}.aggregate_count SET aggregates = aggregates + 3 WHERE id = 0`,
        )
        const store = await openCassandraTestStore({ keyspace })
        try {
          const tables = await client.execute(
            'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?',
            [keyspace],
          )
          expect(tables.rows.map((r) => r['table_name'] as string).sort()).toEqual([
            'aggregate_count',
            'aggregate_counts',
            'aggregates',
            'counted_aggregates',
            'event_log',
            'events',
            'log_buckets',
            'snapshots',
          ])
          const id = randomUUID()
          await store.events.insert([record(id, 0, 'test#Half.Created')])
          expect(await store.events.countAggregates()).toBe(4)
        } finally {
          await store.close()
        }
      } finally {
        await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {})
        await setup.close()
      }
    })

    test('reads a large partition in pages, in both directions', () =>
      withStore(async (_store, events) => {
        const id = randomUUID()
        const n = 6000
        for (let v = 0; v < n; v += 200) {
          await events.insert(
            Array.from({ length: 200 }, (_, i) => record(id, v + i, 'test#Big.Changed')),
          )
        }
        const all = await events.select(id)
        expect(all).toHaveLength(n)
        expect(all[n - 1]!.originatorVersion).toBe(n - 1)
        const desc = await events.select(id, { desc: true, gte: 10, limit: 5500 })
        expect(desc).toHaveLength(5500)
        expect(desc[0]!.originatorVersion).toBe(n - 1)
        expect(await events.select(id, { gt: 5, lt: 6 })).toEqual([])
        expect(await events.select(id, { limit: 0 })).toEqual([])
      }))
  })
})
