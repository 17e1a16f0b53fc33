/**
 * The explorer service through `dispatch`, as both transports call it: requests are validated,
 * responses are checked against the contract, failures arrive as typed errors.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import {
  ConcurrencyDetails,
  methodNames,
  methods,
  type ApiError,
  type EventName,
  type EventOf,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../shared/contract'
import {
  AesGcmCipher,
  aggregateState,
  createSqliteStore,
  type EventBatch,
  EventBus,
  Mapper,
} from '../eventsourcing'
import { EverythingApplication } from '../example/everythingApplication'
import type { ExampleAggregateRoot } from '../example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
import { dispatch } from './dispatch'
import { ExplorerService, type ExplorerServiceOptions } from './service'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-explorer-'))
let files = 0
const newSqlitePath = (): string => join(folder, `explorer-${++files}.sqlite`)
const OTHER_KEY = new Uint8Array(Buffer.from('fedcba9876543210', 'utf8'))

type Emitted = { event: EventName; payload: unknown }

interface Harness {
  service: ExplorerService
  emitted: Emitted[]
  /** Called on every emitted event (tests use it to react to progress). */
  onEmit: (e: Emitted) => void
  ok<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  fail(method: MethodName, request: unknown): Promise<ApiError>
}

const open: ExplorerService[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

function harness(options: Partial<ExplorerServiceOptions> = {}): Harness {
  const emitted: Emitted[] = []
  const h: Harness = {
    service: undefined as unknown as ExplorerService,
    emitted,
    onEmit: () => {},
    async ok(method, request) {
      const envelope = await dispatch(h.service, method, request)
      if (!envelope.ok)
        throw new Error(`${method} failed: ${envelope.error.code}: ${envelope.error.message}`)
      // What the renderer's client would check.
      return methods[method].response.parse(envelope.value) as ResponseOf<typeof method>
    },
    async fail(method, request) {
      const envelope = await dispatch(h.service, method, request)
      if (envelope.ok) throw new Error(`${method} succeeded but was expected to fail`)
      return envelope.error
    },
  }
  h.service = new ExplorerService({
    cipherKey: SEED_CIPHER_KEY,
    snapshotPeriod: 2,
    pollIntervalMs: 25,
    emit: <E extends EventName>(event: E, payload: EventOf<E>) => {
      const e = { event, payload }
      emitted.push(e)
      h.onEmit(e)
    },
    ...options,
  })
  open.push(h.service)
  return h
}

async function connected(
  kind: 'memory' | 'sqlite',
  options: Partial<ExplorerServiceOptions> = {},
  path = newSqlitePath(),
): Promise<Harness> {
  const h = harness(options)
  await h.ok('connect', kind === 'memory' ? { kind } : { kind, path })
  return h
}

const EXAMPLE = 'example#ExampleAggregateRoot'
type Cmd = RequestOf<'execute'>['commands'][number]
const setFoo = (value: string): Cmd => ({ name: 'setFoo', params: { value } })

/** A new example aggregate stored through execute, `more` commands in the same batch; its id. */
async function createExample(h: Harness, foo: string, ...more: Cmd[]): Promise<string> {
  const created = await h.ok('execute', {
    type: EXAMPLE,
    expectedVersion: -1,
    commands: [{ name: 'create', params: { foo } }, ...more],
  })
  return created.id
}

/** Runs `commands` on the latest version of `id` and stores their events as one batch. */
async function run(h: Harness, id: string, ...commands: Cmd[]): Promise<ResponseOf<'execute'>> {
  const { version } = await h.ok('getAggregate', { id })
  return h.ok('execute', { id, expectedVersion: version, commands })
}

/** The seed's walk-through aggregate, built through execute: v0 bar1 … v6 bar7, v7 Discarded. */
async function walkthroughAggregate(h: Harness): Promise<string> {
  const id = await createExample(h, 'bar1')
  await run(h, id, setFoo('bar2'))
  await run(h, id, setFoo('bar3'), setFoo('bar4'), setFoo('bar5'))
  await run(h, id, setFoo('bar6'), setFoo('bar7'))
  await run(h, id, { name: 'discard' })
  return id
}

/** Seeds one aggregate of `events` events (period as configured) and returns its id. */
async function seededAggregate(h: Harness, events: number): Promise<string> {
  await h.ok('seedDemoData', { aggregates: 1, events, taskId: `seed-${events}` })
  const { items } = await h.ok('listAggregates', { limit: 1 })
  return items[0]!.id
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const stateOf = (value: unknown): Record<string, unknown> => value as Record<string, unknown>

// ---------------------------------------------------------------------------- validation fuzz

/** A seeded PRNG, so a failing fuzz case can be reproduced. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const UUID_A = 'abcdef00-0000-4000-8000-00000000000a'
const validRequests: { [M in MethodName]: RequestOf<M> } = {
  getConnection: {},
  connect: { kind: 'memory' },
  disconnect: {},
  setCipherKey: { keyBase64: Buffer.alloc(32, 7).toString('base64'), remember: false },
  forgetCipherKey: {},
  listAggregateTypes: {},
  listAggregates: { limit: 10, idPrefix: 'ab', type: 'example#ExampleAggregateRoot', order: 'id' },
  getAggregate: { id: UUID_A, at: 1, taskId: 'task-1' },
  listEvents: {
    id: UUID_A,
    fromVersion: 0,
    limit: 10,
    search: 'x',
    types: ['AttributeChanged'],
    taskId: 't',
  },
  getRawRecord: { id: UUID_A, version: 0, kind: 'event' },
  getEventDiff: { id: UUID_A, version: 0 },
  diffVersions: { id: UUID_A, from: 0, to: 1 },
  listSnapshots: { id: UUID_A, afterVersion: 0, beforeVersion: 9, limit: 10 },
  compareSnapshot: { id: UUID_A, version: 1 },
  getActivity: { id: UUID_A, buckets: 10 },
  exportHistory: { id: UUID_A, fromVersion: 0, limit: 10, taskId: 't' },
  seedDemoData: { aggregates: 1, events: 1, taskId: 't' },
  verifyHistory: { id: UUID_A, taskId: 't' },
  verifyStore: { taskId: 't' },
  cancelTask: { taskId: 't' },
  execute: {
    id: UUID_A,
    expectedVersion: 0,
    commands: [{ name: 'setFoo', params: { value: 'x' } }],
  },
  loadAggregateModule: { path: '/nowhere/types.mjs' },
  preview: {
    id: UUID_A,
    expectedVersion: 0,
    commands: [{ name: 'setFoo', params: { value: 'x' } }],
  },
}

/** Values no field of any request accepts. */
const badForEveryField: unknown[] = [
  null,
  { bogus: 1 },
  NaN,
  -1.5,
  [[]],
  'x'.repeat(20_000),
  Number.MAX_VALUE,
]
const badIds = ['', 'not-a-uuid', UUID_A.toUpperCase(), `${UUID_A}0`, 42]

function malformedPayloads(method: MethodName, random: () => number): unknown[] {
  const valid = validRequests[method] as Record<string, unknown>
  const out: unknown[] = [undefined, null, 42, 'text', true, [], [valid], NaN]
  for (const key of Object.keys(valid)) {
    for (const bad of badForEveryField) out.push({ ...valid, [key]: bad })
    if (key === 'id') for (const bad of badIds) out.push({ ...valid, id: bad })
  }
  const junk = Math.max(12, 32 - out.length)
  for (let i = 0; i < junk; i++) {
    // Every request schema is strict: an unknown key, whatever its value, is refused.
    const junkKey = `zz${Math.floor(random() * 1e6).toString(36)}`
    const junkValues = [random(), 'junk', { deep: { deeper: [random()] } }, [1, 'two'], null, true]
    out.push({ ...valid, [junkKey]: junkValues[Math.floor(random() * junkValues.length)] })
  }
  out.push({ ...valid, __proto__: { polluted: true }, constructor: 'x' })
  return out
}

describe('request validation', () => {
  test('the fuzz base requests are valid, so every mutation below is the only reason for refusal', () => {
    for (const method of methodNames) {
      expect(methods[method].request.safeParse(validRequests[method]).success, method).toBe(true)
    }
  })

  test.each(methodNames)(
    'given malformed %s requests, then only ValidationError comes back and nothing throws',
    async (method) => {
      const h = await connected('memory')
      const random = prng(method.length * 7919)
      const payloads = malformedPayloads(method, random)
      expect(payloads.length).toBeGreaterThanOrEqual(24)
      for (const payload of payloads) {
        const envelope = await dispatch(h.service, method, payload)
        expect(
          envelope.ok,
          `${method} accepted ${String(JSON.stringify(payload)).slice(0, 120)}`,
        ).toBe(false)
        if (!envelope.ok) {
          expect(envelope.error.code).toBe('ValidationError')
          expect(envelope.error.message).toMatch(new RegExp(`invalid ${method} request`))
        }
      }
      // Still connected and working afterwards.
      expect((await h.ok('getConnection', {})).status).toBe('connected')
    },
  )

  test('paged methods default to a bounded page and refuse a larger one', async () => {
    const h = await connected('memory')
    expect(methods.exportHistory.request.parse({ id: UUID_A })).toEqual({
      id: UUID_A,
      fromVersion: 0,
      limit: 2000,
    })
    expect(methods.listSnapshots.request.parse({ id: UUID_A })).toEqual({ id: UUID_A, limit: 200 })
    expect(methods.exportHistory.request.safeParse({ id: UUID_A, limit: 5000 }).success).toBe(true)
    expect(methods.listSnapshots.request.safeParse({ id: UUID_A, limit: 1000 }).success).toBe(true)
    for (const [method, request] of [
      ['exportHistory', { id: UUID_A, limit: 5001 }],
      ['exportHistory', { id: UUID_A, limit: 0 }],
      ['exportHistory', { id: UUID_A, fromVersion: -1 }],
      ['listSnapshots', { id: UUID_A, limit: 1001 }],
      ['listSnapshots', { id: UUID_A, afterVersion: 1.5 }],
    ] as const) {
      const error = await h.fail(method, request)
      expect(error.code, JSON.stringify(request)).toBe('ValidationError')
      expect(error.message).toContain(`invalid ${method} request`)
    }
  })

  test('given an unknown method, then ValidationError', async () => {
    const h = await connected('memory')
    for (const name of ['nope', '__proto__', 'constructor', 42, null]) {
      const envelope = await dispatch(h.service, name, {})
      expect(envelope.ok).toBe(false)
      if (!envelope.ok) expect(envelope.error.code).toBe('ValidationError')
    }
  })
})

// ---------------------------------------------------------------------------- connection

describe('connection', () => {
  test('given no connection yet, then disconnected, and queries say NotConnected', async () => {
    const h = harness()

    const info = await h.ok('getConnection', {})

    expect(info).toMatchObject({ status: 'disconnected', encrypted: true, snapshotPeriod: 2 })
    expect(info.encryptionNote).toContain('AES-128-GCM')
    expect((await h.fail('listAggregates', {})).code).toBe('NotConnected')
    expect(
      (
        await h.fail('execute', {
          type: EXAMPLE,
          expectedVersion: -1,
          commands: [{ name: 'create', params: { foo: 'x' } }],
        })
      ).code,
    ).toBe('NotConnected')
  })

  test('given no key, then the encryption note says there is none', async () => {
    const h = await connected('memory', { cipherKey: undefined })

    const info = await h.ok('getConnection', {})

    expect(info.encrypted).toBe(false)
    expect(info.encryptionNote).toMatch(/not encrypted/i)
  })

  test('given a file that cannot be opened, then StoreUnavailable, the state stays disconnected with the error, and a retry can succeed', async () => {
    const notADatabase = join(folder, 'not-a-database.sqlite')
    writeFileSync(notADatabase, 'not a database '.repeat(100))
    const h = harness()

    const error = await h.fail('connect', { kind: 'sqlite', path: notADatabase })

    expect(error.code).toBe('StoreUnavailable')
    expect(error.message).toContain('Cannot connect to the SQLite file')
    const info = await h.ok('getConnection', {})
    expect(info.status).toBe('disconnected')
    expect(info.error).toContain('Cannot connect')
    expect(h.emitted.filter((e) => e.event === 'connection').at(-1)?.payload).toMatchObject({
      status: 'disconnected',
    })

    expect((await h.ok('connect', { kind: 'sqlite', path: newSqlitePath() })).status).toBe(
      'connected',
    )
    expect((await h.ok('getConnection', {})).error).toBeUndefined()
  })

  test('given an unreachable Cassandra, then StoreUnavailable whose message never holds the password', async () => {
    const h = harness()
    const password = 'hunter2-very-secret'

    const error = await h.fail('connect', {
      kind: 'cassandra',
      contactPoints: ['127.0.0.1:1'],
      localDataCenter: 'dc1',
      keyspace: 'nothing_here',
      username: 'someone',
      password,
    })

    expect(error.code).toBe('StoreUnavailable')
    expect(error.message).toContain('Cassandra at 127.0.0.1:1')
    const info = await h.ok('getConnection', {})
    expect(JSON.stringify(info)).not.toContain(password)
    expect(JSON.stringify(h.emitted)).not.toContain(password)
    expect(info.settings).toEqual({
      kind: 'cassandra',
      contactPoints: ['127.0.0.1:1'],
      localDataCenter: 'dc1',
      keyspace: 'nothing_here',
      username: 'someone',
      tls: false,
    })
  })

  test('given an invalid key in the environment, then the service stays disconnected and says what to fix', async () => {
    const service = new ExplorerService({
      emit: () => {},
      env: { EVENTSCOPE_CIPHER_KEY: 'c2hvcnQ=' },
      dataDir: folder,
    })
    open.push(service)

    const envelope = await dispatch(service, 'connect', { kind: 'sqlite' })
    const info = await dispatch(service, 'getConnection', {})

    expect(envelope.ok).toBe(false)
    if (!envelope.ok) {
      expect(envelope.error.code).toBe('ValidationError')
      expect(envelope.error.message).toContain('EVENTSCOPE_CIPHER_KEY')
      expect(envelope.error.message).not.toContain('c2hvcnQ=')
    }
    expect(info.ok && (info.value as { status: string; error: string }).error).toContain(
      'EVENTSCOPE_CIPHER_KEY',
    )
  })

  test('given env settings and a data folder, then sqlite without a path opens the default file there', async () => {
    const dataDir = mkdtempSync(join(folder, 'data-'))
    const service = new ExplorerService({
      emit: () => {},
      env: { EVENTSCOPE_SNAPSHOT_PERIOD: '3' },
      dataDir,
    })
    open.push(service)

    const envelope = await dispatch(service, 'connect', { kind: 'sqlite' })

    expect(envelope.ok).toBe(true)
    const info = envelope.ok ? (envelope.value as ResponseOf<'connect'>) : undefined
    expect(info?.description).toContain(join(dataDir, 'eventscope.sqlite'))
    expect(info?.snapshotPeriod).toBe(3)
    expect(info?.encrypted).toBe(false)
  })

  test('given a second connect, then the first application is closed', async () => {
    const h = await connected('memory')
    const id = await createExample(h, 'x')

    await h.ok('connect', { kind: 'memory' })

    // A new memory store: what the first one held is gone with it.
    expect((await h.fail('getAggregate', { id })).code).toBe('AggregateNotFound')
    expect((await h.ok('disconnect', {})).status).toBe('disconnected')
    expect((await h.fail('listAggregates', {})).code).toBe('NotConnected')
  })
})

// ---------------------------------------------------------------------------- queries on both stores

describe.each(['memory', 'sqlite'] as const)('queries on the %s store', (kind) => {
  test('listAggregateTypes lists the registered aggregate classes only', async () => {
    const h = await connected(kind)

    const types = await h.ok('listAggregateTypes', {})

    const topics = types.map((t) => t.topic)
    expect(topics).toContain('example#ExampleAggregateRoot')
    expect(topics.some((t) => t.includes('.'))).toBe(false)
  })

  test('listAggregates pages, filters by prefix and type, and flags discarded ones', async () => {
    const h = await connected(kind)
    await h.ok('seedDemoData', { aggregates: 12, events: 3, taskId: 'seed' })

    const seen: string[] = []
    let pageToken: string | undefined
    let pages = 0
    do {
      const page = await h.ok('listAggregates', { limit: 5, ...(pageToken ? { pageToken } : {}) })
      expect(page.total).toBe(12)
      seen.push(...page.items.map((a) => a.id))
      pageToken = page.nextPageToken
      pages += 1
    } while (pageToken)
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(12)

    await run(h, seen[3]!, { name: 'discard' })
    const byId = await h.ok('listAggregates', { limit: 500, order: 'id' })
    expect(byId.items.map((a) => a.id)).toEqual([...seen].sort())
    const discarded = byId.items.filter((a) => a.discarded)
    expect(discarded).toMatchObject([{ id: seen[3], version: 3 }])

    const someId = seen[4]!
    const prefixed = await h.ok('listAggregates', { idPrefix: someId.slice(0, 8).toUpperCase() })
    expect(prefixed.items.map((a) => a.id)).toContain(someId)
    expect(prefixed.items.every((a) => a.id.startsWith(someId.slice(0, 8)))).toBe(true)

    expect(
      (await h.ok('listAggregates', { type: 'example#ExampleAggregateRoot' })).items,
    ).toHaveLength(12)
    expect((await h.ok('listAggregates', { type: 'example#Nothing' })).items).toHaveLength(0)
    expect((await h.fail('listAggregates', { pageToken: 'garbage!' })).code).toBe('ValidationError')
  })

  test('getAggregate at each version reports the snapshot it started from and the events replayed', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h)
    // Period 2: snapshots at versions 1, 3, 5 and 7 (7 is the discard, state null).
    const expected = [
      { at: 0, foo: 'bar1', snapshot: undefined, replayed: 1 },
      { at: 1, foo: 'bar2', snapshot: 1, replayed: 0 },
      { at: 2, foo: 'bar3', snapshot: 1, replayed: 1 },
      { at: 3, foo: 'bar4', snapshot: 3, replayed: 0 },
      { at: 4, foo: 'bar5', snapshot: 3, replayed: 1 },
      { at: 5, foo: 'bar6', snapshot: 5, replayed: 0 },
      { at: 6, foo: 'bar7', snapshot: 5, replayed: 1 },
    ]
    for (const e of expected) {
      const view = await h.ok('getAggregate', { id, at: e.at })
      expect(view.version, `at ${e.at}`).toBe(e.at)
      expect(stateOf(view.state)['_foo'], `at ${e.at}`).toBe(e.foo)
      expect(view.loadedFromSnapshot, `at ${e.at}`).toBe(e.snapshot)
      expect(view.eventsReplayed, `at ${e.at}`).toBe(e.replayed)
      expect(view).toMatchObject({
        id,
        type: 'example#ExampleAggregateRoot',
        latestVersion: 7,
        discarded: false,
        encrypted: true,
      })
      expect(view.hashChain.status).toBe('verified')
    }

    const latest = await h.ok('getAggregate', { id })
    expect(latest).toMatchObject({
      version: 7,
      discarded: true,
      state: null,
      loadedFromSnapshot: 7,
      eventsReplayed: 0,
    })
    expect(Date.parse(latest.createdOn)).toBeLessThanOrEqual(Date.parse(latest.lastModified))

    expect((await h.fail('getAggregate', { id, at: 8 })).code).toBe('AggregateNotFound')
    expect((await h.fail('getAggregate', { id: UUID_A })).code).toBe('AggregateNotFound')
  })

  test('child entities are shown as typed objects', async () => {
    const h = await connected(kind)
    const id = await createExample(h, 'x', { name: 'createExample' })

    const view = await h.ok('getAggregate', { id })

    const examples = Object.values(stateOf(stateOf(view.state)['_examples']))
    expect(examples).toHaveLength(1)
    expect(examples[0]).toMatchObject({ '@type': 'example#Example' })
    expect(stateOf(examples[0])['_id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('listEvents pages by version and filters by text and type on 2,500 events', async () => {
    const h = await connected(kind, { snapshotPeriod: 100 })
    const id = await seededAggregate(h, 2500)

    const first = await h.ok('listEvents', { id, limit: 1000 })
    expect(first.items.map((e) => e.version)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    expect(first).toMatchObject({ nextFromVersion: 1000, latestVersion: 2499, scanned: 1000 })
    expect(first.items[0]).toMatchObject({
      type: 'Created',
      topic: 'example#ExampleAggregateRoot.Created',
      previousHash: '',
    })
    expect(first.items[1]!.previousHash).toBe(first.items[0]!.hash)
    const second = await h.ok('listEvents', { id, fromVersion: 1000, limit: 1000 })
    const third = await h.ok('listEvents', { id, fromVersion: 2000, limit: 1000 })
    expect(second.items[0]!.version).toBe(1000)
    expect(third.items).toHaveLength(500)
    expect(third.nextFromVersion).toBeUndefined()

    // The example's demo data: step v sets foo to `bar<v>`, every fifth creates an Example.
    const one = await h.ok('listEvents', { id, search: 'BAR1234' })
    expect(one.items.map((e) => e.version)).toEqual([1234])
    expect(one.items[0]!.payload).toMatchObject({ name: '_foo', value: 'bar1234' })
    expect(one.scanned).toBe(2500)
    expect(one.nextFromVersion).toBeUndefined()

    const many = await h.ok('listEvents', { id, search: 'bar1', limit: 50 })
    expect(many.items).toHaveLength(50)
    expect(many.nextFromVersion).toBe(many.items[49]!.version + 1)
    const more = await h.ok('listEvents', {
      id,
      search: 'bar1',
      limit: 50,
      fromVersion: many.nextFromVersion!,
    })
    expect(more.items[0]!.version).toBeGreaterThan(many.items[49]!.version)

    const created = await h.ok('listEvents', { id, types: ['ExampleCreated'], limit: 1000 })
    expect(created.items).toHaveLength(499)
    expect(created.items.every((e) => e.type === 'ExampleCreated')).toBe(true)
    const both = await h.ok('listEvents', {
      id,
      types: ['AttributeChanged', 'Created'],
      search: 'bar24',
      limit: 1000,
    })
    const range = (from: number, n: number): number[] =>
      Array.from({ length: n }, (_, i) => from + i).filter((v) => v % 5 !== 0)
    expect(both.items.map((e) => e.version)).toEqual([24, ...range(240, 10), ...range(2400, 100)])

    expect(await h.ok('listEvents', { id: UUID_A })).toEqual({
      items: [],
      latestVersion: -1,
      scanned: 0,
    })
  })

  test('a filtered listEvents stops at its scan budget and says where to continue', async () => {
    const h = await connected(kind, { scanBudget: 1000, snapshotPeriod: 0 })
    const id = await seededAggregate(h, 2500)

    const page = await h.ok('listEvents', { id, search: 'no such text' })

    expect(page).toMatchObject({ items: [], scanned: 1000, nextFromVersion: 1000 })
    const next = await h.ok('listEvents', { id, search: 'no such text', fromVersion: 1000 })
    expect(next.nextFromVersion).toBe(2000)
    const last = await h.ok('listEvents', { id, search: 'no such text', fromVersion: 2000 })
    expect(last).toMatchObject({ scanned: 500 })
    expect(last.nextFromVersion).toBeUndefined()
  })

  test('getRawRecord shows the stored bytes, and no plaintext when encrypted', async () => {
    const h = await connected(kind)
    const id = await createExample(h, 'secret info', setFoo('more secret info'))

    const raw = await h.ok('getRawRecord', { id, version: 0 })
    const bytes = Buffer.from(raw.stateBase64, 'base64')
    expect(raw).toMatchObject({
      originatorId: id,
      originatorVersion: 0,
      topic: 'example#ExampleAggregateRoot.Created',
      encrypted: true,
      byteLength: bytes.length,
    })
    expect(bytes.toString('latin1')).not.toContain('secret')
    const snapshot = await h.ok('getRawRecord', { id, version: 1, kind: 'snapshot' })
    expect(snapshot.encrypted).toBe(true)
    expect(Buffer.from(snapshot.stateBase64, 'base64').toString('latin1')).not.toContain('secret')
    expect((await h.fail('getRawRecord', { id, version: 5 })).code).toBe('AggregateNotFound')
  })

  test('given no key, then the raw record is compressed plaintext (the encrypted case above is not vacuous)', async () => {
    const h = await connected(kind, { cipherKey: undefined })
    const id = await createExample(h, 'secret info')

    const raw = await h.ok('getRawRecord', { id, version: 0 })

    expect(raw.encrypted).toBe(false)
    const bytes = Buffer.from(raw.stateBase64, 'base64')
    // The first byte says how the rest is encoded: bit 0 = zlib (small states are left as they are).
    const body = (bytes[0]! & 1) === 1 ? inflateSync(bytes.subarray(1)) : bytes.subarray(1)
    expect(body.toString('utf8')).toContain('secret info')
  })

  test('getEventDiff and diffVersions show what changed', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h)

    const created = await h.ok('getEventDiff', { id, version: 0 })
    expect(created.every((d) => d.kind === 'added')).toBe(true)
    expect(created).toContainEqual({ path: ['_foo'], kind: 'added', after: 'bar1' })

    const changed = await h.ok('getEventDiff', { id, version: 3 })
    expect(changed).toContainEqual({
      path: ['_foo'],
      kind: 'changed',
      before: 'bar3',
      after: 'bar4',
    })
    expect(changed).toContainEqual({ path: ['_version'], kind: 'changed', before: 2, after: 3 })

    const discarded = await h.ok('getEventDiff', { id, version: 7 })
    expect(discarded.every((d) => d.kind === 'removed')).toBe(true)
    expect(discarded).toContainEqual({ path: ['_foo'], kind: 'removed', before: 'bar7' })

    const range = await h.ok('diffVersions', { id, from: 0, to: 3 })
    expect(stateOf(range.from)['_foo']).toBe('bar1')
    expect(stateOf(range.to)['_foo']).toBe('bar4')
    expect(range.diff).toContainEqual({
      path: ['_foo'],
      kind: 'changed',
      before: 'bar1',
      after: 'bar4',
    })
    expect((await h.ok('diffVersions', { id, from: 2, to: 2 })).diff).toEqual([])
    expect((await h.fail('getEventDiff', { id, version: 8 })).code).toBe('AggregateNotFound')
  })

  test('listSnapshots and compareSnapshot agree with a replay from events', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h)

    const { items: snapshots, nextBeforeVersion } = await h.ok('listSnapshots', { id })
    expect(snapshots.map((s) => s.version)).toEqual([7, 5, 3, 1])
    expect(nextBeforeVersion).toBeUndefined()
    expect(stateOf(snapshots[2]!.state)['_foo']).toBe('bar4')
    expect(snapshots[0]!.state).toBeNull()
    expect(snapshots[3]!.type).toBe('example#ExampleAggregateRoot')

    for (const version of [1, 3, 5, 7]) {
      const comparison = await h.ok('compareSnapshot', { id, version })
      expect(comparison.matches, `v${version}`).toBe(true)
      expect(comparison.differences).toEqual([])
      expect(comparison.replayed).toEqual(comparison.snapshot.state)
    }
    expect((await h.fail('compareSnapshot', { id, version: 2 })).code).toBe('AggregateNotFound')
  })

  test('getActivity buckets the log store-wide and an aggregate’s events', async () => {
    const h = await connected(kind)
    await h.ok('seedDemoData', { aggregates: 5, events: 7, taskId: 'seed' })
    const id = (await h.ok('listAggregates', { limit: 1 })).items[0]!.id

    const all = await h.ok('getActivity', { buckets: 20 })
    expect(all.total).toBe(35)
    expect(all.sampled).toBe(false)
    expect(all.buckets.length).toBeGreaterThan(0)
    expect(all.buckets.length).toBeLessThanOrEqual(20)
    expect(all.buckets.reduce((n, b) => n + b.events, 0)).toBe(35)

    const one = await h.ok('getActivity', { id, buckets: 5 })
    expect(one.total).toBe(7)
    expect(one.buckets.reduce((n, b) => n + b.events, 0)).toBe(7)

    const empty = await connected(kind)
    expect(await empty.ok('getActivity', {})).toEqual({ buckets: [], total: 0, sampled: false })
  })

  test('listSnapshots pages newest first, and bounds a version range', async () => {
    const h = await connected(kind) // period 2: snapshots at 1, 3, … 499
    const id = await seededAggregate(h, 500)
    const all = Array.from({ length: 250 }, (_, i) => 499 - 2 * i)

    const seen: number[] = []
    const pages: number[] = []
    let beforeVersion: number | undefined
    do {
      const page = await h.ok('listSnapshots', {
        id,
        limit: 100,
        ...(beforeVersion === undefined ? {} : { beforeVersion }),
      })
      pages.push(page.items.length)
      seen.push(...page.items.map((s) => s.version))
      beforeVersion = page.nextBeforeVersion
      if (beforeVersion !== undefined) expect(beforeVersion).toBe(seen.at(-1))
    } while (beforeVersion !== undefined)
    expect(pages).toEqual([100, 100, 50])
    expect(seen).toEqual(all)
    // The default page is 200; a page that holds exactly the rest says there is no more.
    expect((await h.ok('listSnapshots', { id })).items).toHaveLength(200)
    expect(await h.ok('listSnapshots', { id, limit: 250 })).not.toHaveProperty('nextBeforeVersion')

    // Bounds are exclusive: the rows a timeline shows, e.g. versions 200 to 219.
    const range = await h.ok('listSnapshots', { id, afterVersion: 199, beforeVersion: 220 })
    expect(range.items.map((s) => s.version)).toEqual([
      219, 217, 215, 213, 211, 209, 207, 205, 203, 201,
    ])
    expect(range.nextBeforeVersion).toBeUndefined()
    const paged = await h.ok('listSnapshots', {
      id,
      afterVersion: 199,
      beforeVersion: 220,
      limit: 4,
    })
    expect(paged.items.map((s) => s.version)).toEqual([219, 217, 215, 213])
    expect(paged.nextBeforeVersion).toBe(213)
    const rest = await h.ok('listSnapshots', {
      id,
      afterVersion: 199,
      beforeVersion: 213,
      limit: 10,
    })
    expect(rest.items.map((s) => s.version)).toEqual([211, 209, 207, 205, 203, 201])
    expect((await h.ok('listSnapshots', { id, afterVersion: 499 })).items).toEqual([])
    expect(
      (await h.ok('listSnapshots', { id, afterVersion: 300, beforeVersion: 301 })).items,
    ).toEqual([])
    expect((await h.ok('listSnapshots', { id: UUID_A })).items).toEqual([])

    for (const limit of [0, 1001, 2.5]) {
      expect((await h.fail('listSnapshots', { id, limit })).code, `limit ${limit}`).toBe(
        'ValidationError',
      )
    }
    expect((await h.fail('listSnapshots', { id, beforeVersion: -1 })).code).toBe('ValidationError')
  })

  test('exportHistory pages the whole history in version order, with progress over all of it', async () => {
    const h = await connected(kind)
    const id = await seededAggregate(h, 1200)

    const pages: Array<ResponseOf<'exportHistory'>> = []
    let fromVersion: number | undefined = 0
    while (fromVersion !== undefined) {
      const page: ResponseOf<'exportHistory'> = await h.ok('exportHistory', {
        id,
        fromVersion,
        limit: 500,
        taskId: 'export',
      })
      pages.push(page)
      fromVersion = page.nextFromVersion
    }

    expect(pages.map((p) => p.events.length)).toEqual([500, 500, 200])
    expect(pages.map((p) => p.nextFromVersion)).toEqual([500, 1000, undefined])
    expect(pages.every((p) => p.latestVersion === 1199)).toBe(true)
    expect(pages[0]).toMatchObject({ aggregateId: id, type: 'example#ExampleAggregateRoot' })
    expect(pages.flatMap((p) => p.events.map((e) => e.version))).toEqual(
      Array.from({ length: 1200 }, (_, i) => i),
    )
    const progress = h.emitted
      .filter((e) => e.event === 'progress')
      .map((e) => e.payload as EventOf<'progress'>)
      .filter((p) => p.taskId === 'export')
    expect(progress.every((p) => p.total === 1200)).toBe(true)
    expect(progress.map((p) => p.done)).toContain(500)
    expect(progress.at(-1)).toMatchObject({ done: 1200, total: 1200 })

    // The default page holds 2,000 events; past the end there is nothing, and no next page.
    const whole = await h.ok('exportHistory', { id })
    expect(whole.events).toHaveLength(1200)
    expect(whole.nextFromVersion).toBeUndefined()
    expect(await h.ok('exportHistory', { id, fromVersion: 1199, limit: 1 })).toMatchObject({
      events: [expect.objectContaining({ version: 1199 })],
    })
    const beyond = await h.ok('exportHistory', { id, fromVersion: 5000 })
    expect(beyond).toMatchObject({ events: [], latestVersion: 1199 })
    expect(beyond.nextFromVersion).toBeUndefined()
    expect((await h.fail('exportHistory', { id: UUID_A })).code).toBe('AggregateNotFound')
  })

  test('exportHistory pages stop at the version that was latest, not at what is stored meanwhile', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h) // versions 0..7, the last a discard
    const first = await h.ok('exportHistory', { id, limit: 3 })
    expect(first).toMatchObject({ latestVersion: 7, nextFromVersion: 3 })
    const last = await h.ok('exportHistory', { id, fromVersion: 6, limit: 5 })
    expect(last.events.map((e) => e.version)).toEqual([6, 7])
    expect(last.nextFromVersion).toBeUndefined()
  })

  test('a long replay reports progress and can be cancelled', async () => {
    const h = await connected(kind, { snapshotPeriod: 0 })
    const id = await seededAggregate(h, 12_000)
    h.onEmit = (e) => {
      if (e.event === 'progress' && (e.payload as EventOf<'progress'>).taskId === 'view') {
        void dispatch(h.service, 'cancelTask', { taskId: 'view' })
      }
    }

    const error = await h.fail('getAggregate', { id, taskId: 'view' })

    expect(error.code).toBe('Cancelled')
    const progress = h.emitted.filter(
      (e) => e.event === 'progress' && (e.payload as EventOf<'progress'>).taskId === 'view',
    )
    expect(progress[0]!.payload).toMatchObject({ done: 5000, total: 12_000 })
    h.onEmit = () => {}
    const view = await h.ok('getAggregate', { id, taskId: 'view' })
    expect(view).toMatchObject({ version: 11_999, eventsReplayed: 12_000 })
    expect(view.loadedFromSnapshot).toBeUndefined()
    expect((await h.ok('cancelTask', { taskId: 'view' })).cancelled).toBe(false)
  })

  test('Verify whole history and Verify store report progress and can be cancelled', async () => {
    const h = await connected(kind, { snapshotPeriod: 0 })
    await h.ok('seedDemoData', { aggregates: 30, events: 20, taskId: 'seed' })
    const id = await seededAggregate(h, 3000)
    for (const [method, taskId] of [
      ['verifyHistory', 'whole'],
      ['verifyStore', 'store'],
    ] as const) {
      // Cancelled at its first report: the history's after its first page (3,000 events in
      // pages of 1,000); the store's at its start (0 of 31), because its 31 aggregates fit in
      // one page and its next report is its last.
      h.onEmit = (e) => {
        const p = e.payload as EventOf<'progress'>
        const first = method === 'verifyStore' || p.done > 0
        if (e.event === 'progress' && p.taskId === taskId && first)
          void h.service.cancelTask({ taskId })
      }
      const request = method === 'verifyHistory' ? { id, taskId } : { taskId }
      expect((await h.fail(method, request)).code).toBe('Cancelled')
      expect(
        h.emitted.some(
          (e) => e.event === 'progress' && (e.payload as EventOf<'progress'>).taskId === taskId,
        ),
      ).toBe(true)
    }
    h.onEmit = () => {}
    expect(await h.ok('verifyHistory', { id, taskId: 'whole' })).toMatchObject({
      lastVersion: 2999,
      eventsChecked: 3000,
      problems: [],
    })
    expect(await h.ok('verifyStore', { taskId: 'store' })).toMatchObject({
      aggregatesChecked: 31,
      eventsChecked: 30 * 20 + 3000,
      problems: [],
    })
  })

  test('seeding reports progress, and a cancelled seed stops after the current batch', async () => {
    const h = await connected(kind)

    const done = await h.ok('seedDemoData', { aggregates: 3, events: 10, taskId: 'small' })
    expect(done).toEqual({ aggregates: 3, events: 30, cancelled: false })
    const progress = h.emitted
      .filter((e) => e.event === 'progress')
      .map((e) => e.payload as EventOf<'progress'>)
    expect(progress[0]).toMatchObject({ taskId: 'small', done: 0, total: 30 })
    expect(progress.at(-1)).toMatchObject({ taskId: 'small', done: 30, total: 30 })

    let cancels = 0
    h.onEmit = (e) => {
      const p = e.payload as EventOf<'progress'>
      if (e.event === 'progress' && p.taskId === 'big' && p.done > 0 && cancels++ === 0)
        void h.service.cancelTask({ taskId: 'big' })
    }
    const stopped = await h.ok('seedDemoData', { aggregates: 800, events: 1200, taskId: 'big' })
    expect(stopped.cancelled).toBe(true)
    expect(stopped.events).toBeGreaterThan(0)
    expect(stopped.events).toBeLessThan(800 * 1200)
    // What was stored is whole batches, and the index agrees with it.
    const listed = await h.ok('listAggregates', { limit: 500 })
    expect(listed.total).toBe(3 + stopped.aggregates)
    expect(listed.items.reduce((n, a) => n + a.version + 1, 0)).toBe(30 + stopped.events)
    expect(listed.items.every((a) => [10, 500, 1000, 1200].includes(a.version + 1))).toBe(true)
  })

  test('the follower emits changes for every stored batch', async () => {
    const h = await connected(kind)
    const id = await createExample(h, 'watched')

    await until(() => h.emitted.some((e) => e.event === 'changes'))

    const entries = h.emitted
      .filter((e) => e.event === 'changes')
      .flatMap((e) => (e.payload as EventOf<'changes'>).entries)
    expect(entries).toEqual([
      expect.objectContaining({
        originatorId: id,
        fromVersion: 0,
        toVersion: 0,
        topics: ['example#ExampleAggregateRoot.Created'],
      }),
    ])
  })
})

