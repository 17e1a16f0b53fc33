import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { captureError } from '../../../test/applicationTestKit'
import { eventHashMatches } from '../domain/events'
import { TopicRegistry } from '../domain/topics'
import { UUID } from '../domain/uuid'
import { DataIntegrityError } from '../errors'
import { HASH_DIFFERS, HASH_MATCHES } from './canonicalRecord'
import { uuidPathsOf } from './canonicalRoundTrip'
import { AesGcmCipher } from './cipher'
import { hashedEvent } from './canonicalTesting'
import { Mapper } from './mapper'
import type { StoredRecord } from './recorder'
import { CANONICAL, COMPRESSED, ENCRYPTED, RETYPED } from './recordFlags'

const TOPIC = 'test.retypes:Linked'
const ID = 'order-1'
const A = new UUID('0b1e5f0a-8f7e-4c59-9a3e-2f1d7c6b5a40')
const B = new UUID('f00dfeed-0000-4000-8000-00000000000b')

class Linked {}
const registry = new TopicRegistry()
registry.register(TOPIC, Linked)

/** A Linked event whose hash is the SHA-256 of its canonical JSON. */
const linked = (fields: Record<string, unknown>, version = 3): Record<string, unknown> =>
  hashedEvent(TOPIC, fields, { id: ID, version, prototype: Linked.prototype })

const HEADER = ['originatorId', 'originatorVersion', 'timestamp', 'hash']
const payloadKeys = (o: object): string[] => Object.keys(o).filter((k) => !HEADER.includes(k))

const FIELDS = {
  a: A,
  items: [{ at: 1, ref: B }, 'f00dfeed-0000-4000-8000-00000000000b', [A]],
  note: { by: B, text: 'plain' },
}

/** The state's text after the format byte and the 38-byte header (plain, uncompressed). */
const textOf = (record: StoredRecord): string => Buffer.from(record.state).toString('utf8', 39)

/** The record with its text after the header replaced. */
function withText(record: StoredRecord, text: string): StoredRecord {
  const head = Buffer.from(record.state).subarray(0, 39)
  return { ...record, state: Buffer.concat([head, Buffer.from(text, 'utf8')]) }
}

