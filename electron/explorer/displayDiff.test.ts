/**
 * diffStates answers exactly what diffing the two whole displays answers: on states built by
 * hand to hit each of the display's rules, and on random pairs of
 * states, one an edited copy of the other.
 */
import { describe, expect, test } from 'vitest'
import { UUID } from '../eventsourcing'
import { Example } from '../example/example'
import { seededRandom } from '../../test/seededRandom'
import { DIFF_STRING_CHARS, diffDisplay, diffStates, rawEqual } from './displayDiff'
import { toDisplayJson } from './displayJson'
import { SET_MEMBER } from '../../shared/displayValue'
import './builtInTypes'

const expected = (before: unknown, after: unknown) =>
  diffDisplay(toDisplayJson(before), toDisplayJson(after))

function expectSame(before: unknown, after: unknown) {
  expect(diffStates(before, after)).toEqual(expected(before, after))
}

/** A class no registry knows: shown with its constructor's name. */
class Local {
  constructor(
    public a: unknown,
    public b?: unknown,
  ) {}
}

const id = (n: number) => new UUID(`00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`)

describe('diffStates', () => {
  test('states built to meet each rule of the display', () => {
    const entities = (n: number, skip = -1) =>
      new Map(
        Array.from({ length: n }, (_, i) => i)
          .filter((i) => i !== skip)
          .map((i) => [id(i).hex, new Example(id(i))]),
      )
    const base = () => ({
      _id: id(1),
      _version: 7,
      _foo: 'bar',
      _examples: entities(50),
      nested: { a: [1, 2, { b: 'c' }], when: new Date(0), bytes: new Uint8Array([1, 2]) },
      tags: new Set(['x', 'y']),
      byNumber: new Map<unknown, unknown>([
        [1, 'one'],
        [2, 'two'],
      ]),
      byIndexText: new Map([
        ['10', 'ten'],
        ['2', 'two'],
        ['b', 'bee'],
      ]),
      local: new Local(1, undefined),
      big: 12n,
    })
    const edits: Array<(s: ReturnType<typeof base> & Record<string, unknown>) => void> = [
      () => {},
      (s) => (s._foo = 'baz'),
      (s) => (s._version = 8),
      (s) => s._examples.set(id(99).hex, new Example(id(99))),
      (s) => s._examples.delete(id(3).hex),
      (s) => (s._examples = entities(50, 7)),
      (s) => ((s.nested.a[2] as { b: string }).b = 'd'),
      (s) => s.nested.a.push(3),
      (s) => s.nested.a.pop(),
      (s) => (s.nested.when = new Date(1)),
      (s) => (s.nested.when = new Date(Number.NaN)),
      (s) => (s.nested.bytes = new Uint8Array([1, 3])),
      (s) => s.tags.add('z'),
      (s) => s.tags.delete('x'),
      (s) => s.byNumber.set(3, 'three'),
      (s) => s.byNumber.set({ k: 1 }, 'object key'),
      (s) => s.byIndexText.set('1', 'one'),
      (s) => (s.local = new Local(2)),
      (s) => (s.local.b = 'now defined'),
      (s) => (s.big = 13n),
      (s) => (s._foo = undefined as unknown as string),
      (s) => (s.extra = null),
      (s) => (s.nested = null as unknown as typeof s.nested),
      // null against [], NaN against NaN, -0 against 0 (both shown as 0), an array against a set.
      (s) => ((s as Record<string, unknown>).nested = []),
      (s) => (s._version = Number.NaN),
      (s) => (s._version = -0),
      (s) => (s.nested.a = { 0: 1, 1: 2 } as unknown as number[]),
      (s) => (s.tags = ['x', 'y'] as unknown as Set<string>),
      (s) => (s._examples = new Map() as typeof s._examples),
      // Names like Object.prototype's, an instance's own "@type" field (shown as "@@type").
      (s) => Object.defineProperty(s, 'toString', { value: 'shadowed', enumerable: true }),
      (s) => Object.defineProperty(s, '__proto__', { value: 1, enumerable: true }),
      (s) => ((s.local as unknown as Record<string, unknown>)['@type'] = 'mine'),
      (s) => Object.defineProperty(s, 'constructor', { value: { a: 1 }, enumerable: true }),
    ]
    for (const edit of edits) {
      const after = base() as ReturnType<typeof base> & Record<string, unknown>
      edit(after)
      expectSame(base(), after)
      expectSame(after, base())
    }
  })

  test('cycles, deep nesting, leaves and null at the top', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic['self'] = cyclic
    expectSame(cyclic, { a: 2, self: { a: 1 } })
    let deep: unknown = 'leaf'
    for (let i = 0; i < 70; i++) deep = { next: deep }
    expectSame(deep, { next: 1 })
    expectSame(null, { a: 1 })
    expectSame({ a: 1 }, null)
    expectSame([1, 2], { 0: 1 })
    expectSame('text', 'other')
    expectSame(Object.assign(Object.create(null) as object, { a: 1 }), { a: 2 })
    // -0 is sent as 0: no change shown, inside containers too.
    expectSame(
      { a: 0, b: [0], c: new Map([['k', 0]]) },
      { a: -0, b: [-0], c: new Map([['k', -0]]) },
    )
    expectSame({ a: -0, b: [-0] }, { a: 0, b: [0] })
  })

  test('a change of kind whose text stays the same is listed, with both values typed', () => {
    const text = '2020-02-29T23:59:59.999Z'
    expect(diffStates({ a: text }, { a: new Date(text) })).toEqual([
      { path: ['a'], kind: 'changed', before: text, after: { '@': 'date', v: text } },
    ])
    expect(diffStates({ n: '12345678901234567890' }, { n: 12345678901234567890n })).toEqual([
      {
        path: ['n'],
        kind: 'changed',
        before: '12345678901234567890',
        after: { '@': 'bigint', v: '12345678901234567890' },
      },
    ])
    expect(diffStates({ m: new Map([[42, 'x']]) }, { m: new Map([['42', 'x']]) })).toEqual([
      { path: ['m', '@42'], kind: 'removed', before: 'x' },
      { path: ['m', '42'], kind: 'added', after: 'x' },
    ])
  })

  test('random states against an edited copy', () => {
    const random = seededRandom(42)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
    const leaf = (): unknown =>
      pick([
        () => Math.floor(random() * 5),
        () => pick(['a', 'b', '0', '12', 'toString']),
        () => random() < 0.5,
        () => null,
        () => undefined,
        () => new Date(Math.floor(random() * 3)),
        () => id(Math.floor(random() * 4)),
        () => pick([Number.NaN, -0, 0.5]),
      ])()
    const value = (depth: number): unknown => {
      if (depth > 3 || random() < 0.35) return leaf()
      const n = Math.floor(random() * 5)
      const children = () => Array.from({ length: n }, () => value(depth + 1))
      const key = () => pick(['a', 'b', 'c', '1', '20', 'd'])
      return pick([
        () => children(),
        () => new Set(children()),
        () => new Map(children().map((v) => [key(), v])),
        () => new Map(children().map((v, i) => [i % 2 ? id(i) : i, v])),
        () => Object.fromEntries(children().map((v) => [key(), v])),
        () => new Local(value(depth + 1), value(depth + 1)),
        () => new Example(id(n)),
      ])()
    }
    // A copy sharing nothing with the original, with about one child in five edited.
    const edited = (v: unknown): unknown => {
      if (random() < 0.15) return value(2)
      // 0 and -0: equal as numbers, shown apart.
      if (v === 0 && random() < 0.3) return Object.is(v, 0) ? -0 : 0
      if (typeof v !== 'object' || v === null) return v
      if (v instanceof UUID) return new UUID(v.hex)
      if (v instanceof Date) return new Date(v.getTime())
      if (Array.isArray(v)) {
        const out = v.map(edited)
        if (random() < 0.1) out.push(leaf())
        return out
      }
      if (v instanceof Set) return new Set([...v].map(edited))
      if (v instanceof Map) {
        const out = new Map([...v].map(([k, x]) => [k, edited(x)]))
        if (random() < 0.1) out.delete(pick([...out.keys(), 'none']))
        return out
      }
      if (v instanceof Local) return new Local(edited(v.a), edited(v.b))
      if (v instanceof Example) return new Example(new UUID(v.id.hex))
      const out = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, edited(x)]))
      if (random() < 0.1) out[pick(['a', 'e', '3'])] = leaf()
      return out
    }
    let differing = 0
    for (let i = 0; i < 600; i++) {
      const before = { root: value(0), other: value(1) }
      const after = edited(before)
      const diff = diffStates(before, after)
      expect(diff).toEqual(expected(before, after))
      if (diff.length > 0) differing++
    }
    // Most pairs differ, and some do not: both ways through the walk were taken.
    expect(differing).toBeGreaterThan(300)
    expect(differing).toBeLessThan(600)
  })

  test('rawEqual says equal only of values shown alike', () => {
    expect(rawEqual(new Example(id(1)), new Example(id(1)))).toBe(true)
    expect(rawEqual(new Map([['a', 1]]), new Map([['a', 1]]))).toBe(true)
    expect(rawEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false)
    expect(rawEqual(new Local(1), { a: 1, b: undefined })).toBe(false)
    expect(rawEqual(new Date(Number.NaN), new Date(Number.NaN))).toBe(true)
    expect(rawEqual(0, -0)).toBe(false)
    expect(rawEqual(Number.NaN, Number.NaN)).toBe(true)
    expect(rawEqual(new Set([1, 2]), new Set([2, 1]))).toBe(false)
  })
})