// ---------------------------------------------------------------------------- SQLite: other processes, damage

describe('on a SQLite file shared with another application', () => {
  function otherApp(
    path: string,
    cipherKey: Uint8Array | undefined = SEED_CIPHER_KEY,
  ): EverythingApplication {
    return new EverythingApplication({
      store: createSqliteStore(path),
      cipherKey,
      bus: new EventBus<EventBatch>(),
    })
  }

  test('writes made by the other application arrive as live changes', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const other = otherApp(path)
    try {
      const aggregate = other.createExampleAggregate('from elsewhere')
      aggregate.foo = 'changed elsewhere'
      await aggregate.save()

      await until(() => h.emitted.some((e) => e.event === 'changes'))

      const entries = h.emitted
        .filter((e) => e.event === 'changes')
        .flatMap((e) => (e.payload as EventOf<'changes'>).entries)
      expect(entries).toEqual([
        expect.objectContaining({ originatorId: aggregate.id, fromVersion: 0, toVersion: 1 }),
      ])
      expect(stateOf((await h.ok('getAggregate', { id: aggregate.id })).state)['_foo']).toBe(
        'changed elsewhere',
      )
    } finally {
      await other.close()
    }
  })

  test('commands on a version the other application has since moved past: ConcurrencyError with its events', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await createExample(h, 'mine')
    const other = otherApp(path)
    try {
      const theirs = await other.repository.get<ExampleAggregateRoot>(id)
      theirs.foo = 'theirs'
      theirs.foo = 'theirs again'
      await theirs.save()
    } finally {
      await other.close()
    }

    const conflict = await h.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [setFoo('pending')],
    })
    expect(conflict.code).toBe('ConcurrencyError')
    const details = ConcurrencyDetails.parse(conflict.details)
    expect(details).toMatchObject({ aggregateId: id, expectedVersion: 1, actualVersion: 2 })
    expect(details.winningEvents.map((e) => e.payload)).toEqual([
      { name: '_foo', value: 'theirs' },
      { name: '_foo', value: 'theirs again' },
    ])
    expect((await run(h, id, setFoo('mine again'))).version).toBe(3)
  })

  test('a snapshot that disagrees with the events is flagged by compareSnapshot', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await walkthroughAggregate(h)
    const other = otherApp(path)
    try {
      const { aggregate } = await other.repository.replay(id, { at: 2 })
      await other.snapshotStrategy!.put({
        originatorId: id,
        originatorVersion: 2,
        timestamp: new Date(),
        topic: 'example#ExampleAggregateRoot',
        state: { ...aggregateState(aggregate!), _foo: 'WRONG' },
      })
    } finally {
      await other.close()
    }

    const comparison = await h.ok('compareSnapshot', { id, version: 2 })

    expect(comparison.matches).toBe(false)
    expect(comparison.differences).toEqual([
      { path: ['_foo'], kind: 'changed', before: 'WRONG', after: 'bar3' },
    ])
  })

  test('a wrong cipher key gives DataIntegrityError, never garbage, and the key is not in the message', async () => {
    const path = newSqlitePath()
    const writer = await connected('sqlite', {}, path)
    const id = await walkthroughAggregate(writer)
    await writer.service.close()

    for (const cipherKey of [OTHER_KEY, undefined]) {
      const reader = await connected('sqlite', { cipherKey }, path)
      expect((await reader.ok('listAggregates', {})).total).toBe(1) // the index is not encrypted
      for (const [method, request] of [
        ['getAggregate', { id, at: 2 }],
        ['listEvents', { id }],
        ['getEventDiff', { id, version: 1 }],
        ['listSnapshots', { id }],
        ['exportHistory', { id }],
      ] as const) {
        const error = await reader.fail(method, request)
        expect(error.code, method).toBe('DataIntegrityError')
        expect(error.message, method).toMatch(/cipher key is wrong|no cipher key is configured/)
        expect(error.message).not.toContain(Buffer.from(OTHER_KEY).toString('base64'))
        expect(error.message).not.toContain(Buffer.from(SEED_CIPHER_KEY).toString('base64'))
      }
      await reader.service.close()
    }
  })

  test('a tampered event shows the hash chain broken at its version, with the state still shown', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await createExample(h, 'v0', ...['v1', 'v2', 'v3', 'v4'].map(setFoo))
    expect((await h.ok('getAggregate', { id })).hashChain.status).toBe('verified')

    // Rewrite version 4 with a different value but its old hash, properly encrypted: only the
    // chain can tell.
    const mapper = new Mapper({ cipher: new AesGcmCipher(SEED_CIPHER_KEY) })
    const db = new Database(path)
    try {
      const row = db
        .prepare(
          'SELECT topic, state FROM events WHERE originator_id = ? AND originator_version = 4',
        )
        .get(id) as { topic: string; state: Buffer }
      const fields = mapper.decodeState({
        originatorId: id,
        originatorVersion: 4,
        ...row,
      }) as Record<string, unknown>
      const forged = mapper.toRecord(id, 4, row.topic, { ...fields, value: 'forged' })
      db.prepare(
        'UPDATE events SET state = ? WHERE originator_id = ? AND originator_version = 4',
      ).run(forged.state, id)
    } finally {
      db.close()
    }

    const view = await h.ok('getAggregate', { id })

    expect(view.hashChain).toMatchObject({ status: 'broken', brokenAtVersion: 4 })
    expect(view.hashChain.message).toContain('version 4')
    expect(stateOf(view.state)['_foo']).toBe('forged')
    expect(view.loadedFromSnapshot).toBe(3)
    expect((await h.ok('getAggregate', { id, at: 3 })).hashChain.status).toBe('verified')
    // A diff is a read of events: it refuses the tampered one rather than show it as a change.
    expect(await h.fail('getEventDiff', { id, version: 4 })).toMatchObject({
      code: 'DataIntegrityError',
      details: { originatorVersion: 4, problem: 'tampered' },
    })
  })
})

