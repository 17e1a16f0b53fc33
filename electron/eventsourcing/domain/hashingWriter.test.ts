import { describe, expect, test } from 'vitest'
import {
  canonicalEventJson,
  canonicalJson,
  referenceCanonicalJson,
  referenceEventJson,
} from './hashing'
import { UUID } from './uuid'
import { seededRandom as random } from '../../../test/seededRandom'

// Stored hashes were computed over the reference text: the fast writer must produce it exactly,
// for every value, or old events would fail their hash check after an upgrade.

class Point {
  constructor(
    readonly x: number,
    readonly y: unknown,
  ) {}
}

const KEYS = [
  'a',
  'b',
  'B',
  '_t_',
  'topic',
  'hash',
  'name',
  'é',
  '\u0000x',
  '"q"',
  'z\ud800',
  '10',
  '2',
  '0',
  '1a',
  '-1',
  '__proto__',
  'toJSON',
  'constructor',
  '$date',
  '',
]
const STRINGS = [
  '',
  'a\\b',
  'tab\there',
  '\u2028',
  '\u007f',
  'x',
  'value 1',
  'é ü 日本',
  '\ud83d\ude00',
  '\ud800',
  '\n\t"\\',
  '2026-01-01T00:00:00.000Z',
]
const NUMBERS = [
  0,
  -0,
  1,
  -1.5,
  1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER,
  NaN,
  Infinity,
  -Infinity,
  0.1 + 0.2,
]

function value(next: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  const kind = Math.floor(next() * (depth > 3 ? 6 : 16))
  switch (kind) {
    case 0:
      return null
    case 1:
      return undefined
    case 2:
      return pick(STRINGS)
    case 3:
      return pick(NUMBERS)
    case 4:
      return next() < 0.5
    case 5:
      return BigInt(Math.floor(next() * 1e6)) * (next() < 0.5 ? -1n : 1n)
    case 6:
      return new Date(Math.floor(next() * 2e12))
    case 7:
      return new UUID('12345678-1234-4234-8234-1234567890ab')
    case 8:
      return new Uint8Array([1, 2, Math.floor(next() * 255)])
    case 9:
      return new Map([
        [pick(STRINGS), value(next, depth + 1)],
        [pick(STRINGS), value(next, depth + 1)],
      ])
    case 10:
      return new Set([pick(STRINGS), pick(NUMBERS)])
    case 11: {
      const sparse: unknown[] = [value(next, depth + 1)]
      sparse[3] = value(next, depth + 1)
      return sparse
    }
    case 12:
      return new Point(pick(NUMBERS), value(next, depth + 1))
    case 13: {
      const inner = value(next, depth + 1)
      return { toJSON: () => inner }
    }
    default: {
      const out: Record<string, unknown> = Object.create(
        next() < 0.1 ? null : Object.prototype,
      ) as Record<string, unknown>
      const n = Math.floor(next() * 6)
      for (let i = 0; i < n; i++) {
        // defineProperty: a `__proto__` key becomes an own field, as JSON.parse makes it.
        Object.defineProperty(out, pick(KEYS), {
          value: value(next, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return out
    }
  }
}

function same(actual: () => string, expected: () => string): void {
  let want: string | Error
  try {
    want = expected()
  } catch (error) {
    want = error as Error
  }
  if (want instanceof Error) expect(actual).toThrow(want.constructor as new () => Error)
  else expect(actual()).toBe(want)
}

describe('canonicalJson written directly (what event hashes are computed over)', () => {
  test('given random values of every kind, then the text is the reference text', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const v = value(random(seed), 0)
      same(
        () => canonicalJson(v),
        () => referenceCanonicalJson(v),
      )
    }
  })

  test('given random event-shaped objects, then the event text is the reference text', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const next = random(seed)
      const event = new Point(1, 2) as unknown as Record<string, unknown>
      for (let i = 0; i < 7; i++) {
        Object.defineProperty(event, KEYS[Math.floor(next() * KEYS.length)]!, {
          value: value(next, 1),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      same(
        () => canonicalEventJson('example#Topic', event),
        () => referenceEventJson('example#Topic', event),
      )
    }
  })

  test('given objects of one shape with fields undefined in turn, then each text is the reference text', () => {
    // The writer reuses its sorted key list per shape: the commas must still be right.
    const shape = (a: unknown, b: unknown, c: unknown): object => new Point(1, { c, a, b })
    for (const [a, b, c] of [
      [1, 2, 3],
      [undefined, 2, 3],
      [1, undefined, 3],
      [1, 2, undefined],
      [undefined, undefined, undefined],
    ]) {
      const v = shape(a, b, c)
      expect(canonicalJson(v)).toBe(referenceCanonicalJson(v))
      expect(canonicalEventJson('t', v)).toBe(referenceEventJson('t', v))
    }
    for (const topic of ['own topic', undefined]) {
      const e = { topic, hash: 'h', a: '"\\\n\u2028', z: new Date(0) }
      expect(canonicalEventJson('class topic', e)).toBe(referenceEventJson('class topic', e))
    }
  })

  test('given a function anywhere, then it is refused as by the reference', () => {
    expect(() => canonicalJson({ a: [1, { f: () => 1 }] })).toThrow(TypeError)
    expect(() => canonicalEventJson('t', { f: Symbol('s') })).toThrow(TypeError)
  })
})
