/**
 * Availability from a store's own answers: a StoreUnavailable failure starts an outage, the
 * next answer (a refusal such as ConcurrencyError included) ends it. A real memory store,
 * made to fail by a switch around its recorders. The recovery on a real Cassandra node is
 * test/outage/cassandraOutage.test.ts.
 */
import { describe, expect, test } from 'vitest'
import {
  ConcurrencyError,
  createMemoryStore,
  type Store,
  type StoredRecord,
  StoreUnavailable,
} from '../eventsourcing'
import { AvailabilityTracker, OUTAGE_SETTLE_MS, trackAvailability } from './availability'

function outageSwitch(store: Store): { store: Store; down: { on: boolean } } {
  const down = { on: false }
  const fail = (): never => {
    throw new StoreUnavailable('Cassandra at 10.0.0.1:9042 is unavailable: no host (injected)')
  }
  const { events } = store
  return {
    down,
    store: {
      ...store,
      events: {
        insert: async (records) => (down.on ? fail() : events.insert(records)),
        select: async (id, query) => (down.on ? fail() : events.select(id, query)),
        selectLog: async (query) => (down.on ? fail() : events.selectLog(query)),
        listAggregates: async (query) => (down.on ? fail() : events.listAggregates(query)),
        countAggregates: async () => (down.on ? fail() : events.countAggregates()),
      },
    },
  }
}

const record = (version: number): StoredRecord => ({
  originatorId: '00000000-0000-4000-8000-000000000001',
  originatorVersion: version,
  topic: 't',
  state: new Uint8Array([1]),
})

describe('availability', () => {
  test('an outage begins at the first StoreUnavailable and ends at the next answer', async () => {
    let clock = Date.parse('2026-01-01T12:00:00Z')
    let changes = 0
    const tracker = new AvailabilityTracker(
      () => (changes += 1),
      () => new Date(clock),
    )
    const { store, down } = outageSwitch(createMemoryStore())
    const tracked = trackAvailability(store, tracker)
    await tracked.events.selectLog({ limit: 1 })
    expect(tracker.describe()).toEqual({ state: 'available', since: '2026-01-01T12:00:00.000Z' })

    down.on = true
    clock += 5000
    await expect(tracked.events.selectLog({ limit: 1 })).rejects.toBeInstanceOf(StoreUnavailable)
    clock += 5000
    await expect(tracked.events.countAggregates()).rejects.toBeInstanceOf(StoreUnavailable)

    expect(changes).toBe(1)
    expect(tracker.describe((m) => m.replace('10.0.0.1', '•••'))).toEqual({
      state: 'unavailable',
      since: '2026-01-01T12:00:05.000Z',
      reason: 'Cassandra at •••:9042 is unavailable: no host (injected)',
    })

    down.on = false
    clock += 80_000
    await tracked.events.insert([record(0)])
    // A refusal is an answer too: the store is there.
    down.on = true
    clock += 60_000
    await expect(tracked.events.select('x')).rejects.toBeInstanceOf(StoreUnavailable)
    down.on = false
    clock += 1000
    await expect(tracked.events.insert([record(0)])).rejects.toBeInstanceOf(ConcurrencyError)

    expect(changes).toBe(4)
    expect(tracker.describe()).toEqual({
      state: 'available',
      since: '2026-01-01T12:02:31.000Z',
      lastOutage: { from: '2026-01-01T12:02:30.000Z', to: '2026-01-01T12:02:31.000Z' },
    })
  })

  test('a call that began before the latest answer starts no outage when it fails', async () => {
    let clock = Date.parse('2026-01-01T12:00:00Z')
    const tracker = new AvailabilityTracker(
      () => undefined,
      () => new Date(clock),
    )
    const { store, down } = outageSwitch(createMemoryStore())
    // A call that waits out the outage: it fails only when the test says so.
    let failLeftover: () => void = () => undefined
    const leftover = trackAvailability(
      {
        ...store,
        events: {
          ...store.events,
          selectLog: () =>
            new Promise((_, reject) => {
              failLeftover = () => reject(new StoreUnavailable('timed out (injected)'))
            }),
        },
      },
      tracker,
    )
    const tracked = trackAvailability(store, tracker)

    down.on = true
    await expect(tracked.events.countAggregates()).rejects.toBeInstanceOf(StoreUnavailable)
    const waiting = leftover.events.selectLog({ limit: 1 })
    down.on = false
    clock += 80_000
    await tracked.events.countAggregates()
    clock += 100
    failLeftover()
    await expect(waiting).rejects.toBeInstanceOf(StoreUnavailable)
    // The store answered after that call began: the outage shown is the long one, and it is over.
    expect(tracker.describe()).toEqual({
      state: 'available',
      since: '2026-01-01T12:01:20.000Z',
      lastOutage: { from: '2026-01-01T12:00:00.000Z', to: '2026-01-01T12:01:20.000Z' },
    })

    // A call that began after the answer counts.
    down.on = true
    clock += 1000
    await expect(tracked.events.countAggregates()).rejects.toBeInstanceOf(StoreUnavailable)
    expect(tracker.describe().state).toBe('unavailable')
  })

  test('an outage beginning soon after the last one ended continues it', async () => {
    let clock = Date.parse('2026-01-01T12:00:00Z')
    const tracker = new AvailabilityTracker(
      () => undefined,
      () => new Date(clock),
    )
    const { store, down } = outageSwitch(createMemoryStore())
    const tracked = trackAvailability(store, tracker)
    const outage = async (downMs: number) => {
      down.on = true
      await expect(tracked.events.countAggregates()).rejects.toBeInstanceOf(StoreUnavailable)
      down.on = false
      clock += downMs
      await tracked.events.countAggregates()
    }

    await outage(80_000) // 12:00:00 – 12:01:20
    clock += OUTAGE_SETTLE_MS - 1 // a node just back fails a call
    await outage(126)
    expect(tracker.describe().lastOutage).toEqual({
      from: '2026-01-01T12:00:00.000Z',
      to: '2026-01-01T12:01:25.125Z',
    })

    clock += OUTAGE_SETTLE_MS // settled: the next one is an outage of its own
    await outage(2000)
    expect(tracker.describe().lastOutage).toEqual({
      from: '2026-01-01T12:01:30.125Z',
      to: '2026-01-01T12:01:32.125Z',
    })
  })
})
