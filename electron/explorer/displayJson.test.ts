import { describe, expect, test } from 'vitest'
import { JsonValue } from '../../shared/contract'
import { UUID } from '../eventsourcing'
import { Example } from '../example/example'
import '../example/exampleAggregateRoot' // registers example#Example
import { DIFF_STRING_CHARS, diffDisplay, toDisplayJson } from './displayJson'

describe('toDisplayJson', () => {
  test('given the example state, then maps, dates, UUIDs and child entities become readable JSON', () => {
    const id = new UUID('11111111-2222-4333-8444-555555555555')
    const state = {
      _foo: 'bar',
      _createdOn: new Date('2024-01-02T03:04:05.006Z'),
      _examples: new Map([[id.toString(), new Example(id)]]),
    }

    const shown = toDisplayJson(state)

    expect(shown).toEqual({
      _foo: 'bar',
      _createdOn: '2024-01-02T03:04:05.006Z',
      _examples: { [id.hex]: { '@type': 'example#Example', _id: id.hex } },
    })
    expect(JsonValue.safeParse(shown).success).toBe(true)
  })

  test('given values JSON cannot hold, then they are shown as text', () => {
    const shown = toDisplayJson({
      big: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 3]),
      nan: NaN,
      inf: -Infinity,
      set: new Set([1, 2]),
      gone: undefined,
    })

    expect(shown).toEqual({
      big: '1180591620717411303424',
      bytes: 'AQID',
      nan: 'NaN',
      inf: '-Infinity',
      set: [1, 2],
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

    expect(shown['cyclic']).toEqual({ name: 'loop', self: '[Circular]' })
    expect(Object.keys(shown['tricky']!)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(shown['map']).toEqual({ 1: 'one', '1970-01-01T00:00:00.000Z': 'epoch' })
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
