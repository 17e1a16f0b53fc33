import { describe, expect, test } from 'vitest'
import { DisplayValue } from '../../shared/contract'
import { UUID } from '../eventsourcing'
import { Example } from '../example/example'
import '../example/exampleAggregateRoot' // registers example#Example
import { DIFF_STRING_CHARS, diffDisplay } from './displayDiff'
import { toDisplayJson } from './displayJson'

describe('toDisplayJson', () => {
  test('given the example state, then maps, dates, UUIDs and child entities keep their kinds', () => {
    const id = new UUID('11111111-2222-4333-8444-555555555555')
    const state = {
      _foo: 'bar',
      _createdOn: new Date('2024-01-02T03:04:05.006Z'),
      _examples: new Map([[id.toString(), new Example(id)]]),
    }

    const shown = toDisplayJson(state)

    expect(shown).toEqual({
      _foo: 'bar',
      _createdOn: { '@': 'date', v: '2024-01-02T03:04:05.006Z' },
      _examples: {
        '@': 'map',
        entries: {
          [id.hex]: {
            '@': 'instance',
            type: 'example#Example',
            fields: { _id: { '@': 'uuid', v: id.hex } },
          },
        },
      },
    })
    expect(DisplayValue.safeParse(shown).success).toBe(true)
  })

  test('given values JSON cannot hold, then each is a typed value, never text', () => {
    const shown = toDisplayJson({
      big: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 3]),
      nan: NaN,
      inf: -Infinity,
      set: new Set([1, 2]),
      gone: undefined,
    })

    expect(shown).toEqual({
      big: { '@': 'bigint', v: '1180591620717411303424' },
      bytes: { '@': 'bytes', v: 'AQID' },
      nan: { '@': 'number', v: 'NaN' },
      inf: { '@': 'number', v: '-Infinity' },
      set: { '@': 'set', items: [1, 2] },
    })
  })

  test('given a string and a date of the same text, then only the date is typed', () => {
    const text = '2020-02-29T23:59:59.999Z'
    expect(toDisplayJson({ text, date: new Date(text) })).toEqual({
      text,
      date: { '@': 'date', v: text },
    })
    expect(toDisplayJson([12345678901234567890n, '12345678901234567890', 'NaN', NaN])).toEqual([
      { '@': 'bigint', v: '12345678901234567890' },
      '12345678901234567890',
      'NaN',
      { '@': 'number', v: 'NaN' },
    ])
  })

  test('given user objects shaped like typed values, then they stay plain objects', () => {
    const shown = toDisplayJson({
      fake: { '@': 'date', v: '2020-01-01T00:00:00.000Z' },
      typeField: { '@type': 'x', '@@': 1, a: 1 },
    })
    expect(shown).toEqual({
      fake: { '@@': 'date', v: '2020-01-01T00:00:00.000Z' },
      typeField: { '@@type': 'x', '@@@': 1, a: 1 },
    })
    expect(DisplayValue.safeParse(shown).success).toBe(true)
    // A forged typed value, or one the encoding does not define, is refused by the contract.
    expect(DisplayValue.safeParse({ '@': 'date', v: 5 }).success).toBe(false)
    expect(DisplayValue.safeParse({ '@': 'nothing' }).success).toBe(false)
  })

  test('given a map whose keys print alike, then every entry is kept with its key typed', () => {
    const shown = toDisplayJson(
      new Map<unknown, unknown>([
        [42, 'number'],
        ['42', 'string'],
        ['@x', 'at'],
        [{ o: 1 }, 'first object'],
        [{ o: 1 }, 'second object'],
      ]),
    )
    expect(shown).toEqual({
      '@': 'map',
      entries: {
        '42': 'string',
        '@42': 'number',
        '@@x': 'at',
        '@{"o":1}': 'first object',
        '@{"o":1}\u00002': 'second object',
      },
    })
  })

  test('given a cycle, a __proto__ key and non-string map keys, then the result is plain, safe JSON', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic['self'] = cyclic
    const tricky = JSON.parse('{"__proto__": {"polluted": true}}') as unknown

    const shown = toDisplayJson({
      cyclic,
      tricky,
      map: new Map<unknown, unknown>([
        [1, 'one'],
        [new Date(0), 'epoch'],
      ]),
    }) as Record<string, Record<string, unknown>>

    expect(shown['cyclic']).toEqual({ name: 'loop', self: { '@': 'cycle' } })
    expect(Object.keys(shown['tricky']!)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(shown['map']).toEqual({
      '@': 'map',
      entries: { '@1': 'one', '@{"@":"date","v":"1970-01-01T00:00:00.000Z"}': 'epoch' },
    })
  })
})

