/**
 * toDisplayJsonCut and cutDisplay (issue 10): a cut conversion holds, of each large container,
 * exactly the first children the whole conversion gives, in its order, and says how many there
 * are; paging the rest (childrenPage over the whole conversion) gives back the whole.
 */
import { describe, expect, test } from 'vitest'
import type { JsonValue } from '../../shared/contract'
import { childrenOf, type DisplayRecord } from '../../shared/displayValue'
import { childrenPage, valueAt } from '../../shared/statePages'
import { UUID } from '../eventsourcing'
import { Example } from '../example/example'
import '../example/exampleAggregateRoot' // registers example#Example
import { displayChildren, toDisplayJson, toDisplayJsonCut } from './displayJson'
import { cutDisplay } from './dto'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** Maps with integer-like keys (an object lists them first), a class instance, sets, arrays. */
function state() {
  const examples = new Map<string, Example>()
  for (const i of range(150)) {
    const id = new UUID(`11111111-2222-4333-8444-${String(i).padStart(12, '0')}`)
    examples.set(id.toString(), new Example(id))
  }
  const numbered = new Map<unknown, unknown>(range(130).map((i) => [i % 2 ? `k${i}` : 129 - i, i]))
  const wide = Object.fromEntries(range(120).map((i) => [i % 3 ? `f${i}` : String(i), i]))
  return {
    _examples: examples,
    numbered,
    wide: { ...wide, skipped: undefined, '@type': 'a field named @type' },
    tags: new Set(range(140).map((i) => `t${i}`)),
    list: range(101).map((i) => ({ i, when: new Date(i * 1000) })),
    small: { a: [1, 2], b: new Map([['x', 1]]) },
  }
}

describe('toDisplayJsonCut', () => {
  test('holds the first children of a large container, in the order of the whole conversion', () => {
    const whole = toDisplayJson(state())
    const { value, cut } = toDisplayJsonCut(state(), 100)

    expect(cut.map((c) => [c.path, c.total])).toEqual([
      [['_examples'], 150],
      [['numbered'], 130],
      [['wide'], 121],
      [['tags'], 140],
      [['list'], 101],
    ])
    for (const { path, total } of cut) {
      const held = childrenOf(valueAt(value, path))!
      const first = childrenPage(whole, path, 0, 100)!
      expect(first.total).toBe(total)
      expect(Object.keys(held)).toEqual(first.children.map((c) => String(c.key)))
      expect(Object.values(held)).toEqual(first.children.map((c) => c.value))
    }
    expect((value as Record<string, JsonValue>)['small']).toEqual({
      a: [1, 2],
      b: { '@': 'map', entries: { x: 1 } },
    })
  })

  test('cutDisplay lists the cut containers with their real sizes, and the rest pages in', () => {
    const whole = toDisplayJson(state())
    const { state: sent, stateOmitted } = cutDisplay(state())

    expect(stateOmitted.map((o) => [o.path, o.shown, o.total])).toEqual([
      [['_examples'], 100, 150],
      [['numbered'], 100, 130],
      [['wide'], 100, 121],
      [['tags'], 100, 140],
      [['list'], 100, 101],
    ])
    for (const o of stateOmitted) {
      const rest = childrenPage(whole, o.path, o.shown, 1000)!
      const held = childrenOf(valueAt(sent, o.path))!
      const rebuilt = Array.isArray(held)
        ? [...held, ...rest.children.map((c) => c.value)]
        : { ...held, ...Object.fromEntries(rest.children.map((c) => [c.key, c.value])) }
      expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(childrenOf(valueAt(whole, o.path))))
    }
    expect(cutDisplay(null)).toEqual({ state: null, stateOmitted: [], stateShortened: [] })
  })

  test('keys at the edge of integer-like are ordered as a whole object orders them', () => {
    // Only array indices (0 … 2^32 − 2, no leading zero) go first; the rest keep their order.
    const keys = ['b', '4294967295', '01', '-1', '1.5', '4294967294', 'a', '7', '0']
    const map = new Map(keys.map((k, i) => [k, i]))
    for (let i = 0; i < 100; i++) map.set(`z${i}`, i)
    const value = childrenOf(toDisplayJsonCut(map, 100).value) as DisplayRecord
    const whole = childrenOf(toDisplayJson(map)) as DisplayRecord
    expect(Object.keys(value)).toEqual(Object.keys(whole).slice(0, 100))
    expect(Object.keys(whole).slice(0, 4)).toEqual(['0', '7', '4294967294', 'b'])
    // None an array index: kept in insertion order as they are.
    const plain = new Map([...map].filter(([k]) => !['0', '7', '4294967294'].includes(k)))
    const cut = childrenOf(toDisplayJsonCut(plain, 100).value) as DisplayRecord
    expect(Object.keys(cut).slice(0, 5)).toEqual(['b', '4294967295', '01', '-1', '1.5'])
    expect(Object.keys(cut)).toEqual(Object.keys(childrenOf(toDisplayJson(plain))!).slice(0, 100))
  })

  test('a key that is not a string is kept apart from a string of the same text', () => {
    // The Date and the string print alike; both entries stay, the Date's key typed ("@…").
    const at = new Date('2026-01-02T03:04:05.000Z')
    const map = new Map<unknown, unknown>([['2026-01-02T03:04:05.000Z', 'first']])
    for (let i = 0; i < 120; i++) map.set(`k${i}`, i)
    map.set(at, 'later')
    const whole = childrenOf(toDisplayJson(map)) as DisplayRecord
    const { value, cut } = toDisplayJsonCut(map, 100)

    expect(Object.keys(whole)).toHaveLength(122)
    expect(whole['2026-01-02T03:04:05.000Z']).toBe('first')
    expect(whole['@{"@":"date","v":"2026-01-02T03:04:05.000Z"}']).toBe('later')
    expect(cut).toEqual([{ path: [], total: 122 }])
    expect(Object.entries(childrenOf(value)!)).toEqual(Object.entries(whole).slice(0, 100))
    const page = displayChildren(map, [], 121, 2, 100)!
    expect(page.total).toBe(122)
    expect(page.children.map((c) => [c.key, c.value])).toEqual([
      ['@{"@":"date","v":"2026-01-02T03:04:05.000Z"}', 'later'],
    ])
  })
})

