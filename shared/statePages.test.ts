import { describe, expect, test } from 'vitest'
import type { JsonValue } from './jsonValue'
import { childrenPage, pageState, STRING_SHOWN_MAX, valueAt } from './statePages'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const entities = (n: number) =>
  Object.fromEntries(range(n).map((i) => [`e${i}`, { id: `e${i}`, n: i }])) as JsonValue

describe('pageState', () => {
  test('a small state is sent whole, with nothing omitted', () => {
    const state = { foo: 'bar', list: [1, 2, 3], nested: { a: { b: [true, null] } } }
    expect(pageState(state)).toEqual({ state, omitted: [], shortened: [] })
  })

  test('a container over the page size keeps its first children and says how many it has', () => {
    const state = { foo: 'x', examples: entities(250), list: range(150) }
    const { state: cut, omitted } = pageState(state, 100)
    const examples = (cut as Record<string, Record<string, JsonValue>>)['examples']!
    expect(Object.keys(examples)).toEqual(range(100).map((i) => `e${i}`))
    expect(examples['e7']).toEqual({ id: 'e7', n: 7 })
    expect((cut as Record<string, JsonValue[]>)['list']).toEqual(range(100))
    expect(omitted).toEqual([
      { path: ['examples'], kind: 'object', shown: 100, total: 250 },
      { path: ['list'], kind: 'array', shown: 100, total: 150 },
    ])
  })

  test('the node budget goes breadth first: the shallow levels whole, the deep ones cut', () => {
    const state = {
      a: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      b: 'x',
    }
    // 2 (a, b) + 2 (a's arrays) + 1 left for a[0]: a[0] keeps one child, a[1] none.
    const { state: cut, omitted } = pageState(state, 100, 5)
    expect(cut).toEqual({ a: [[1], []], b: 'x' })
    expect(omitted).toEqual([
      { path: ['a', 0], kind: 'array', shown: 1, total: 3 },
      { path: ['a', 1], kind: 'array', shown: 0, total: 3 },
    ])
  })

  test('user data that looks like a marker, or like a path, stays data', () => {
    const hostile = {
      stateOmitted: [{ path: [], kind: 'object', shown: 0, total: 99 }],
      '@omitted': { shown: 1, total: 2 },
      'a/b': 1,
      a: { b: 2 },
      '0': 'key zero',
      '…more': 'not a row',
    }
    const state = JSON.parse(
      JSON.stringify({ ...hostile, x: 1 }).replace('"x":1', '"__proto__":{"polluted":true}'),
    ) as JsonValue
    const { state: cut, omitted } = pageState(state)
    expect(omitted).toEqual([])
    expect(JSON.stringify(cut)).toBe(JSON.stringify(state))
    expect(Object.getOwnPropertyNames(cut)).toContain('__proto__')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('childrenPage', () => {
  const state = { examples: entities(250), list: [range(120), 'x'] } as JsonValue

  test('pages through an object in key order and an array in index order', () => {
    const page = childrenPage(state, ['examples'], 100, 100)!
    expect(page.total).toBe(250)
    expect(page.offset).toBe(100)
    expect(page.children.map((c) => c.key)).toEqual(range(100).map((i) => `e${100 + i}`))
    expect(page.children[0]!.value).toEqual({ id: 'e100', n: 100 })
    const last = childrenPage(state, ['examples'], 200, 100)!
    expect(last.children).toHaveLength(50)
    expect(childrenPage(state, ['examples'], 300, 100)!.children).toEqual([])

    const array = childrenPage(state, ['list', 0], 110, 100)!
    expect(array).toEqual({
      total: 120,
      offset: 110,
      children: range(10).map((i) => ({ key: 110 + i, value: 110 + i })),
      omitted: [],
      shortened: [],
    })
  })

  test("a page's children are cut in turn, their omitted containers named by full path", () => {
    const page = childrenPage(state, ['list'], 0, 10, 100)!
    expect(page.children[0]).toEqual({ key: 0, value: range(100) })
    expect(page.omitted).toEqual([{ path: ['list', 0], kind: 'array', shown: 100, total: 120 }])
  })

  test('keys and indices are told apart; a path to no container has no page', () => {
    const mixed = { '0': [10, 20], arr: ['a'] } as JsonValue
    expect(valueAt(mixed, ['0', 1])).toBe(20)
    expect(valueAt(mixed, [0])).toBeUndefined()
    expect(valueAt(mixed, ['arr', '0'])).toBeUndefined()
    expect(childrenPage(mixed, ['arr', 0], 0, 10)).toBeUndefined()
    expect(childrenPage(mixed, ['missing'], 0, 10)).toBeUndefined()
    expect(childrenPage(mixed, ['toString'], 0, 10)).toBeUndefined()
  })
})

describe('long strings', () => {
  const long = 'x'.repeat(STRING_SHOWN_MAX + 5)

  test('an answer shows the first characters of a long string and says how long it is', () => {
    const state = { short: 'y', long, list: [1, long] }
    const paged = pageState(state)
    expect(paged.state).toEqual({
      short: 'y',
      long: long.slice(0, STRING_SHOWN_MAX),
      list: [1, long.slice(0, STRING_SHOWN_MAX)],
    })
    expect(paged.shortened).toEqual([
      { path: ['long'], length: long.length },
      { path: ['list', 1], length: long.length },
    ])
    expect(pageState({ exactly: 'z'.repeat(STRING_SHOWN_MAX) }).shortened).toEqual([])
  })

  test("a page's long strings are named by full path, as long as the page's own children", () => {
    const page = childrenPage({ deep: { a: long, b: { c: long } } }, ['deep'], 0, 10)!
    expect(page.children.map((c) => c.key)).toEqual(['a', 'b'])
    expect(page.shortened).toEqual([
      { path: ['deep', 'a'], length: long.length },
      { path: ['deep', 'b', 'c'], length: long.length },
    ])
  })
})
