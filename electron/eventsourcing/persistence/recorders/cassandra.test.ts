import { randomUUID } from 'node:crypto'
import { describe, expect, test, vi } from 'vitest'
import {
  cassandraTestSettings,
  describeWithCassandra,
  openCassandraTestStore,
  testKeyspace,
} from '../../../../test/cassandraTestStore'
import { describeRecorderContract } from '../../../../test/recorderContract'
import { ConcurrencyError, ConfigurationError, StoreUnavailable } from '../../errors'
import type { Store, StoredRecord } from '../recorder'
import {
  type CassandraApplicationRecorder,
  cassandraSettingsFromEnv,
  checkKeyspaceName,
  createCassandraStore,
  shardOf,
} from './cassandra'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 })

function record(originatorId: string, originatorVersion: number, topic: string): StoredRecord {
  return {
    originatorId,
    originatorVersion,
    topic,
    state: Buffer.from(`state ${originatorVersion}`),
  }
}

async function withStore(
  body: (store: Store, events: CassandraApplicationRecorder) => Promise<void>,
  overrides: Parameters<typeof openCassandraTestStore>[0] = {},
): Promise<void> {
  const store = await openCassandraTestStore(overrides)
  try {
    await body(store, store.events as CassandraApplicationRecorder)
  } finally {
    await store.close()
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('cassandra settings', () => {
  test('are read from the environment with local defaults', () => {
    expect(cassandraSettingsFromEnv({})).toEqual({
      contactPoints: ['127.0.0.1:9042'],
      localDataCenter: 'datacenter1',
      keyspace: 'eventscope',
    })
    expect(
      cassandraSettingsFromEnv({
        CASSANDRA_CONTACT_POINTS: ' 10.0.0.1:9042, 10.0.0.2 ,',
        CASSANDRA_LOCAL_DC: 'dc2',
        CASSANDRA_KEYSPACE: 'shop',
        CASSANDRA_USERNAME: 'u',
        CASSANDRA_PASSWORD: 'p',
        CASSANDRA_TLS: 'true',
        CASSANDRA_REPLICATION_FACTOR: '3',
      }),
    ).toEqual({
      contactPoints: ['10.0.0.1:9042', '10.0.0.2'],
      localDataCenter: 'dc2',
      keyspace: 'shop',
      username: 'u',
      password: 'p',
      tls: true,
      replicationFactor: 3,
    })
    expect(cassandraSettingsFromEnv({ CASSANDRA_TLS: '1' }).tls).toBe(true)
    expect(cassandraSettingsFromEnv({ CASSANDRA_TLS: '0' }).tls).toBeUndefined()
    expect(() => cassandraSettingsFromEnv({ CASSANDRA_REPLICATION_FACTOR: 'two' })).toThrow(
      ConfigurationError,
    )
  })

  test('a keyspace name with CQL in it is rejected before anything is sent', async () => {
    for (const keyspace of [
      "x WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}; DROP KEYSPACE system_auth; --",
      'ks; DROP TABLE events',
      'a-b',
      '"quoted"',
      '1abc',
      '',
      'k'.repeat(49),
    ]) {
      await expect(
        createCassandraStore({ ...cassandraTestSettings(), keyspace }),
      ).rejects.toBeInstanceOf(ConfigurationError)
    }
    expect(checkKeyspaceName('EventScope_1')).toBe('eventscope_1')
  })

  test('an unreachable contact point gives StoreUnavailable within a few seconds', async () => {
    const started = Date.now()
    const error = await createCassandraStore({
      contactPoints: ['127.0.0.1:1'],
      localDataCenter: 'datacenter1',
      keyspace: 'eventscope_unreachable',
      connectTimeoutMs: 1000,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreUnavailable)
    expect((error as Error).message).toContain('127.0.0.1:1')
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

await describeWithCassandra('cassandra', () => {
  describeRecorderContract('cassandra', () => openCassandraTestStore())

  describe('cassandra specifics', () => {
    test('a conditional batch is rejected as a whole when its last row conflicts, log and index included', () =>
      withStore(async (store, events) => {
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
        const rows = await events.session.execute(
          `SELECT originator_id, status FROM ${testKeyspace}.event_log WHERE bucket = ?`,
          [Math.floor(Date.now() / 3_600_000)],
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

    test('a crash after the intent and before the events shows no phantom, then is cleaned up', () =>
      withStore(
        async (_store, events) => {
          const countBefore = await events.countAggregates()
          const start = (await events.selectLog({ desc: true, limit: 1 }))[0]?.position
          const id = randomUUID()
          const type = `test#Phantom${randomUUID().slice(0, 8)}`
          const records = [record(id, 0, `${type}.Created`)]
          const intent = events.intentOf(records)
          await events.writeIntent(intent) // ... and the process dies here.

          // A later batch from another writer, stored and confirmed.
          const other = randomUUID()
          await events.insert([record(other, 0, `${type}.Created`)])

          const newest = await events.selectLog({ desc: true, limit: 10 })
          expect(newest.some((e) => e.originatorId === id)).toBe(false)
          expect(newest[0]!.originatorId).toBe(other)
          expect((await events.listAggregates({ limit: 10, idPrefix: id })).items).toEqual([])
          expect(
            (await events.listAggregates({ limit: 10, aggregateTopic: type })).items.map(
              (i) => i.originatorId,
            ),
          ).toEqual([other])
          expect(
            (
              await events.listAggregates({
                limit: 10,
                aggregateTopic: type,
                order: 'id',
                idPrefix: id.slice(0, 1),
              })
            ).items.map((i) => i.originatorId),
          ).not.toContain(id)
          expect(await events.countAggregates()).toBe(countBefore + 1)

          // A follower does not move past an intent that may still be stored...
          const follow = () =>
            events.selectLog({ ...(start === undefined ? {} : { after: start }), limit: 10 })
          expect(await follow()).toEqual([])
          // ... until it is old enough to be abandoned: then it is skipped and deleted.
          await sleep(Math.max(0, intent.time.getTime() + 4200 - Date.now()))
          expect((await follow()).map((e) => e.originatorId)).toEqual([other])
          const left = await events.session.execute(
            `SELECT position FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
            [intent.bucket, intent.position],
          )
          expect(left.rows).toHaveLength(0)
          expect((await events.listAggregates({ limit: 10, idPrefix: id })).items).toEqual([])
          const index = await events.session.execute(
            `SELECT pending_version, version FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
            [shardOf(id), id],
          )
          expect(index.first()?.['pending_version'] ?? null).toBeNull()

          // The id is free: a real save of it works and is listed.
          await events.insert(records)
          expect(
            (await events.listAggregates({ limit: 10, idPrefix: id })).items.map((i) => i.version),
          ).toEqual([0])
          expect(await events.countAggregates()).toBe(countBefore + 2)
        },
        { intentTimeoutMs: 4000 },
      ))

    test('the intent of a losing batch, left behind, neither shows nor holds followers back', () =>
      withStore(async (_store, events) => {
        const id = randomUUID()
        await events.insert([record(id, 0, 'test#Loser.Created')])
        const start = (await events.selectLog({ desc: true, limit: 1 }))[0]!.position
        // Another writer of version 0 wrote its intent, lost, and died before deleting it.
        const intent = events.intentOf([
          { ...record(id, 0, 'test#Loser.Created'), state: Buffer.from('other writer') },
        ])
        await events.writeIntent(intent)
        const other = randomUUID()
        await events.insert([record(other, 0, 'test#Loser.Created')])
        expect(
          (await events.selectLog({ after: start, limit: 10 })).map((e) => e.originatorId),
        ).toEqual([other])
        const left = await events.session.execute(
          `SELECT position FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        expect(left.rows).toHaveLength(0)
        expect(
          (await events.listAggregates({ limit: 5, idPrefix: id })).items.map((i) => i.version),
        ).toEqual([0])
      }))

    test('a crash after the events and before the confirmation loses nothing', () =>
      withStore(async (_store, events) => {
        const countBefore = await events.countAggregates()
        const type = `test#Unconfirmed${randomUUID().slice(0, 8)}`

        // A new aggregate whose events were stored, but neither log nor index was confirmed.
        const created = randomUUID()
        const first = [record(created, 0, `${type}.Created`), record(created, 1, `${type}.Changed`)]
        const intent = events.intentOf(first)
        await events.writeIntent(intent)
        await events.storeRecords(first) // ... and the process dies here.

        // An existing aggregate whose second batch was stored but not confirmed.
        const existing = randomUUID()
        await events.insert([record(existing, 0, `${type}.Created`)])
        const second = [record(existing, 1, `${type}.Renamed`)]
        await events.writeIntent(events.intentOf(second))
        await events.storeRecords(second)

        const log = (await events.selectLog({ desc: true, limit: 10 })).filter(
          (e) => e.originatorId === created || e.originatorId === existing,
        )
        expect(log.map((e) => [e.originatorId, e.fromVersion, e.toVersion])).toEqual([
          [existing, 1, 1],
          [existing, 0, 0],
          [created, 0, 1],
        ])
        expect(log[2]!.topics).toEqual([`${type}.Created`, `${type}.Changed`])

        const recent = await events.listAggregates({ limit: 10, aggregateTopic: type })
        expect(recent.items.map((i) => [i.originatorId, i.version, i.lastTopic])).toEqual([
          [existing, 1, `${type}.Renamed`],
          [created, 1, `${type}.Changed`],
        ])
        const byId = await events.listAggregates({ limit: 10, aggregateTopic: type, order: 'id' })
        expect(byId.items.map((i) => i.originatorId)).toEqual([created, existing].sort())
        expect(await events.countAggregates()).toBe(countBefore + 2)

        // The rows were repaired: confirmed log row, advanced index.
        const logRow = await events.session.execute(
          `SELECT status FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        expect(logRow.first()?.['status']).toBe(1)
        const indexRow = await events.session.execute(
          `SELECT version, aggregate_topic FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
          [shardOf(created), created],
        )
        expect(String(indexRow.first()?.['version'])).toBe('1')
        expect(indexRow.first()?.['aggregate_topic']).toBe(type)
        // Listing again does not count it twice.
        await events.listAggregates({ limit: 10, aggregateTopic: type })
        expect(await events.countAggregates()).toBe(countBefore + 2)
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
