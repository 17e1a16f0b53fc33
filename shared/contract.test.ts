import { describe, expect, test } from 'vitest'
import {
  ConnectionSettings,
  Envelope,
  JsonValue,
  ParametersSchema,
  events,
  methodNames,
  methods,
} from './contract'
import { createClient, type Transport, type Validator } from './client'
import { EVENT_NAMES, METHOD_NAMES } from './contractBasics'
import { validator } from './validation'

const id = '0b7e2f1c-3d4a-4b5c-8d9e-0f1a2b3c4d5e'

describe('the contract schemas', () => {
  test('every method has a request and a response schema, and every request is strict', () => {
    expect(methodNames.length).toBeGreaterThan(20)
    for (const name of methodNames) {
      const { request, response } = methods[name]
      expect(request, name).toBeDefined()
      expect(response, name).toBeDefined()
      // Unknown fields are refused: a typo in a caller is an error, not a silent default.
      const valid = name === 'connect' ? { kind: 'memory' } : {}
      const withExtra = request.safeParse({ ...valid, unexpectedField: 1 })
      expect(withExtra.success, `${name} accepted an unknown field`).toBe(false)
    }
  })

  test("a command's parameters pass as sent: a __proto__ key is kept for the parameter check", () => {
    const batch = (params: unknown) =>
      methods.execute.request.safeParse({
        type: 'example#ExampleAggregateRoot',
        expectedVersion: -1,
        commands: [{ name: 'create', params }],
      })
    const parsed = batch(JSON.parse('{"foo":"x","__proto__":{"a":1}}'))
    expect(parsed.success).toBe(true)
    const params = parsed.data?.commands[0]?.params
    expect(Object.keys(params ?? {})).toEqual(['foo', '__proto__'])
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype)
    for (const bad of [null, [], 'x', { when: new Date(0) }, { n: Number.NaN }])
      expect(batch(bad).success, JSON.stringify(bad)).toBe(false)
  })

  test('read methods take any bounded, non-empty id (a Python store may hold text ids)', () => {
    // Eventscope's own stores still take UUIDs only: the service refuses others for them
    // (serviceValidation.test.ts).
    for (const text of [id, 'TCK-1', 'tab\there', 'evil\u202etxt', '<b>x</b>', 'x'.repeat(4096)])
      expect(methods.getAggregate.request.safeParse({ id: text }).success, text).toBe(true)
    for (const bad of ['', 'x'.repeat(4097), 42, null])
      expect(methods.getAggregate.request.safeParse({ id: bad }).success, String(bad)).toBe(false)
  })

  test('versions are non-negative safe integers', () => {
    for (const at of [-1, 1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN, '3']) {
      expect(methods.getAggregate.request.safeParse({ id, at }).success, String(at)).toBe(false)
    }
    expect(methods.getAggregate.request.safeParse({ id, at: 0 }).success).toBe(true)
  })

  test('page sizes have defaults and upper bounds, so no reply is unbounded', () => {
    expect(methods.listAggregates.request.parse({})).toMatchObject({ limit: 100, order: 'recent' })
    expect(methods.listAggregates.request.safeParse({ limit: 501 }).success).toBe(false)
    expect(methods.listEvents.request.parse({ id })).toMatchObject({ fromVersion: 0, limit: 200 })
    expect(methods.listEvents.request.safeParse({ id, limit: 1001 }).success).toBe(false)
    expect(methods.exportHistory.request.safeParse({ id, limit: 5001 }).success).toBe(false)
    expect(methods.listSnapshots.request.safeParse({ id, limit: 1001 }).success).toBe(false)
  })

  test('connection settings: a keyspace cannot smuggle CQL, contact points are host[:port]', () => {
    const base = {
      kind: 'cassandra',
      contactPoints: ['127.0.0.1:9042'],
      localDataCenter: 'dc1',
      keyspace: 'eventscope',
    }
    expect(ConnectionSettings.safeParse(base).success).toBe(true)
    expect(ConnectionSettings.safeParse({ ...base, keyspace: 'x; DROP KEYSPACE y' }).success).toBe(
      false,
    )
    expect(ConnectionSettings.safeParse({ ...base, contactPoints: ['http://evil/'] }).success).toBe(
      false,
    )
    expect(ConnectionSettings.safeParse({ ...base, contactPoints: [] }).success).toBe(false)
    expect(ConnectionSettings.safeParse({ kind: 'postgres' }).success).toBe(false)
  })

  test('JSON values exclude what JSON cannot carry', () => {
    expect(JsonValue.safeParse({ a: [1, 'x', null, { b: true }] }).success).toBe(true)
    expect(JsonValue.safeParse({ a: undefined }).success).toBe(false)
    expect(JsonValue.safeParse(() => 1).success).toBe(false)
    expect(JsonValue.safeParse(new Date()).success).toBe(false)
    expect(JsonValue.safeParse([1, [2, { c: NaN }]]).success).toBe(false)
    expect(JsonValue.safeParse({ a: [Infinity] }).success).toBe(false)
    expect(JsonValue.safeParse([1, undefined]).success).toBe(false)
    expect(JsonValue.safeParse({ m: new Map() }).success).toBe(false)
    expect(JsonValue.safeParse(Object.create(null) as object).success).toBe(true)
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic['self'] = cyclic
    expect(JsonValue.safeParse(cyclic).success).toBe(false)
    let deep: unknown = 'leaf'
    for (let i = 0; i < 1000; i++) deep = [deep]
    expect(JsonValue.safeParse(deep).success).toBe(true)
    expect(JsonValue.safeParse([deep]).success).toBe(false)
  })

  test('parameter schemas carry every keyword the form checks (pattern, exclusiveMaximum, multipleOf)', () => {
    const schema = {
      type: 'object' as const,
      properties: {
        isbn: { type: 'string' as const, title: 'ISBN', pattern: '^97[89]-[0-9]{10}$' },
        price: { type: 'number' as const, title: 'Price', exclusiveMaximum: 100, multipleOf: 0.01 },
      },
    }
    expect(ParametersSchema.parse(schema)).toEqual(schema)
  })

  test('events pushed to the renderer have schemas too', () => {
    expect(events.progress.safeParse({ taskId: 't1', done: 1, total: 2, label: 'x' }).success).toBe(
      true,
    )
    expect(
      events.progress.safeParse({ taskId: 'bad id!', done: 1, total: 2, label: 'x' }).success,
    ).toBe(false)
  })

  test('errors cross as typed envelopes', () => {
    const envelope = Envelope(methods.getConnection.response)
    expect(
      envelope.safeParse({ ok: false, error: { code: 'ConcurrencyError', message: 'm' } }).success,
    ).toBe(true)
    expect(envelope.safeParse({ ok: false, error: { code: 'Boom', message: 'm' } }).success).toBe(
      false,
    )
  })
})

