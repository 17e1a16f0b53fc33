import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import {
  computeEventHash,
  DomainEvent,
  eventTopicOf,
  type EventInit,
  UnregisteredEvent,
} from '../domain/events'
import { canonicalJson } from '../domain/hashing'
import { TopicRegistry } from '../domain/topics'
import { UUID } from '../domain/uuid'
import { classTopicOf, UnregisteredValue } from '../domain/valueTypes'
import { DataIntegrityError, TopicNotFound } from '../errors'
import { AesGcmCipher } from './cipher'
import { Mapper } from './mapper'
import { JsonTranscoder } from './transcoder'
import { captureError } from '../../../test/applicationTestKit'

// A record written by a module that registered its classes is read where that module is not
// loaded (the `reader` registry lacks them).

class Money {
  declare readonly amount: bigint
  declare readonly currency: string
  constructor(amount: bigint, currency: string) {
    this.amount = amount
    this.currency = currency
  }
}

class Priced extends DomainEvent<never> {
  declare readonly price: Money
  override mutate(): never {
    throw new Error('not applied in these tests')
  }
}

const writer = new TopicRegistry()
writer.register('shop#Money', Money)
writer.register('shop#Order.Priced', Priced)
const reader = new TopicRegistry()

const ID = new UUID('0e6c3a51-2f4b-4c8d-9e1f-a2b3c4d5e6f7')

function priced(version: number, previousHash: string): Priced {
  return new Priced(
    {
      originatorId: ID.hex,
      originatorVersion: version,
      timestamp: new Date(Date.UTC(2025, 5, 1, 12, 0, 0, version)),
      previousHash,
      price: new Money(1999n + BigInt(version), 'EUR'),
      note: `naïve ✓ ${version}`,
      lines: new Map([[ID, new Set([new Date(7), 3n])]]),
      // (A payload field named topic wins over the class topic in the hashed text.)
      ...(version === 1 ? { topic: 'a payload field named topic' } : {}),
    } as EventInit,
    writer,
  )
}

const KEY = randomBytes(16)
const mappers = [
  ['plain', { compress: false }],
  ['compressed', { compress: true }],
  ['encrypted', { cipher: new AesGcmCipher(KEY) }],
] as const

describe.each(mappers)('an event whose topic the reader does not register (%s)', (_, options) => {
  const write = new Mapper({ ...options, registry: writer })
  const read = new Mapper({ ...options, registry: reader })

  test.each([0, 1])(
    'when version %i is read, then it is an UnregisteredEvent with the same payload and a hash that verifies',
    (version) => {
      const original = priced(version, version === 0 ? '' : 'a'.repeat(64))

      const event = read.recordToEvent(write.eventToRecord(original))

      expect(event).toBeInstanceOf(UnregisteredEvent)
      expect(event).toBeInstanceOf(DomainEvent)
      expect(UnregisteredEvent.topicOf(event as UnregisteredEvent)).toBe('shop#Order.Priced')
      expect(eventTopicOf(event, reader)).toBe('shop#Order.Priced')
      expect(event.originatorId).toBe(original.originatorId)
      expect(event.originatorVersion).toBe(version)
      expect(event.hash).toBe(original.hash)
      expect(computeEventHash(event)).toBe(original.hash)
      expect(computeEventHash(event, reader)).toBe(original.hash)
      expect(canonicalJson(event.payload())).toBe(canonicalJson(original.payload()))
      expect(Object.keys(event.payload())).toEqual(Object.keys(original.payload()))
    },
  )

  test('when it is read, then a value of an unregistered class inside it keeps its fields and topic', () => {
    const event = read.recordToEvent(write.eventToRecord(priced(0, '')))
    const price = event.payload()['price']

    expect(price).toBeInstanceOf(UnregisteredValue)
    expect(UnregisteredValue.topicOf(price as UnregisteredValue)).toBe('shop#Money')
    expect(classTopicOf(price as object, reader)).toBe('shop#Money')
    expect({ ...(price as object) }).toEqual({ amount: 1999n, currency: 'EUR' })
  })

  test('when it is changed after reading, then its hash no longer verifies', () => {
    const event = read.recordToEvent(write.eventToRecord(priced(0, '')))

    Object.assign(event, { note: 'forged' })

    expect(computeEventHash(event)).not.toBe(event.hash)
  })

  test('when it is applied, then TopicNotFound says no definition is loaded for its topic', () => {
    const event = read.recordToEvent(write.eventToRecord(priced(0, '')))

    const error = captureError(() => event.mutate(null))

    expect(error).toBeInstanceOf(TopicNotFound)
    expect((error as TopicNotFound).topic).toBe('shop#Order.Priced')
    expect((error as Error).message).toMatch(
      /no definition is loaded for topic 'shop#Order.Priced'/,
    )
  })

  test('when it is written back, then the record is the one it was read from, and its module reads its class again', () => {
    const original = priced(1, 'b'.repeat(64))
    const record = write.eventToRecord(original)

    const rewritten = read.eventToRecord(read.recordToEvent(record))
    const back = write.recordToEvent(rewritten)

    expect(rewritten.topic).toBe('shop#Order.Priced')
    if (!read.encrypted) expect(Buffer.from(rewritten.state)).toEqual(Buffer.from(record.state))
    expect(back).toBeInstanceOf(Priced)
    expect((back as Priced).price).toBeInstanceOf(Money)
    expect(computeEventHash(back, writer)).toBe(original.hash)
  })
})

