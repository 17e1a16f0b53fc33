import { describe, expect, test } from 'vitest'
import { DataIntegrityError, TopicNotFound } from '../errors'
import { TopicRegistry } from '../domain/topics'
import { UUID } from '../domain/uuid'
import { UnregisteredValue } from '../domain/valueTypes'
import { JsonTranscoder } from './transcoder'
import { MIN_COLUMN_ROWS } from './transcoderColumns'

/** A registered class with a setter and a getter, as a child entity might have. */
class Entity {
  declare id: UUID
  declare name: string
  declare since: Date | undefined
  declare child: Entity | undefined
  private seen = 0
  set renamed(value: string) {
    this.seen++
    this.name = value
  }
  get label(): string {
    return `entity ${this.name}`
  }
}
class Other {
  declare name: string
}
const registry = new TopicRegistry()
registry.register('test#Entity', Entity)
registry.register('test#Other', Other)
registry.register('eventsourcing#UUID', UUID)
const transcoder = new JsonTranscoder(registry)

const N = MIN_COLUMN_ROWS + 2
const uuid = (i: number) => new UUID(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
function entity(i: number, child?: Entity): Entity {
  const e = new Entity()
  e.id = uuid(i)
  e.name = `n${i}`
  e.since = new Date(Date.UTC(2026, 0, 1 + i))
  e.child = child
  return e
}
const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i))

const byColumns = (value: unknown) => transcoder.encode(value, { columns: true })
/** What the element-by-element encoding (every earlier version's) reads back. */
const viaRows = (value: unknown) => transcoder.decode(transcoder.encode(value))

