import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createExampleAggregate } from '../../example/factory'
import type { DomainEvent } from '../domain/events'
import { DataIntegrityError } from '../errors'
import { AesGcmCipher } from './cipher'
import { HASH_DIFFERS, HASH_MATCHES, HASH_UNCHECKED, Mapper } from './mapper'
import type { SplitRow } from './recorder'
import { createSqliteStore } from './recorders/sqlite'

function events(count: number): readonly DomainEvent[] {
  const aggregate = createExampleAggregate('secret info')
  for (let i = 1; i < count; i++) aggregate.foo = `value ${i} ${'é'.repeat(i % 3)}`
  return aggregate.pendingEvents
}

const fieldsOf = (event: DomainEvent): unknown => ({ ...event })

describe('split reads of plain format 2 states (SQLite selectSplit)', () => {
  test('when rows are read split, then the events equal those read whole, and a changed text or hash is found', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'split-')), 'e.sqlite'))
    try {
      const mapper = new Mapper({ compress: false })
      const written = events(30)
      await store.events.insert(written.map((e) => mapper.eventToRecord(e)))
      const id = written[0]!.originatorId
      const rows = await store.events.selectSplit!(id, {}, mapper.stateSplit!)
      // The head in hex as SQLite's lower(hex()) writes it, the text after it, in one string.
      expect(rows.every((row) => typeof row[2] === 'string')).toBe(true)
      const heads = rows.map((row) => (row[2] as string).slice(0, 76))
      expect(heads.every((head) => /^[0-9a-f]{76}$/.test(head))).toBe(true)
      expect(rows.every((row) => (row[2] as string).charAt(76) === '{')).toBe(true)
      const checks = new Uint8Array(rows.length)
      const split = mapper.splitRowsToEvents(id, rows, checks)
      const whole = (await store.events.select(id)).map((r) => mapper.recordToEvent(r))
      expect(split.map(fieldsOf)).toEqual(whole.map(fieldsOf))
      expect(split.map((e) => Object.keys(e))).toEqual(whole.map((e) => Object.keys(e)))
      expect([...checks].every((c) => c === HASH_MATCHES)).toBe(true)

      const [version, topic, rest] = rows[4]!
      const head = (rest as string).slice(0, 76)
      const text = (rest as string).slice(76)
      mapper.splitRowsToEvents(
        id,
        [[version, topic, head + text.replace('value 4', 'value 9')]],
        checks,
      )
      expect(checks[0]).toBe(HASH_DIFFERS)
      // The hash is read in either case; a changed digit of it is found.
      const flipped = (head[0] === 'a' ? 'b' : 'a') + head.slice(1)
      mapper.splitRowsToEvents(id, [[version, topic, head.toUpperCase() + text]], checks)
      expect(checks[0]).toBe(HASH_MATCHES)
      mapper.splitRowsToEvents(id, [[version, topic, flipped + text]], checks)
      expect(checks[0]).toBe(HASH_DIFFERS)
      expect(() => mapper.splitRowsToEvents(id, [[version, topic, head.slice(0, 70)]])).toThrow(
        DataIntegrityError,
      )
    } finally {
      await store.close()
    }
  })

  test('when encrypted, compressed and format 1 rows are read whole, then the events equal recordToEvent and format 2 hashes are checked', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'split-')), 'e.sqlite'))
    try {
      const cipher = new AesGcmCipher(randomBytes(16))
      const mapper = new Mapper({ cipher })
      const older = new Mapper({ cipher, recordFormat: 1 })
      const written = events(12)
      // Formats mixed as a store written by several versions holds them: 1 and 2, one large
      // state compressed.
      const records = written.map((e, i) => (i % 3 === 1 ? older : mapper).eventToRecord(e))
      await store.events.insert(records)
      const id = written[0]!.originatorId
      expect(mapper.stateSplit).toBeUndefined()
      const rows = await store.events.selectSplit!(id, {}, undefined)
      expect(rows.every((row) => row[2] instanceof Uint8Array)).toBe(true)
      const checks = new Uint8Array(rows.length)
      const read = mapper.splitRowsToEvents(id, rows, checks)
      const whole = (await store.events.select(id)).map((r) => mapper.recordToEvent(r))
      expect(read.map(fieldsOf)).toEqual(whole.map(fieldsOf))
      expect(read.map((e) => Object.keys(e))).toEqual(whole.map((e) => Object.keys(e)))
      expect([...checks]).toEqual(
        written.map((_, i) => (i % 3 === 1 ? HASH_UNCHECKED : HASH_MATCHES)),
      )

      // A state moved onto another row does not decrypt there (its associated data).
      const [, topic, state] = rows[2]!
      expect(() => mapper.splitRowsToEvents(id, [[5, topic, state]], checks)).toThrow(
        DataIntegrityError,
      )
    } finally {
      await store.close()
    }
  })

  test('when one encrypted row of a page is damaged or moved, then the page fails at that row, as rows read one by one do', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'split-')), 'e.sqlite'))
    try {
      const cipher = new AesGcmCipher(randomBytes(16))
      const mapper = new Mapper({ cipher, compress: false })
      const written = events(30)
      await store.events.insert(written.map((e) => mapper.eventToRecord(e)))
      const id = written[0]!.originatorId
      const rows = await store.events.selectSplit!(id, {}, mapper.stateSplit)
      const versionOfError = (page: SplitRow[]): unknown => {
        try {
          mapper.splitRowsToEvents(id, page, new Uint8Array(page.length))
        } catch (error) {
          expect(error).toBeInstanceOf(DataIntegrityError)
          return (error as DataIntegrityError).details.originatorVersion
        }
        return 'no error'
      }
      // (The whole page decrypts: the failures below come from the damage.)
      expect(versionOfError(rows)).toBe('no error')
      for (const at of [1, 20, 40, 70]) {
        const damaged = Buffer.from(rows[17]![2] as Uint8Array)
        damaged[at] = damaged[at]! ^ 0x10
        const page = rows.map((row, i): SplitRow => (i === 17 ? [17, row[1], damaged] : row))
        expect(versionOfError(page), `byte ${at}`).toBe(17)
      }
      // Row 12's state on row 12 and on row 25: the first row that does not hold its own.
      const moved = rows.map((row, i): SplitRow => (i === 25 ? [25, row[1], rows[12]![2]] : row))
      expect(versionOfError(moved)).toBe(25)
    } finally {
      await store.close()
    }
  })

  test('when a compressed format 2 row is read whole, then its hash is checked', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'split-')), 'e.sqlite'))
    try {
      const mapper = new Mapper({ compress: true })
      const aggregate = createExampleAggregate('x'.repeat(3000))
      aggregate.foo = 'small'
      const written = aggregate.pendingEvents
      const records = written.map((e) => mapper.eventToRecord(e))
      expect(records[0]!.state[0]).toBe(0b101)
      await store.events.insert(records)
      const id = written[0]!.originatorId
      const rows = await store.events.selectSplit!(id, {}, mapper.stateSplit)
      expect(rows[0]![2]).toBeInstanceOf(Uint8Array)
      expect(typeof rows[1]![2]).toBe('string')
      const checks = new Uint8Array(rows.length)
      const read = mapper.splitRowsToEvents(id, rows, checks)
      expect(read.map(fieldsOf)).toEqual(written.map(fieldsOf))
      expect([...checks]).toEqual([HASH_MATCHES, HASH_MATCHES])
    } finally {
      await store.close()
    }
  })

  test('when rows hold UUIDs, then they are read split after their mark, typed back, and a changed UUID is found', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'split-')), 'e.sqlite'))
    try {
      const mapper = new Mapper({ compress: false })
      const aggregate = createExampleAggregate('with children')
      for (let i = 0; i < 6; i++) {
        aggregate.createNewExample()
        aggregate.foo = `value ${i}`
      }
      const written = aggregate.pendingEvents
      await store.events.insert(written.map((e) => mapper.eventToRecord(e)))
      const id = written[0]!.originatorId
      const rows = await store.events.selectSplit!(id, {}, mapper.stateSplit!)
      const created = rows.filter((row) => row[1].endsWith('.ExampleCreated'))
      expect(created).toHaveLength(6)
      // Marked, then the head in hex and the text, then the UUID's path after a newline.
      for (const [, , rest] of created)
        expect(rest).toMatch(/^r[0-9a-f]{76}\{.*\}\n\[\["exampleId"\]\]$/s)
      const checks = new Uint8Array(rows.length)
      const split = mapper.splitRowsToEvents(id, rows, checks)
      const whole = (await store.events.select(id)).map((r) => mapper.recordToEvent(r))
      expect(split.map(fieldsOf)).toEqual(written.map(fieldsOf))
      expect(whole.map(fieldsOf)).toEqual(written.map(fieldsOf))
      expect([...checks].every((c) => c === HASH_MATCHES)).toBe(true)
      const exampleId = (split[1] as unknown as { exampleId: unknown }).exampleId
      expect(exampleId).toEqual((written[1] as unknown as { exampleId: unknown }).exampleId)
      expect(exampleId?.constructor.name).toBe('UUID')

      const [version, topic, rest] = created[0]!
      const hex = (exampleId as { hex: string }).hex
      const other = (hex[0] === 'a' ? 'b' : 'a') + hex.slice(1)
      mapper.splitRowsToEvents(id, [[version, topic, (rest as string).replace(hex, other)]], checks)
      expect(checks[0]).toBe(HASH_DIFFERS)
      expect(() =>
        mapper.splitRowsToEvents(id, [
          [version, topic, (rest as string).replace('[["exampleId"]]', '[["x"]]')],
        ]),
      ).toThrow(/UUID path that leads nowhere/)
    } finally {
      await store.close()
    }
  })
})
