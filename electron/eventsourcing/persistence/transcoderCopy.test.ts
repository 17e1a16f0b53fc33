import { describe, expect, test } from 'vitest'
import { Example } from '../../example/example'
import { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { TopicRegistry } from '../domain/topics'
import { UUID } from '../domain/uuid'
import { UnregisteredValue } from '../domain/valueTypes'
import { aggregateState } from '../domain/aggregate'
import { JsonTranscoder } from './transcoder'

/** A class registered in a registry of its own, with a setter a decode's assignment runs. */
class Account {
  declare owner: string
  declare opened: Date
  declare tags: Set<string>
  declare limits: Map<string, bigint>
  declare nested: Account | undefined
  get label(): string {
    return `account of ${this.owner}`
  }
}
/** Arrays of it are arrays to the transcoder; an object merely inheriting from it is not. */
class Row extends Array<unknown> {}
const registry = new TopicRegistry()
registry.register('test#Account', Account)
registry.register('test#Row', Row)
registry.register('eventsourcing#UUID', UUID)
const transcoder = new JsonTranscoder(registry)

function account(owner: string, nested?: Account): Account {
  const a = new Account()
  a.owner = owner
  a.opened = new Date('2026-01-02T03:04:05.678Z')
  a.tags = new Set(['a', 'b'])
  a.limits = new Map([['daily', 10n ** 20n]])
  a.nested = nested
  return a
}

const viaText = (value: unknown) => transcoder.decode(transcoder.encode(value))

/** Every object reachable from `value`, to check that a copy shares none with its source. */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (value === null || typeof value !== 'object' || into.has(value)) return into
  into.add(value)
  const children =
    value instanceof Map
      ? [...value].flat()
      : value instanceof Set
        ? [...value]
        : value instanceof Uint8Array
          ? []
          : Object.values(value)
  for (const child of children) objectsOf(child, into)
  return into
}

describe('JsonTranscoder.copy', () => {
  const cases: Record<string, () => unknown> = {
    'JSON-native values': () => ({ s: 'text', n: 1.5, t: true, nil: null, list: [1, ['x']] }),
    'undefined fields, and undefined or missing array elements': () => ({
      gone: undefined,
      list: [1, undefined, , 4],
    }),
    'signed zero and numbers JSON cannot hold': () => ({
      z: -0,
      values: [NaN, Infinity, -Infinity, -0],
    }),
    'dates, UUIDs, bigints, bytes and a Buffer': () => ({
      at: new Date('1999-12-31T23:59:59.999Z'),
      far: new Date(Date.UTC(20000, 0, 1)),
      id: new UUID('1b4e28ba-2fa1-11d2-883f-0016cb9f7a6b'),
      big: -(2n ** 70n),
      bytes: new Uint8Array([0, 1, 255]),
      buffer: Buffer.from('hello'),
    }),
    'maps with object keys and undefined values, sets that collapse': () => ({
      map: new Map<unknown, unknown>([
        [{ k: 1 }, undefined],
        ['s', new Map([[2, 'two']])],
      ]),
      set: new Set([undefined, null, 1]),
    }),
    'registered instances inside each other': () => ({ a: account('ann', account('bob')) }),
    'a plain object with the tag key (escaped as a dict)': () => ({
      _t_: 'date',
      _v_: 'not a date',
      other: undefined,
    }),
    'own fields named __proto__, plain and in a dict': () => ({
      plain: JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as unknown,
      dict: JSON.parse('{"_t_": 1, "__proto__": {"x": 1}}') as unknown,
    }),
    'a null-prototype object and a subclassed Map': () => {
      const bare = Object.create(null) as Record<string, unknown>
      bare['k'] = [1]
      class Counts extends Map<string, number> {}
      return { bare, counts: new Counts([['a', 1]]) }
    },
    'an unregistered value read back from a store': () => ({
      kept: UnregisteredValue.of('gone#Class', { a: 1, when: new Date(0) }),
    }),
    'instances of a class met again, among unregistered values of two topics': () => ({
      list: [
        account('ann'),
        UnregisteredValue.of('gone#A', { x: 1 }),
        account('bob'),
        UnregisteredValue.of('gone#B', { y: 2 }),
        UnregisteredValue.of('gone#A', { x: 3 }),
      ],
    }),
    'a registered array subclass: an instance that is not an array, then an array': () => {
      const odd = Object.create(Row.prototype) as Record<string, unknown>
      odd['n'] = 1
      return { odd, real: Row.from(['x', 'y']) }
    },
  }

  for (const [name, make] of Object.entries(cases)) {
    test(`given ${name}, then the copy is what decode(encode(value)) returns, in fresh objects`, () => {
      const value = make()

      const copy = transcoder.copy(value)

      expect(copy).toStrictEqual(viaText(make()))
      const sources = objectsOf(value)
      for (const object of objectsOf(copy)) expect(sources.has(object)).toBe(false)
    })
  }

  test('given a registered instance, then the copy has its class, getters and field order', () => {
    const copy = transcoder.copy(account('ann')) as Account

    expect(copy).toBeInstanceOf(Account)
    expect(copy.label).toBe('account of ann')
    expect(Object.keys(copy)).toEqual(Object.keys(viaText(account('ann')) as object))
  })

  test('given an aggregate state of child entities, then the copy restores as the decode does', () => {
    const root = ExampleAggregateRoot.create({ foo: 'bar' })
    for (let i = 0; i < 5; i++) root.createNewExample()
    const app = new JsonTranscoder()
    const state = aggregateState(root)

    const copy = app.copy(state) as { _examples: Map<string, Example> }

    expect(copy).toStrictEqual(app.decode(app.encode(state)))
    expect([...copy._examples.values()].every((e) => e instanceof Example)).toBe(true)
  })

  test.each<[string, () => unknown, new (...args: never[]) => Error]>([
    ['a symbol', () => ({ s: Symbol('x') }), TypeError],
    ['a function', () => ({ f: () => 1 }), TypeError],
    ['an instance of an unregistered class', () => ({ v: new (class Loose {})() }), TypeError],
    ['an invalid date', () => ({ d: new Date(NaN) }), RangeError],
  ])('given %s, then it throws as encode does', (_name, make, type) => {
    expect(() => transcoder.encode(make())).toThrow(type)
    expect(() => transcoder.copy(make())).toThrow(type)
  })

  test('given larger states, then the weight estimate grows with them', () => {
    const weigh = (n: number) => {
      const weight = { bytes: 0 }
      transcoder.copy({ list: Array.from({ length: n }, (_, i) => account(`owner ${i}`)) }, weight)
      return weight.bytes
    }

    expect(weigh(0)).toBeGreaterThan(0)
    expect(weigh(1000)).toBeGreaterThan(weigh(100) * 9)
  })
})