describe("a reader that fails on unregistered topics ('fail')", () => {
  const write = new Mapper({ registry: writer })
  const strict = new Mapper({ registry: reader, unregisteredTopics: 'fail' })

  test('when an event of an unregistered topic is read, then DataIntegrityError names the row', () => {
    const record = write.eventToRecord(priced(3, 'c'.repeat(64)))

    const error = captureError(() => strict.recordToEvent(record))

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as DataIntegrityError).details).toMatchObject({
      originatorId: ID.hex,
      originatorVersion: 3,
      problem: 'undecodable',
    })
    expect((error as Error).cause).toBeInstanceOf(TopicNotFound)
  })

  test('when a state holding a value of an unregistered class is decoded, then TopicNotFound names it', () => {
    const record = write.toRecord(ID.hex, 0, 'shop#Snapshot', { price: new Money(1n, 'EUR') })

    const error = captureError(() => strict.decodeState(record))

    expect(error).toBeInstanceOf(TopicNotFound)
    expect((error as TopicNotFound).topic).toBe('shop#Money')
  })
})

describe('UnregisteredValue in the transcoder', () => {
  const stored = new JsonTranscoder(writer)
  const loose = new JsonTranscoder(reader)

  test('when a state with unregistered values round trips, then it is written back as it was stored', () => {
    const text = stored.encode({
      a: [new Money(5n, 'GBP')],
      m: new Map([['k', new Money(-1n, 'X')]]),
    })

    const decoded = loose.decode(text)

    expect(loose.encode(decoded)).toBe(text)
    expect(canonicalJson(decoded)).toBe(canonicalJson(stored.decode(text)))
  })

  test('when its fields use the tag key or a field named topic, then they stay fields', () => {
    const value = UnregisteredValue.of('shop#Odd', { _t_: 'date', topic: 't' })

    const back = loose.decode(loose.encode({ value })) as { value: UnregisteredValue }

    expect(back.value).toBeInstanceOf(UnregisteredValue)
    expect(UnregisteredValue.topicOf(back.value)).toBe('shop#Odd')
    expect(Object.keys(back.value)).toEqual(['_t_', 'topic'])
    expect(back.value['topic']).toBe('t')
    expect(Object.getPrototypeOf(back.value)).toBe(UnregisteredValue.prototype)
  })
})
