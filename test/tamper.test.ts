/**
 * The tamper suite: the store is changed behind the app's back (plain SQL on the SQLite file,
 * plain CQL through the driver on Cassandra) and every read through the contract must notice,
 * naming the first bad version; nothing may be reported as verified that was not checked.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import cassandra from 'cassandra-driver'
import { afterEach, describe, expect, test } from 'vitest'
import {
  methods,
  type ApiError,
  type ConnectionSettings,
  type EventName,
  type EventOf,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../shared/contract'
import { dispatch } from '../electron/explorer/dispatch'
import { ExplorerService } from '../electron/explorer/service'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import { cassandraTestSettings, describeWithCassandra } from './cassandraTestStore'
import { onNodeSqliteRun, openRawSqlite } from './sqliteRun'

/** Direct writes to the store's tables, as an attacker (or a bad migration) would make them. */
interface Tamperer {
  deleteEvents(id: string, versions: number[]): Promise<void>
  deleteSnapshots(id: string, versions: number[]): Promise<void>
  readState(id: string, version: number): Promise<Buffer>
  writeEvent(id: string, version: number, topic: string, state: Buffer): Promise<void>
  topicOf(id: string, version: number): Promise<string>
  close(): Promise<void>
}

interface Client {
  ok<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  fail(method: MethodName, request: unknown): Promise<ApiError>
}

const services: ExplorerService[] = []
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()))
})

async function connect(settings: ConnectionSettings): Promise<Client> {
  const service = new ExplorerService({
    cipherKey: SEED_CIPHER_KEY,
    snapshotPeriod: 2,
    pollIntervalMs: 1000,
    emit: <E extends EventName>(_event: E, _payload: EventOf<E>) => {},
  })
  services.push(service)
  const client: Client = {
    async ok(method, request) {
      const envelope = await dispatch(service, method, request)
      if (!envelope.ok)
        throw new Error(`${method} failed: ${envelope.error.code}: ${envelope.error.message}`)
      return methods[method].response.parse(envelope.value) as ResponseOf<typeof method>
    },
    async fail(method, request) {
      const envelope = await dispatch(service, method, request)
      if (envelope.ok) throw new Error(`${method} succeeded but was expected to fail`)
      return envelope.error
    },
  }
  await client.ok('connect', settings)
  return client
}

/** v0 … v9 in one batch; period 2 takes snapshots at v1, v3, v5, v7, v9. */
async function tenEvents(c: Client): Promise<string> {
  const { id } = await c.ok('execute', {
    type: 'example#ExampleAggregateRoot',
    expectedVersion: -1,
    commands: [
      { name: 'create', params: { foo: 'v0' } },
      ...Array.from({ length: 9 }, (_, i) => ({ name: 'setFoo', params: { value: `v${i + 1}` } })),
    ],
  })
  const view = await c.ok('getAggregate', { id })
  expect(view.hashChain).toMatchObject({ status: 'verified' })
  expect(view.latestVersion).toBe(9)
  return id
}

/** A DataIntegrityError naming this aggregate and version. */
function integrity(id: string, version: number) {
  return {
    code: 'DataIntegrityError',
    details: expect.objectContaining({ originatorId: id, originatorVersion: version }),
  }
}

async function problemsOf(c: Client, id: string) {
  const report = await c.ok('verifyHistory', { id })
  return report.problems.map((p) => [p.version, p.kind])
}

async function storeProblems(c: Client, id: string) {
  const report = await c.ok('verifyStore', { taskId: `verify-store-${id.slice(0, 8)}` })
  return report.problems.filter((p) => p.aggregateId === id).map((p) => [p.version, p.kind])
}

