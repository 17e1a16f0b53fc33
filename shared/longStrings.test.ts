import { describe, expect, test } from 'vitest'
import type { JsonValue } from './jsonValue'
import { shortenLongStrings } from './longStrings'

describe('shortenLongStrings', () => {
  test('cuts the long strings only, says where and how long, and leaves the value as it was', () => {
    const value: JsonValue = { a: 'x'.repeat(12), b: ['short', 'y'.repeat(20)], c: { d: 5 } }
    const before = JSON.stringify(value)
    const { value: out, shortened } = shortenLongStrings(value, 10)
    expect(out).toEqual({ a: 'x'.repeat(10), b: ['short', 'y'.repeat(10)], c: { d: 5 } })
    expect(shortened).toEqual([
      { path: ['a'], length: 12 },
      { path: ['b', 1], length: 20 },
    ])
    expect(JSON.stringify(value)).toBe(before)
    // The untouched container is shared, not copied.
    expect((out as { c: unknown }).c).toBe((value as { c: unknown }).c)
  })

  test('nothing to cut: the same value, nothing listed', () => {
    const value: JsonValue = { a: ['b', { c: 'd' }], n: null, t: true }
    expect(shortenLongStrings(value, 10)).toEqual({ value, shortened: [] })
    expect(shortenLongStrings(value, 10).value).toBe(value)
    expect(shortenLongStrings('z'.repeat(11), 10)).toEqual({
      value: 'z'.repeat(10),
      shortened: [{ path: [], length: 11 }],
    })
  })

  test('a key named __proto__ stays data', () => {
    const value = JSON.parse(`{"__proto__": {"long": "${'q'.repeat(15)}"}}`) as JsonValue
    const { value: out, shortened } = shortenLongStrings(value, 10)
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.keys(out as object)).toEqual(['__proto__'])
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"long":"${'q'.repeat(10)}"}}`)
    expect(shortened).toEqual([{ path: ['__proto__', 'long'], length: 15 }])
  })
})
