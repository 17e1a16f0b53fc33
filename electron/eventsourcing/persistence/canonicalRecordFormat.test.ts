import { describe, expect, test } from 'vitest'
import { aggregateWithHistory, openApp } from '../../../test/applicationTestKit'
import { UnregisteredEvent } from '../domain/events'
import { canonicalEventJson } from '../domain/hashing'
import { DataIntegrityError, EventSourcingError } from '../errors'
import {
  assignCanonical,
  decodeChecked,
  HASH_DIFFERS,
  HASH_MATCHES,
  HEADER_BYTES,
  offsetsFromHex,
  parseCanonical,
} from './canonicalRecord'
import { canonicalBody } from './canonicalWrite'
import { hashedEvent } from './canonicalTesting'
import { Mapper } from './mapper'
import type { SplitRow } from './recorder'
import { asIntegrityError } from './recordErrors'

const TOPIC = 'test.canonical:Happened'

/** A plain event-shaped object whose hash is the SHA-256 of its canonical JSON. */
const plainEvent = (fields: Record<string, unknown>, id = 'order-1', version = 3): object =>
  hashedEvent(TOPIC, fields, { id, version })

/** The stored text of a format 2 body and its offsets. */
function parts(body: Buffer): { hash: string; offsets: number[]; text: string } {
  return {
    hash: body.subarray(0, 32).toString('hex'),
    offsets: [0, 1, 2].map((i) => body.readUInt16LE(32 + 2 * i)),
    text: body.subarray(HEADER_BYTES).toString('utf8'),
  }
}

/** A split row as a store's selectSplit returns it: hash and offsets as hex, then the text. */
function splitRow(body: Buffer, version: number, topic = TOPIC, upper = false): SplitRow {
  const head = body.subarray(0, HEADER_BYTES).toString('hex')
  return [
    version,
    topic,
    (upper ? head.toUpperCase() : head) + body.subarray(HEADER_BYTES).toString('utf8'),
  ]
}

/** A split row's string cut at the end of the head's hex: [head, text]. */
const cut = (row: SplitRow): [string, string] => {
  const split = row[2] as string
  return [split.slice(0, 2 * HEADER_BYTES), split.slice(2 * HEADER_BYTES)]
}

const mapper = new Mapper({ compress: false })

function body(event: object, topic = TOPIC, lead = 0): Buffer {
  const out = canonicalBody(event, topic, lead)
  expect(out).toBeDefined()
  expect(out!.retyped).toBe(false)
  return out!.bytes
}

