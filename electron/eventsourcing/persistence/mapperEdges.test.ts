import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createExampleAggregate } from '../../example/factory'
import { eventHashMatches, type DomainEvent } from '../domain/events'
import { TopicRegistry, topics } from '../domain/topics'
import { DataIntegrityError } from '../errors'
import { AesGcmCipher } from './cipher'
import { Mapper } from './mapper'
import type { StoredRecord } from './recorder'
import { captureError } from '../../../test/applicationTestKit'

// Edges of the mapper: where compression starts, formats it must refuse, and what a decoded
// format 2 event keeps of its record.
const TOPIC = 'example#ExampleAggregateRoot.AttributeChanged'
const COMPRESSED = 0b001
const ENCRYPTED = 0b010
const CANONICAL = 0b100
const BROTLI = 0b10000

/** An AttributeChanged event whose foo is `foo`. */
function changed(foo: string): DomainEvent {
  const aggregate = createExampleAggregate('x')
  aggregate.foo = foo
  return aggregate.pendingEvents[aggregate.pendingEvents.length - 1]!
}

describe('compression starts at 1024 bytes of body', () => {
  test('a format 1 body of 1023 bytes is stored as it is, one of 1024 compressed', () => {
    const mapper = new Mapper()
    // {"foo":"…"} is 10 bytes around the text.
    const small = mapper.toRecord('id', 1, TOPIC, { foo: 'a'.repeat(1013) })
    expect(small.state.length).toBe(1024)
    expect(small.state[0]).toBe(0)
    const large = mapper.toRecord('id', 1, TOPIC, { foo: 'a'.repeat(1014) })
    expect(large.state[0]).toBe(COMPRESSED)
    expect(large.state.length).toBeLessThan(100)
    expect(mapper.decodeState(large)).toEqual({ foo: 'a'.repeat(1014) })
  })

  test('a format 2 body of exactly 1024 bytes is compressed', () => {
    const plain = new Mapper({ compress: false })
    // The body's length grows with foo one byte at a time: find the foo that makes it 1024.
    let foo = ''
    while (plain.eventToRecord(changed(foo)).state.length - 1 < 1024) foo += 'a'
    const event = changed(foo)
    expect(plain.eventToRecord(event).state.length - 1).toBe(1024)
    const record = new Mapper().eventToRecord(event)
    expect(record.state[0]).toBe(CANONICAL | COMPRESSED)
    expect((new Mapper().recordToEvent(record) as unknown as { value: string }).value).toBe(foo)
  })
})

describe('Brotli (the compression snapshots ask for)', () => {
  const fields = { foo: 'a'.repeat(5_000) }

  test('compresses a body of 1024 bytes or more, encrypted or not, and reads it back', () => {
    const key = randomBytes(16)
    for (const [mapper, flags] of [
      [new Mapper(), BROTLI],
      [new Mapper({ cipher: new AesGcmCipher(key) }), BROTLI | ENCRYPTED],
    ] as const) {
      const record = mapper.toRecord('id', 1, TOPIC, fields, { brotli: true })
      expect(record.state[0]).toBe(flags)
      expect(record.state.length).toBeLessThan(100)
      expect(mapper.decodeState(record)).toEqual(fields)
    }
    expect(new Mapper().toRecord('id', 1, TOPIC, { foo: 'a' }, { brotli: true }).state[0]).toBe(0)
  })

  test('a damaged Brotli body is damaged data, naming the record', () => {
    const record = new Mapper().toRecord('id', 7, TOPIC, fields, { brotli: true })
    const state = Buffer.from(record.state)
    state.fill(0xff, 2, 12)

    const error = captureError(() => new Mapper().decodeState({ ...record, state }))

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as Error).message).toMatch(/^record id v7 .* cannot be decoded/)
  })
})

