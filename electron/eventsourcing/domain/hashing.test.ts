import { describe, expect, test } from 'vitest'
import { canonicalJson, sha256Hex } from './hashing'

describe('canonicalJson (what event hashes are computed over)', () => {
  test('given the same fields in another order, then the text is the same', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(
      canonicalJson({ a: { c: 3, d: 2 }, b: 1 }),
    )
  })

  test('given a field that is undefined, then the text is the same as without the field', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }))
  })

  test('given a field that is null, then it differs from a missing field', () => {
    expect(canonicalJson({ a: 1, b: null })).not.toBe(canonicalJson({ a: 1 }))
  })

  test('given maps and sets with the same members in another order, then the text is the same', () => {
    expect(
      canonicalJson(
        new Map([
          ['x', 1],
          ['y', 2],
        ]),
      ),
    ).toBe(
      canonicalJson(
        new Map([
          ['y', 2],
          ['x', 1],
        ]),
      ),
    )
    expect(canonicalJson(new Set(['x', 'y']))).toBe(canonicalJson(new Set(['y', 'x'])))
  })

  test('given different values, then the text differs', () => {
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }))
    expect(canonicalJson({ a: new Date(0) })).not.toBe(canonicalJson({ a: new Date(1) }))
    expect(canonicalJson({ a: 1n })).not.toBe(canonicalJson({ a: 1 }))
    expect(canonicalJson({ a: new Uint8Array([1]) })).not.toBe(
      canonicalJson({ a: new Uint8Array([2]) }),
    )
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]))
  })

  test('given a function, then it is refused rather than silently ignored', () => {
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError)
  })
})

describe('sha256Hex', () => {
  test('given a known text, then the known digest comes back', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })
})
