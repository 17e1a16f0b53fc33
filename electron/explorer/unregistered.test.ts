/**
 * Aggregates whose type no loaded module registers (issue 8), through `dispatch` as the
 * transports call it, on memory, SQLite and Cassandra: browsable (state from snapshots,
 * events with their stored topics and payloads, raw records, snapshots), verified, tampering
 * still found, and what needs a replay refused with a clear ValidationError. And discards
 * told by class, not by name: an account's discard event is bank#Account.Closed.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  methods,
  type ApiError,
  type EventName,
  type EventOf,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../shared/contract'
import {
  cassandraTestSettings,
  describeWithCassandra,
  openCassandraTestStore,
} from '../../test/cassandraTestStore'
import { createSqliteStore, type Store, TopicNotFound } from '../eventsourcing'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
import type { Connection } from './connection'
import { dispatch, toApiError } from './dispatch'
import { eventRole } from './dto'
import {
  appendForeignEvent,
  FROBBED,
  type ForeignHistory,
  GADGET,
  writeForeignHistory,
} from './foreignTestHistory'
import { ExplorerService } from './service'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-unregistered-'))
let files = 0

interface Harness {
  readonly service: ExplorerService
  readonly emitted: Array<{ event: EventName; payload: unknown }>
  ok<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  fail(method: MethodName, request: unknown): Promise<ApiError>
}

function harness(): Harness {
  const emitted: Harness['emitted'] = []
  const service = new ExplorerService({
    cipherKey: SEED_CIPHER_KEY,
    snapshotPeriod: 2,
    pollIntervalMs: 25,
    emit: <E extends EventName>(event: E, payload: EventOf<E>) => emitted.push({ event, payload }),
  })
  return {
    service,
    emitted,
    async ok(method, request) {
      const envelope = await dispatch(service, method, request)
      if (!envelope.ok)
        throw new Error(`${method} failed: ${envelope.error.code}: ${envelope.error.message}`)
      // What the renderer's client would check.
      return methods[method].response.parse(envelope.value) as ResponseOf<typeof method>
    },
    async fail(method, request) {
      const envelope = await dispatch(service, method, request)
      if (envelope.ok) throw new Error(`${method} succeeded but was expected to fail`)
      return envelope.error
    },
  }
}

/** The connected service, and a writer's own store over the same data (kept open). */
interface Opened {
  readonly h: Harness
  readonly store: Store
  close(): Promise<void>
}

/** Writes into the store, then connects the service to it. */
type Open = (write: (store: Store) => Promise<void>) => Promise<Opened>

const onMemory: Open = async (write) => {
  const h = harness()
  await h.ok('connect', { kind: 'memory' })
  // A memory store lives inside the service: only its connection reaches it.
  const { store } = (h.service as unknown as { connection: Connection }).connection.app
  await write(store)
  return { h, store, close: () => h.service.close() }
}

const onSqlite: Open = async (write) => {
  const path = join(folder, `unregistered-${++files}.sqlite`)
  const store = createSqliteStore(path)
  await write(store)
  const h = harness()
  await h.ok('connect', { kind: 'sqlite', path })
  return { h, store, close: async () => (await h.service.close(), await store.close()) }
}