describe('diffDisplay', () => {
  test('given nothing before, then every field is added', () => {
    expect(diffDisplay(null, { a: 1, b: 'x' })).toEqual([
      { path: ['a'], kind: 'added', after: 1 },
      { path: ['b'], kind: 'added', after: 'x' },
    ])
  })

  test('given nothing after, then every field is removed', () => {
    expect(diffDisplay({ a: 1 }, null)).toEqual([{ path: ['a'], kind: 'removed', before: 1 }])
  })

  test('given nested changes, then each is reported with its path', () => {
    const diff = diffDisplay({ a: 1, m: { x: 'old' } }, { a: 1, m: { x: 'new', y: true } })

    expect(diff).toEqual([
      { path: ['m', 'x'], kind: 'changed', before: 'old', after: 'new' },
      { path: ['m', 'y'], kind: 'added', after: true },
    ])
  })

  test('given a string changed to a date of the same text, then the change is listed', () => {
    const text = '2020-02-29T23:59:59.999Z'
    const date = { '@': 'date', v: text }
    expect(diffDisplay({ a: text }, { a: date })).toEqual([
      { path: ['a'], kind: 'changed', before: text, after: date },
    ])
    // A set against an array of the same items, an instance against another type's: changed.
    const items = [1, 2]
    expect(diffDisplay({ a: items }, { a: { '@': 'set', items } })).toHaveLength(1)
    const instance = (type: string) => ({ '@': 'instance', type, fields: { x: 1 } })
    expect(diffDisplay({ a: instance('A') }, { a: instance('B') })).toHaveLength(1)
  })

  test('given changes inside maps and instances, then paths name the entries and fields', () => {
    const before = {
      '@': 'map',
      entries: { '@42': { '@': 'instance', type: 'T', fields: { x: 1 } } },
    }
    const after = {
      '@': 'map',
      entries: { '@42': { '@': 'instance', type: 'T', fields: { x: 2 } }, '42': 1 },
    }
    expect(diffDisplay(before, after)).toEqual([
      { path: ['@42', 'x'], kind: 'changed', before: 1, after: 2 },
      { path: ['42'], kind: 'added', after: 1 },
    ])
  })

  test('given equal values, then no differences', () => {
    expect(diffDisplay({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([])
    expect(diffDisplay(null, null)).toEqual([])
  })
})

describe('diffDisplay: long strings in the values', () => {
  test('are cut past DIFF_STRING_CHARS, saying how long they were; short ones and other values stay', () => {
    const long = 'x'.repeat(50_000)
    const [changed, added] = diffDisplay(
      { a: 'short', b: long },
      { a: long, b: 'short', c: { nested: [long, 1] } },
    ).filter((e) => e.path[0] !== 'b')
    expect(changed).toEqual({
      path: ['a'],
      kind: 'changed',
      before: 'short',
      after: cut('x', 50_000),
    })
    expect(added).toEqual({
      path: ['c'],
      kind: 'added',
      after: { nested: [cut('x', 50_000), 1] },
    })
  })
})

/** A string of `length` copies of `c` as a diff carries it: DIFF_STRING_CHARS in all. */
function cut(c: string, length: number): string {
  const note = `… (${length} characters in all)`
  return c.repeat(DIFF_STRING_CHARS - note.length) + note
}