describe('format 2 with UUIDs typed back', () => {
  test('the paths of the UUIDs, at any depth; a UUID-like string is no UUID', () => {
    expect(uuidPathsOf(linked(FIELDS))).toEqual([
      ['a'],
      ['items', 0, 'ref'],
      ['items', 2, 0],
      ['note', 'by'],
    ])
    // Anything else that would not read back still leaves the event to format 1.
    expect(uuidPathsOf(linked({ a: A, m: new Map([[1, A]]) }))).toBeUndefined()
    expect(uuidPathsOf(linked({ b: A, a: 1 }))).toBeUndefined()
  })

  test('an event holding UUIDs is stored retyped and reads back equal, UUIDs and order kept', () => {
    const event = linked(FIELDS)
    for (const mapper of [
      new Mapper({ registry, compress: false }),
      new Mapper({ registry }),
      new Mapper({ registry, cipher: new AesGcmCipher(randomBytes(16)) }),
    ]) {
      const record = mapper.eventToRecord(event as never)
      expect(record.state[0]! & (CANONICAL | RETYPED)).toBe(CANONICAL | RETYPED)
      const back = mapper.recordToEvent(record) as unknown as Record<string, unknown>
      // (The header's order in a decoded event is the reader's, as in format 1.)
      expect(payloadKeys(back)).toEqual(['a', 'items', 'note'])
      expect(back).toEqual(event)
      expect(back['a']).toBeInstanceOf(UUID)
      expect((back['items'] as unknown[])[1]).toBe('f00dfeed-0000-4000-8000-00000000000b')
      const checks = new Uint8Array(1)
      const [split] = mapper.splitRowsToEvents(ID, [[3, TOPIC, record.state]], checks)
      expect(split).toEqual(event)
      expect(checks[0]).toBe(HASH_MATCHES)
      expect(mapper.decodeState(record)).toMatchObject({ a: A, note: { by: B } })
    }
  })

  test('an encrypted page mixing retyped and plain rows is decoded at once, each as written', () => {
    const mapper = new Mapper({
      registry,
      cipher: new AesGcmCipher(randomBytes(16)),
      compress: false,
    })
    const written = [
      linked({ a: 1 }, 3),
      linked(FIELDS, 4),
      linked({ a: 2 }, 5),
      linked({ a: B }, 6),
    ]
    const rows = written.map((event) => {
      const record = mapper.eventToRecord(event as never)
      return [record.originatorVersion, TOPIC, record.state] as [number, string, Uint8Array]
    })
    expect(rows.map(([, , state]) => state[0])).toEqual([
      ENCRYPTED | CANONICAL,
      ENCRYPTED | CANONICAL | RETYPED,
      ENCRYPTED | CANONICAL,
      ENCRYPTED | CANONICAL | RETYPED,
    ])
    const checks = new Uint8Array(rows.length)
    const events = mapper.splitRowsToEvents(ID, rows, checks)
    expect(events).toEqual(written)
    expect((events[3] as unknown as { a: unknown }).a).toBeInstanceOf(UUID)
    expect([...checks]).toEqual([HASH_MATCHES, HASH_MATCHES, HASH_MATCHES, HASH_MATCHES])
  })

  test('compressed and encrypted retyped records keep both flags', () => {
    const big = linked({ a: A, pad: 'x'.repeat(2000) })
    const compressed = new Mapper({ registry }).eventToRecord(big as never)
    expect(compressed.state[0]).toBe(CANONICAL | RETYPED | COMPRESSED)
    const sealed = new Mapper({
      registry,
      cipher: new AesGcmCipher(randomBytes(16)),
      compress: false,
    })
    expect(sealed.eventToRecord(big as never).state[0]).toBe(CANONICAL | RETYPED | ENCRYPTED)
  })

  test('an event without UUIDs is stored as before, not retyped', () => {
    const record = new Mapper({ registry, compress: false }).eventToRecord(
      linked({ a: 1 }) as never,
    )
    expect(record.state[0]).toBe(CANONICAL)
  })

  test('a changed UUID is a hash that differs; the list cannot change what the hash covers', () => {
    const mapper = new Mapper({ registry, compress: false })
    const record = mapper.eventToRecord(linked(FIELDS) as never)
    const text = textOf(record)
    const changed = withText(record, text.replace(A.hex, '1b1e5f0a-8f7e-4c59-9a3e-2f1d7c6b5a40'))
    const checks = new Uint8Array(1)
    mapper.splitRowsToEvents(ID, [[3, TOPIC, changed.state]], checks)
    expect(checks[0]).toBe(HASH_DIFFERS)
    expect(eventHashMatches(mapper.recordToEvent(changed))).toBe(false)
    expect(eventHashMatches(mapper.recordToEvent(record))).toBe(true)
  })

  test('a damaged list of paths is a DataIntegrityError naming the record', () => {
    const mapper = new Mapper({ registry, compress: false })
    const record = mapper.eventToRecord(linked(FIELDS) as never)
    const text = textOf(record)
    const canonical = text.slice(0, text.lastIndexOf('\n'))
    const cases: [string, RegExp][] = [
      [canonical, /retyped but lists no paths/],
      [`${canonical}\nnot json`, /not JSON/],
      [`${canonical}\n[]`, /lists no UUID paths/],
      [`${canonical}\n{}`, /lists no UUID paths/],
      [`${canonical}\n[[]]`, /is not a path/],
      [`${canonical}\n[[1]]`, /is not a path/],
      [`${canonical}\n[["nothere"]]`, /leads nowhere/],
      [`${canonical}\n[["items",7,"ref"]]`, /leads nowhere/],
      [`${canonical}\n[["items","0"]]`, /leads nowhere/],
      [`${canonical}\n[["note","text"]]`, /holds no UUID/],
      [`${canonical}\n[["items",0,"at"]]`, /holds no text/],
      [`${canonical}\n[["timestamp"]]`, /holds no text/],
      [`${canonical}\n[["a"],["a"]]`, /holds no text/],
      [`${canonical}\n[["a","hex"]]`, /leads nowhere/],
      [`${canonical}\n[["timestamp","getTime"]]`, /leads nowhere/],
      [`${canonical}\n[["note","__proto__"]]`, /leads nowhere/],
    ]
    for (const [damaged, message] of cases) {
      const bad = withText(record, damaged)
      const error = captureError(() => mapper.recordToEvent(bad))
      expect(error, damaged.slice(canonical.length)).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message, damaged.slice(canonical.length)).toMatch(message)
      expect((error as Error).message).toContain(ID)
      expect(() =>
        mapper.splitRowsToEvents(ID, [[3, TOPIC, bad.state]], new Uint8Array(1)),
      ).toThrow(message)
    }
  })

  test('a UUID listed at a string that is not its canonical text is refused', () => {
    // Upper case: a UUID would read it, but its canonical text is lower case.
    const event = linked({ a: 'F00DFEED-0000-4000-8000-00000000000B' })
    const mapper = new Mapper({ registry, compress: false })
    const plain = mapper.eventToRecord(event as never)
    expect(plain.state[0]).toBe(CANONICAL)
    const forged = Buffer.concat([Buffer.from(plain.state), Buffer.from('\n[["a"]]')])
    forged[0] = CANONICAL | RETYPED
    expect(() => mapper.recordToEvent({ ...plain, state: forged })).toThrow(
      /not in its canonical form/,
    )
  })
})
