/**
 * execute and preview through `dispatch`, as both transports call them, on memory, a SQLite file
 * and a real Cassandra: two "clients" are two services over the same store (one service twice
 * for memory, which only one application can see).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test, vi } from 'vitest'
import {
  ConcurrencyDetails,
  methods,
  type ApiError,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../shared/contract'
import {
  cassandraTestSettings,
  describeWithCassandra,
  testKeyspace,
} from '../../test/cassandraTestStore'
import { Aggregate, Application, createSqliteStore, topics } from '../eventsourcing'
import '../example/exampleAggregateRoot'
import { TEST_COUNTER } from './commandsTestType'
import { dispatch } from './dispatch'
import { ExplorerService } from './service'

vi.setConfig({ testTimeout: 60_000 })

const EXAMPLE = 'example#ExampleAggregateRoot'
const folder = mkdtempSync(join(tmpdir(), 'eventscope-commands-'))
const services: ExplorerService[] = []
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()))
})

interface Client {
  ok<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  fail(method: MethodName, request: unknown): Promise<ApiError>
}

async function client(settings: RequestOf<'connect'>): Promise<Client> {
  const service = new ExplorerService({ emit: () => {}, cipherKey: undefined, pollIntervalMs: 50 })
  services.push(service)
  const c: Client = {
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
  await c.ok('connect', settings)
  return c
}

/** Two clients of one store. */
type Clients = () => Promise<[Client, Client]>

