import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { createExampleAggregate } from '../../example/factory'
import { DataIntegrityError, TopicNotFound } from '../errors'
import { computeEventHash, type DomainEvent } from '../domain/events'
import { UUID } from '../domain/uuid'
import { AesGcmCipher } from './cipher'
import { Mapper } from './mapper'
import type { StoredRecord } from './recorder'
import { captureError } from '../../../test/applicationTestKit'

const KEY = randomBytes(16)
const encrypting = (): Mapper => new Mapper({ cipher: new AesGcmCipher(KEY) })

/** The events of an aggregate whose foo holds a recognisable secret. */
function secretEvents(): readonly DomainEvent[] {
  const aggregate = createExampleAggregate('secret info')
  aggregate.createNewExample()
  aggregate.foo = 'more secret info'
  return aggregate.pendingEvents
}

const withState = (record: StoredRecord, state: Uint8Array): StoredRecord => ({ ...record, state })
const visible = (record: StoredRecord, text: string): boolean =>
  Buffer.from(record.state).includes(Buffer.from(text))

describe('Mapper', () => {
  describe.each([
    ['plain', () => new Mapper({ compress: false })],
    ['compressed', () => new Mapper()],
    ['compressed and encrypted', () => encrypting()],
    [
      'encrypted, not compressed',
      () => new Mapper({ cipher: new AesGcmCipher(KEY), compress: false }),
    ],
  ])('given a %s mapper', (_name, makeMapper) => {
    test('when events round trip through records, then the same classes, fields and hashes come back', () => {
      const mapper = makeMapper()
      const events = secretEvents()

      const back = events.map((e) => mapper.recordToEvent(mapper.eventToRecord(e)))

      expect(back.map((e) => e.constructor)).toEqual([
        ExampleAggregateRoot.Created,
        ExampleAggregateRoot.ExampleCreated,
        ExampleAggregateRoot.AttributeChanged,
      ])
      for (const [i, event] of back.entries()) {
        const original = events[i]!
        expect(event.originatorId).toBe(original.originatorId)
        expect(event.originatorVersion).toBe(original.originatorVersion)
        expect(event.timestamp).toBeInstanceOf(Date)
        expect(event.timestamp.getTime()).toBe(original.timestamp.getTime())
        expect(event.previousHash).toBe(original.previousHash)
        expect(event.hash).toBe(original.hash)
        expect(computeEventHash(event)).toBe(original.hash)
      }
      const exampleCreated = back[1] as InstanceType<typeof ExampleAggregateRoot.ExampleCreated>
      expect(exampleCreated.exampleId).toBeInstanceOf(UUID)
    })

    test('then id, version and topic stay readable in the record', () => {
      const mapper = makeMapper()
      const [created] = secretEvents()

      const record = mapper.eventToRecord(created!)

      expect(record.originatorId).toBe(created!.originatorId)
      expect(record.originatorVersion).toBe(0)
      expect(record.topic).toBe('example#ExampleAggregateRoot.Created')
    })
  })

  describe('given encryption is on', () => {
    test('then the plaintext is not visible in the stored state, while it is without encryption', () => {
      const [created] = secretEvents()

      const encrypted = encrypting().eventToRecord(created!)
      const encryptedUncompressed = new Mapper({
        cipher: new AesGcmCipher(KEY),
        compress: false,
      }).eventToRecord(created!)
      const plain = new Mapper({ compress: false }).eventToRecord(created!)

      expect(visible(plain, 'secret info')).toBe(true)
      expect(visible(encrypted, 'secret info')).toBe(false)
      expect(visible(encryptedUncompressed, 'secret info')).toBe(false)
      expect(Mapper.isEncrypted(encrypted)).toBe(true)
      expect(Mapper.isEncrypted(plain)).toBe(false)
    })

    test('when the record is read with another key, then DataIntegrityError names the record', () => {
      const [created] = secretEvents()
      const record = encrypting().eventToRecord(created!)
      const otherKey = new Mapper({ cipher: new AesGcmCipher(randomBytes(16)) })

      const error = captureError(() => otherKey.recordToEvent(record))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorId: created!.originatorId,
        originatorVersion: 0,
      })
      expect((error as Error).message).toContain(created!.originatorId)
    })

    test('when any byte of the stored state is flipped, then DataIntegrityError is raised, never garbage', () => {
      const mapper = encrypting()
      const [, , changed] = secretEvents()
      const record = mapper.eventToRecord(changed!)

      for (let i = 0; i < record.state.length; i++) {
        const damaged = Buffer.from(record.state)
        damaged[i] = damaged[i]! ^ 0x01
        expect(() => mapper.recordToEvent(withState(record, damaged)), `byte ${i}`).toThrow(
          DataIntegrityError,
        )
      }
      expect(mapper.recordToEvent(record).hash).toBe(changed!.hash)
    })

    test('when a state is copied onto another version, then it fails to decrypt (associated data binds it)', () => {
      const mapper = encrypting()
      const events = secretEvents()
      const v1 = mapper.eventToRecord(events[1]!)
      const v2 = mapper.eventToRecord(events[2]!)

      const forged = withState(v2, v1.state)

      const error = captureError(() => mapper.recordToEvent(forged))
      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details.originatorVersion).toBe(2)
    })

    test('when a state is copied onto another aggregate or topic, then it fails to decrypt', () => {
      const mapper = encrypting()
      const [mine] = secretEvents()
      const [theirs] = secretEvents()
      const record = mapper.eventToRecord(mine!)
      const otherRecord = mapper.eventToRecord(theirs!)

      expect(() => mapper.decodeState(withState(otherRecord, record.state))).toThrow(
        DataIntegrityError,
      )
      expect(() =>
        mapper.decodeState({ ...record, topic: 'example#ExampleAggregateRoot.AttributeChanged' }),
      ).toThrow(DataIntegrityError)
    })

    test('when a plaintext record turns up, then DataIntegrityError refuses it', () => {
      const [created] = secretEvents()
      const plaintextRecord = new Mapper().eventToRecord(created!)

      const error = captureError(() => encrypting().recordToEvent(plaintextRecord))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toMatch(/not encrypted/)
    })
  })

  describe('given encryption is off', () => {
    test('when an encrypted record is read, then DataIntegrityError says no cipher key is configured', () => {
      const [created] = secretEvents()
      const record = encrypting().eventToRecord(created!)

      const error = captureError(() => new Mapper().recordToEvent(record))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toMatch(/encrypted but no cipher key is configured/)
      expect((error as DataIntegrityError).details.originatorId).toBe(created!.originatorId)
    })
  })

  describe('given compression', () => {
    test('when a large repetitive state is stored, then the compressed state is much smaller', () => {
      const repetitive = { text: 'all work and no play makes Jack a dull boy. '.repeat(500) }

      const compressed = new Mapper().toRecord('id', 0, 'test#Big', repetitive)
      const uncompressed = new Mapper({ compress: false }).toRecord('id', 0, 'test#Big', repetitive)

      expect(uncompressed.state.length).toBeGreaterThan(20_000)
      expect(compressed.state.length).toBeLessThan(uncompressed.state.length / 10)
      expect(new Mapper().decodeState(compressed)).toEqual(repetitive)
    })

    test('when it is also encrypted, then compression happens first and still shrinks the state', () => {
      const repetitive = { text: 'x'.repeat(10_000) }

      const record = encrypting().toRecord('id', 0, 'test#Big', repetitive)

      expect(record.state.length).toBeLessThan(1_000)
      expect(encrypting().decodeState(record)).toEqual(repetitive)
    })

    test('when a state is small, then it is stored uncompressed, since zlib would only make it bigger', () => {
      const small = { name: '_foo', value: 'bar' }

      const withCompression = new Mapper().toRecord('id', 0, 'test#Small', small)
      const without = new Mapper({ compress: false }).toRecord('id', 0, 'test#Small', small)

      expect(withCompression.state.length).toBe(without.state.length)
      expect(new Mapper().decodeState(withCompression)).toEqual(small)
    })

    test('when a compressing mapper reads an uncompressed record, then it reads it (the format byte says how)', () => {
      const record = new Mapper({ compress: false }).toRecord('id', 0, 'test#Small', { a: 1 })

      expect(new Mapper().decodeState(record)).toEqual({ a: 1 })
    })
  })

  describe('given a stored state that cannot be trusted', () => {
    test('when it is empty, then DataIntegrityError is raised', () => {
      const record = new Mapper().toRecord('id', 0, 'test#T', { a: 1 })

      expect(() => new Mapper().decodeState(withState(record, new Uint8Array()))).toThrow(
        /empty state/,
      )
    })

    test('when its format byte is unknown, then DataIntegrityError is raised', () => {
      const record = new Mapper().toRecord('id', 0, 'test#T', { a: 1 })
      const state = Buffer.from(record.state)
      state[0] = 0x80

      expect(() => new Mapper().decodeState(withState(record, state))).toThrow(
        /unknown state format/,
      )
    })

    test('when compressed bytes are damaged, then DataIntegrityError names the record', () => {
      const record = new Mapper().toRecord('abc', 7, 'test#T', { a: 'hello world' })
      const state = Buffer.from(record.state)
      state.fill(0xff, 1, 4)

      const error = captureError(() => new Mapper().decodeState(withState(record, state)))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorId: 'abc',
        originatorVersion: 7,
      })
      expect((error as Error).message).toContain('abc v7')
    })

    test("when the record names an unknown event topic and unregistered topics 'fail', then DataIntegrityError names the row (caused by TopicNotFound)", () => {
      const [created] = secretEvents()
      const record = new Mapper().eventToRecord(created!)

      let error: unknown
      try {
        new Mapper({ unregisteredTopics: 'fail' }).recordToEvent({
          ...record,
          topic: 'example#Nope.Created',
        })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as DataIntegrityError).details).toMatchObject({
        originatorId: record.originatorId,
        originatorVersion: record.originatorVersion,
        problem: 'undecodable',
      })
      expect((error as Error).cause).toBeInstanceOf(TopicNotFound)
    })

    test('when the state decodes to something that is not an object, then DataIntegrityError is raised', () => {
      const record = new Mapper().toRecord(
        'id',
        1,
        'example#ExampleAggregateRoot.AttributeChanged',
        'just text',
      )

      expect(() => new Mapper().recordToEvent(record)).toThrow(/holds no event fields/)
    })
  })
})
