import { describe, expect, test } from 'vitest'
import { ConnectionSettings, Envelope, JsonValue, events, methodNames, methods } from './contract'
import { createClient, type Transport } from './client'

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

  test('aggregate ids must be lowercase UUIDs', () => {
    expect(methods.getAggregate.request.safeParse({ id }).success).toBe(true)
    expect(methods.getAggregate.request.safeParse({ id: id.toUpperCase() }).success).toBe(false)
    expect(methods.getAggregate.request.safeParse({ id: 'not-a-uuid' }).success).toBe(false)
    expect(methods.getAggregate.request.safeParse({ id: `${id}' OR 1=1` }).success).toBe(false)
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
    const ok = createClient(transportAnswering({ ok: true, value: 3 }))
    await expect(ok.cancelTask({ taskId: 't' })).rejects.toThrow(/invalid response/)
    const answering = createClient(transportAnswering({ ok: true, value: { cancelled: true } }))
    await expect(answering.cancelTask({ taskId: 't' })).resolves.toEqual({ cancelled: true })
    const failing = createClient(
      transportAnswering({ ok: false, error: { code: 'AggregateNotFound', message: 'gone' } }),
    )
    await expect(failing.listAggregateTypes({})).rejects.toMatchObject({
      code: 'AggregateNotFound',
      message: 'gone',
    })
  })

  test('refuses a response that does not match the schema', async () => {
    const client = createClient(transportAnswering({ ok: true, value: [42] }))
    await expect(client.listAggregateTypes({})).rejects.toMatchObject({ code: 'InternalError' })
  })

  test('drops pushed events that do not match their schema', () => {
    const listeners: Array<(payload: unknown) => void> = []
    const client = createClient({
      invoke: async () => undefined,
      on: (_e, l) => (listeners.push(l), () => {}),
    })
    const received: unknown[] = []
    client.subscribe('progress', (p) => received.push(p))
    listeners[0]!({ taskId: 't', done: 1, total: 1, label: 'ok' })
    listeners[0]!({ taskId: 't', done: 'lots' })
    expect(received).toEqual([{ taskId: 't', done: 1, total: 1, label: 'ok' }])
  })
})