describe('canonicalBody: which events format 2 stores', () => {
  test('the body holds the hash, the offsets where id, version and topic were cut, and the rest', () => {
    const event = plainEvent({ value: 'x' }) as Record<string, unknown>
    const full = canonicalEventJson(TOPIC, event)
    const { hash, offsets, text } = parts(body(event))

    expect(hash).toBe(event['hash'])
    expect(text).not.toContain('originatorId')
    expect(text).not.toContain('"topic"')
    const [a, b, c] = offsets as [number, number, number]
    expect(a <= b && b <= c && c <= text.length).toBe(true)
    const back =
      text.slice(0, a) +
      '"originatorId":"order-1",' +
      text.slice(a, b) +
      '"originatorVersion":3,' +
      text.slice(b, c) +
      `,"topic":${JSON.stringify(TOPIC)}` +
      text.slice(c)
    expect(back).toBe(full)
  })

  test('a lead leaves that many bytes before the hash', () => {
    const event = plainEvent({ value: 'ü€😀' })
    const plain = body(event)
    const led = body(event, TOPIC, 5)
    expect(led.length).toBe(plain.length + 5)
    expect(led.subarray(5).equals(plain)).toBe(true)
    expect(parts(plain).text).toContain('ü€😀')
  })

  test('an event without a valid lower-case hex hash is left to format 1', () => {
    const event = plainEvent({ value: 'x' }) as Record<string, unknown>
    const hash = event['hash'] as string
    for (const bad of [
      undefined,
      42,
      'zz',
      hash.toUpperCase(),
      `x${hash}`,
      `${hash}0`,
      hash.slice(1),
    ])
      expect(canonicalBody({ ...event, hash: bad }, TOPIC), String(bad)).toBeUndefined()
    expect(canonicalBody(event, TOPIC)).toBeDefined()
  })

  test('an id that is not a string or a version that is not a number is left to format 1', () => {
    const event = plainEvent({ value: 'x' }) as Record<string, unknown>
    expect(canonicalBody({ ...event, originatorId: 7 }, TOPIC)).toBeUndefined()
    expect(canonicalBody({ ...event, originatorVersion: '3' }, TOPIC)).toBeUndefined()
    expect(
      canonicalBody({ ...event, originatorId: 7, originatorVersion: '3' }, TOPIC),
    ).toBeUndefined()
  })

  test('an event whose payload repeats the id or version pair is left to format 1', () => {
    expect(
      canonicalBody(plainEvent({ nested: { originatorId: 'order-1', z: 1 } }), TOPIC),
    ).toBeUndefined()
    expect(canonicalBody(plainEvent({ zz: { originatorVersion: 3, z: 1 } }), TOPIC)).toBeUndefined()
    // The same pair with another value is no repeat.
    expect(
      canonicalBody(plainEvent({ nested: { originatorId: 'order-2', z: 1 } }), TOPIC),
    ).toBeDefined()
  })

  test('ids and topics that need escaping are cut and put back as written', () => {
    const id = 'a"b\\c\nd\u2028é😀'
    const topic = 'test.canonical:"Quoted"\\'
    const event = plainEvent({ value: 'x' }, id, 12)
    const out = canonicalBody(event, topic)
    expect(out).toBeDefined()
    const events = mapper.splitRowsToEvents(
      id,
      [splitRow(out!.bytes, 12, topic)],
      new Uint8Array(1),
    )
    expect(events[0]!.originatorId).toBe(id)
  })

  test('a stored text longer than 65,535 UTF-16 units is left to format 1; exactly that is stored', () => {
    const base = parts(body(plainEvent({ value: '' }))).text.length
    const exact = plainEvent({ value: 'x'.repeat(0xffff - base) })
    expect(parts(body(exact)).text.length).toBe(0xffff)
    expect(canonicalBody(plainEvent({ value: 'x'.repeat(0x10000 - base) }), TOPIC)).toBeUndefined()
  })
})

describe('offsetsFromHex', () => {
  const hash = 'ab'.repeat(32)
  test('reads three 16-bit little-endian offsets, hex digits in either case', () => {
    expect(offsetsFromHex(`${hash}0a00ff01FF0Etext`)).toEqual([10, 0x1ff, 0x0eff])
    expect(offsetsFromHex(`${hash}000009000100`)).toEqual([0, 9, 1])
    expect(offsetsFromHex(`${hash}AaBbCcDdEeFf`)).toEqual([0xbbaa, 0xddcc, 0xffee])
    expect(offsetsFromHex(`${hash}000000000001`)).toEqual([0, 0, 0x100])
  })

  test('a header too short or with a non-hex digit is refused', () => {
    expect(offsetsFromHex(`${hash}00000000000`)).toBeUndefined()
    for (const bad of ['g', 'G', '/', ':', '@', '`', ' ']) {
      expect(offsetsFromHex(`${hash}${bad}00000000000`), `low high ${bad}`).toBeUndefined()
      expect(offsetsFromHex(`${hash}0${bad}0000000000`), `low low ${bad}`).toBeUndefined()
      expect(offsetsFromHex(`${hash}00${bad}000000000`), `high ${bad}`).toBeUndefined()
      expect(offsetsFromHex(`${hash}000${bad}00000000`), `high low ${bad}`).toBeUndefined()
      expect(offsetsFromHex(`${hash}0000000000${bad}0`), `last ${bad}`).toBeUndefined()
    }
  })
})

