import { describe, expect, test } from 'vitest'
import { UUID } from '../domain/uuid'
import { eventFieldsRoundTrip } from './canonicalRoundTrip'

const header = {
  originatorId: 'o',
  originatorVersion: 1,
  timestamp: new Date('2026-01-02T03:04:05Z'),
}
const fits = (fields: Record<string, unknown>): boolean =>
  eventFieldsRoundTrip({ ...header, ...fields })

describe('eventFieldsRoundTrip: which fields format 2 can store', () => {
  test('JSON values, dates, bigints, bytes, arrays and sorted plain objects round-trip', () => {
    expect(
      fits({
        a: null,
        b: true,
        c: 's',
        d: 1.5,
        e: 5n,
        f: new Uint8Array([1]),
        g: [1, 'x', null, undefined, { a: 1, b: [2] }],
        h: { A: 1, a: 2, b: { '': 0, '/y': 2, ':x': 1 } },
        i: undefined,
        hash: 'anything',
      }),
    ).toBe(true)
    expect(fits({ A: 1, '': 2 })).toBe(false)
    expect(fits({ '': 1, A: 2, '/x': 3 })).toBe(false)
    expect(fits({ '': 1, '/x': 2, ':x': 3, A: 4, a: 5 })).toBe(true)
  })

  test('the header fields may come in any order, the payload fields must be sorted', () => {
    expect(eventFieldsRoundTrip({ b: 1, originatorVersion: 1, originatorId: 'o', a: 2 })).toBe(
      false,
    )
    expect(
      eventFieldsRoundTrip({ a: 1, timestamp: header.timestamp, originatorId: 'o', b: 2 }),
    ).toBe(true)
    expect(eventFieldsRoundTrip({ z: 1, previousHash: 'h', originatorId: 'o' })).toBe(true)
    expect(fits({ b: 1, a: 2 })).toBe(false)
  })

  test('a topic field, or a key a tag or JSON.parse would misread, is refused', () => {
    expect(fits({ topic: 't' })).toBe(false)
    for (const key of ['0a', '9z', '$x', '__proto__', 'toJSON']) {
      const payload = JSON.parse(`{${JSON.stringify(key)}:1}`) as Record<string, unknown>
      expect(eventFieldsRoundTrip(payload), key).toBe(false)
      expect(fits({ n: payload }), `nested ${key}`).toBe(false)
    }
  })

  test('values that would come back different are refused, at any depth', () => {
    const bad: unknown[] = [
      Symbol('s'),
      () => 1,
      Number.NaN,
      Infinity,
      new Date(Number.NaN),
      UUID.v4(),
      new Map(),
      new Set(),
      new (class Thing {
        a = 1
      })(),
      { toJSON: () => 1 },
      // Not enumerable: no key names it, JSON.stringify still calls it.
      Object.defineProperty({ a: 1 }, 'toJSON', { value: () => 'other', enumerable: false }),
      Object.create({ inherited: 1 }) as object,
    ]
    for (const value of bad) {
      expect(fits({ v: value }), String(typeof value)).toBe(false)
      expect(fits({ v: [1, value] }), `in an array: ${typeof value}`).toBe(false)
      expect(fits({ v: { a: 1, b: value } }), `in an object: ${typeof value}`).toBe(false)
    }
    expect(fits({ v: { b: 1, a: 2 } })).toBe(false)
  })
})
