import { describe, expect, test } from 'vitest'
import type { EverythingApplication } from '../../example/everythingApplication'
import { computeEventHash, reconstructEvent, type DomainEvent } from '../domain/events'
import { DataIntegrityError } from '../errors'
import { HASH_DIFFERS, HASH_MATCHES } from '../persistence/mapper'
import {
  aggregateWithHistory,
  openApp,
  rejection,
  storedPartition,
} from '../../../test/applicationTestKit'
import {
  aggregateIndexOf,
  ChainCheck,
  snapshotLinkProblem,
  tailProblem,
  verifiedPages,
  type VerifiedRange,
} from './verification'

const open = (): EverythingApplication => openApp({ snapshotPeriod: 0 })

/** An aggregate with versions 0–9 and its events as read back. */
async function history(app: EverythingApplication): Promise<[string, DomainEvent[]]> {
  const aggregate = await aggregateWithHistory(app, 9)
  return [aggregate.id, await app.eventStore.list(aggregate.id)]
}

/** A copy of `event` with some fields replaced; its stored hash is kept unless `rehash`. */
function forged(event: DomainEvent, fields: Record<string, unknown>, rehash = false): DomainEvent {
  const copy = reconstructEvent(event.constructor as new () => DomainEvent, {
    ...(event as unknown as Record<string, unknown>),
    ...fields,
  })
  if (rehash) Object.assign(copy, { hash: computeEventHash(copy) })
  return copy
}

describe('aggregateIndexOf', () => {
  test('given a newer aggregate whose id extends the id asked for, then the entry of that id itself is found', async () => {
    await using app = open()
    const created = (id: string) =>
      app.mapper.toRecord(id, 0, 'example#Thing.Created', { timestamp: new Date(0) })
    await app.store.events.insert([created('agg')])
    await app.store.events.insert([created('agg-2')])
    const index = aggregateIndexOf(app.store.events)

    expect(await index('agg')).toEqual({ version: 0, aggregateTopic: 'example#Thing' })
    expect(await index('ag')).toBeUndefined()
  })
})