describe('displayChildren', () => {
  test('a page of any container equals that page of the whole conversion', () => {
    const whole = toDisplayJson(state())
    const examples = (whole as DisplayRecord)['_examples']!
    const uuid = Object.keys(childrenOf(examples)!)[7]!
    const paths = [
      [],
      ['_examples'],
      ['_examples', uuid],
      ['numbered'],
      ['wide'],
      ['tags'],
      ['list'],
      ['list', 5],
      ['small', 'b'],
    ]
    for (const path of paths) {
      for (const offset of [0, 1, 37, 100, 149]) {
        const page = displayChildren(state(), path, offset, 60, 100)!
        // No budget here: only the per-container cut, as displayChildren makes it.
        const expected = childrenPage(whole, path, offset, 60, 100, Infinity)!
        const label = `${JSON.stringify(path)} from ${offset}`
        expect(page.total, label).toBe(expected.total)
        const cutValues = page.children.map((c) => [c.key, c.value])
        const full = expected.children.map((c) => [c.key, valueAt(whole, [...path, c.key])])
        expect(JSON.stringify(cutValues.map(([k]) => k)), label).toBe(
          JSON.stringify(full.map(([k]) => k)),
        )
        // Children small enough are whole; the cut ones hold the first 100 and say so.
        for (const [i, [key, value]] of cutValues.entries()) {
          const cut = page.cut.find(
            (c) => JSON.stringify(c.path) === JSON.stringify([...path, key]),
          )
          if (!cut) expect(value, `${label} ${String(key)}`).toEqual(full[i]![1])
          else expect(cut.total).toBe(Object.keys(childrenOf(full[i]![1]!)!).length)
        }
      }
    }
  })

  test('no page where the display has no object or array', () => {
    const looped: Record<string, unknown> = { a: { b: 1 } }
    looped['self'] = looped
    const example = new Example(new UUID('11111111-2222-4333-8444-555555555555'))
    const value = { ...state(), looped, example }
    expect(displayChildren(value, ['nope'], 0, 10, 100)).toBeUndefined()
    expect(displayChildren(value, ['list', 500], 0, 10, 100)).toBeUndefined()
    expect(displayChildren(value, ['list', '5'], 0, 10, 100)).toBeUndefined()
    expect(displayChildren(value, ['list', 5, 'i'], 0, 10, 100)).toBeUndefined()
    expect(displayChildren(value, ['wide', 'skipped'], 0, 10, 100)).toBeUndefined()
    expect(displayChildren(value, ['example', '@type'], 0, 10, 100)).toBeUndefined()
    // A cycle is shown as a typed leaf ({ '@': 'cycle' }): no page inside it.
    expect(displayChildren(value, ['looped', 'self'], 0, 10, 100)).toBeUndefined()
    expect(displayChildren(value, ['looped', 'a'], 0, 10, 100)).toMatchObject({
      total: 1,
      children: [{ key: 'b', value: 1 }],
    })
    expect(displayChildren(value, ['example'], 0, 10, 100)!.children.map((c) => c.key)).toEqual(
      Object.keys(childrenOf(toDisplayJson(example))!),
    )
  })
})
