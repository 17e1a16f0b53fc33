/**
 * Request validation through `dispatch`: every method refuses malformed requests with a
 * ValidationError (a seeded fuzz), and paged methods are bounded.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { methodNames, methods, type MethodName, type RequestOf } from '../../shared/contract'
import { dispatch } from './dispatch'
import { closeOpenServices, connected, UUID_A } from './serviceTesting'

afterEach(closeOpenServices)

// ---------------------------------------------------------------------------- validation fuzz

/** A seeded PRNG, so a failing fuzz case can be reproduced. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const validRequests: { [M in MethodName]: RequestOf<M> } = {
  getConnection: {},
  connect: { kind: 'memory' },
  disconnect: {},
  setCipherKey: { keyBase64: Buffer.alloc(32, 7).toString('base64'), remember: false },
  forgetCipherKey: {},
  listAggregateTypes: {},
  countAggregates: {},
  listAggregates: {
    limit: 10,
    idPrefix: 'ab',
    type: 'example#ExampleAggregateRoot',
    order: 'id',
    from: 'end',
  },
  getAggregate: { id: UUID_A, at: 1, taskId: 'task-1' },
  getStateChildren: {
    id: UUID_A,
    at: 1,
    path: ['entities', 0],
    offset: 100,
    limit: 50,
    taskId: 't',
  },
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
  listSnapshotSummaries: { id: UUID_A, afterVersion: 0, beforeVersion: 9, limit: 10 },
  listSnapshotVersions: { id: UUID_A, afterVersion: 0, beforeVersion: 9, limit: 10 },
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
// Refused by the contract (empty, too long, not text) or, for Eventscope's own stores, by the
// service (serviceQueries.ts): a Python store's text ids are the only non-UUIDs read methods take.
const badIds = ['', 'not-a-uuid', UUID_A.toUpperCase(), `${UUID_A}0`, 42, 'x'.repeat(4097)]
const badPrefixes = ['TCK-', 'g', '0'.repeat(37)]

function malformedPayloads(method: MethodName, random: () => number): unknown[] {
  const valid = validRequests[method] as Record<string, unknown>
  const out: unknown[] = [undefined, null, 42, 'text', true, [], [valid], NaN]
  for (const key of Object.keys(valid)) {
    for (const bad of badForEveryField) out.push({ ...valid, [key]: bad })
    if (key === 'id') for (const bad of badIds) out.push({ ...valid, id: bad })
    if (key === 'idPrefix') for (const bad of badPrefixes) out.push({ ...valid, idPrefix: bad })
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