describe('ChainCheck', () => {
  test('given a gap of several versions, then the first missing version and the range are named, and the chain goes on after it', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const chain = new ChainCheck(id, { version: 0, previousHash: '' })

    expect(chain.inspect(events[0]!)).toBeUndefined()
    expect(chain.inspect(events[3]!)).toEqual({
      originatorId: id,
      version: 1,
      problem: 'missing',
      message: `versions 1–2 of ${id} are missing from the store (the next stored event is version 3)`,
    })
    expect(chain.expectedVersion).toBe(4)
    expect(chain.inspect(events[4]!)).toBeUndefined()
  })

  test('given a gap of one version, then that version is named alone', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const chain = new ChainCheck(id, { version: 0, previousHash: '' })
    chain.accept(events[0]!)

    expect(() => chain.accept(events[2]!)).toThrow(
      `version 1 of ${id} is missing from the store (the next stored event is version 2)`,
    )
  })

  test('given a run that stops short, then reached names the first version after it', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const chain = new ChainCheck(id, { version: 0, previousHash: '' })
    for (const event of events.slice(0, 3)) chain.accept(event)

    chain.reached(2)
    const error = (await rejection(Promise.resolve().then(() => chain.reached(3)))) as Error

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect(error.message).toBe(`version 3 of ${id} is missing from the store`)
    expect((error as DataIntegrityError).details).toEqual({
      originatorId: id,
      originatorVersion: 3,
      problem: 'missing',
    })
  })

  test('given an event that does not link to the hash it was linked to, then it is unlinked', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const chain = new ChainCheck(id, { version: 3, previousHash: undefined })
    chain.link(events[1]!.hash) // not the hash of version 2: version 3 cannot follow it

    expect(chain.inspect(events[3]!)).toEqual({
      originatorId: id,
      version: 3,
      problem: 'unlinked',
      message: `hash chain broken at version 3 of ${id}: it does not follow the event before it`,
    })
  })

  test('given an event whose contents changed, then it is tampered unless its decoding proved the hash', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const changed = forged(events[2]!, { value: 'forged' })

    const unchecked = new ChainCheck(id, { version: 2, previousHash: events[1]!.hash })
    expect(unchecked.inspect(changed)).toEqual({
      originatorId: id,
      version: 2,
      problem: 'tampered',
      message: `hash chain broken at version 2 of ${id}: the event's contents do not match its hash`,
    })
    // The decoding's verdict is trusted both ways: it compared the stored text with the hash.
    const proved = new ChainCheck(id, { version: 2, previousHash: events[1]!.hash })
    expect(proved.inspect(changed, HASH_MATCHES)).toBeUndefined()
    const refuted = new ChainCheck(id, { version: 2, previousHash: events[1]!.hash })
    expect(refuted.inspect(events[2]!, HASH_DIFFERS)?.problem).toBe('tampered')
  })

  test('given hash checks off, then only versions are checked', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const chain = new ChainCheck(id, { version: 1, previousHash: 'not the hash of v0' }, false)

    expect(chain.inspect(forged(events[1]!, { value: 'forged' }))).toBeUndefined()
    expect(chain.inspect(events[3]!)?.message).toBe(
      `version 2 of ${id} is missing from the store (the next stored event is version 3)`,
    )
  })

  test('given an unreadable event, then it is reported as undecodable and the next event is not held to a link', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const chain = new ChainCheck(id, { version: 0, previousHash: '' })
    chain.accept(events[0]!)

    expect(chain.skipUnreadable(1, 'cannot decode')).toEqual({
      originatorId: id,
      version: 1,
      problem: 'undecodable',
      message: 'cannot decode',
    })
    expect(chain.expectedVersion).toBe(2)
    // v2's link to v1 cannot be checked (v1's hash is unknown), but it is in sequence.
    expect(chain.inspect(forged(events[2]!, { previousHash: 'x' }, true))).toBeUndefined()
  })

  test('given an unreadable event after a gap, then the gap is reported first', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const chain = new ChainCheck(id, { version: 0, previousHash: '' })
    chain.accept(events[0]!)

    expect(chain.skipUnreadable(4, 'cannot decode')).toEqual({
      originatorId: id,
      version: 1,
      problem: 'missing',
      message: `versions 1–3 of ${id} are missing from the store (the next stored event is version 4)`,
    })
    expect(chain.expectedVersion).toBe(5)
  })
})

describe('snapshotLinkProblem', () => {
  test('given no event at the snapshot version, then the version is missing', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const missing = {
      originatorId: id,
      version: 4,
      problem: 'missing',
      message: `version 4 of ${id} is missing from the store: the snapshot at that version has no event to link to`,
    }

    expect(snapshotLinkProblem(id, 4, events[4]!.hash, undefined)).toEqual(missing)
    expect(snapshotLinkProblem(id, 4, events[4]!.hash, events[5])).toEqual(missing)
  })

  test('given a snapshot whose hash is not the event at its version, then it is unlinked unless hashes are not checked', async () => {
    await using app = open()
    const [id, events] = await history(app)

    expect(snapshotLinkProblem(id, 4, events[3]!.hash, events[4])).toEqual({
      originatorId: id,
      version: 4,
      problem: 'unlinked',
      message: `the snapshot at version 4 of ${id} does not link to the stored event at that version (their hashes differ)`,
    })
    expect(snapshotLinkProblem(id, 4, events[3]!.hash, events[4], false)).toBeUndefined()
    expect(snapshotLinkProblem(id, 4, events[4]!.hash, events[4])).toBeUndefined()
    // No state (a discarded aggregate's snapshot): nothing recorded to compare.
    expect(snapshotLinkProblem(id, 4, null, events[4])).toBeUndefined()
    // A state that holds no hash links to nothing: reported, never trusted.
    expect(snapshotLinkProblem(id, 4, undefined, events[4])).toEqual({
      originatorId: id,
      version: 4,
      problem: 'unlinked',
      message: `the snapshot at version 4 of ${id} holds no hash of its last event, so it cannot be linked to the stored event at that version`,
    })
    expect(snapshotLinkProblem(id, 4, undefined, events[4], false)).toBeUndefined()
  })

  test('given a tampered event at the snapshot version, then it is tampered', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const changed = forged(events[4]!, { value: 'forged' })

    expect(snapshotLinkProblem(id, 4, events[4]!.hash, changed)).toEqual({
      originatorId: id,
      version: 4,
      problem: 'tampered',
      message: `hash chain broken at version 4 of ${id}: the event's contents do not match its hash`,
    })
    expect(snapshotLinkProblem(id, 4, events[4]!.hash, changed, true, HASH_MATCHES)).toBeUndefined()
  })
})