describe('parseCanonical', () => {
  test('a text without tags is parsed as it is, keys starting with $ included', () => {
    expect(parseCanonical('{"a":"s","$x":2}')).toEqual({ a: 's', $x: 2 })
  })

  test('the timestamp tag, and every tag nested in objects and arrays, is revived', () => {
    expect(parseCanonical('{"timestamp":{"$date":"2026-01-02T03:04:05.678Z"}}')).toEqual({
      timestamp: new Date('2026-01-02T03:04:05.678Z'),
    })
    const fields = parseCanonical(
      '{"a":"text","b":[1,{"$bigint":"12"},null],"c":{"d":{"$bytes":"AQID"}},"timestamp":{"$date":"2026-01-02T03:04:05.678Z"}}',
    )
    expect(fields).toEqual({
      a: 'text',
      b: [1, 12n, null],
      c: { d: new Uint8Array([1, 2, 3]) },
      timestamp: new Date('2026-01-02T03:04:05.678Z'),
    })
  })

  test('one tag that is not a timestamp is revived where it is', () => {
    expect(parseCanonical('{"a":{"$bigint":"5"}}')).toEqual({ a: 5n })
    expect(parseCanonical('{"a":{"$bigint":"5"},"timestamp":null}')).toEqual({
      a: 5n,
      timestamp: null,
    })
    expect(parseCanonical('{"a":1,"timestamp":{"$bigint":"5"}}')).toEqual({ a: 1, timestamp: 5n })
    expect(parseCanonical('{"a":{"$bigint":"5"},"timestamp":"t"}')).toEqual({
      a: 5n,
      timestamp: 't',
    })
  })

  test('an unknown tag, or a tag without text, is refused with its name', () => {
    expect(() => parseCanonical('{"a":{"$foo":"1"},"b":{"$bigint":"1"}}')).toThrow(
      /^unexpected \$foo in a format 2 record$/,
    )
    expect(() => parseCanonical('{"a":{"$date":5},"b":{"$bigint":"1"}}')).toThrow(
      /^unexpected \$date in a format 2 record$/,
    )
  })
})