describe('sets are diffed by membership, not by position', () => {
  /** diffStates's answer, checked to be diffDisplay's too. */
  const diff = (before: unknown, after: unknown) => {
    expectSame(before, after)
    return diffStates(before, after)
  }

  test('a member taken out is one removal, whatever its position', () => {
    expect(
      diff({ _tags: new Set(['t1', 't2', 't3', 't0']) }, { _tags: new Set(['t1', 't3', 't0']) }),
    ).toEqual([{ path: ['_tags', SET_MEMBER], kind: 'removed', before: 't2' }])
    expect(diff({ _tags: new Set(['a']) }, { _tags: new Set(['b', 'a', 'c']) })).toEqual([
      { path: ['_tags', SET_MEMBER], kind: 'added', after: 'b' },
      { path: ['_tags', SET_MEMBER], kind: 'added', after: 'c' },
    ])
  })

  test('numbers: by value and kind (1 and "1" and 1n are three members)', () => {
    expect(diff({ s: new Set([1, 2, 3]) }, { s: new Set([3, 4, 1]) })).toEqual([
      { path: ['s', SET_MEMBER], kind: 'removed', before: 2 },
      { path: ['s', SET_MEMBER], kind: 'added', after: 4 },
    ])
    expect(diff({ s: new Set([1, Number.NaN]) }, { s: new Set(['1', 1n, Number.NaN]) })).toEqual([
      { path: ['s', SET_MEMBER], kind: 'removed', before: 1 },
      { path: ['s', SET_MEMBER], kind: 'added', after: '1' },
      { path: ['s', SET_MEMBER], kind: 'added', after: { '@': 'bigint', v: '1' } },
    ])
  })

  test('objects and instances: members shown alike are the same member', () => {
    const before = { s: new Set([{ a: 1 }, new Local(1), new Example(id(1)), new Local(2)]) }
    const after = { s: new Set([new Local(2), { a: 1 }, new Example(id(1)), new Local(3)]) }
    expect(diff(before, after)).toEqual([
      { path: ['s', SET_MEMBER], kind: 'removed', before: toDisplayJson(new Local(1)) },
      { path: ['s', SET_MEMBER], kind: 'added', after: toDisplayJson(new Local(3)) },
    ])
    // Two members shown alike count twice: one of them gone is one removal.
    expect(diff({ s: new Set([{ a: 1 }, { a: 1 }]) }, { s: new Set([{ a: 1 }]) })).toEqual([
      { path: ['s', SET_MEMBER], kind: 'removed', before: { a: 1 } },
    ])
    // A member changed inside is another member: the old one removed, the new one added.
    expect(
      diff({ s: new Set([new Local({ x: 1 })]) }, { s: new Set([new Local({ x: 2 })]) }),
    ).toEqual([
      { path: ['s', SET_MEMBER], kind: 'removed', before: toDisplayJson(new Local({ x: 1 })) },
      { path: ['s', SET_MEMBER], kind: 'added', after: toDisplayJson(new Local({ x: 2 })) },
    ])
  })

  test('unchanged sets, reordered ones too, have no diff lines', () => {
    expect(diff({ s: new Set(['a', 'b']) }, { s: new Set(['a', 'b']) })).toEqual([])
    expect(diff({ s: new Set(['a', 'b', 3]) }, { s: new Set([3, 'b', 'a']) })).toEqual([])
    expect(
      diff({ s: new Set([new Local(1), { a: [1] }]) }, { s: new Set([{ a: [1] }, new Local(1)]) }),
    ).toEqual([])
    expect(diff({ s: new Set() }, { s: new Set() })).toEqual([])
  })

  test('a set inside a map or a list is diffed by membership there', () => {
    const before = { byOwner: new Map([['ada', new Set(['x', 'y'])]]), list: [new Set([1, 2])] }
    const after = { byOwner: new Map([['ada', new Set(['y'])]]), list: [new Set([2])] }
    expect(diff(before, after)).toEqual([
      { path: ['byOwner', 'ada', SET_MEMBER], kind: 'removed', before: 'x' },
      { path: ['list', 0, SET_MEMBER], kind: 'removed', before: 1 },
    ])
  })
})

test('a long string in a state diff is cut as diffDisplay cuts it', () => {
  const long = 'y'.repeat(20_000)
  expect(diffStates({ a: 1, b: long }, { a: 1, b: 'z' })).toEqual([
    {
      path: ['b'],
      kind: 'changed',
      before: cut('y', 20_000),
      after: 'z',
    },
  ])
})

/** A string of `length` copies of `c` as a diff carries it: DIFF_STRING_CHARS in all. */
function cut(c: string, length: number): string {
  const note = `… (${length} characters in all)`
  return c.repeat(DIFF_STRING_CHARS - note.length) + note
}