function commandSuite(clients: Clients): void {
  test('create, then commands on the stored version: events stored, state returned', async () => {
    const [a] = await clients()
    const created = await a.ok('execute', {
      type: EXAMPLE,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { foo: 'one' } }, { name: 'createExample' }],
    })
    expect(created).toMatchObject({ type: EXAMPLE, expectedVersion: -1, version: 1 })
    expect(created.events.map((e) => e.type)).toEqual(['Created', 'ExampleCreated'])
    expect(created.state).toMatchObject({ _foo: 'one' })

    const changed = await a.ok('execute', {
      id: created.id,
      expectedVersion: 1,
      commands: [{ name: 'setFoo', params: { value: 'two' } }],
    })
    expect(changed).toMatchObject({ version: 2, state: { _foo: 'two' }, discarded: false })
    expect(changed.events).toMatchObject([{ version: 2, type: 'AttributeChanged' }])
    const view = await a.ok('getAggregate', { id: created.id })
    expect(view).toMatchObject({ version: 2, state: { _foo: 'two' } })
  })

  test('preview returns the pending events and state, and stores nothing', async () => {
    const [a] = await clients()
    const before = (await a.ok('listAggregates', {})).total
    const fresh = await a.ok('preview', {
      type: TEST_COUNTER,
      expectedVersion: -1,
      commands: [
        { name: 'create', params: { limit: 5 } },
        { name: 'increment', params: { by: 2 } },
      ],
    })
    expect(fresh).toMatchObject({ version: 1, state: { _count: 2 } })
    expect(fresh.events.map((e) => e.type)).toEqual(['Created', 'Incremented'])
    expect((await a.ok('listAggregates', {})).total).toBe(before)

    const stored = await a.ok('execute', {
      type: TEST_COUNTER,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { limit: 5 } }],
    })
    const shown = await a.ok('preview', {
      id: stored.id,
      expectedVersion: 0,
      commands: [{ name: 'increment', params: { by: 3 } }],
    })
    expect(shown).toMatchObject({ id: stored.id, version: 1, state: { _count: 3 } })
    expect((await a.ok('getAggregate', { id: stored.id })).version).toBe(0)
  })

  test('a stale expectedVersion: ConcurrencyError with the winner’s events, nothing stored', async () => {
    const [a, b] = await clients()
    const { id } = await a.ok('execute', {
      type: TEST_COUNTER,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { limit: 100 } }],
    })
    // Both clients loaded version 0; b stores first.
    await b.ok('execute', {
      id,
      expectedVersion: 0,
      commands: [
        { name: 'increment', params: { by: 1 } },
        { name: 'increment', params: { by: 2 } },
      ],
    })
    const refused = await a.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [{ name: 'increment', params: { by: 50 } }],
    })
    expect(refused.code).toBe('ConcurrencyError')
    const details = ConcurrencyDetails.parse(refused.details)
    expect(details).toMatchObject({ aggregateId: id, expectedVersion: 1, actualVersion: 2 })
    expect(details.winningEvents.map((e) => [e.version, e.payload])).toEqual([
      [1, expect.objectContaining({ by: 1 })],
      [2, expect.objectContaining({ by: 2 })],
    ])
    expect(refused.message).toContain('Another writer saved first')
    expect(await a.ok('getAggregate', { id })).toMatchObject({ version: 2, state: { _count: 3 } })
  })

  test('unknown commands and parameters are a ValidationError naming the parameter', async () => {
    const [a] = await clients()
    const { id } = await a.ok('execute', {
      type: TEST_COUNTER,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { limit: 3 } }],
    })
    const unknown = await a.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [{ name: 'reset' }],
    })
    expect(unknown).toMatchObject({ code: 'ValidationError' })
    expect(unknown.message).toContain("has no command 'reset'")
    const wrong = await a.fail('preview', {
      id,
      expectedVersion: 0,
      commands: [{ name: 'increment', params: { by: 'two' } }],
    })
    expect(wrong).toMatchObject({ code: 'ValidationError', details: { parameter: 'by' } })
    const extra = await a.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [{ name: 'increment', params: { by: 1, times: 2 } }],
    })
    expect(extra).toMatchObject({ code: 'ValidationError', details: { parameter: 'times' } })
    const unregistered = await a.fail('execute', {
      type: 'nowhere#Nothing',
      expectedVersion: -1,
      commands: [{ name: 'create' }],
    })
    expect(unregistered).toMatchObject({ code: 'ValidationError' })
    expect(unregistered.message).toContain("no aggregate type 'nowhere#Nothing' is registered")
    const noCreate = await a.fail('execute', {
      type: TEST_COUNTER,
      expectedVersion: -1,
      commands: [{ name: 'increment', params: { by: 1 } }],
    })
    expect(noCreate).toMatchObject({ code: 'ValidationError' })
    expect((await a.ok('getAggregate', { id })).version).toBe(0)
  })

  test('a parameter named __proto__, constructor or prototype is refused as any unknown one', async () => {
    const [a] = await clients()
    const { id } = await a.ok('execute', {
      type: TEST_COUNTER,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { limit: 3 } }],
    })
    const extra = await a.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [{ name: 'increment', params: { by: 1, times: 2 } }],
    })
    // As the WebSocket server hands them on: JSON.parse makes "__proto__" an own key.
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      for (const method of ['execute', 'preview'] as const) {
        const refused = await a.fail(
          method,
          JSON.parse(
            `{"id":"${id}","expectedVersion":0,"commands":[{"name":"increment","params":{"by":1,"${key}":{"a":1}}}]}`,
          ),
        )
        expect(refused, `${method} ${key}`).toEqual({
          ...extra,
          message: extra.message.replace("'times'", `'${key}'`),
          details: { parameter: key },
        })
      }
      const created = await a.fail(
        'execute',
        JSON.parse(
          `{"type":"${TEST_COUNTER}","expectedVersion":-1,"commands":[{"name":"create","params":{"limit":3,"${key}":{}}}]}`,
        ),
      )
      expect(created, `create ${key}`).toMatchObject({
        code: 'ValidationError',
        details: { parameter: key },
      })
      expect(created.message).toContain(`has no parameter '${key}'`)
    }
    expect((await a.ok('getAggregate', { id })).version).toBe(0)
  })

  test('a domain rule refuses: DomainError with the rule, and nothing of the batch is stored', async () => {
    const [a] = await clients()
    const { id } = await a.ok('execute', {
      type: TEST_COUNTER,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { limit: 3 } }],
    })
    const refused = await a.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [
        { name: 'increment', params: { by: 2 } },
        { name: 'increment', params: { by: 2 } },
      ],
    })
    expect(refused).toMatchObject({ code: 'DomainError', details: { rule: 'counter-limit' } })
    expect(refused.message).toContain('cannot go above 3')
    expect((await a.ok('getAggregate', { id })).version).toBe(0)
  })

  test('discarded: further commands are AggregateNotFound (discarded); older versions load', async () => {
    const [a] = await clients()
    const { id } = await a.ok('execute', {
      type: EXAMPLE,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { foo: 'x' } }, { name: 'discard' }],
    })
    const after = await a.fail('execute', {
      id,
      expectedVersion: 1,
      commands: [{ name: 'setFoo', params: { value: 'y' } }],
    })
    expect(after).toMatchObject({
      code: 'AggregateNotFound',
      details: { id, reason: 'discarded' },
    })
    const inBatch = await a.fail('preview', {
      type: EXAMPLE,
      expectedVersion: -1,
      commands: [
        { name: 'create', params: { foo: 'x' } },
        { name: 'discard' },
        { name: 'discard' },
      ],
    })
    expect(inBatch).toMatchObject({ code: 'AggregateNotFound', details: { reason: 'discarded' } })
    // Version 0 still exists: running on it is a conflict with the stored discard, not a load error.
    const stale = await a.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [{ name: 'setFoo', params: { value: 'y' } }],
    })
    expect(stale).toMatchObject({ code: 'ConcurrencyError' })
  })

  test('a version the aggregate never reached, or an unknown id, is refused', async () => {
    const [a] = await clients()
    const { id } = await a.ok('execute', {
      type: EXAMPLE,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { foo: 'x' } }],
    })
    const beyond = await a.fail('execute', {
      id,
      expectedVersion: 5,
      commands: [{ name: 'setFoo', params: { value: 'y' } }],
    })
    expect(beyond).toMatchObject({ code: 'ValidationError', details: { latestVersion: 0 } })
    const missing = await a.fail('preview', {
      id: '00000000-0000-4000-8000-000000000000',
      expectedVersion: 0,
      commands: [{ name: 'setFoo', params: { value: 'y' } }],
    })
    expect(missing).toMatchObject({ code: 'AggregateNotFound', details: { reason: 'missing' } })
  })
}