describe('tailProblem', () => {
  test('given an index ahead of the newest stored event, then the lost versions are named', async () => {
    await using app = open()
    const [id] = await history(app)
    storedPartition(app.store, id).splice(8)
    const recorder = app.store.events

    expect(await tailProblem(recorder, { version: 9, aggregateTopic: 't' }, id, 7)).toEqual({
      originatorId: id,
      version: 8,
      problem: 'missing',
      message: `versions 8–9 of ${id} are missing: the aggregate index records version 9, but the newest stored event is version 7`,
    })
    expect((await tailProblem(recorder, { version: 8, aggregateTopic: 't' }, id, 7))?.message).toBe(
      `version 8 of ${id} is missing: the aggregate index records version 8, but the newest stored event is version 7`,
    )
    expect(
      (await tailProblem(recorder, { version: 0, aggregateTopic: 't' }, 'nothing', -1))?.message,
    ).toBe(
      'version 0 of nothing is missing: the aggregate index records version 0, but the newest stored event is none',
    )
    expect(await tailProblem(recorder, { version: 7, aggregateTopic: 't' }, id, 7)).toBeUndefined()
  })

  test('given only the creation event stored and an index ahead, then the newest stored event is version 0', async () => {
    await using app = open()
    const [id] = await history(app)
    storedPartition(app.store, id).splice(1)

    expect(
      (await tailProblem(app.store.events, { version: 1, aggregateTopic: 't' }, id, 0))?.message,
    ).toBe(
      `version 1 of ${id} is missing: the aggregate index records version 1, but the newest stored event is version 0`,
    )
  })

  test('given an index ahead because a writer stored more since the read, then nothing is lost', async () => {
    await using app = open()
    const [id] = await history(app)

    expect(
      await tailProblem(app.store.events, { version: 9, aggregateTopic: 't' }, id, 5),
    ).toBeUndefined()
  })

  test('given a probe past a read that stopped short, then a gap after it is named with the next stored version', async () => {
    await using app = open()
    const [id] = await history(app)
    const recorder = app.store.events
    storedPartition(app.store, id).splice(6, 2) // versions 6 and 7

    expect(await tailProblem(recorder, undefined, id, 5, true)).toEqual({
      originatorId: id,
      version: 6,
      problem: 'missing',
      message: `versions 6–7 of ${id} are missing from the store (the next stored event is version 8)`,
    })
    expect((await tailProblem(recorder, undefined, id, 6, true))?.message).toBe(
      `version 7 of ${id} is missing from the store (the next stored event is version 8)`,
    )
    // Without a probe nor an index ahead, nothing is read.
    expect(await tailProblem(recorder, undefined, id, 5)).toBeUndefined()
    expect(await tailProblem(recorder, undefined, id, 9, true)).toBeUndefined()
    expect(await tailProblem(recorder, undefined, id, 3, true)).toBeUndefined()
  })
})