describe('formats a mapper refuses', () => {
  test('an encrypting mapper refuses a plain format 1 record', () => {
    const record = new Mapper({ recordFormat: 1, compress: false }).toRecord('id', 1, TOPIC, {
      foo: 'x',
    })
    expect(record.state[0]).toBe(0)
    const mapper = new Mapper({ cipher: new AesGcmCipher(randomBytes(16)) })
    expect(() => mapper.decodeState(record)).toThrow(/is not encrypted/)
    expect(() => mapper.recordToEvent(record)).toThrow(/is not encrypted/)
  })

  test('a format byte with the canonical bit and an unknown one is an unknown format', () => {
    const record = new Mapper().eventToRecord(changed('x'))
    const mapper = new Mapper()
    // 0b100000 is no flag; 0b1000 (retyped) names a kind of format 2, so alone it is no format;
    // zlib and Brotli (0b10000) together are no compression.
    for (const [flags, format] of [
      [CANONICAL | 0b100000, 36],
      [0b1000, 8],
      [0b1000 | 0b0001, 9],
      [CANONICAL | COMPRESSED | BROTLI, 21],
    ] as const) {
      const state = Buffer.from(record.state)
      state[0] = flags
      const odd = { ...record, state }
      const unknown = new RegExp(`unknown state format ${format}`)
      expect(() => mapper.recordToEvent(odd)).toThrow(unknown)
      expect(() =>
        mapper.splitRowsToEvents(odd.originatorId, [[odd.originatorVersion, odd.topic, state]]),
      ).toThrow(unknown)
    }
  })

  test('a format 2 body shorter than its header and two bytes is too short', () => {
    const mapper = new Mapper()
    const record = mapper.eventToRecord(changed('x'))
    // 32 bytes of hash, 6 of offsets, then at least 2 of text.
    const cut = (bodyBytes: number): StoredRecord => ({
      ...record,
      state: Buffer.concat([Buffer.of(CANONICAL), Buffer.alloc(bodyBytes)]),
    })
    expect(() => mapper.recordToEvent(cut(39))).toThrow(/too short/)
    expect(() => mapper.decodeState(cut(39))).toThrow(/too short/)
    const at40 = captureError(() => mapper.recordToEvent(cut(40)))
    expect(at40).toBeInstanceOf(DataIntegrityError)
    expect((at40 as Error).message).not.toMatch(/too short/)
  })

  test('a state that decodes to no object names the record', () => {
    const mapper = new Mapper()
    for (const fields of [null, 5]) {
      const record = mapper.toRecord('id', 3, TOPIC, fields)
      const error = captureError(() => mapper.recordToEvent(record))
      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toMatch(/holds no event fields/)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorId: 'id',
        originatorVersion: 3,
      })
    }
  })
})

describe('topics', () => {
  test('an unknown topic names the row; another registry failure is passed on', () => {
    const failing = new Mapper({ unregisteredTopics: 'fail' })
    const record = new Mapper().toRecord('id', 1, 'nowhere#Unknown', { foo: 'x' })
    expect(() => failing.recordToEvent(record)).toThrow(
      /names a topic no event class is registered under/,
    )
    class BrokenRegistry extends TopicRegistry {
      override resolve(): never {
        throw new RangeError('registry broken')
      }
    }
    const broken = new Mapper({ registry: new BrokenRegistry(), unregisteredTopics: 'fail' })
    const error = captureError(() =>
      broken.recordToEvent(new Mapper().toRecord('id', 1, TOPIC, {})),
    )
    expect(error).toBeInstanceOf(RangeError)
  })
})

describe('a decoded format 2 event', () => {
  test('keeps its stored text: its hash verifies from it, whatever the registry knows now', () => {
    const mapper = new Mapper()
    const event = mapper.recordToEvent(mapper.eventToRecord(changed('kept')))
    expect(eventHashMatches(event, topics)).toBe(true)
    // Recomputed from the fields, the hash would need the topic of the event's class.
    expect(eventHashMatches(event, new TopicRegistry())).toBe(true)
    // A format 1 event has no stored text: recomputed, it needs its topic.
    const v1 = new Mapper({ recordFormat: 1 })
    const old = v1.recordToEvent(v1.eventToRecord(changed('kept')))
    expect(eventHashMatches(old, topics)).toBe(true)
    expect(eventHashMatches(old, new TopicRegistry())).toBe(false)
  })

  test('decodes to its fields with its hash', () => {
    const mapper = new Mapper()
    const event = changed('fields')
    const fields = mapper.decodeState(mapper.eventToRecord(event)) as Record<string, unknown>
    expect(fields['value']).toBe('fields')
    expect(fields['hash']).toBe(event.hash)
  })
})
