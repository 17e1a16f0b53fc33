import { describe, expect, test } from 'vitest'
import { OriginatorIdError, OriginatorVersionError } from '../errors'
import {
  attachHashProof,
  checkSequence,
  DomainEvent,
  eventHashMatches,
  hashedTextOf,
  UnregisteredEvent,
} from './events'
import { ownFields } from './eventFields'
import { canonicalEventJson, sha256Hex } from './hashing'
import { TopicRegistry } from './topics'

const ID = '3c9e1f2a-7b4d-4e6f-8a0b-1c2d3e4f5a6b'

class Noted extends DomainEvent<null> {
  declare readonly note: string
  override mutate(): null {
    return null
  }
}

const registry = new TopicRegistry()
registry.register('test#Noted', Noted)

function noted(note = 'hello'): Noted {
  const init = { originatorId: ID, originatorVersion: 1, timestamp: new Date(0), previousHash: '' }
  return new Noted({ ...init, note } as never, registry)
}

describe('hashedTextOf (the text the format 2 writer stores)', () => {
  test('is the text the constructor hashed, under that topic only', () => {
    const event = noted()

    expect(hashedTextOf(event, 'test#Noted')).toBe(canonicalEventJson('test#Noted', event))
    expect(sha256Hex(hashedTextOf(event, 'test#Noted')!)).toBe(event.hash)
    expect(hashedTextOf(event, 'test#Other')).toBeUndefined()
  })

  test('is undefined once the event carries another hash, and for a copy', () => {
    const event = noted()
    const copy = { ...event }
    Object.assign(event, { hash: sha256Hex('something else') })

    expect(hashedTextOf(event, 'test#Noted')).toBeUndefined()
    expect(hashedTextOf(copy, 'test#Noted')).toBeUndefined()
  })
})

describe('eventHashMatches', () => {
  test('checks a stored text when the event has one, not its fields', () => {
    const event = noted('as stored')
    const text = canonicalEventJson('test#Noted', event)
    // The fields are changed and the hash made to fit them; the stored text still wins.
    Object.assign(event, { note: 'changed' })
    Object.assign(event, { hash: sha256Hex(canonicalEventJson('test#Noted', event)) })

    expect(eventHashMatches(event, registry)).toBe(true)
    attachHashProof(event, { canonicalText: () => text })
    expect(eventHashMatches(event, registry)).toBe(false)
  })
})

describe('UnregisteredEvent', () => {
  test('keeps its topic off its fields, so a copy does not carry it', () => {
    const event = UnregisteredEvent.fromStored('gone#Thing.Done', { originatorId: ID, x: 1 })

    expect(UnregisteredEvent.topicOf(event)).toBe('gone#Thing.Done')
    expect(Object.getOwnPropertySymbols({ ...event })).toEqual([])
  })
})

describe('checkSequence', () => {
  const header = { originatorId: ID, originatorVersion: 3, timestamp: new Date(0) }

  test('accepts the next version of the same entity', () => {
    expect(() =>
      checkSequence({ ...header, previousHash: '', hash: '' }, { id: ID, version: 2 }),
    ).not.toThrow()
  })

  test('refuses another entity, naming both', () => {
    expect(() =>
      checkSequence({ ...header, previousHash: '', hash: '' }, { id: 'other', version: 2 }),
    ).toThrow(new OriginatorIdError(`event for ${ID} cannot be applied to other`))
  })

  test('refuses a version that does not follow, naming both', () => {
    expect(() =>
      checkSequence({ ...header, previousHash: '', hash: '' }, { id: ID, version: 3 }),
    ).toThrow(
      new OriginatorVersionError(`event version 3 does not follow entity version 3 of ${ID}`),
    )
  })
})

describe('ownFields (an event init built without a spread)', () => {
  test('is what the spread gives: own enumerable keys in order, symbols, __proto__ as data', () => {
    const tag = Symbol('tag')
    const hidden = Symbol('hidden')
    const fields = JSON.parse('{"b":1,"a":{"x":[2]},"__proto__":{"p":1},"10":"ten"}') as object
    Object.defineProperty(fields, tag, { value: 't', enumerable: true })
    Object.defineProperty(fields, hidden, { value: 'h', enumerable: false })
    Object.defineProperty(fields, 'invisible', { value: 0, enumerable: false })
    const copy = ownFields(fields)
    const spread = { ...fields }
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys(spread))
    expect(Reflect.ownKeys(copy)).toEqual(['10', 'b', 'a', '__proto__', tag])
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ p: 1 })
    expect(copy).toEqual(spread)
    // Shallow, as the spread: the values are the same objects.
    expect(copy.a).toBe((fields as { a: unknown }).a)
  })

  test('takes no fields at all as the spread does: an empty payload', () => {
    expect(ownFields(undefined as unknown as object)).toEqual({})
    expect(ownFields(null as unknown as object)).toEqual({})
  })

  test('leaves out the key it is told to, and copies into an object of its own', () => {
    const fields = { originatorTopic: 't', name: 'n' }
    const copy = ownFields(fields, new Set(['originatorTopic']))
    expect(copy).toEqual({ name: 'n' })
    copy.extra = 1
    expect(fields).toEqual({ originatorTopic: 't', name: 'n' })
  })
})