describe('verifiedPages', () => {
  async function pagesOf(app: EverythingApplication, id: string, range: VerifiedRange) {
    const pages: number[][] = []
    for await (const page of verifiedPages(app.eventStore, id, range))
      pages.push(page.map((e) => e.originatorVersion))
    return pages
  }

  test('given a page size, then the first page holds that many events of the range (the event before it is read, not yielded)', async () => {
    await using app = open()
    const [id] = await history(app)

    const fromOne = await pagesOf(app, id, { fromVersion: 1, toVersion: 5, pageSize: 2 })
    expect(fromOne[0]).toEqual([1, 2])
    expect(fromOne.flat()).toEqual([1, 2, 3, 4, 5])
    expect(await pagesOf(app, id, { fromVersion: 0, toVersion: 2, pageSize: 2 })).toEqual([
      [0, 1],
      [2],
    ])
    expect(await pagesOf(app, id, { fromVersion: 0, toVersion: 9 })).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    ])
    expect(await pagesOf(app, id, { fromVersion: 5, toVersion: 4 })).toEqual([])
  })

  test('given a creation event that links to something, then it is unlinked', async () => {
    await using app = open()
    const [id, events] = await history(app)
    const partition = storedPartition(app.store, id)
    partition[0] = app.mapper.eventToRecord(forged(events[0]!, { previousHash: 'ab' }, true))

    const error = await rejection(pagesOf(app, id, { fromVersion: 0, toVersion: 3 }))

    expect((error as Error).message).toBe(
      `hash chain broken at version 0 of ${id}: it does not follow the event before it`,
    )
  })

  test('given a tampered event before the range, then the range still reads (only its hash is linked to)', async () => {
    await using app = open()
    const [id, events] = await history(app)
    storedPartition(app.store, id)[2] = app.mapper.eventToRecord(
      forged(events[2]!, { value: 'forged' }),
    )

    expect(await pagesOf(app, id, { fromVersion: 3, toVersion: 4 })).toEqual([[3, 4]])
    await expect(pagesOf(app, id, { fromVersion: 2, toVersion: 4 })).rejects.toThrow(
      `hash chain broken at version 2 of ${id}: the event's contents do not match its hash`,
    )
  })

  test('given the event before the range missing, then it is named', async () => {
    await using app = open()
    const [id] = await history(app)
    storedPartition(app.store, id).splice(3, 1)

    const error = (await rejection(pagesOf(app, id, { fromVersion: 4, toVersion: 6 }))) as Error

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect(error.message).toBe(
      `version 3 of ${id} is missing from the store (the next stored event is version 4)`,
    )
    expect((error as DataIntegrityError).details.originatorVersion).toBe(3)
  })

  test('given nothing stored from the event before the range on, then that event is named', async () => {
    await using app = open()
    const [id] = await history(app)

    const error = (await rejection(pagesOf(app, id, { fromVersion: 12, toVersion: 14 }))) as Error

    expect(error).toBeInstanceOf(DataIntegrityError)
    expect(error.message).toBe(`version 11 of ${id} is missing from the store`)
    expect((error as DataIntegrityError).details).toEqual({
      originatorId: id,
      originatorVersion: 11,
      problem: 'missing',
    })
  })

  test('given a range that ends before its last version, then the first missing version is named', async () => {
    await using app = open()
    const [id] = await history(app)

    await expect(pagesOf(app, id, { fromVersion: 8, toVersion: 11 })).rejects.toThrow(
      `version 10 of ${id} is missing from the store`,
    )
  })

  test('given a cancelled signal, then it stops with an AbortError', async () => {
    await using app = open()
    const [id] = await history(app)
    const controller = new AbortController()
    controller.abort()

    await expect(
      pagesOf(app, id, { fromVersion: 1, toVersion: 5, signal: controller.signal }),
    ).rejects.toThrow(/abort/i)
  })
})