describe('execute and preview on memory', () => {
  commandSuite(async () => {
    const a = await client({ kind: 'memory' })
    return [a, a]
  })
})

describe('execute and preview on SQLite', () => {
  let files = 0
  commandSuite(async () => {
    const settings: RequestOf<'connect'> = {
      kind: 'sqlite',
      path: join(folder, `c-${++files}.sqlite`),
    }
    const a = await client(settings)
    return [a, await client(settings)]
  })
})

test('the built-in account type: listed, seeded, executed, its overdraft rule refusing', async () => {
  const a = await client({ kind: 'memory' })
  const types = await a.ok('listAggregateTypes', {})
  expect(types.find((t) => t.topic === 'bank#Account')).toMatchObject({
    source: 'built-in',
    canSeed: true,
  })
  expect(
    await a.ok('seedDemoData', { aggregates: 2, events: 6, type: 'bank#Account', taskId: 'acc' }),
  ).toMatchObject({ aggregates: 2, cancelled: false })
  const { id } = await a.ok('execute', {
    type: 'bank#Account',
    expectedVersion: -1,
    commands: [
      { name: 'create', params: { owner: 'Ada', currency: 'EUR' } },
      { name: 'deposit', params: { amount: 500 } },
    ],
  })
  const refused = await a.fail('execute', {
    id,
    expectedVersion: 1,
    commands: [{ name: 'withdraw', params: { amount: 501 } }],
  })
  expect(refused).toMatchObject({ code: 'DomainError', details: { rule: 'overdraft-limit' } })
})

/** An aggregate class whose topics resolve, but that no aggregate type registers. */
class Unlisted extends Aggregate {
  static override Created = class Created extends Aggregate.Created {}
}
topics.registerAggregate('commandsTest#Unlisted', Unlisted, { Created: Unlisted.Created })

test('an aggregate whose type is not registered: ValidationError naming its topic', async () => {
  const path = join(folder, 'unlisted.sqlite')
  const writer = new Application({
    store: createSqliteStore(path),
  })
  const unlisted = Unlisted.create({})
  await writer.save(unlisted)
  await writer.close()

  const a = await client({ kind: 'sqlite', path })
  const refused = await a.fail('preview', {
    id: unlisted.id,
    expectedVersion: 0,
    commands: [{ name: 'rename' }],
  })
  expect(refused).toMatchObject({
    code: 'ValidationError',
    details: { type: 'commandsTest#Unlisted' },
  })
  expect(refused.message).toContain("no aggregate type 'commandsTest#Unlisted' is registered")
  const mismatch = await a.fail('execute', {
    id: unlisted.id,
    type: EXAMPLE,
    expectedVersion: 0,
    commands: [{ name: 'setFoo', params: { value: 'x' } }],
  })
  expect(mismatch.message).toContain(
    'is a commandsTest#Unlisted, not a example#ExampleAggregateRoot',
  )
})

await describeWithCassandra('execute and preview on Cassandra', () => {
  commandSuite(async () => {
    const { contactPoints, localDataCenter } = cassandraTestSettings()
    const settings: RequestOf<'connect'> = {
      kind: 'cassandra',
      contactPoints,
      localDataCenter,
      keyspace: testKeyspace,
    }
    const a = await client(settings)
    return [a, await client(settings)]
  })
})
