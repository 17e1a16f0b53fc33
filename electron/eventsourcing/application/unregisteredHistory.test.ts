import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { DomainEvent, type EventInit, UnregisteredEvent } from '../domain/events'
import { TopicRegistry } from '../domain/topics'
import { UUID } from '../domain/uuid'
import { UnregisteredValue } from '../domain/valueTypes'
import { AesGcmCipher } from '../persistence/cipher'
import { Mapper } from '../persistence/mapper'
import { createMemoryStore } from '../persistence/recorders/memory'
import { EventStore } from './eventStore'
import { verifyHistory } from './historyVerification'
import { SnapshotStrategy } from './snapshotStrategy'
import { verifiedPages } from './verification'

// An aggregate written by a module that is not loaded here: its classes are registered in the
// writer's registry only, and it is read with the library's default registry.

class Money {
  declare readonly amount: bigint
  constructor(amount: bigint) {
    this.amount = amount
  }
}

class Changed extends DomainEvent<never> {
  override mutate(): never {
    throw new Error('not applied in these tests')
  }
}

const writerTopics = new TopicRegistry()
writerTopics.register('elsewhere#Thing.Changed', Changed)
writerTopics.register('elsewhere#Money', Money)

const KEY = randomBytes(16)
const writer = new Mapper({ registry: writerTopics, cipher: new AesGcmCipher(KEY) })
const reader = new Mapper({ cipher: new AesGcmCipher(KEY) })
const ID = new UUID('1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d').hex

function history(length: number): Changed[] {
  const events: Changed[] = []
  for (let version = 0; version < length; version++) {
    const init = {
      originatorId: ID,
      originatorVersion: version,
      timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, version)),
      previousHash: events[version - 1]?.hash ?? '',
      price: new Money(BigInt(version * 100)),
      tags: new Set([`v${version}`]),
    }
    events.push(new Changed(init as EventInit, writerTopics))
  }
  return events
}

async function stored(
  events: readonly DomainEvent[],
  snapshotHash: string | undefined,
): Promise<ReturnType<typeof createMemoryStore>> {
  const store = createMemoryStore()
  await store.events.insert(events.map((e) => writer.eventToRecord(e)))
  await new SnapshotStrategy(store.snapshots, writer).put({
    originatorId: ID,
    originatorVersion: 2,
    timestamp: new Date(0),
    topic: 'elsewhere#Thing',
    state: {
      _id: ID,
      _version: 2,
      ...(snapshotHash === undefined ? {} : { _lastHash: snapshotHash }),
      _price: new Money(200n),
    },
  })
  return store
}

const problemsOf = async (
  store: ReturnType<typeof createMemoryStore>,
): Promise<Array<[number, string]>> => {
  const sources = {
    events: store.events,
    mapper: reader,
    snapshots: new SnapshotStrategy(store.snapshots, reader),
  }
  const result = await verifyHistory(sources, ID)
  return result.problems.map((p) => [p.version, p.problem])
}

describe('an aggregate whose topics no loaded module registers', () => {
  test('when its whole history is verified, then the chain and its snapshot verify', async () => {
    const events = history(5)
    const store = await stored(events, events[2]!.hash)

    const result = await verifyHistory(
      {
        events: store.events,
        mapper: reader,
        snapshots: new SnapshotStrategy(store.snapshots, reader),
      },
      ID,
    )

    expect(result.problems).toEqual([])
    expect(result.eventsChecked).toBe(5)
    expect(result.snapshotsChecked).toBe(1)
    expect(result.aggregateTopic).toBe('elsewhere#Thing')
  })

  test('when its events are read in verified pages, then every event is an UnregisteredEvent', async () => {
    const events = history(4)
    const store = await stored(events, events[2]!.hash)

    const read: DomainEvent[] = []
    for await (const page of verifiedPages(new EventStore(store.events, reader), ID, {
      fromVersion: 1,
      toVersion: 3,
      pageSize: 2,
    }))
      read.push(...page)

    expect(read.map((e) => e.originatorVersion)).toEqual([1, 2, 3])
    expect(read.every((e) => e instanceof UnregisteredEvent)).toBe(true)
    expect(read.map((e) => e.hash)).toEqual(events.slice(1).map((e) => e.hash))
  })

  test('when its snapshot is read, then its state is plain data with the values it held', async () => {
    const events = history(3)
    const store = await stored(events, events[2]!.hash)

    const snapshot = await new SnapshotStrategy(store.snapshots, reader).getSnapshot(ID)

    expect(snapshot?.topic).toBe('elsewhere#Thing')
    expect(snapshot?.state?.['_lastHash']).toBe(events[2]!.hash)
    const price = snapshot?.state?.['_price'] as UnregisteredValue
    expect(price).toBeInstanceOf(UnregisteredValue)
    expect(UnregisteredValue.topicOf(price)).toBe('elsewhere#Money')
    expect(price['amount']).toBe(200n)
  })

  test('when an event was changed after it was hashed, then it is found tampered', async () => {
    const events = history(5)
    const forged = Object.assign(Object.create(Changed.prototype) as Changed, events[3], {
      price: new Money(1n),
    })
    const store = await stored([...events.slice(0, 3), forged, events[4]!], events[2]!.hash)

    expect(await problemsOf(store)).toEqual([[3, 'tampered']])
  })

  test('when its snapshot names another last hash, then it is found unlinked', async () => {
    const events = history(5)
    const store = await stored(events, events[1]!.hash)

    expect(await problemsOf(store)).toEqual([[2, 'unlinked']])
  })

  test('when its snapshot holds no last hash, then it is found unlinked, not trusted', async () => {
    const events = history(5)
    const store = await stored(events, undefined)

    expect(await problemsOf(store)).toEqual([[2, 'unlinked']])
  })
})
