/**
 * What the explorer service tests (service*.test.ts) share: a service driven through `dispatch`,
 * as both transports call it, with every response checked against the contract as the
 * renderer's client would.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
  cassandraAvailable,
  cassandraTestSettings,
  dropCassandraTestKeyspace,
  testKeyspace,
} from '../../test/cassandraTestStore'
import { onNodeSqliteRun } from '../../test/sqliteRun'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
import { dispatch } from './dispatch'
import { ExplorerService, type ExplorerServiceOptions } from './service'

export const folder = mkdtempSync(join(tmpdir(), 'eventscope-explorer-'))
let files = 0
export const newSqlitePath = (): string => join(folder, `explorer-${++files}.sqlite`)

export const UUID_A = 'abcdef00-0000-4000-8000-00000000000a'

export type Emitted = { event: EventName; payload: unknown }

export interface Harness {
  service: ExplorerService
  emitted: Emitted[]
  /** Called on every emitted event (tests use it to react to progress). */
  onEmit: (e: Emitted) => void
  ok<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  fail(method: MethodName, request: unknown): Promise<ApiError>
}

const open: ExplorerService[] = []

/** Closes `service` in `closeOpenServices`, with the services the harness made. */
export function track(service: ExplorerService): void {
  open.push(service)
}

/** Each test file calls this in its `afterEach`: a service left open keeps its follower polling. */
export async function closeOpenServices(): Promise<void> {
  await Promise.all(open.splice(0).map((s) => s.close()))
}

export function harness(options: Partial<ExplorerServiceOptions> = {}): Harness {
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
    // A background fill starts after a slow decode: where answers start would then depend on
    // the machine's speed. The fill's own tests turn it on.
    checkpointFillAfterDecodeMs: Infinity,
    emit: <E extends EventName>(event: E, payload: EventOf<E>) => {
      const e = { event, payload }
      emitted.push(e)
      h.onEmit(e)
    },
    ...options,
  })
  track(h.service)
  return h
}

export type ServiceStoreKind = 'memory' | 'sqlite' | 'cassandra'

/**
 * The stores the service suites run on. Cassandra is left out, loudly, when no node answers,
 * except in CI (`CI` set): there its tests run and fail, as the other Cassandra tests do. The
 * node:sqlite run (the desktop app's driver) takes SQLite alone: the others ran in the main run.
 */
export async function serviceStores(): Promise<ServiceStoreKind[]> {
  if (onNodeSqliteRun) return ['sqlite']
  const availability = await cassandraAvailable()
  if (availability.ok || process.env.CI) return ['memory', 'sqlite', 'cassandra']
  console.warn(`\n!! the explorer service tests on Cassandra are SKIPPED: ${availability.reason}\n`)
  return ['memory', 'sqlite']
}

/** Cassandra keyspaces `connected` made (one per call: each test has a store of its own). */
const keyspaces: string[] = []

/** Each file with Cassandra runs calls this in its `afterAll`. */
export async function dropServiceKeyspaces(): Promise<void> {
  await Promise.all(keyspaces.splice(0).map((k) => dropCassandraTestKeyspace(k)))
}

function cassandraConnection(): RequestOf<'connect'> {
  const keyspace = `${testKeyspace}_s${keyspaces.length + 1}`
  keyspaces.push(keyspace)
  const { contactPoints, localDataCenter, tls, username, password } = cassandraTestSettings()
  return {
    kind: 'cassandra',
    contactPoints,
    localDataCenter,
    keyspace,
    tls: tls ?? false,
    ...(username === undefined ? {} : { username, password: password ?? '' }),
  }
}

/** A service connected to a new, empty store of this kind (SQLite: `path`). */
export async function connected(
  kind: ServiceStoreKind,
  options: Partial<ExplorerServiceOptions> = {},
  path = newSqlitePath(),
): Promise<Harness> {
  const h = harness(options)
  await h.ok(
    'connect',
    kind === 'memory' ? { kind } : kind === 'sqlite' ? { kind, path } : cassandraConnection(),
  )
  return h
}

export const EXAMPLE = 'example#ExampleAggregateRoot'
export type Cmd = RequestOf<'execute'>['commands'][number]
export const setFoo = (value: string): Cmd => ({ name: 'setFoo', params: { value } })

/** A new example aggregate stored through execute, `more` commands in the same batch; its id. */
export async function createExample(h: Harness, foo: string, ...more: Cmd[]): Promise<string> {
  const created = await h.ok('execute', {
    type: EXAMPLE,
    expectedVersion: -1,
    commands: [{ name: 'create', params: { foo } }, ...more],
  })
  return created.id
}

/** Runs `commands` on the latest version of `id` and stores their events as one batch. */
export async function run(
  h: Harness,
  id: string,
  ...commands: Cmd[]
): Promise<ResponseOf<'execute'>> {
  const { version } = await h.ok('getAggregate', { id })
  return h.ok('execute', { id, expectedVersion: version, commands })
}

/** The seed's walk-through aggregate, built through execute: v0 bar1 … v6 bar7, v7 Discarded. */
export async function walkthroughAggregate(h: Harness): Promise<string> {
  const id = await createExample(h, 'bar1')
  await run(h, id, setFoo('bar2'))
  await run(h, id, setFoo('bar3'), setFoo('bar4'), setFoo('bar5'))
  await run(h, id, setFoo('bar6'), setFoo('bar7'))
  await run(h, id, { name: 'discard' })
  return id
}

/** Seeds one aggregate of `events` events (period as configured) and returns its id. */
export async function seededAggregate(h: Harness, events: number): Promise<string> {
  await h.ok('seedDemoData', { aggregates: 1, events, taskId: `seed-${events}` })
  const { items } = await h.ok('listAggregates', { limit: 1 })
  return items[0]!.id
}

export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export const stateOf = (value: unknown): Record<string, unknown> => value as Record<string, unknown>