describe('the client built from the contract', () => {
  function transportAnswering(answer: unknown): Transport {
    return { invoke: async () => answer, on: () => () => {} }
  }

  test('returns the value of an ok envelope and throws the typed error of a failed one', async () => {
    const ok = createClient(transportAnswering({ ok: true, value: 3 }), validator)
    await expect(ok.cancelTask({ taskId: 't' })).rejects.toThrow(/invalid response/)
    const answering = createClient(
      transportAnswering({ ok: true, value: { cancelled: true } }),
      validator,
    )
    await expect(answering.cancelTask({ taskId: 't' })).resolves.toEqual({ cancelled: true })
    const failing = createClient(
      transportAnswering({ ok: false, error: { code: 'AggregateNotFound', message: 'gone' } }),
      validator,
    )
    await expect(failing.listAggregateTypes({})).rejects.toMatchObject({
      code: 'AggregateNotFound',
      message: 'gone',
    })
  })

  test('refuses a response that does not match the schema', async () => {
    const client = createClient(transportAnswering({ ok: true, value: [42] }), validator)
    await expect(client.listAggregateTypes({})).rejects.toMatchObject({ code: 'InternalError' })
  })

  test('drops pushed events that do not match their schema', () => {
    const listeners: Array<(payload: unknown) => void> = []
    const client = createClient(
      { invoke: async () => undefined, on: (_e, l) => (listeners.push(l), () => {}) },
      validator,
    )
    const received: unknown[] = []
    client.subscribe('progress', (p) => received.push(p))
    listeners[0]!({ taskId: 't', done: 1, total: 1, label: 'ok' })
    listeners[0]!({ taskId: 't', done: 'lots' })
    expect(received).toEqual([{ taskId: 't', done: 1, total: 1, label: 'ok' }])
  })
})

describe('the client while its validator is still loading (the renderer at boot)', () => {
  function deferred(): { promise: Promise<Validator>; resolve: () => void } {
    let resolve = () => {}
    const promise = new Promise<Validator>((done) => (resolve = () => done(validator)))
    return { promise, resolve }
  }

  test('the contract basics name exactly the contract methods and events', () => {
    expect([...METHOD_NAMES].sort()).toEqual([...methodNames].sort())
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort())
  })

  test('sends the request at once and still refuses an invalid answer once loaded', async () => {
    const sent: string[] = []
    const loading = deferred()
    const client = createClient(
      {
        invoke: async (method) => (sent.push(method), { ok: true, value: [42] }),
        on: () => () => {},
      },
      () => loading.promise,
    )
    const answer = client.listAggregateTypes({})
    expect(sent).toEqual(['listAggregateTypes'])
    loading.resolve()
    await expect(answer).rejects.toMatchObject({ code: 'InternalError' })
  })

  test('holds pushed events until loaded, then delivers the valid ones in order', async () => {
    const listeners: Array<(payload: unknown) => void> = []
    const loading = deferred()
    const client = createClient(
      { invoke: async () => undefined, on: (_e, l) => (listeners.push(l), () => {}) },
      () => loading.promise,
    )
    const received: unknown[] = []
    client.subscribe('progress', (p) => received.push(p.done))
    const stopped: unknown[] = []
    const stop = client.subscribe('progress', (p) => stopped.push(p))
    for (const done of [1, 2]) listeners[0]!({ taskId: 't', done, total: 3, label: 'ok' })
    listeners[0]!({ taskId: 't', done: 'lots' })
    listeners[1]!({ taskId: 't', done: 1, total: 3, label: 'ok' })
    stop()
    expect(received).toEqual([])
    loading.resolve()
    await loading.promise
    listeners[0]!({ taskId: 't', done: 3, total: 3, label: 'ok' })
    await Promise.resolve()
    expect(received).toEqual([1, 2, 3])
    // Unsubscribed before the validator came: nothing arrives after.
    expect(stopped).toEqual([])
  })

  test('a failed load fails that call only: the next call loads again', async () => {
    let attempts = 0
    const client = createClient(
      { invoke: async () => ({ ok: true, value: { cancelled: true } }), on: () => () => {} },
      async () => {
        attempts += 1
        if (attempts === 1) throw new Error('chunk failed')
        return validator
      },
    )
    await expect(client.cancelTask({ taskId: 't' })).rejects.toThrow('chunk failed')
    await expect(client.cancelTask({ taskId: 't' })).resolves.toEqual({ cancelled: true })
  })
})
