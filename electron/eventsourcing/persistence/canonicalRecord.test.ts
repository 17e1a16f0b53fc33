import { describe, expect, test } from 'vitest'
import type { EverythingApplication } from '../../example/everythingApplication'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../../example/seedSettings'
import {
  aggregateWithHistory,
  openApp,
  rejection,
  storedPartition,
} from '../../../test/applicationTestKit'
import {
  computeEventHash,
  eventHashMatches,
  reconstructEvent,
  type DomainEvent,
} from '../domain/events'
import { DataIntegrityError } from '../errors'
import { AesGcmCipher } from './cipher'
import { Mapper } from './mapper'
import type { StoredRecord } from './recorder'

/** Format bit 4 of the first state byte: a format 2 record (canonicalRecord.ts). */
const isFormat2 = (record: StoredRecord): boolean => ((record.state[0] ?? 0) & 0b100) !== 0

function integrityProblem(error: unknown): { version: unknown; problem: unknown } {
  expect(error).toBeInstanceOf(DataIntegrityError)
  const { originatorVersion, problem } = (error as DataIntegrityError).details
  return { version: originatorVersion, problem }
}

describe.each([
  ['plaintext', undefined],
  ['encrypted', SEED_CIPHER_KEY],
])('record format 2, %s', (_name, cipherKey) => {
  const open = (): EverythingApplication =>
    openApp({ snapshotPeriod: 0, cipherKey, compress: false })
  /** The earlier writer, for records as stores written before format 2 hold them. */
  const formatOne = new Mapper({
    cipher: cipherKey ? new AesGcmCipher(cipherKey) : undefined,
    compress: false,
    recordFormat: 1,
  })

  test('new events are stored in format 2 and read back equal, with the hash they were made with', async () => {
    await using app = open()
    const aggregate = await aggregateWithHistory(app, 3)
    const partition = storedPartition(app.store, aggregate.id)
    const events = await app.eventStore.list(aggregate.id)

    expect(partition.every(isFormat2)).toBe(true)
    for (const event of events) {
      const again = app.mapper.recordToEvent(app.mapper.eventToRecord(event))
      expect(again).toEqual(event)
      expect(again.payload()).toEqual(event.payload())
      expect(Object.keys(again.payload())).toEqual(Object.keys(event.payload()))
      expect(computeEventHash(again)).toBe(event.hash)
    }
    // Smaller than format 1 (the hash as 32 bytes, id, version and topic left to the row).
    const oldSize = events.reduce((n, e) => n + formatOne.eventToRecord(e).state.length, 0)
    const newSize = partition.reduce((n, r) => n + r.state.length, 0)
    expect(newSize).toBeLessThan(oldSize)
    expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).foo).toBe('bar3')
  })

  test('when a byte of a stored payload is changed, then loading fails at that version as tampered', async () => {
    await using app = open()
    const aggregate = await aggregateWithHistory(app, 4)
    const partition = storedPartition(app.store, aggregate.id)
    if (cipherKey) {
      // Encrypted: the key holder re-encodes a changed field under the old hash.
      const [original] = await app.eventStore.list(aggregate.id, { gt: 1, lte: 2 })
      const forged = reconstructEvent(original!.constructor as new () => DomainEvent, {
        ...(original as unknown as Record<string, unknown>),
        value: 'bar9',
      })
      partition[2] = app.mapper.eventToRecord(forged)
    } else {
      const state = Buffer.from(partition[2]!.state)
      const at = state.indexOf('bar2')
      state[at + 3] = '9'.charCodeAt(0)
      partition[2] = { ...partition[2]!, state }
    }
    expect(isFormat2(partition[2]!)).toBe(true)

    const error = await rejection(app.repository.get(aggregate.id))

    expect(integrityProblem(error)).toEqual({ version: 2, problem: 'tampered' })
  })

  test('when an event is removed, then loading fails at the missing version', async () => {
    await using app = open()
    const aggregate = await aggregateWithHistory(app, 4)
    storedPartition(app.store, aggregate.id).splice(2, 1)

    const error = await rejection(app.repository.get(aggregate.id))

    expect(integrityProblem(error)).toEqual({ version: 2, problem: 'missing' })
  })

  test('when two events are reordered (their states swapped), then loading fails at the first', async () => {
    await using app = open()
    const aggregate = await aggregateWithHistory(app, 4)
    const partition = storedPartition(app.store, aggregate.id)
    const [two, three] = [partition[2]!, partition[3]!]
    partition[2] = { ...two, state: three.state }
    partition[3] = { ...three, state: two.state }

    const error = await rejection(app.repository.get(aggregate.id))

    // Encrypted, the associated data (id, version, topic) refuses the bytes before the hash.
    expect(integrityProblem(error)).toEqual({
      version: 2,
      problem: cipherKey ? 'undecodable' : 'unlinked',
    })
  })

  test('when a record of another aggregate is copied over one, then loading fails at it', async () => {
    await using app = open()
    const victim = await aggregateWithHistory(app, 4)
    const other = await aggregateWithHistory(app, 4)
    const partition = storedPartition(app.store, victim.id)
    partition[3] = { ...partition[3]!, state: storedPartition(app.store, other.id)[3]!.state }

    const error = await rejection(app.repository.get(victim.id))

    expect(integrityProblem(error)).toEqual({
      version: 3,
      problem: cipherKey ? 'undecodable' : 'unlinked',
    })
  })

  test('when only the stored id inside the state could differ, the row it sits in is what is hashed', async () => {
    await using app = open()
    const victim = await aggregateWithHistory(app, 1)
    const other = await aggregateWithHistory(app, 1)
    // Version 0 of both has previousHash '': a copied creation event links, so only the hash
    // over the row's own id can refuse it.
    const partition = storedPartition(app.store, victim.id)
    partition[0] = { ...partition[0]!, state: storedPartition(app.store, other.id)[0]!.state }

    const error = await rejection(app.repository.get(victim.id))

    expect(integrityProblem(error)).toEqual({
      version: 0,
      problem: cipherKey ? 'undecodable' : 'tampered',
    })
  })

  test('a history written partly in format 1 and partly in format 2 verifies, and both parts still detect tampering', async () => {
    await using app = open()
    const aggregate = await aggregateWithHistory(app, 5)
    const partition = storedPartition(app.store, aggregate.id)
    const events = await app.eventStore.list(aggregate.id)
    for (const v of [0, 1, 2]) partition[v] = formatOne.eventToRecord(events[v]!)
    expect(partition.map(isFormat2)).toEqual([false, false, false, true, true, true])

    expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).foo).toBe('bar5')
    const report = await app.verifyHistory(aggregate.id)
    expect(report.problems).toEqual([])

    // A forged old-format record re-hashed by the forger: the first new-format event exposes it.
    const forged = reconstructEvent(events[2]!.constructor as new () => DomainEvent, {
      ...(events[2] as unknown as Record<string, unknown>),
      value: 'forged',
    })
    Object.assign(forged, { hash: computeEventHash(forged) })
    partition[2] = formatOne.eventToRecord(forged)
    const error = await rejection(app.repository.get(aggregate.id))
    expect(integrityProblem(error)).toEqual({ version: 3, problem: 'unlinked' })
  })
})

