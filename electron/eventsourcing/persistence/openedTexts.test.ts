import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { createExampleAggregate } from '../../example/factory'
import type { DomainEvent } from '../domain/events'
import { DataIntegrityError } from '../errors'
import { AesGcmCipher } from './cipher'
import { HASH_DIFFERS, HASH_MATCHES, Mapper } from './mapper'
import { decodeOpened, openedTexts } from './openedTexts'
import type { SplitRow } from './recorder'

/** A page of encrypted format 2 rows, as selectSplit hands them over (whole states). */
function page(values: readonly string[]): {
  mapper: Mapper
  written: readonly DomainEvent[]
  rows: SplitRow[]
} {
  const mapper = new Mapper({ cipher: new AesGcmCipher(randomBytes(16)), compress: false })
  const aggregate = createExampleAggregate('start')
  for (const value of values) aggregate.foo = value
  const written = aggregate.pendingEvents
  const rows = written.map((e): SplitRow => {
    const record = mapper.eventToRecord(e)
    return [record.originatorVersion, record.topic, Buffer.from(record.state)]
  })
  return { mapper, written, rows }
}

const fieldsOf = (event: DomainEvent): unknown => ({ ...event })

describe('encrypted format 2 texts decoded a page at a time (openedTexts)', () => {
  test.each([
    ['ASCII texts', ['a', 'b'.repeat(300), 'c']],
    ['texts with 2-, 3- and 4-byte characters', ['é', 'x€y', '😀 z', 'plain']],
  ])(
    'when a page holds %s, then its events equal those read one by one and their hashes match',
    (_, values) => {
      const { mapper, written, rows } = page(values)
      const checks = new Uint8Array(rows.length)

      const id = written[0]!.originatorId

      const read = mapper.splitRowsToEvents(id, rows, checks)

      const one = rows.map(([originatorVersion, topic, state]) =>
        mapper.recordToEvent({
          originatorId: id,
          originatorVersion,
          topic,
          state: state as Buffer,
        }),
      )
      expect(read.map(fieldsOf)).toEqual(one.map(fieldsOf))
      expect(read.map((e) => Object.keys(e))).toEqual(one.map((e) => Object.keys(e)))
      expect(read.map(fieldsOf)).toEqual(written.map(fieldsOf))
      expect([...checks].every((c) => c === HASH_MATCHES)).toBe(true)
    },
  )

  test('when a text was changed before it was encrypted again, then its hash differs', () => {
    const { mapper, written, rows } = page(['one', 'two', 'three'])
    const cipher = mapper.cipher!
    const id = written[0]!.originatorId
    // Row 2 decrypted, its text changed, encrypted again under its own associated data: it
    // authenticates, and only the hash check can find the change.
    const [version, topic, state] = rows[2]!
    const body = cipher.decryptRecord(state as Uint8Array, 1, id, version, topic)
    const changed = Buffer.from(body.toString('latin1').replace('two', 'TWO'), 'latin1')
    const sealed = cipher.encrypt(changed, Buffer.from(`${id}\n${version}\n${topic}`))
    const tampered = rows.map((row, i): SplitRow =>
      i === 2 ? [version, topic, Buffer.concat([Buffer.of(0b110), sealed])] : row,
    )
    const checks = new Uint8Array(rows.length)

    const read = mapper.splitRowsToEvents(id, tampered, checks)

    expect([...checks]).toEqual([HASH_MATCHES, HASH_MATCHES, HASH_DIFFERS, HASH_MATCHES])
    expect((read[2] as unknown as { value: string }).value).toBe('TWO')
  })

  test('when a decrypted body is shorter than its header, then that row is refused by name', () => {
    const { mapper, written, rows } = page(['one', 'two'])
    const cipher = mapper.cipher!
    const id = written[0]!.originatorId
    const [version, topic] = rows[1]!
    const sealed = cipher.encrypt(Buffer.alloc(20), Buffer.from(`${id}\n${version}\n${topic}`))
    const short = rows.map((row, i): SplitRow =>
      i === 1 ? [version, topic, Buffer.concat([Buffer.of(0b110), sealed])] : row,
    )
    let error: unknown
    try {
      mapper.splitRowsToEvents(id, short, new Uint8Array(rows.length))
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as DataIntegrityError).details.originatorVersion).toBe(1)
    expect((error as Error).message).toMatch(/too short/)
  })

  test('when bodies do not start on a word, then their hashes, offsets and texts are read all the same', () => {
    const header = (fill: number, offsets: number[]): Buffer => {
      const out = Buffer.alloc(38, fill)
      offsets.forEach((value, j) => out.writeUInt16LE(value, 32 + 2 * j))
      return out
    }
    // Bodies at bytes 3 and 61 of a page (GcmBatch's start on words), one row not decrypted.
    const bytes = Buffer.alloc(128)
    header(0xab, [1, 2, 3]).copy(bytes, 3)
    bytes.write('{"a":1}', 41)
    header(0xcd, [0, 0, 4]).copy(bytes, 61)
    bytes.write('{"b":"é"}', 99)
    const texts = openedTexts({
      bytes,
      starts: Int32Array.of(3, -1, 61),
      ends: Int32Array.of(48, 0, 109),
    })!
    expect([...texts.at]).toEqual([0, -1, 1])
    expect(texts.hashes).toBe('ab'.repeat(32) + 'cd'.repeat(32))
    expect([...texts.offsets]).toEqual([1, 2, 3, 0, 0, 4])
    // (Not one unit per byte: each text decoded alone.)
    expect(texts.text).toBeUndefined()
    const target: Record<string, unknown> = {}
    // (The row's stored state: only its format byte is read here, encrypted format 2.)
    const record = { originatorId: 'x', originatorVersion: 2, topic: 't', state: Buffer.of(6) }
    decodeOpened(texts, 1, record, target, undefined, 0)
    expect(target).toEqual({ b: 'é', hash: 'cd'.repeat(32) })
  })
})