const onCassandra: Open = async (write) => {
  const store = await openCassandraTestStore()
  await write(store)
  const { contactPoints, localDataCenter, keyspace } = cassandraTestSettings()
  const h = harness()
  await h.ok('connect', { kind: 'cassandra', contactPoints, localDataCenter, keyspace })
  return { h, store, close: async () => (await h.service.close(), await store.close()) }
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const NOT_REPLAYABLE = `no definition loaded for ${GADGET}: versions cannot be replayed; compare snapshots instead`
const iso = (history: ForeignHistory, version: number): string =>
  history.events[version]!.timestamp.toISOString()

function suite(open: Open): void {
  let h: Harness
  /** v0–v5, snapshots at 2 and 4. */
  let plain: ForeignHistory
  /** v0–v2, v2 Discarded, its snapshot (state null) at 2. */
  let gone: ForeignHistory
  /** v0–v5, snapshot at 2, v4 stored changed after it was hashed. */
  let forged: ForeignHistory
  /** v0–v3, its snapshot at 2 recording v1's hash. */
  let unlinked: ForeignHistory
  let hashless: ForeignHistory
  let store: Store
  let opened: Opened

  beforeAll(async () => {
    opened = await open(async (store) => {
      const cipherKey = SEED_CIPHER_KEY
      plain = await writeForeignHistory(store, { cipherKey, length: 6, snapshotsAt: [2, 4] })
      gone = await writeForeignHistory(store, {
        cipherKey,
        length: 3,
        snapshotsAt: [2],
        discarded: true,
      })
      forged = await writeForeignHistory(store, {
        cipherKey,
        length: 6,
        snapshotsAt: [2],
        tamperedAt: 4,
      })
      unlinked = await writeForeignHistory(store, {
        cipherKey,
        length: 4,
        snapshotsAt: [2],
        unlinkedSnapshots: true,
      })
      hashless = await writeForeignHistory(store, {
        cipherKey,
        length: 4,
        snapshotsAt: [2],
        hashlessSnapshots: true,
      })
    })
    ;({ h, store } = opened)
  })
  afterAll(() => opened.close())

  test('getAggregate: marked, its state the newest snapshot at or below the version, the chain checked from there', async () => {
    const latest = await h.ok('getAggregate', { id: plain.id })
    expect(latest).toMatchObject({
      type: GADGET,
      version: 5,
      latestVersion: 5,
      definitionLoaded: false,
      loadedFromSnapshot: 4,
      eventsReplayed: 0,
      discarded: false,
      encrypted: true,
      createdOn: iso(plain, 0),
      lastModified: iso(plain, 5),
      hashChain: {
        status: 'verified',
        checked: { kind: 'snapshotLinked', snapshotVersion: 4, fromVersion: 5, toVersion: 5 },
      },
    })
    expect(latest.state).toMatchObject({
      _name: 'name-4',
      _version: 4,
      _price: { '@': 'instance', type: 'elsewhere#Money' },
    })
    expect(latest.hashChain.message).toContain('the events were checked, not applied')

    const at3 = await h.ok('getAggregate', { id: plain.id, at: 3 })
    expect(at3).toMatchObject({ version: 3, loadedFromSnapshot: 2, lastModified: iso(plain, 3) })
    expect(at3.state).toMatchObject({ _name: 'name-2' })
    expect(at3.hashChain.checked).toEqual({
      kind: 'snapshotLinked',
      snapshotVersion: 2,
      fromVersion: 3,
      toVersion: 3,
    })

    const at1 = await h.ok('getAggregate', { id: plain.id, at: 1, taskId: 'load-at-1' })
    expect(at1).toMatchObject({ version: 1, state: null, definitionLoaded: false })
    expect(at1.loadedFromSnapshot).toBeUndefined()
    expect(at1.hashChain.checked).toEqual({ kind: 'fromCreation', toVersion: 1 })
  })

  test('a discarded one is discarded in getAggregate and listAggregates (by its event name)', async () => {
    const view = await h.ok('getAggregate', { id: gone.id })
    expect(view).toMatchObject({
      discarded: true,
      state: null,
      loadedFromSnapshot: 2,
      definitionLoaded: false,
      hashChain: { status: 'verified' },
    })
    const { items } = await h.ok('listAggregates', { limit: 500 })
    const byId = new Map(items.map((s) => [s.id, s]))
    expect(byId.get(gone.id)).toMatchObject({ type: GADGET, version: 2, discarded: true })
    expect(byId.get(plain.id)).toMatchObject({ type: GADGET, version: 5, discarded: false })
  })

  test('listEvents and exportHistory show the stored topics, roles and payloads', async () => {
    const { items } = await h.ok('listEvents', { id: plain.id })
    expect(items.map((e) => e.topic)).toEqual([
      `${GADGET}.Created`,
      ...Array.from({ length: 5 }, () => `${GADGET}.Renamed`),
    ])
    expect(items.map((e) => e.type)).toEqual([
      'Created',
      'Renamed',
      'Renamed',
      'Renamed',
      'Renamed',
      'Renamed',
    ])
    expect(items.map((e) => e.role)).toEqual(['created', ...Array<string>(5).fill('changed')])
    expect(items.map((e) => e.hash)).toEqual(plain.events.map((e) => e.hash))
    expect(items[3]!.payload).toMatchObject({
      name: 'name-3',
      price: { '@': 'instance', type: 'elsewhere#Money' },
    })

    const found = await h.ok('listEvents', { id: plain.id, search: 'NAME-3' })
    expect(found.items.map((e) => e.version)).toEqual([3])
    const renamed = await h.ok('listEvents', { id: plain.id, types: ['Renamed'] })
    expect(renamed.items.map((e) => e.version)).toEqual([1, 2, 3, 4, 5])

    const discarding = await h.ok('listEvents', { id: gone.id })
    expect(discarding.items.map((e) => e.role)).toEqual(['created', 'changed', 'discarded'])

    const exported = await h.ok('exportHistory', { id: plain.id })
    expect(exported.type).toBe(GADGET)
    expect(exported.events.map((e) => e.topic)).toEqual(items.map((e) => e.topic))
  })

  test('getRawRecord and listSnapshots read them as stored', async () => {
    const event = await h.ok('getRawRecord', { id: plain.id, version: 1 })
    expect(event).toMatchObject({
      topic: `${GADGET}.Renamed`,
      encrypted: true,
      originatorVersion: 1,
    })
    const snapshot = await h.ok('getRawRecord', { id: plain.id, version: 4, kind: 'snapshot' })
    expect(snapshot).toMatchObject({ originatorVersion: 4, encrypted: true })

    const { items } = await h.ok('listSnapshots', { id: plain.id })
    expect(items.map((s) => [s.version, s.type])).toEqual([
      [4, GADGET],
      [2, GADGET],
    ])
    expect(items[0]!.state).toMatchObject({ _name: 'name-4' })
    const discarded = await h.ok('listSnapshots', { id: gone.id })
    expect(discarded.items).toMatchObject([{ version: 2, state: null }])
  })

  test('what needs a replay is refused with a ValidationError naming the type', async () => {
    for (const [method, request] of [
      ['getEventDiff', { id: plain.id, version: 3 }],
      ['diffVersions', { id: plain.id, from: 2, to: 4 }],
      ['compareSnapshot', { id: plain.id, version: 4 }],
    ] as const) {
      const error = await h.fail(method, request)
      expect(error, method).toMatchObject({
        code: 'ValidationError',
        message: NOT_REPLAYABLE,
        details: { type: GADGET, reason: 'definitionNotLoaded' },
      })
    }
  })

  test('verifyHistory, verifyStore and getActivity work on them', async () => {
    const verified = await h.ok('verifyHistory', { id: plain.id })
    expect(verified).toMatchObject({
      type: GADGET,
      lastVersion: 5,
      eventsChecked: 6,
      snapshotsChecked: 2,
      problems: [],
    })
    // Remembered, and reported by the next load.
    const after = await h.ok('getAggregate', { id: plain.id })
    expect(after.hashChain.wholeHistory).toEqual({ verifiedAt: verified.verifiedAt, toVersion: 5 })

    const activity = await h.ok('getActivity', { id: plain.id })
    expect(activity.total).toBe(6)

    const whole = await h.ok('verifyStore', { taskId: 'verify-store' })
    expect(new Set(whole.problems.map((p) => `${p.aggregateId} ${p.version} ${p.kind}`))).toEqual(
      new Set([
        `${forged.id} 4 tampered`,
        `${unlinked.id} 2 unlinked`,
        `${hashless.id} 2 unlinked`,
      ]),
    )
  })

  test('an event changed after it was hashed is still found', async () => {
    const latest = await h.ok('getAggregate', { id: forged.id })
    expect(latest).toMatchObject({
      definitionLoaded: false,
      loadedFromSnapshot: 2,
      hashChain: { status: 'broken', brokenAtVersion: 4 },
      lastModified: iso(forged, 5),
    })
    expect(latest.state).toMatchObject({ _name: 'name-2' })
    expect(latest.hashChain.message).toContain("the event's contents do not match its hash")

    const before = await h.ok('getAggregate', { id: forged.id, at: 3 })
    expect(before.hashChain).toMatchObject({ status: 'verified' })

    const verified = await h.ok('verifyHistory', { id: forged.id })
    expect(verified.problems.map((p) => [p.version, p.kind])).toEqual([[4, 'tampered']])
    const listed = await h.fail('listEvents', { id: forged.id })
    expect(listed).toMatchObject({ code: 'DataIntegrityError', details: { latestVersion: 5 } })
  })

  test('a snapshot that does not link to its event is found', async () => {
    const view = await h.ok('getAggregate', { id: unlinked.id })
    expect(view).toMatchObject({
      loadedFromSnapshot: 2,
      hashChain: { status: 'broken', brokenAtVersion: 2 },
    })
    expect(view.hashChain.message).toContain('does not link to the stored event at that version')
  })

  test('a snapshot that holds no hash of its event links to nothing, and is reported', async () => {
    const view = await h.ok('getAggregate', { id: hashless.id })
    expect(view).toMatchObject({
      loadedFromSnapshot: 2,
      hashChain: { status: 'broken', brokenAtVersion: 2 },
    })
    expect(view.hashChain.message).toContain('holds no hash of its last event')
    const verified = await h.ok('verifyHistory', { id: hashless.id })
    expect(verified.problems.map((p) => [p.version, p.kind])).toEqual([[2, 'unlinked']])
  })

  test('a loaded type with an event it does not define: shown from snapshots, diffs refused', async () => {
    const created = await h.ok('execute', {
      type: 'example#ExampleAggregateRoot',
      expectedVersion: -1,
      commands: [{ name: 'create', params: { foo: 'bar1' } }],
    })
    const [v0] = created.events
    const { id } = created
    // As a newer version of the example's module would have stored it.
    await appendForeignEvent(store, {
      cipherKey: SEED_CIPHER_KEY,
      id,
      version: 1,
      previousHash: v0!.hash,
    })

    const view = await h.ok('getAggregate', { id })
    expect(view).toMatchObject({
      version: 1,
      definitionLoaded: false,
      hashChain: { status: 'verified', checked: { kind: 'fromCreation', toVersion: 1 } },
    })
    const events = await h.ok('listEvents', { id })
    expect(events.items.map((e) => [e.topic, e.role])).toEqual([
      ['example#ExampleAggregateRoot.Created', 'created'],
      [FROBBED, 'changed'],
    ])
    const diff = await h.fail('getEventDiff', { id, version: 1 })
    expect(diff).toMatchObject({ code: 'ValidationError', details: { topic: FROBBED } })
    expect(diff.message).toContain(`no definition loaded for ${FROBBED}`)
  })

  test('an account closed via execute is discarded in listAggregates, its events and the live log', async () => {
    const opened = await h.ok('execute', {
      type: 'bank#Account',
      expectedVersion: -1,
      commands: [{ name: 'create', params: { owner: 'Ada', currency: 'EUR' } }],
    })
    const closed = await h.ok('execute', {
      id: opened.id,
      expectedVersion: 0,
      commands: [{ name: 'close' }],
    })
    expect(closed).toMatchObject({ discarded: true })
    expect(closed.events).toMatchObject([{ topic: 'bank#Account.Closed', role: 'discarded' }])

    const { items } = await h.ok('listAggregates', { limit: 500 })
    expect(items.find((s) => s.id === opened.id)).toMatchObject({ discarded: true, version: 1 })
    const events = await h.ok('listEvents', { id: opened.id })
    expect(events.items.map((e) => [e.type, e.role])).toEqual([
      ['Opened', 'created'],
      ['Closed', 'discarded'],
    ])

    const entries = () =>
      h.emitted
        .filter((e) => e.event === 'changes')
        .flatMap((e) => (e.payload as EventOf<'changes'>).entries)
        .filter((e) => e.originatorId === opened.id)
    await until(() => entries().length === 2)
    expect(entries().map((e) => [e.topics, e.discards])).toEqual([
      [['bank#Account.Opened'], false],
      [['bank#Account.Closed'], true],
    ])
  })
}

describe('an aggregate whose type no loaded module registers, on memory', () => suite(onMemory))
describe('an aggregate whose type no loaded module registers, on SQLite', () => suite(onSqlite))
await describeWithCassandra(
  'an aggregate whose type no loaded module registers, on Cassandra',
  () => suite(onCassandra),
)

describe('deciding what an event does', () => {
  test('by its registered class, whatever its name; by its name when unregistered', () => {
    expect(eventRole('bank#Account.Closed')).toBe('discarded')
    expect(eventRole('bank#Account.Opened')).toBe('created')
    expect(eventRole('bank#Account.Deposited')).toBe('changed')
    expect(eventRole('example#ExampleAggregateRoot.Discarded')).toBe('discarded')
    expect(eventRole(`${GADGET}.Discarded`)).toBe('discarded')
    expect(eventRole(`${GADGET}.Renamed`)).toBe('changed')
    expect(eventRole(`${GADGET}.Renamed`, 0)).toBe('created')
  })

  test('a missing definition reaching dispatch is a ValidationError, not a DataIntegrityError', () => {
    expect(toApiError(new TopicNotFound(`${GADGET}.Renamed`))).toMatchObject({
      code: 'ValidationError',
      details: { topic: `${GADGET}.Renamed`, reason: 'definitionNotLoaded' },
    })
  })
})
