import { randomUUID } from 'node:crypto'
import net from 'node:net'
import cassandra from 'cassandra-driver'
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
  type CassandraSettings,
  cassandraClientOptions,
  checkKeyspaceName,
  createCassandraStore,
  isUnavailable,
  schemaAgreed,
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

/** The driver's error classes, some declared abstract: constructed as the driver does. */
const driverErrors = cassandra.errors as unknown as Record<
  string,
  new (...args: unknown[]) => Error & { isSocketError?: boolean }
>

/**
 * A TCP proxy in front of the test node: a coordinator that can stop answering (`hold`: requests
 * still reach Cassandra, answers are dropped) and then die (`dropConnections`).
 */
interface Proxy {
  readonly port: number
  hold: boolean
  /** Bytes sent on to Cassandra so far. */
  readonly forwarded: number
  dropConnections(): void
  close(): Promise<void>
}

async function startProxy(): Promise<Proxy> {
  const target = cassandraTestSettings().contactPoints[0]!
  const [host, port] = target.includes(':') ? target.split(':') : [target, '9042']
  const sockets = new Set<net.Socket>()
  const state = { hold: false, forwarded: 0 }
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host!)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        sockets.delete(s)
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (data: Buffer) => {
      state.forwarded += data.length
      upstream.write(data)
    })
    upstream.on('data', (data: Buffer) => {
      if (!state.hold) client.write(data)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    get hold() {
      return state.hold
    },
    set hold(value: boolean) {
      state.hold = value
    },
    get forwarded() {
      return state.forwarded
    },
    dropConnections: () => {
      for (const s of sockets) s.destroy()
    },
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** Runs `request` through a coordinator that receives it, never answers, and dies. */
async function coordinatorDiesUnder(
  proxy: Proxy,
  request: () => Promise<unknown>,
): Promise<unknown> {
  proxy.hold = true
  const before = proxy.forwarded
  const outcome = request().then(
    () => undefined,
    (e: unknown) => e,
  )
  for (let i = 0; i < 500 && proxy.forwarded === before; i++) await sleep(5)
  await sleep(300) // Cassandra has executed it; its answer is held back
  proxy.dropConnections()
  proxy.hold = false
  return outcome
}

describe('cassandra settings', () => {
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

  test("discovered peers are reached on the contact points' port; mixed ports are a ConfigurationError", async () => {
    const settings = (contactPoints: string[]): CassandraSettings => ({
      contactPoints,
      localDataCenter: 'datacenter1',
      keyspace: 'ks',
    })
    const options = cassandraClientOptions(settings(['127.0.0.2:9142', '127.0.0.3:9142']))
    expect(options.protocolOptions?.port).toBe(9142)
    expect(options.contactPoints).toEqual(['127.0.0.2:9142', '127.0.0.3:9142'])
    expect(cassandraClientOptions(settings(['db1', 'db2:9042'])).protocolOptions?.port).toBe(9042)
    expect(cassandraClientOptions(settings(['[::1]:9142'])).protocolOptions?.port).toBe(9142)
    expect(cassandraClientOptions(settings(['::1'])).protocolOptions?.port).toBe(9042)
    for (const points of [
      ['10.0.0.1:9142', '10.0.0.2:9143'],
      ['10.0.0.1:9142', '10.0.0.2'],
    ]) {
      expect(() => cassandraClientOptions(settings(points))).toThrow(ConfigurationError)
      expect(() => cassandraClientOptions(settings(points))).toThrow(/same native port/)
    }
    expect(() => cassandraClientOptions(settings(['db:port']))).toThrow(ConfigurationError)
    expect(() => cassandraClientOptions(settings(['db:70000']))).toThrow(ConfigurationError)
    // Rejected before any connection is tried.
    await expect(
      createCassandraStore(settings(['127.0.0.1:1', '127.0.0.1:2'])),
    ).rejects.toBeInstanceOf(ConfigurationError)
  })

  test('schema agreement compares only the nodes that are up', () => {
    const versions = {
      local: { hostId: 'a', version: 'v2' },
      peers: [
        { hostId: 'b', version: 'v2' },
        { hostId: 'c', version: 'v1' }, // down since before the change
      ],
    }
    expect(schemaAgreed(versions, (id) => id !== 'c')).toBe(true)
    expect(schemaAgreed(versions, () => true)).toBe(false)
    expect(schemaAgreed({ ...versions, peers: [{ hostId: 'b', version: null }] }, () => true)).toBe(
      false,
    )
    expect(
      schemaAgreed({ ...versions, peers: [{ hostId: null, version: 'v1' }] }, () => true),
    ).toBe(true)
    // The driver's own wait would count the down node, for its whole wait, on every statement.
    const options = cassandraClientOptions(cassandraTestSettings())
    expect(options.protocolOptions?.maxSchemaAgreementWaitSeconds).toBe(0)
  })

  test('driver errors that leave a request unfinished are unavailability; others are not', () => {
    const socketClosed = new driverErrors.DriverError!('Socket was closed')
    socketClosed.isSocketError = true
    const codes = cassandra.types.responseErrorCodes
    for (const error of [
      socketClosed,
      new driverErrors.DriverInternalError!('No active connection found'),
      new driverErrors.NoHostAvailableError!({}),
      new driverErrors.OperationTimedOutError!('timeout'),
      new driverErrors.ResponseError!(codes.writeTimeout, 'CAS'),
      new driverErrors.ResponseError!(codes.serverError, 'boom'),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    ]) {
      expect(isUnavailable(error), error.message).toBe(true)
    }
    for (const error of [
      new driverErrors.ResponseError!(codes.syntaxError, 'line 1'),
      new driverErrors.ResponseError!(codes.invalid, 'bad'),
      new driverErrors.ArgumentError!('bad argument'),
      new driverErrors.AuthenticationError!('bad credentials'),
      new TypeError('not a driver error'),
    ]) {
      expect(isUnavailable(error), error.message).toBe(false)
    }
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
          // ... until it is old enough to be abandoned (intentTimeoutMs + 2 × maxClockSkewMs):
          // then it is skipped and deleted.
          await sleep(Math.max(0, intent.time.getTime() + 6200 - Date.now()))
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
        // A clock limit of 0 would refuse this writer for a millisecond of measuring error.
        { intentTimeoutMs: 4000, maxClockSkewMs: 1000 },
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

    test('a coordinator dying under a request gives StoreUnavailable; a conditional write says it may have been stored', async () => {
      const proxy = await startProxy()
      const store = await openCassandraTestStore({
        contactPoints: [`127.0.0.1:${proxy.port}`],
        connectTimeoutMs: 2000,
      })
      try {
        const events = store.events as CassandraApplicationRecorder
        const id = randomUUID()
        await events.insert([record(id, 0, 'test#Dies.Created')])
        // Prepared beforehand, so that the request that dies is the write itself.
        await store.snapshots.insert([record(randomUUID(), 0, 'eventsourcing#Snapshot')])

        const write = await coordinatorDiesUnder(proxy, () =>
          store.snapshots.insert([record(id, 0, 'eventsourcing#Snapshot')]),
        )
        expect(write).toBeInstanceOf(StoreUnavailable)
        expect((write as Error).message).toMatch(/Socket was closed/)
        expect((write as Error).message).toMatch(
          new RegExp(`versions 0\\.\\.0 of ${id} may or may not have been stored`),
        )
        // It was: the request reached the node before the coordinator died.
        await withStore(async (direct) => {
          expect((await direct.snapshots.select(id)).map((r) => r.originatorVersion)).toEqual([0])
        })

        // A read: StoreUnavailable too, without the conditional write's warning (once the
        // driver has reconnected).
        for (let i = 0; i < 100; i++) {
          if (
            await events.select(id).then(
              () => true,
              () => false,
            )
          )
            break
          await sleep(100)
        }
        const read = await coordinatorDiesUnder(proxy, () => events.select(id))
        expect(read).toBeInstanceOf(StoreUnavailable)
        expect((read as Error).message).not.toMatch(/may or may not/)
      } finally {
        await store.close()
        await proxy.close()
      }
    })

    test('a losing writer does not leave the index behind a winner whose confirmation was lost', () =>
      withStore(async (_store, events) => {
        const id = randomUUID()
        const type = `test#Stale${randomUUID().slice(0, 8)}`
        await events.insert([record(id, 0, `${type}.Created`)])
        // The winner stores version 1 and dies before confirming it.
        const winner = [record(id, 1, `${type}.Changed`)]
        await events.writeIntent(events.intentOf(winner))
        await events.storeRecords(winner)
        // A later writer of version 1 loses and withdraws its intent.
        const loser = { ...record(id, 1, `${type}.Renamed`), state: Buffer.from('loser') }
        await expect(events.insert([loser])).rejects.toBeInstanceOf(ConcurrencyError)

        // Readers of the index alone (no log read yet) see version 1.
        const byId = await events.listAggregates({ limit: 5, idPrefix: id, order: 'id' })
        expect(byId.items.map((i) => [i.version, i.lastTopic])).toEqual([[1, `${type}.Changed`]])
        const index = await events.session.execute(
          `SELECT version FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
          [shardOf(id), id],
        )
        expect(String(index.first()?.['version'])).toBe('1')
        const log = (await events.selectLog({ desc: true, limit: 20 })).filter(
          (e) => e.originatorId === id,
        )
        expect(log.map((e) => [e.fromVersion, e.toVersion])).toEqual([
          [1, 1],
          [0, 0],
        ])
        const recent = await events.listAggregates({ limit: 5, aggregateTopic: type })
        expect(recent.items.map((i) => [i.originatorId, i.version])).toEqual([[id, 1]])
      }))

    test('a reader repairing a stored log row advances the index too, never backwards', () =>
      withStore(async (_store, events) => {
        const id = randomUUID()
        const type = `test#Repair${randomUUID().slice(0, 8)}`
        const indexRow = async () =>
          (
            await events.session.execute(
              `SELECT version, last_position, pending_version FROM ${testKeyspace}.aggregates WHERE shard = ? AND originator_id = ?`,
              [shardOf(id), id],
            )
          ).first()
        await events.insert([record(id, 0, `${type}.Created`)])
        const winner = [record(id, 1, `${type}.Changed`)]
        const intent = events.intentOf(winner)
        await events.writeIntent(intent)
        await events.storeRecords(winner) // ... and the winner dies before confirming.
        // Its pending index cells erased by a later writer's delete (as losers did before).
        await events.session.execute(
          `DELETE pending_version, pending_topic, pending_position FROM ${testKeyspace}.aggregates USING TIMESTAMP ? WHERE shard = ? AND originator_id = ?`,
          [intent.micros.add(1000), shardOf(id), id],
        )
        expect(String((await indexRow())?.['version'])).toBe('0')
        expect((await indexRow())?.['pending_version'] ?? null).toBeNull()

        const log = (await events.selectLog({ desc: true, limit: 20 })).filter(
          (e) => e.originatorId === id,
        )
        expect(log.map((e) => e.toVersion)).toEqual([1, 0])
        const repaired = await indexRow()
        expect(String(repaired?.['version'])).toBe('1')
        expect(String(repaired?.['last_position'])).toBe(intent.position)
        const byId = await events.listAggregates({ limit: 5, idPrefix: id, order: 'id' })
        expect(byId.items.map((i) => i.version)).toEqual([1])

        // Version 2 confirmed; the version-1 row repaired again (say, its confirmation was lost
        // once more) does not move the index back.
        await events.insert([record(id, 2, `${type}.Changed`)])
        await events.session.execute(
          `UPDATE ${testKeyspace}.event_log SET status = 0 WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        await events.selectLog({ desc: true, limit: 20 })
        const status = await events.session.execute(
          `SELECT status FROM ${testKeyspace}.event_log WHERE bucket = ? AND position = ?`,
          [intent.bucket, intent.position],
        )
        expect(status.first()?.['status']).toBe(1)
        expect(String((await indexRow())?.['version'])).toBe('2')
      }))

    test('the aggregate count stays exact when a count write or its answer is lost, and repairs count once', () =>
      withStore(async (_store, events) => {
        const countBefore = await events.countAggregates()
        const type = `test#Count${randomUUID().slice(0, 8)}`
        // All in one shard, so that they contend for the same count row.
        const inShard = () => `c7${randomUUID().slice(2)}`
        const session = events.session
        const execute = session.execute.bind(session)
        let fault: 'request lost' | 'answer lost' | undefined
        session.execute = async (query, params, options) => {
          // The count's write (the old counter increment, or the new shard row's update).
          if (fault !== undefined && /^UPDATE \S+\.aggregate_count/.test(query)) {
            const lost = fault
            fault = undefined
            if (lost === 'answer lost') await execute(query, params, options)
            throw session.unavailable(new Error(`simulated timeout (${lost})`))
          }
          return execute(query, params, options)
        }
        try {
          const lostRequest = inShard()
          fault = 'request lost'
          await events.insert([record(lostRequest, 0, `${type}.Created`)])
          expect(fault).toBeUndefined()

          const lostAnswer = inShard()
          fault = 'answer lost'
          await events.insert([record(lostAnswer, 0, `${type}.Created`)])
          expect(fault).toBeUndefined()

          // Another creation in the same shard, counted before anyone repairs the ones above.
          const next = inShard()
          await events.insert([record(next, 0, `${type}.Created`)])

          // A creation stored but never confirmed, repaired by several readers at once.
          const crashed = inShard()
          const crashedRecords = [record(crashed, 0, `${type}.Created`)]
          await events.writeIntent(events.intentOf(crashedRecords))
          await events.storeRecords(crashedRecords)

          await Promise.all([
            ...Array.from({ length: 4 }, () => events.selectLog({ desc: true, limit: 50 })),
            events.listAggregates({ limit: 50, aggregateTopic: type }),
            events.listAggregates({ limit: 50, aggregateTopic: type, order: 'id' }),
          ])
          expect(await events.countAggregates()).toBe(countBefore + 4)
          // Every log row confirmed, so later readers have nothing left to count.
          const log = (await events.selectLog({ desc: true, limit: 50 })).filter((e) =>
            [lostRequest, lostAnswer, next, crashed].includes(e.originatorId),
          )
          expect(log).toHaveLength(4)
          const rows = await session.execute(
            `SELECT originator_id, status FROM ${testKeyspace}.event_log WHERE bucket = ?`,
            [Math.floor(Date.now() / 3_600_000)],
          )
          expect(
            rows.rows
              .filter((r) => log.some((e) => e.originatorId === String(r['originator_id'])))
              .map((r) => r['status']),
          ).toEqual([1, 1, 1, 1])
          await events.listAggregates({ limit: 50, aggregateTopic: type })
          expect(await events.countAggregates()).toBe(countBefore + 4)
        } finally {
          session.execute = execute
        }
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