function tamperSuite(open: () => Promise<{ client: Client; tamper: Tamperer }>): void {
  // Each test connects afresh to the same store, with its own aggregate.
  const each = (name: string, body: (client: Client, tamper: Tamperer) => Promise<void>) =>
    test(name, async () => {
      const { client, tamper } = await open()
      try {
        await body(client, tamper)
      } finally {
        await tamper.close()
      }
    })

  each(
    '(a) events deleted in the middle behind a snapshot: every read of them fails at the first missing version',
    async (client, tamper) => {
      const id = await tenEvents(client)
      await tamper.deleteEvents(id, [3, 4])

      // The load of the latest starts at the v9 snapshot and says so: v3 and v4 were not read.
      const latest = await client.ok('getAggregate', { id })
      expect(latest.hashChain).toMatchObject({
        status: 'verified',
        checked: { kind: 'snapshotLinked', snapshotVersion: 9 },
      })
      expect(await client.fail('getAggregate', { id, at: 3 })).toMatchObject(integrity(id, 3))
      expect(await client.fail('getAggregate', { id, at: 4 })).toMatchObject(integrity(id, 3))
      expect(await client.fail('listEvents', { id })).toMatchObject(integrity(id, 3))
      expect(await client.fail('exportHistory', { id })).toMatchObject(integrity(id, 3))
      expect(await client.fail('getEventDiff', { id, version: 5 })).toMatchObject(integrity(id, 3))
      expect(await client.fail('diffVersions', { id, from: 1, to: 9 })).toMatchObject(
        integrity(id, 3),
      )
      // A page after the gap cannot link to the history before it.
      expect(await client.fail('listEvents', { id, fromVersion: 5 })).toMatchObject(
        integrity(id, 4),
      )
      expect(await problemsOf(client, id)).toEqual([[3, 'missing']])
      expect(await storeProblems(client, id)).toEqual([[3, 'missing']])
    },
  )

  each(
    '(b) the tail deleted together with its snapshot: the aggregate index still knows v9, so loading fails at v8',
    async (client, tamper) => {
      const id = await tenEvents(client)
      await tamper.deleteEvents(id, [8, 9])
      await tamper.deleteSnapshots(id, [9])

      expect(await client.fail('getAggregate', { id })).toMatchObject(integrity(id, 8))
      expect(await client.fail('listEvents', { id })).toMatchObject(integrity(id, 8))
      expect(await client.fail('exportHistory', { id })).toMatchObject(integrity(id, 8))
      expect(await problemsOf(client, id)).toEqual([[8, 'missing']])
      expect(await storeProblems(client, id)).toEqual([[8, 'missing']])
    },
  )

  each(
    '(c) a byte flipped in an event the snapshot skips: the load says what it checked, every read of that event fails',
    async (client, tamper) => {
      const id = await tenEvents(client)
      const state = await tamper.readState(id, 4)
      state[state.length - 1] = state[state.length - 1]! ^ 0x01
      await tamper.writeEvent(id, 4, await tamper.topicOf(id, 4), state)

      const latest = await client.ok('getAggregate', { id })
      expect(latest.hashChain.checked).toEqual({
        kind: 'snapshotLinked',
        snapshotVersion: 9,
        fromVersion: 10,
        toVersion: 9,
      })
      expect(await client.fail('getAggregate', { id, at: 4 })).toMatchObject(integrity(id, 4))
      expect(await client.fail('listEvents', { id })).toMatchObject(integrity(id, 4))
      expect(await client.fail('exportHistory', { id })).toMatchObject(integrity(id, 4))
      expect(await problemsOf(client, id)).toEqual([[4, 'undecodable']])
      expect(await storeProblems(client, id)).toEqual([[4, 'undecodable']])
    },
  )

  each(
    '(d) two events whose states were swapped: both are found, the first named by every read',
    async (client, tamper) => {
      const id = await tenEvents(client)
      const [five, six] = [await tamper.readState(id, 5), await tamper.readState(id, 6)]
      const topic = await tamper.topicOf(id, 5)
      await tamper.writeEvent(id, 5, topic, six)
      await tamper.writeEvent(id, 6, topic, five)

      expect(await client.fail('getAggregate', { id, at: 6 })).toMatchObject(integrity(id, 5))
      expect(await client.fail('listEvents', { id })).toMatchObject(integrity(id, 5))
      expect(await client.fail('getEventDiff', { id, version: 6 })).toMatchObject(integrity(id, 5))
      expect((await problemsOf(client, id)).map(([v]) => v)).toEqual([5, 6])
    },
  )

  each(
    '(e) a row with an unknown topic appended: the type still comes from the index, and reading the row fails at its version',
    async (client, tamper) => {
      const id = await tenEvents(client)
      await tamper.writeEvent(id, 10, 'evil#Intruder.Happened', await tamper.readState(id, 9))

      expect(await client.fail('getAggregate', { id })).toMatchObject(integrity(id, 10))
      const before = await client.ok('getAggregate', { id, at: 9 })
      expect(before.type).toBe('example#ExampleAggregateRoot')
      expect(before.hashChain.status).toBe('verified')
      expect(await client.fail('listEvents', { id, fromVersion: 9 })).toMatchObject(
        integrity(id, 10),
      )
      const listed = await client.ok('listAggregates', { idPrefix: id, order: 'id' })
      expect(listed.items.map((a) => a.type)).toEqual(['example#ExampleAggregateRoot'])
      // Written around the log, the row is also one the list and the live view never showed.
      expect(await problemsOf(client, id)).toEqual([
        [10, 'undecodable'],
        [10, 'unlisted'],
      ])
    },
  )

  each(
    'an untouched aggregate verifies whole, and the badge then says so with the time',
    async (client) => {
      const id = await tenEvents(client)
      const report = await client.ok('verifyHistory', { id })
      expect(report).toMatchObject({
        aggregateId: id,
        type: 'example#ExampleAggregateRoot',
        lastVersion: 9,
        eventsChecked: 10,
        snapshotsChecked: 5,
        problems: [],
      })
      const view = await client.ok('getAggregate', { id })
      expect(view.hashChain.wholeHistory).toEqual({ verifiedAt: report.verifiedAt, toVersion: 9 })
      const listed = await client.ok('exportHistory', { id })
      expect(listed.events.map((e) => e.version)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    },
  )
}

describe('tampering with a SQLite file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'eventscope-tamper-'))
  const path = join(folder, 'tamper.sqlite')
  tamperSuite(async () => {
    const client = await connect({ kind: 'sqlite', path })
    // Through the run's driver: node:sqlite on the node:sqlite run (test/sqliteRun.ts).
    const db = openRawSqlite(path)
    const tamper: Tamperer = {
      async deleteEvents(id, versions) {
        for (const v of versions)
          db.run('DELETE FROM events WHERE originator_id = ? AND originator_version = ?', id, v)
      },
      async deleteSnapshots(id, versions) {
        for (const v of versions)
          db.run('DELETE FROM snapshots WHERE originator_id = ? AND originator_version = ?', id, v)
      },
      async readState(id, version) {
        const row = db.get(
          'SELECT state FROM events WHERE originator_id = ? AND originator_version = ?',
          id,
          version,
        ) as { state: Buffer }
        return Buffer.from(row.state)
      },
      async topicOf(id, version) {
        const row = db.get(
          'SELECT topic FROM events WHERE originator_id = ? AND originator_version = ?',
          id,
          version,
        ) as { topic: string }
        return row.topic
      },
      async writeEvent(id, version, topic, state) {
        db.run(
          'INSERT OR REPLACE INTO events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)',
          id,
          version,
          topic,
          state,
        )
      },
      async close() {
        db.close()
      },
    }
    return { client, tamper }
  })
})

