// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventDto } from '../../../shared/contract'
import { setApi } from '../api'
import { createFakeApi, deferred, eventDto, flush, uuid, type FakeApi } from '../testing/fakeApi'
import { EVENT_PAGE_SIZE, useTimelineStore } from './timelineStore'

const store = () => useTimelineStore.getState()
const A = uuid(1)
let api: FakeApi

/** A fake store of `latest + 1` events for A, answering listEvents like the service. */
function serveEvents(latest: number) {
  api.listEvents.mockImplementation(async ({ id, fromVersion = 0, limit = 200, search, types }) => {
    const items: EventDto[] = []
    let v = fromVersion
    let scanned = 0
    for (; v <= latest && scanned < limit; v++, scanned++) {
      const e = eventDto(id, v)
      if (search && !JSON.stringify(e.payload).includes(search)) continue
      if (types && !types.includes(e.type)) continue
      items.push(e)
    }
    return { items, latestVersion: latest, scanned, ...(v <= latest ? { nextFromVersion: v } : {}) }
  })
}

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  store().reset()
  api.listSnapshots.mockResolvedValue([])
})
afterEach(() => setApi(null))

describe('timelineStore', () => {
  it('opens an aggregate with its first page and its snapshot markers', async () => {
    serveEvents(4)
    api.listSnapshots.mockResolvedValue(
      [3, 1].map((version) => ({
        originatorId: A,
        version,
        timestamp: '2026-01-01T00:00:00.000Z',
        type: 't',
        state: null,
      })),
    )
    store().open(A)
    await flush()
    expect(api.listEvents).toHaveBeenCalledWith({ id: A, fromVersion: 0, limit: EVENT_PAGE_SIZE })
    expect(store()).toMatchObject({ latestVersion: 4, known: true, snapshotVersions: [1, 3] })
    expect(Object.keys(store().byVersion)).toHaveLength(5)
  })

  it('fetches only the pages behind the visible rows, once each (100,000 events)', async () => {
    serveEvents(99_999)
    store().open(A)
    await flush()
    store().ensureRange(50_010, 50_040)
    store().ensureRange(50_020, 50_050) // same page, already on its way
    await flush()
    expect(api.listEvents).toHaveBeenCalledTimes(2)
    expect(api.listEvents).toHaveBeenLastCalledWith({
      id: A,
      fromVersion: 50_000,
      limit: EVENT_PAGE_SIZE,
    })
    expect(store().byVersion[50_020]?.version).toBe(50_020)
    expect(Object.keys(store().byVersion)).toHaveLength(2 * EVENT_PAGE_SIZE)
    store().ensureRange(50_190, 50_210) // straddles two pages: only the missing one is fetched
    await flush()
    expect(api.listEvents).toHaveBeenCalledTimes(3)
    expect(api.listEvents).toHaveBeenLastCalledWith({
      id: A,
      fromVersion: 50_200,
      limit: EVENT_PAGE_SIZE,
    })
  })

  it('searches forward page by page and counts what was scanned', async () => {
    serveEvents(450)
    store().open(A)
    await flush()
    store().setSearch('bar1')
    await flush()
    expect(api.listEvents).toHaveBeenLastCalledWith({
      id: A,
      fromVersion: 0,
      limit: EVENT_PAGE_SIZE,
      search: 'bar1',
    })
    expect(store().filteredNext).toBe(200)
    await store().loadMoreFiltered()
    await store().loadMoreFiltered()
    expect(store().filteredDone).toBe(true)
    expect(store().filteredScanned).toBe(451)
    // bar1 is version 0's payload; bar1x its tens, hundreds…
    expect(store().filtered.every((e) => JSON.stringify(e.payload).includes('bar1'))).toBe(true)
    expect(store().filtered[0]?.version).toBe(0)
  })

  it('filters by event type, and drops a page answered for an older filter', async () => {
    serveEvents(10)
    store().open(A)
    await flush()
    const slow = deferred<Awaited<ReturnType<FakeApi['listEvents']>>>()
    api.listEvents.mockReturnValueOnce(slow.promise)
    store().setSearch('bar')
    store().setEventType('Created')
    await flush()
    slow.resolve({ items: [eventDto(A, 5)], latestVersion: 10, scanned: 11 })
    await flush()
    expect(store().filtered.map((e) => e.type)).toEqual(['Created'])
    expect(api.listEvents).toHaveBeenLastCalledWith(
      expect.objectContaining({ types: ['Created'], search: 'bar' }),
    )
  })

  it('fetches a raw record once and keeps it', async () => {
    serveEvents(3)
    store().open(A)
    await flush()
    api.getRawRecord.mockResolvedValue({
      originatorId: A,
      originatorVersion: 1,
      topic: 't',
      stateBase64: 'AAEC',
      encrypted: true,
      byteLength: 3,
    })
    store().toggleRaw(1)
    await flush()
    expect(store().rawOpen[1]).toBe(true)
    expect(store().raw[1]).toMatchObject({ status: 'ready', record: { stateBase64: 'AAEC' } })
    store().toggleRaw(1)
    store().toggleRaw(1)
    expect(api.getRawRecord).toHaveBeenCalledTimes(1)
    expect(api.getRawRecord).toHaveBeenCalledWith({ id: A, version: 1, kind: 'event' })
  })

  it('grows with live changes: the tail page is fetched again, snapshots too', async () => {
    serveEvents(EVENT_PAGE_SIZE + 4)
    store().open(A)
    await flush()
    store().ensureRange(0, EVENT_PAGE_SIZE + 10)
    await flush()
    expect(store().pages[EVENT_PAGE_SIZE]).toBe('loaded')

    serveEvents(EVENT_PAGE_SIZE + 6)
    store().onChanges([
      {
        position: '9',
        originatorId: A,
        fromVersion: EVENT_PAGE_SIZE + 5,
        toVersion: EVENT_PAGE_SIZE + 6,
        topics: [],
        recordedAt: '2026-01-01T00:00:00.000Z',
      },
      {
        position: '10',
        originatorId: uuid(2),
        fromVersion: 0,
        toVersion: 900,
        topics: [],
        recordedAt: '2026-01-01T00:00:00.000Z',
      },
    ])
    expect(store().latestVersion).toBe(EVENT_PAGE_SIZE + 6)
    expect(store().pages[0]).toBe('loaded')
    expect(store().pages[EVENT_PAGE_SIZE]).toBeUndefined()
    store().ensureRange(EVENT_PAGE_SIZE, EVENT_PAGE_SIZE + 6)
    await flush()
    expect(store().byVersion[EVENT_PAGE_SIZE + 6]).toBeDefined()
    expect(api.listSnapshots).toHaveBeenCalledTimes(2)
  })

  it('switching aggregates drops the old data and late answers', async () => {
    const slow = deferred<Awaited<ReturnType<FakeApi['listEvents']>>>()
    api.listEvents.mockReturnValueOnce(slow.promise)
    store().open(A)
    serveEvents(1)
    store().open(uuid(2))
    slow.resolve({ items: [eventDto(A, 0)], latestVersion: 40, scanned: 1 })
    await flush()
    expect(store().aggregateId).toBe(uuid(2))
    expect(store().latestVersion).toBe(1)
    expect(store().byVersion[0]?.originatorId).toBe(uuid(2))
  })
})
