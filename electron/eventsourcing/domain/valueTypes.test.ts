import { describe, expect, test } from 'vitest'
import { DataIntegrityError } from '../errors'
import { TopicRegistry } from './topics'
import { UUID } from './uuid'
import {
  assignFields,
  classTopicOf,
  dateFromText,
  type TextKind,
  UnregisteredValue,
  valueFromText,
  valueKind,
  valueText,
} from './valueTypes'

class Point {
  constructor(readonly x: number) {}
}

describe('valueKind', () => {
  test.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [false, 'boolean'],
    ['', 'string'],
    [-0, 'number'],
    [NaN, 'number'],
    [1n, 'bigint'],
    [Symbol('s'), 'symbol'],
    [() => 1, 'function'],
    [new Date(NaN), 'date'],
    [new UUID('00000000-0000-4000-8000-000000000000'), 'uuid'],
    [new Uint8Array(1), 'bytes'],
    [Buffer.from('b'), 'bytes'],
    [[], 'array'],
    [new Map(), 'map'],
    [new Set(), 'set'],
    [{}, 'object'],
    [Object.create(null) as object, 'object'],
    [JSON.parse('{"__proto__":{"x":1}}') as object, 'object'],
    [new Point(1), 'instance'],
    [UnregisteredValue.of('t#P', { x: 1 }), 'instance'],
    [new Int16Array(2), 'instance'],
  ])('%o is a %s', (value, kind) => {
    expect(valueKind(value)).toBe(kind)
  })
})

describe('valueText', () => {
  test.each<[TextKind, unknown, string]>([
    ['date', new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), '2024-02-29T23:59:59.999Z'],
    [
      'uuid',
      new UUID('6F1C2A4E-8B3D-4E5F-9A0B-1C2D3E4F5A6B'),
      '6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b',
    ],
    ['bigint', -(2n ** 70n), '-1180591620717411303424'],
    ['bytes', new Uint8Array([7, 0, 1, 255, 7]).subarray(1, 4), 'AAH/'],
    ['number', -Infinity, '-Infinity'],
  ])('a %s is written as %s and read back', (kind, value, text) => {
    const write = valueText[kind] as (v: unknown) => string

    expect(write(value)).toBe(text)
    expect(write(valueFromText[kind](text))).toBe(text)
  })
})

describe('dateFromText', () => {
  /** What new Date reads; a text it reads as no date is refused as damaged instead. */
  const same = (text: string): void => {
    const engine = new Date(text)
    if (Number.isNaN(engine.getTime())) {
      expect(() => dateFromText(text)).toThrow(DataIntegrityError)
      expect(() => dateFromText(text)).toThrow('a stored date is not a date')
      return
    }
    expect([text, dateFromText(text).getTime()]).toEqual([text, engine.getTime()])
  }

  test('when ISO texts of many instants are read, then each equals what new Date reads', () => {
    // Spread over years 1000–9999, every month end, leap days and millisecond edges.
    let seed = 7
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    const min = Date.UTC(1000, 0, 1)
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
    for (let i = 0; i < 2000; i++)
      same(new Date(min + (next() / 2 ** 31) * (max - min)).toISOString())
    for (const year of [1000, 1900, 2000, 2024, 2100, 9999])
      for (let month = 0; month < 12; month++)
        same(new Date(Date.UTC(year, month + 1, 0, 23, 59, 59, 999)).toISOString())
  })

  test('when texts within one minute follow each other, then each equals what new Date reads', () => {
    for (const text of [
      '2024-03-04T05:06:00.000Z',
      '2024-03-04T05:06:07.089Z',
      '2024-03-04T05:06:59.999Z',
      '2024-03-04T05:06:60.000Z',
      '2024-03-04T05:06:0x.000Z',
      '2024-03-04T05:06:07.0x9Z',
      '2024-03-04T05:06:07.089+',
      '2024-03-04T05:06:07,089Z',
      '2024-03-04T05:07:07.089Z',
      '2024-03-04T05:06:07.089Z',
      '2025-03-04T05:06:07.089Z',
      '2024-02-29T23:59:30.500Z',
      '2024-02-29T23:59:31.500Z',
      '2024-02-30T23:59:31.500Z',
    ])
      same(text)
  })

  test.each([
    '2023-02-29T00:00:00.000Z',
    '2024-02-30T00:00:00.000Z',
    '2024-04-31T12:00:00.000Z',
    '2024-01-01T24:00:00.000Z',
    '2024-01-01T23:60:00.000Z',
    '2024-13-01T00:00:00.000Z',
    '2024-00-10T00:00:00.000Z',
    '0999-01-01T00:00:00.000Z',
    '0050-01-01T00:00:00.000Z',
    '+012024-01-01T00:00:00.000Z',
    '2024-01-01T00:00:00.000+01:00',
    '2024-01-01T00:00:0x.000Z',
    '2024-01-01 00:00:00.000Z',
    'not a date at all, 24ch',
    '',
  ])(
    'when %j is read, then the result is what new Date gives, or a refusal if it gives none',
    (text) => {
      same(text)
    },
  )
})

describe('UnregisteredValue', () => {
  test('its topic is kept off its fields, and classTopicOf finds it', () => {
    const value = UnregisteredValue.of('t#Point', { x: 1, topic: 'a field' })

    expect(Object.keys(value)).toEqual(['x', 'topic'])
    expect(JSON.stringify(value)).toBe('{"x":1,"topic":"a field"}')
    expect(UnregisteredValue.topicOf(value)).toBe('t#Point')
    expect(classTopicOf(value, new TopicRegistry())).toBe('t#Point')
  })

  test('classTopicOf gives a registered class its topic, and an unregistered one none', () => {
    const registry = new TopicRegistry()
    registry.register('t#Point', Point)

    expect(classTopicOf(new Point(1), registry)).toBe('t#Point')
    expect(classTopicOf(new Point(1), new TopicRegistry())).toBeUndefined()
  })
})

describe('assignFields', () => {
  test('sets own fields as plain assignment would: enumerable, writable, configurable', () => {
    const target = {}
    assignFields(target, JSON.parse('{"a":1,"__proto__":2}') as Record<string, unknown>)

    expect(Object.getPrototypeOf(target)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptors(target)).toEqual({
      a: { value: 1, enumerable: true, writable: true, configurable: true },
      ['__proto__']: { value: 2, enumerable: true, writable: true, configurable: true },
    })
  })
})
