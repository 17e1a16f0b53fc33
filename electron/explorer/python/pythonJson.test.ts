import { describe, expect, test } from 'vitest'
import { toDisplayJson } from '../displayJson'
import { parsePythonJson } from './pythonJson'

// Texts as Python's json.dumps writes them (allow_nan=True, ints of any size).
describe('JSON as Python writes it', () => {
  test('integers past 2**53 keep every digit (as BigInt); safe ones stay numbers', () => {
    expect(parsePythonJson('{"a":9223372036854775809,"b":-12345678901234567891,"c":42}')).toEqual({
      a: 9223372036854775809n,
      b: -12345678901234567891n,
      c: 42,
    })
    // A safe integer written with 16 digits is a number, a float keeps being one.
    expect(parsePythonJson('[1000000000000000, 1.5e300, 0.1]')).toEqual([1e15, 1.5e300, 0.1])
  })

  test('NaN, Infinity and -Infinity are numbers; the same words inside strings are text', () => {
    const parsed = parsePythonJson(
      '{"rate": NaN, "up": Infinity, "down": -Infinity, "note": "NaN \\" Infinity", "list": [NaN]}',
    ) as Record<string, unknown>
    expect(parsed['rate']).toBeNaN()
    expect(parsed['up']).toBe(Infinity)
    expect(parsed['down']).toBe(-Infinity)
    expect(parsed['note']).toBe('NaN " Infinity')
    expect((parsed['list'] as unknown[])[0]).toBeNaN()
  })

  test('standard JSON reads as JSON.parse reads it; a text that is not JSON is still refused', () => {
    const text = '{"x":[1,"two",{"three":null}],"t":true,"digits":"12345678901234567890"}'
    expect(parsePythonJson(text)).toEqual(JSON.parse(text))
    expect(() => parsePythonJson('{"x": nan}')).toThrow()
    expect(() => parsePythonJson('{"x": 12345678901234567890')).toThrow()
  })
})

describe('a Python state as the explorer shows it', () => {
  test('big integers and NaN are typed numbers, not text that reads the same', () => {
    const state = parsePythonJson(
      '{"big": 12345678901234567890, "digits": "12345678901234567890", "rate": NaN, "word": "NaN"}',
    )
    expect(toDisplayJson(state)).toEqual({
      big: { '@': 'bigint', v: '12345678901234567890' },
      digits: '12345678901234567890',
      rate: { '@': 'number', v: 'NaN' },
      word: 'NaN',
    })
  })
})