describe('JsonTranscoder columns', () => {
  const cases: Record<string, { make: () => unknown; tags: string[] }> = {
    'a map of entities keyed by their ids': {
      make: () => ({ all: new Map(times(N, (i) => [uuid(i).hex, entity(i)])) }),
      tags: ['"_k_"', '"_t_":"rows"', '"_t_":"texts","_c_":"uuid"', '"_c_":"date"'],
    },
    'entities holding entities (a nested rows list)': {
      make: () => times(N, (i) => entity(i, entity(100 + i))),
      tags: ['"_t_":"rows","_c_":"test#Entity"'],
    },
    'plain objects with the tag key, null-prototype ones, and lists of bigints and bytes': {
      make: () => ({
        tagged: times(N, (i) => ({ _t_: 'date', _v_: `not a date ${i}`, _k_: [i] })),
        bare: times(N, (i) => Object.assign(Object.create(null) as object, { i })),
        bigs: times(N, (i) => 2n ** BigInt(60 + i)),
        bytes: times(N, (i) => new Uint8Array([i, 255])),
        set: new Set(times(N, (i) => new Date(i))),
      }),
      tags: ['"_c_":"bigint"', '"_c_":"bytes"', '"_t_":"rows","_k_":["_t_","_v_","_k_"]'],
    },
    'lists that differ (left element by element)': {
      make: () => ({
        orders: times(N, (i) => (i === 3 ? { b: 1, a: 2 } : { a: 1, b: 2 })),
        // No one order of the fields keeps each element's: b before c, then c before b.
        crossed: times(N, (i) => (i === 3 ? { a: 1, c: 2, b: 3 } : { a: 1, b: 2, c: 3 })),
        classes: times(N, (i) => (i === 3 ? Object.assign(new Other(), { name: 'x' }) : entity(i))),
        mixed: times(N, (i) => (i === 3 ? 'text' : uuid(i))),
        empty: times(N, () => ({})),
        proto: times(N, () => JSON.parse('{"__proto__": 1, "a": 2}') as unknown),
        sparse: Object.assign(new Array<unknown>(N), { 0: { a: 1 } }),
        few: times(MIN_COLUMN_ROWS - 1, (i) => ({ a: i })),
        numbers: [NaN, -0, ...times(N, (i) => i)],
      }),
      tags: [],
    },
    'undefined fields dropped alike, undefined elements and map values made null': {
      make: () => ({
        alike: times(N, (i) => ({ a: i, gone: undefined })),
        undefinedValues: new Map(times(N, (i) => [i, i % 2 ? undefined : { v: i }])),
        objectKeys: new Map(times(N, (i) => [{ k: i }, [i]])),
      }),
      tags: ['"_t_":"rows","_k_":["a"]', '"_t_":"rows","_k_":["k"]'],
    },
    'optional fields: some elements lack some, or hold them undefined (a sparse rows list)': {
      make: () => ({
        holes: times(N, (i) => (i === 3 ? { a: 1, b: undefined } : { a: 1, b: 2 })),
        later: times(N, (i) => (i < 5 ? { a: i } : { a: i, z: new Date(i) })),
        entities: times(N, (i) => entity(i, i % 3 ? entity(i + 50) : undefined)),
        // Each element's fields in the one order they all keep: a, b, c.
        parts: times(N, (i) => (i % 2 ? { a: i, c: i } : { b: i, c: i })),
      }),
      tags: ['"_a_":[0,[3]]', '"_a_":[0,[0,1,2,3,4]]', '"_t_":"texts","_c_":"date"'],
    },
    'unregistered values (left element by element, keeping their topics)': {
      make: () => times(N, (i) => UnregisteredValue.of('gone#Thing', { i })),
      tags: [],
    },
  }

  for (const [name, { make, tags }] of Object.entries(cases)) {
    test(`given ${name}, then decode reads back what the element encoding does`, () => {
      const text = byColumns(make())

      expect(transcoder.decode(text)).toStrictEqual(viaRows(make()))
      for (const tag of tags) expect(text).toContain(tag)
      if (tags.length === 0) expect(text).not.toMatch(/"_t_":"(rows|texts)"|"_k_":\[/)
    })
  }

  test('given instances by column, then each is of its class, with its getters and its fields in order', () => {
    const list = times(N, (i) => entity(i))
    list.forEach((e, i) => (e.renamed = `r${i}`))

    const back = transcoder.decode(byColumns(list)) as Entity[]

    expect(back[4]).toBeInstanceOf(Entity)
    expect(back[4]!.label).toBe('entity r4')
    expect(Object.keys(back[4]!)).toEqual(['seen', 'id', 'name', 'since'])
    expect(back).toStrictEqual(viaRows(list))
    expect(back[4]!.id).toBeInstanceOf(UUID)
  })

  test('given random lists of like and unlike values, then both encodings read back the same', () => {
    // mulberry32: a small seeded generator, so that a failure is the same on every run.
    let seed = 42
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n)
    }
    const element = (depth: number): unknown => {
      switch (random(depth > 2 ? 5 : 8)) {
        case 0:
          return random(100)
        case 1:
          return `s${random(10)}`
        case 2:
          return uuid(random(1000))
        case 3:
          return new Date(random(10_000))
        case 4:
          return null
        case 5:
          return entity(random(50), random(2) ? entity(random(50)) : undefined)
        case 6:
          return list(depth + 1)
        default:
          return new Map(times(random(12), (i) => [`k${i}`, element(depth + 1)]))
      }
    }
    const list = (depth: number): unknown[] => {
      const like = element(depth)
      // Like the first: a copy of it, or an entity of its own (its child there or not).
      const alike = () =>
        like instanceof Entity
          ? entity(random(50), random(3) ? entity(random(50)) : undefined)
          : transcoder.decode(transcoder.encode(like))
      return times(random(20), () => (random(12) === 0 ? element(depth) : alike()))
    }
    let byColumn = 0
    for (let round = 0; round < 200; round++) {
      const value = list(0)
      const text = byColumns(value)
      expect(transcoder.decode(text)).toStrictEqual(viaRows(value))
      if (/"_t_":"(rows|texts)"/.test(text)) byColumn++
    }
    // Both kinds of list were met: some stored by column, the rest element by element.
    expect(byColumn).toBeGreaterThan(20)
    expect(byColumn).toBeLessThan(180)
  })

  describe('given stored columns that cannot be trusted', () => {
    const stored: Record<string, string> = {
      'columns of different lengths': '{"_t_":"rows","_k_":["a","b"],"_v_":[[1,2],[1]]}',
      'more fields than columns': '{"_t_":"rows","_k_":["a","b"],"_v_":[[1]]}',
      'no fields': '{"_t_":"rows","_k_":[],"_v_":[]}',
      'fields that are not a list': '{"_t_":"rows","_k_":"a","_v_":[[1]]}',
      'a column that is not a list': '{"_t_":"rows","_k_":["a"],"_v_":[3]}',
      'a field named __proto__': '{"_t_":"rows","_k_":["__proto__"],"_v_":[[{"x":1}]]}',
      'a field named twice': '{"_t_":"rows","_k_":["a","a"],"_v_":[[1],[2]]}',
      'a field name that is not text': '{"_t_":"rows","_k_":[7],"_v_":[[1]]}',
      'a class that is not text': '{"_t_":"rows","_c_":7,"_k_":["a"],"_v_":[[1]]}',
      'texts of an unknown kind': '{"_t_":"texts","_c_":"obj","_v_":["x"]}',
      'texts holding a number': '{"_t_":"texts","_c_":"uuid","_v_":[1]}',
      'texts that are not their kind': '{"_t_":"texts","_c_":"uuid","_v_":["not a uuid"]}',
      'a map with more keys than values': '{"_t_":"map","_k_":[1,2],"_v_":[1]}',
      'a map whose keys are not a list': '{"_t_":"map","_k_":{},"_v_":[]}',
      'absent rows for fewer columns': '{"_t_":"rows","_k_":["a","b"],"_v_":[[1],[2]],"_a_":[0]}',
      'absent rows out of order': '{"_t_":"rows","_k_":["a"],"_v_":[[1]],"_a_":[[2,1]]}',
      'an absent row out of range': '{"_t_":"rows","_k_":["a"],"_v_":[[1]],"_a_":[[2]]}',
      'an absent row that is not a number': '{"_t_":"rows","_k_":["a"],"_v_":[[1]],"_a_":[["0"]]}',
      'columns and absent rows not adding up':
        '{"_t_":"rows","_k_":["a","b"],"_v_":[[1,2],[3]],"_a_":[0,[0,1]]}',
    }
    for (const [name, text] of Object.entries(stored)) {
      test(`given ${name}, then decode refuses it as damaged`, () => {
        expect(() => transcoder.decode(text)).toThrow(DataIntegrityError)
      })
    }

    test('given rows of a class no one registered, then they are kept or refused as instances are', () => {
      const text = '{"_t_":"rows","_c_":"gone#Thing","_k_":["a"],"_v_":[[1,2]]}'

      const kept = transcoder.decode(text) as UnregisteredValue[]
      const strict = new JsonTranscoder(registry, { unregisteredTopics: 'fail' })

      expect(kept).toStrictEqual([
        UnregisteredValue.of('gone#Thing', { a: 1 }),
        UnregisteredValue.of('gone#Thing', { a: 2 }),
      ])
      expect(UnregisteredValue.topicOf(kept[1]!)).toBe('gone#Thing')
      expect(() => strict.decode(text)).toThrow(TopicNotFound)
    })
  })
})