describe('assignCanonical and decodeChecked', () => {
  const text = '{"a":1,"timestamp":{"$date":"2026-01-02T03:04:05.678Z"}}'

  test('offsets outside the text or out of order are refused', () => {
    const n = text.length
    for (const [a, b, c] of [
      [2, 1, 3],
      [1, 3, 2],
      [1, 2, n + 1],
      [n + 1, n + 1, n + 1],
    ] as const) {
      const error = (() => {
        try {
          assignCanonical(text, a, b, c, {})
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toBe('format 2 state has offsets outside its text')
    }
    const fields: Record<string, unknown> = {}
    assignCanonical(text, 1, 1, n, fields)
    expect(fields['a']).toBe(1)
    assignCanonical(text, 0, n, n, fields)
  })

  test('text that is not JSON, or no object, is refused with the cause', () => {
    let error: unknown
    try {
      assignCanonical('{"a":', 0, 0, 0, {})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as Error).message).toMatch(/^stored state is not valid format 2 JSON: ./)
    expect((error as Error).cause).toBeInstanceOf(SyntaxError)
    for (const notObject of ['null', '[1]', '"s"', '5'])
      expect(() => assignCanonical(notObject, 0, 0, 0, {}), notObject).toThrow(
        new DataIntegrityError('format 2 state holds no event fields'),
      )
  })

  test("the fields assigned are parseCanonical's, whichever tag the text holds", () => {
    const texts = [
      '{"a":"s","$x":2}',
      '{"timestamp":{"$date":"2026-01-02T03:04:05.678Z"}}',
      '{"a":[1,{"$bigint":"12"}],"timestamp":{"$date":"2026-01-02T03:04:05.678Z"}}',
      '{"a":{"$bigint":"5"}}',
      '{"a":{"$bigint":"5"},"timestamp":null}',
      '{"a":1,"timestamp":{"$bigint":"5"}}',
      '{"a":{"$bigint":"5"},"timestamp":"t"}',
      '{"a":{"timestamp":{"$date":"2026-01-02T03:04:05.678Z"}},"timestamp":7}',
      '{"a":1,"$date":"2026-01-02T03:04:05.678Z"}',
      '{"$date":"2026-01-02T03:04:05.678Z"}',
      '{"$bytes":"AQID"}',
    ]
    for (const text of texts) {
      const fields: Record<string, unknown> = {}
      assignCanonical(text, 0, 0, 0, fields)
      expect(fields, text).toEqual({ ...parseCanonical(text) })
      expect(Object.keys(fields), text).toEqual(Object.keys({ ...parseCanonical(text) }))
    }
    // A tag that cannot be revived is refused, in an object or not.
    for (const text of ['{"a":{"$foo":"1"}}', '[{"$foo":"1"}]'])
      expect(() => assignCanonical(text, 0, 0, 0, {}), text).toThrow(
        /^stored state is not valid format 2 JSON: unexpected \$foo/,
      )
  })

  test('decodeChecked assigns the fields and hash, and checks it only when asked', () => {
    const event = plainEvent({ value: 'v' }) as Record<string, unknown>
    const { hash, offsets, text: stored } = parts(body(event))
    const [a, b, c] = offsets as [number, number, number]
    const target: Record<string, unknown> = {}
    const checks = new Uint8Array(3)
    decodeChecked(stored, a, b, c, hash, target, 'order-1', 3, TOPIC, checks, 1)
    expect(target['value']).toBe('v')
    expect(target['hash']).toBe(hash)
    expect(checks[1]).toBe(HASH_MATCHES)
    decodeChecked(stored, a, b, c, hash, {}, 'order-1', 4, TOPIC, checks, 2)
    expect(checks[2]).toBe(HASH_DIFFERS)
    expect(checks[0]).toBe(0)
    // Without checks nothing is hashed: a wrong hash is taken as stored.
    const unchecked: Record<string, unknown> = {}
    decodeChecked(stored, a, b, c, '00', unchecked, 'order-1', 3, TOPIC, undefined, 0)
    expect(unchecked['hash']).toBe('00')
  })
})

describe('split rows (Mapper.splitRowsToEvents)', () => {
  const first = plainEvent({ value: 'one' }, 'order-1', 1)
  const second = plainEvent({ value: 'two' }, 'order-1', 2)
  const hashOf = (e: object): string => (e as { hash: string }).hash

  test('split rows with either case of hex decode to events with the lower-case hash', () => {
    const rows = [splitRow(body(first), 1, TOPIC, true), splitRow(body(second), 2)]
    const unchecked = mapper.splitRowsToEvents('order-1', rows)
    expect(unchecked.map((e) => e.hash)).toEqual([hashOf(first), hashOf(second)])
    const checks = new Uint8Array(2)
    const checked = mapper.splitRowsToEvents('order-1', rows, checks)
    expect([...checks]).toEqual([HASH_MATCHES, HASH_MATCHES])
    expect(checked.map((e) => e.hash)).toEqual([hashOf(first), hashOf(second)])
    expect(checked.map((e) => e.originatorVersion)).toEqual([1, 2])
    expect(checked).toHaveLength(2)
    // Mixed case too: its letters are matched one by one.
    const row = splitRow(body(first), 1)
    const [head, text] = cut(row)
    const mixed = head.replace(/[a-f]/, (letter) => letter.toUpperCase())
    expect(mixed).not.toBe(head)
    const mixedChecks = new Uint8Array(1)
    const [read] = mapper.splitRowsToEvents('order-1', [[1, row[1], mixed + text]], mixedChecks)
    expect([mixedChecks[0], read!.hash]).toEqual([HASH_MATCHES, hashOf(first)])
    expect(
      (checked[0] as unknown as { fields: Record<string, unknown> }).fields?.['value'] ??
        checked[0],
    ).toBeDefined()
  })

  test('a record moved to another version, or with a changed hash, is found to differ', () => {
    const moved = splitRow(body(first), 5, TOPIC, true)
    const [head, text] = cut(splitRow(body(second), 2))
    const flipped = (head[0] === 'a' ? 'b' : 'a') + head.slice(1)
    const rows: SplitRow[] = [moved, [2, TOPIC, flipped.toUpperCase() + text]]
    const checks = new Uint8Array(2)
    const events = mapper.splitRowsToEvents('order-1', rows, checks)
    expect([...checks]).toEqual([HASH_DIFFERS, HASH_DIFFERS])
    expect(events[0]!.hash).toBe(hashOf(first))
    expect(events[1]!.hash).toBe(flipped.slice(0, 64))
  })

  test('a head whose hash holds a character that is no hex digit differs', () => {
    const [head, text] = cut(splitRow(body(first), 1))
    const at = head.search(/[0-9]/)
    // A digit less 32 is a control character: only A-F may stand for a-f.
    const damaged =
      head.slice(0, at) + String.fromCharCode(head.charCodeAt(at) - 32) + head.slice(at + 1)
    const checks = new Uint8Array(1)
    mapper.splitRowsToEvents('order-1', [[1, TOPIC, damaged + text]], checks)
    expect(checks[0]).toBe(HASH_DIFFERS)
  })

  test('a split row too short for its header is refused naming the record', () => {
    let error: unknown
    try {
      mapper.splitRowsToEvents('order-1', [[4, TOPIC, 'abc{}']])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as DataIntegrityError).details).toEqual({
      originatorId: 'order-1',
      originatorVersion: 4,
      problem: 'undecodable',
    })
    expect((error as Error).message).toBe(
      `record order-1 v4 (${TOPIC}): format 2 state is too short`,
    )
  })
})

describe('whole rows beside split ones (memory store)', () => {
  test('a row not split is decoded whole, its state given as a Buffer or a Uint8Array', async () => {
    await using app = openApp({ snapshotPeriod: 0, compress: false })
    const aggregate = await aggregateWithHistory(app, 3)
    const events = await app.eventStore.list(aggregate.id)
    const formatOne = new Mapper({ compress: false, recordFormat: 1 })
    const rows: SplitRow[] = events.map((event, i) => {
      const record = formatOne.eventToRecord(event)
      const state = Buffer.from(record.state)
      return [record.originatorVersion, record.topic, i % 2 ? new Uint8Array(state) : state]
    })
    const checks = new Uint8Array(rows.length)
    const decoded = app.mapper.splitRowsToEvents(aggregate.id, rows, checks)
    expect(decoded).toEqual(events)
    expect([...checks]).toEqual(events.map(() => 0))
  })

  test('a split row of a topic no class is registered under becomes an UnregisteredEvent', () => {
    const event = plainEvent({ value: 'kept' })
    const [decoded] = mapper.splitRowsToEvents('order-1', [splitRow(body(event), 3)])
    expect(decoded).toBeInstanceOf(UnregisteredEvent)
    expect(decoded!.originatorVersion).toBe(3)
    expect(UnregisteredEvent.topicOf(decoded as UnregisteredEvent)).toBe(TOPIC)
    expect((decoded as unknown as { value: string }).value).toBe('kept')
  })
})

describe('asIntegrityError', () => {
  const record = { originatorId: 'o', originatorVersion: 2, topic: 't', state: new Uint8Array(0) }

  test('an error that names its record already is kept; one that does not gets the record', () => {
    const named = new DataIntegrityError('x', { originatorId: 'p', originatorVersion: 1 })
    expect(asIntegrityError(named, record)).toBe(named)
    const bare = new DataIntegrityError('bad')
    const wrapped = asIntegrityError(bare, record) as DataIntegrityError
    expect(wrapped.message).toBe('record o v2 (t): bad')
    expect(wrapped.details).toEqual({
      originatorId: 'o',
      originatorVersion: 2,
      problem: 'undecodable',
    })
    expect(wrapped.cause).toBe(bare)
  })

  test('any other failure becomes an undecodable record with its cause', () => {
    const cause = new TypeError('boom')
    const wrapped = asIntegrityError(cause, record) as DataIntegrityError
    expect(wrapped).toBeInstanceOf(DataIntegrityError)
    expect(wrapped.message).toBe('record o v2 (t) cannot be decoded: boom')
    expect(wrapped.cause).toBe(cause)
    class Other extends EventSourcingError {
      readonly code = 'Other'
    }
    const other = new Other('x')
    expect(asIntegrityError(other, record)).toBe(other)
  })
})
