import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createExampleAggregate } from '../../example/factory'
import type { DomainEvent } from '../domain/events'
import { HASH_DIFFERS, HASH_MATCHES, Mapper } from './mapper'
import { createSqliteStore } from './recorders/sqlite'

function events(count: number): readonly DomainEvent[] {
  const aggregate = createExampleAggregate('secret info')
  for (let i = 1; i < count; i++) aggregate.foo = `value ${i} ${'é'.repeat(i % 3)}`
  return aggregate.pendingEvents
}

const fieldsOf = (event: DomainEvent): unknown => ({ ...event })

describe('split reads of plain format 2 states (SQLite selectSplit)', () => {
  test('when rows are read split, then the events equal those read whole, and a changed text is found', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'split-')), 'e.sqlite'))
    try {
      const mapper = new Mapper({ compress: false })
      const written = events(30)
      await store.events.insert(written.map((e) => mapper.eventToRecord(e)))
      const id = written[0]!.originatorId
      const rows = await store.events.selectSplit!(id, {}, mapper.stateSplit!)
      expect(rows.every((row) => typeof row[3] === 'string' && row[2]!.length === 76)).toBe(true)
      const checks = new Uint8Array(rows.length)
      const split = mapper.splitRowsToEvents(id, rows, checks)
      const whole = (await store.events.select(id)).map((r) => mapper.recordToEvent(r))
      expect(split.map(fieldsOf)).toEqual(whole.map(fieldsOf))
      expect(split.map((e) => Object.keys(e))).toEqual(whole.map((e) => Object.keys(e)))
      expect([...checks].every((c) => c === HASH_MATCHES)).toBe(true)

      const [version, topic, head, text] = rows[4]!
      const changed = (text as string).replace('value 4', 'value 9')
      mapper.splitRowsToEvents(id, [[version, topic, head, changed]], checks)
      expect(checks[0]).toBe(HASH_DIFFERS)
    } finally {
      await store.close()
    }
  })
})