// ---------------------------------------------------------------------------- cipher key

describe('the cipher key entered in the app', () => {
  const b64 = (key: Uint8Array): string => Buffer.from(key).toString('base64')
  const KEY_A = SEED_CIPHER_KEY
  const KEY_B = new Uint8Array(randomBytes(32))

  function fakeKeyStore(available = true) {
    return {
      saved: [] as Uint8Array[],
      cleared: 0,
      available: () => available,
      save(key: Uint8Array) {
        this.saved.push(new Uint8Array(key))
      },
      clear() {
        this.cleared++
      },
    }
  }

  test('keys that are not base64 of 16, 24 or 32 bytes are refused, without repeating them', async () => {
    const h = harness()
    const bad = [
      '',
      'c2hvcnQ=',
      Buffer.alloc(20, 1).toString('base64'),
      Buffer.alloc(33, 1).toString('base64'),
      `${b64(KEY_B).slice(0, 43)}!`,
      ` ${b64(KEY_B)}`,
      b64(KEY_B).replace(/=$/, ''),
      Buffer.alloc(32, 250).toString('base64url'),
    ]
    for (const keyBase64 of bad) {
      const error = await h.fail('setCipherKey', { keyBase64, remember: false })
      expect(error.code, keyBase64).toBe('ValidationError')
      if (keyBase64.length > 8) expect(JSON.stringify(error)).not.toContain(keyBase64.trim())
    }
    expect(
      (await h.fail('setCipherKey', { keyBase64: b64(KEY_B), remember: false, extra: 1 })).code,
    ).toBe('ValidationError')
    expect((await h.fail('setCipherKey', { keyBase64: b64(KEY_B) })).code).toBe('ValidationError')
    expect((await h.fail('forgetCipherKey', { remember: true })).code).toBe('ValidationError')
    // Nothing changed.
    expect(await h.ok('getConnection', {})).toMatchObject({ keySource: 'environment' })
  })

  test.each([16, 24, 32])('a %i-byte key is accepted while disconnected', async (bytes) => {
    const h = harness({ cipherKey: undefined })
    expect(await h.ok('getConnection', {})).toMatchObject({
      keySource: 'none',
      encrypted: false,
      canRememberKey: false,
    })

    const info = await h.ok('setCipherKey', {
      keyBase64: randomBytes(bytes).toString('base64'),
      remember: false,
    })

    expect(info).toMatchObject({ status: 'disconnected', keySource: 'entered', encrypted: true })
    expect(info.encryptionNote).toContain(`AES-${bytes * 8}-GCM with the key you entered`)
    expect(info.encryptionNote).toContain("compared with the store's key check")
  })

  test('switching keys reopens the same store: key B cannot read or write where key A wrote, switching back can', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await walkthroughAggregate(h)
    h.emitted.length = 0

    const withB = await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: false })
    expect(withB).toMatchObject({ status: 'connected', kind: 'sqlite', keySource: 'entered' })
    expect(withB.settings).toEqual({ kind: 'sqlite', path })
    expect(h.emitted.some((e) => e.event === 'connection')).toBe(true)
    expect((await h.ok('listAggregates', {})).total).toBe(1)
    const error = await h.fail('getAggregate', { id })
    expect(error.code).toBe('DataIntegrityError')
    // Key B is told wrong up front, and writes nothing beside what key A wrote.
    expect(withB).toMatchObject({
      readOnly: true,
      keyStatus: { state: 'wrong-key', mismatch: true },
    })
    expect(
      (
        await h.fail('execute', {
          type: EXAMPLE,
          expectedVersion: -1,
          commands: [{ name: 'create', params: { foo: 'written with B' } }],
        })
      ).code,
    ).toBe('ReadOnly')

    const withA = await h.ok('setCipherKey', { keyBase64: b64(KEY_A), remember: false })
    expect(withA).toMatchObject({ status: 'connected', keySource: 'entered', readOnly: false })
    expect(withA.keyStatus).toMatchObject({ state: 'verified', mismatch: false })
    expect((await h.ok('getAggregate', { id, at: 6 })).state).toMatchObject({ _foo: 'bar7' })
    await createExample(h, 'written with A')
  })

  test('remember saves the key in the key store; without a secure store remember is refused', async () => {
    const keyStore = fakeKeyStore()
    const h = await connected('memory', { keyStore })
    expect((await h.ok('getConnection', {})).canRememberKey).toBe(true)

    const info = await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: true })

    expect(info).toMatchObject({ status: 'connected', keySource: 'saved', canRememberKey: true })
    expect(info.encryptionNote).toContain('saved on this computer')
    expect(keyStore.saved).toEqual([KEY_B])

    await h.ok('setCipherKey', { keyBase64: b64(KEY_A), remember: false })
    expect(keyStore.saved).toHaveLength(1)

    const unavailable = fakeKeyStore(false)
    const other = await connected('memory', { keyStore: unavailable })
    expect((await other.ok('getConnection', {})).canRememberKey).toBe(false)
    const refused = await other.fail('setCipherKey', { keyBase64: b64(KEY_B), remember: true })
    expect(refused.code).toBe('ValidationError')
    expect(unavailable.saved).toHaveLength(0)
    expect((await other.ok('getConnection', {})).keySource).toBe('environment')

    const none = harness()
    expect((await none.fail('setCipherKey', { keyBase64: b64(KEY_B), remember: true })).code).toBe(
      'ValidationError',
    )
  })

  test('forget clears the saved key and goes back to the environment key, or to none', async () => {
    const keyStore = fakeKeyStore()
    const h = await connected('memory', { keyStore })
    await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: true })

    const info = await h.ok('forgetCipherKey', {})

    expect(keyStore.cleared).toBe(1)
    expect(info).toMatchObject({ status: 'connected', keySource: 'environment', encrypted: true })
    expect(info.encryptionNote).toContain('EVENTSCOPE_CIPHER_KEY')

    const bare = await connected('memory', { keyStore, cipherKey: undefined })
    await bare.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: false })
    expect(await bare.ok('forgetCipherKey', {})).toMatchObject({
      status: 'connected',
      keySource: 'none',
      encrypted: false,
    })
    expect(keyStore.cleared).toBe(2)
  })

  test('at start the environment key wins over a saved key; a saved key is used without one', async () => {
    const withEnv = harness({ cipherKey: KEY_A, savedCipherKey: KEY_B })
    expect(await withEnv.ok('getConnection', {})).toMatchObject({ keySource: 'environment' })

    const path = newSqlitePath()
    const writer = await connected('sqlite', { cipherKey: KEY_B }, path)
    const id = await createExample(writer, 'saved')
    await writer.service.close()
    const fromSaved = await connected(
      'sqlite',
      { cipherKey: undefined, savedCipherKey: KEY_B, keyStore: fakeKeyStore() },
      path,
    )
    const info = await fromSaved.ok('getConnection', {})
    expect(info).toMatchObject({ keySource: 'saved', encrypted: true, canRememberKey: true })
    expect((await fromSaved.ok('getAggregate', { id })).state).toMatchObject({
      _foo: 'saved',
    })
  })

  test('a malformed EVENTSCOPE_CIPHER_KEY blocks connecting until a key is entered', async () => {
    const h = harness({ cipherKey: undefined })
    const blocked = new ExplorerService({
      emit: () => {},
      env: { EVENTSCOPE_CIPHER_KEY: 'not base64!' },
      snapshotPeriod: 2,
    })
    open.push(blocked)
    expect((await dispatch(blocked, 'connect', { kind: 'memory' })).ok).toBe(false)
    h.service = blocked

    const info = await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: false })

    expect(info).toMatchObject({ status: 'connected', keySource: 'entered' })
    expect(info.error).toBeUndefined()
  })

  test('the key never appears in a response, an event or an error of a whole session', async () => {
    const key = new Uint8Array(randomBytes(32))
    const keyStore = fakeKeyStore()
    const h = harness({ cipherKey: undefined, keyStore })
    const seen: string[] = []
    const call = async (method: MethodName, request: unknown) => {
      const envelope = await dispatch(h.service, method, request)
      seen.push(JSON.stringify(envelope))
      return envelope
    }
    const path = newSqlitePath()
    await call('connect', { kind: 'sqlite', path })
    await call('setCipherKey', { keyBase64: b64(key), remember: true })
    await call('setCipherKey', { keyBase64: `${b64(key).slice(0, 43)}#`, remember: false })
    await call('setCipherKey', { keyBase64: ` ${b64(key)} `, remember: false })
    await call('getConnection', {})
    await call('seedDemoData', { aggregates: 2, events: 5, taskId: 'seed' })
    const list = await call('listAggregates', {})
    const id = list.ok ? (list.value as { items: { id: string }[] }).items[0]!.id : UUID_A
    await call('getAggregate', { id })
    await call('listEvents', { id })
    await call('getRawRecord', { id, version: 0 })
    await call('listSnapshots', { id })
    await call('exportHistory', { id })
    await call('setCipherKey', { keyBase64: b64(KEY_A), remember: false })
    await call('getAggregate', { id })
    await call('listEvents', { id })
    await call('setCipherKey', { keyBase64: b64(key), remember: false })
    await call('connect', { kind: 'sqlite', path: join(folder, 'a-file-that-blocks', 'x.sqlite') })
    await call('connect', { kind: 'sqlite', path })
    await call('forgetCipherKey', {})
    await call('getAggregate', { id })
    await call('disconnect', {})
    await until(() => h.emitted.length > 0)
    seen.push(...h.emitted.map((e) => JSON.stringify(e)))

    expect(keyStore.saved).toEqual([key])
    const needles = [
      b64(key),
      b64(key).slice(0, 40),
      Buffer.from(key).toString('base64url').slice(0, 40),
      Buffer.from(key).toString('hex'),
      Buffer.from(key).toString('latin1'),
      JSON.stringify(Array.from(key)).slice(1, -1),
      JSON.stringify(Buffer.from(key)),
    ]
    expect(seen.length).toBeGreaterThan(20)
    for (const text of seen) {
      const decoded = JSON.parse(text) as unknown
      const flat = `${text}\n${JSON.stringify(decoded)}`
      for (const needle of needles) expect(flat.includes(needle)).toBe(false)
    }
  })
})