describe('events whose canonical JSON would not read back the same stay in format 1', () => {
  test('a Map and unsorted payload fields are written in format 1, and verify', async () => {
    await using app = openApp({ snapshotPeriod: 0, compress: false })
    const aggregate = app.createExampleAggregate('start')
    // (foo is typed a string; the attribute stores any value the transcoder can.)
    ;(aggregate as unknown as { foo: unknown }).foo = new Map([['a', 1]])
    await aggregate.save()
    const events = await app.eventStore.list(aggregate.id)
    const partition = storedPartition(app.store, aggregate.id)

    expect(partition.map(isFormat2)).toEqual([true, false])
    const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)
    expect((loaded as unknown as { foo: unknown }).foo).toEqual(new Map([['a', 1]]))
    const unsorted = reconstructEvent(events[1]!.constructor as new () => DomainEvent, {
      ...(events[1] as unknown as Record<string, unknown>),
      zeta: 1,
      alpha: 2,
    })
    expect(isFormat2(app.mapper.eventToRecord(unsorted))).toBe(false)
  })
})

describe('the writer stores the text the event was hashed over when it was made', () => {
  test('a new event is stored as its constructor hashed it; one whose hash changed since is written from its fields, and fails to load', async () => {
    await using app = openApp({ snapshotPeriod: 0, compress: false })
    const aggregate = app.createExampleAggregate('start')
    aggregate.foo = 'next'
    const [created, changed] = aggregate.pendingEvents
    const stored = app.mapper.recordToEvent(app.mapper.eventToRecord(created!))
    expect(eventHashMatches(stored)).toBe(true)
    expect(stored).toEqual(created)

    // The constructor's text does not follow a hash assigned afterwards: the fields are written.
    Object.assign(changed!, { hash: 'f'.repeat(64) })
    const record = app.mapper.eventToRecord(changed!)
    expect(isFormat2(record)).toBe(true)
    expect(eventHashMatches(app.mapper.recordToEvent(record))).toBe(false)
    await aggregate.save()
    const error = await rejection(app.repository.get(aggregate.id))
    expect(integrityProblem(error).version).toBe(1)
  })
})
