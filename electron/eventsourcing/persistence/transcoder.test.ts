import { describe, expect, test } from 'vitest'
import { Example } from '../../example/example'
import '../../example/exampleAggregateRoot' // registers example#Example and eventsourcing#UUID
import { DataIntegrityError, TopicNotFound } from '../errors'
import { TopicRegistry, topics } from '../domain/topics'
import { UUID } from '../domain/uuid'
import { JsonTranscoder } from './transcoder'
import { captureError } from '../../../test/applicationTestKit'

const transcoder = new JsonTranscoder()
const roundTrip = <T>(value: T): T => transcoder.decode(transcoder.encode(value)) as T

/** A value object with its own registry, so these tests do not depend on global registrations. */
class Money {
  declare amount: bigint
  declare currency: string
  constructor(amount: bigint, currency: string) {
    this.amount = amount
    this.currency = currency
  }
  format(): string {
    return `${this.amount} ${this.currency}`
  }
}

describe('JsonTranscoder', () => {
  describe('given JSON-native values', () => {
    test('when they round trip, then they come back equal', () => {
      const value = {
        s: 'text',
        n: 42.5,
        neg: -1,
        t: true,
        f: false,
        nil: null,
        list: [1, 'two', [3]],
        nested: { a: { b: 'c' } },
      }

      expect(roundTrip(value)).toEqual(value)
    })

    test('when a field is undefined, then it is left out rather than stored', () => {
      expect(roundTrip({ a: 1, b: undefined })).toStrictEqual({ a: 1 })
    })

    test('when numbers are not finite, then they survive as numbers', () => {
      const back = roundTrip({ inf: Infinity, ninf: -Infinity, nan: NaN })

      expect(back.inf).toBe(Infinity)
      expect(back.ninf).toBe(-Infinity)
      expect(back.nan).toBeNaN()
    })
  })

  describe('given tagged types', () => {
    test('when a Date round trips, then a Date with the same instant comes back', () => {
      const date = new Date('2024-02-29T23:59:59.123Z')

      const back = roundTrip({ at: date })

      expect(back.at).toBeInstanceOf(Date)
      expect(back.at.getTime()).toBe(date.getTime())
    })

    test('when a UUID round trips, then an equal UUID instance comes back', () => {
      const id = UUID.v4()

      const back = roundTrip({ id })

      expect(back.id).toBeInstanceOf(UUID)
      expect(back.id.equals(id)).toBe(true)
    })

    test('when a Map round trips, then a Map with the same typed keys and values comes back', () => {
      const when = new Date('2020-01-01T00:00:00.000Z')
      const map = new Map<unknown, unknown>([
        ['a', 1],
        [2, 'two'],
        ['when', when],
        ['inner', new Map([['x', new Set([1, 2])]])],
      ])

      const back = roundTrip(map)

      expect(back).toBeInstanceOf(Map)
      expect([...back.keys()]).toEqual(['a', 2, 'when', 'inner'])
      expect(back.get('when')).toBeInstanceOf(Date)
      expect((back.get('when') as Date).getTime()).toBe(when.getTime())
      expect(back.get('inner')).toEqual(new Map([['x', new Set([1, 2])]]))
    })

    test('when a Set round trips, then a Set with the same members comes back', () => {
      const back = roundTrip(new Set(['a', 'b', 3]))

      expect(back).toBeInstanceOf(Set)
      expect(back).toEqual(new Set(['a', 'b', 3]))
    })

    test('when a bigint round trips, then the exact bigint comes back, beyond Number precision', () => {
      const big = 2n ** 80n + 1n

      const back = roundTrip({ big, negative: -5n })

      expect(typeof back.big).toBe('bigint')
      expect(back.big).toBe(big)
      expect(back.negative).toBe(-5n)
    })

    test('when a Uint8Array round trips, then the same bytes come back as a Uint8Array', () => {
      const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255])

      const back = roundTrip({ bytes })

      expect(back.bytes).toBeInstanceOf(Uint8Array)
      expect([...back.bytes]).toEqual([...bytes])
    })

    test('when an empty Map, Set and byte array round trip, then they stay empty of the same type', () => {
      const back = roundTrip({ m: new Map(), s: new Set(), b: new Uint8Array() })

      expect(back.m).toBeInstanceOf(Map)
      expect(back.m.size).toBe(0)
      expect(back.s).toBeInstanceOf(Set)
      expect(back.b).toBeInstanceOf(Uint8Array)
      expect(back.b.length).toBe(0)
    })
  })

  describe('given instances of registered classes', () => {
    test('when an Example child entity round trips inside a Map, then Example instances with UUID ids come back', () => {
      const first = new Example(UUID.v4())
      const second = new Example(UUID.v4())
      const examples = new Map([
        [first.id.toString(), first],
        [second.id.toString(), second],
      ])

      const back = roundTrip({ _examples: examples })

      expect(back._examples).toBeInstanceOf(Map)
      const restored = back._examples.get(first.id.toString())
      expect(restored).toBeInstanceOf(Example)
      expect(restored!.id).toBeInstanceOf(UUID)
      expect(restored!.id.equals(first.id)).toBe(true)
      expect(back._examples.get(second.id.toString())!.id.equals(second.id)).toBe(true)
    })

    test('when a registered value object round trips, then its methods work on the copy', () => {
      const registry = new TopicRegistry()
      registry.register('test#Money', Money)
      const local = new JsonTranscoder(registry)

      const back = local.decode(local.encode({ price: new Money(1999n, 'EUR') })) as {
        price: Money
      }

      expect(back.price).toBeInstanceOf(Money)
      expect(back.price.format()).toBe('1999 EUR')
    })

    test('when an instance of an unregistered class is encoded, then a clear error names the class', () => {
      class Unregistered {
        x = 1
      }

      const error = captureError(() => transcoder.encode({ thing: new Unregistered() }))

      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(/unregistered class Unregistered/)
      expect((error as Error).message).toMatch(/register it/)
    })

    test('when a function is encoded, then it is refused', () => {
      expect(() => transcoder.encode({ f: () => 1 })).toThrow(TypeError)
    })

    test("when a stored object names a class topic nobody registered and unregistered topics 'fail', then TopicNotFound names that topic", () => {
      const registry = new TopicRegistry()
      registry.register('test#Money', Money)
      const text = new JsonTranscoder(registry).encode({ price: new Money(1n, 'EUR') })
      const strict = new JsonTranscoder(new TopicRegistry(), { unregisteredTopics: 'fail' })

      const error = captureError(() => strict.decode(text))

      expect(error).toBeInstanceOf(TopicNotFound)
      expect((error as TopicNotFound).topic).toBe('test#Money')
      expect((error as Error).message).not.toMatch(/JSON/)
    })
  })

  describe('given plain objects that use the tag key themselves', () => {
    test('when an object with a "_t_" key round trips, then it comes back as the same plain object', () => {
      const value = { _t_: 'date', _v_: 'not a date at all' }

      const back = roundTrip({ user: value })

      expect(back.user).toStrictEqual({ _t_: 'date', _v_: 'not a date at all' })
    })

    test('when an escaped object holds tagged values, then those keep their types', () => {
      const when = new Date('2021-05-05T05:05:05.005Z')

      const back = roundTrip({ _t_: 'anything', when, ids: new Set([1]) })

      expect(back._t_).toBe('anything')
      expect(back.when).toBeInstanceOf(Date)
      expect(back.when.getTime()).toBe(when.getTime())
      expect(back.ids).toEqual(new Set([1]))
    })

    test('when an escaped object has undefined fields, then they are left out as in any other object', () => {
      expect(roundTrip({ _t_: 'x', gone: undefined, kept: 2 })).toStrictEqual({ _t_: 'x', kept: 2 })
    })

    test('when the tag key holds an unknown tag name, then it is not mistaken for corruption', () => {
      expect(roundTrip({ _t_: 'no-such-tag' })).toStrictEqual({ _t_: 'no-such-tag' })
    })

    test('when a registered class instance has a "_t_" field, then it round trips too', () => {
      class Tagged {
        declare _t_: string
        declare when: Date
      }
      const registry = new TopicRegistry()
      registry.register('test#Tagged', Tagged)
      const local = new JsonTranscoder(registry)
      const value = Object.assign(new Tagged(), {
        _t_: 'date',
        when: new Date('2022-02-02T00:00:00.000Z'),
      })

      const back = local.decode(local.encode(value)) as Tagged

      expect(back).toBeInstanceOf(Tagged)
      expect(back._t_).toBe('date')
      expect(back.when).toBeInstanceOf(Date)
      expect(back.when.toISOString()).toBe('2022-02-02T00:00:00.000Z')
    })
  })

  describe('given stored text that cannot be trusted', () => {
    test('when a tag is unknown, then DataIntegrityError names it', () => {
      const error = captureError(() => transcoder.decode('{"a":{"_t_":"martian","_v_":1}}'))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toContain("'martian'")
    })

    test('when the text is not JSON, then DataIntegrityError says so', () => {
      const error = captureError(() => transcoder.decode('{"a": 1'))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toMatch(/not valid JSON/)
    })

    test('when the text is empty, then DataIntegrityError is raised', () => {
      expect(() => transcoder.decode('')).toThrow(DataIntegrityError)
    })

    test('when a tagged UUID holds garbage, then DataIntegrityError says it cannot be decoded (the JSON itself is fine)', () => {
      const error = captureError(() =>
        transcoder.decode('{"id":{"_t_":"uuid","_v_":"not-a-uuid"}}'),
      )

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toMatch(/cannot be decoded/)
      expect((error as Error).message).toContain('not-a-uuid')
    })
  })

  describe('given the default registry', () => {
    test('then the example classes are registered under their stable topics', () => {
      expect(topics.topicOf(Example)).toBe('example#Example')
      expect(topics.topicOf(UUID)).toBe('eventsourcing#UUID')
    })
  })
})