// Not on the node:sqlite run (test/sqliteRun.ts), which keeps to SQLite files.
if (!onNodeSqliteRun)
  await describeWithCassandra('tampering with a Cassandra keyspace', () => {
    tamperSuite(async () => {
      const settings = cassandraTestSettings()
      const client = await connect({
        kind: 'cassandra',
        contactPoints: settings.contactPoints,
        localDataCenter: settings.localDataCenter,
        keyspace: settings.keyspace,
        tls: false,
      })
      const cql = new cassandra.Client({
        contactPoints: settings.contactPoints,
        localDataCenter: settings.localDataCenter,
        keyspace: settings.keyspace,
      })
      const run = (query: string, params: unknown[]) =>
        cql.execute(query, params, { prepare: true })
      const tamper: Tamperer = {
        async deleteEvents(id, versions) {
          for (const v of versions)
            await run('DELETE FROM events WHERE originator_id = ? AND originator_version = ?', [
              id,
              v,
            ])
        },
        async deleteSnapshots(id, versions) {
          for (const v of versions)
            await run('DELETE FROM snapshots WHERE originator_id = ? AND originator_version = ?', [
              id,
              v,
            ])
        },
        async readState(id, version) {
          const rs = await run(
            'SELECT state FROM events WHERE originator_id = ? AND originator_version = ?',
            [id, version],
          )
          return Buffer.from(rs.first()!['state'] as Buffer)
        },
        async topicOf(id, version) {
          const rs = await run(
            'SELECT topic FROM events WHERE originator_id = ? AND originator_version = ?',
            [id, version],
          )
          return String(rs.first()!['topic'])
        },
        async writeEvent(id, version, topic, state) {
          await run(
            'INSERT INTO events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)',
            [id, version, topic, state],
          )
        },
        async close() {
          await cql.shutdown()
        },
      }
      return { client, tamper }
    })
  })
