// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError, type EventDto } from '../../../shared/contract'
import { setApi } from '../api'
import { createFakeApi, deferred, eventDto, flush, uuid, type FakeApi } from '../testing/fakeApi'
import { EVENT_PAGE_SIZE, MAX_SCRUBBER_MARKERS, useTimelineStore } from './timelineStore'

const store = () => useTimelineStore.getState()
const A = uuid(1)
let api: FakeApi

/** Snapshots at these versions, answering listSnapshots like the service (newest first, paged). */
function serveSnapshots(versions: number[]) {
  api.listSnapshots.mockImplementation(async ({ id, afterVersion, beforeVersion, limit = 200 }) => {
    const inRange = versions
      .filter(
        (v) =>
          (afterVersion === undefined || v > afterVersion) &&
          (beforeVersion === undefined || v < beforeVersion),
      )
      .sort((a, b) => b - a)
    const items = inRange.slice(0, limit).map((version) => ({
      originatorId: id,
      version,
      timestamp: '2026-01-01T00:00:00.000Z',
      type: 't',
      state: null,
    }))
    return {
      items,
      ...(inRange.length > limit ? { nextBeforeVersion: items[items.length - 1]!.version } : {}),
    }
  })
}

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
  serveSnapshots([])
})
afterEach(() => setApi(null))

describe('timelineStore', () => {
  it('opens an aggregate with its first page and its snapshot markers', async () => {
    serveEvents(4)
    serveSnapshots([1, 3])
    store().open(A)
    await flush()
    expect(api.listEvents).toHaveBeenCalledWith({ id: A, fromVersion: 0, limit: EVENT_PAGE_SIZE })
    // The page's own range, and the scrubber's (all of them when few enough to draw).
    expect(api.listSnapshots).toHaveBeenCalledWith({
      id: A,
      beforeVersion: EVENT_PAGE_SIZE,
      limit: EVENT_PAGE_SIZE,
    })
    expect(api.listSnapshots).toHaveBeenCalledWith({ id: A, limit: MAX_SCRUBBER_MARKERS })
    expect(store()).toMatchObject({
      latestVersion: 4,
      known: true,
      snapshotVersions: [1, 3],
      snapshotsByPage: { 0: [1, 3] },
    })
    expect(Object.keys(store().byVersion)).toHaveLength(5)
  })

  it('asks for the snapshots of the pages on screen only, whatever period they were taken with', async () => {
    serveEvents(99_999)
    // Every second version up to 1,000, then every 100th: far more than the scrubber draws.
    const versions = [
      ...Array.from({ length: 500 }, (_, i) => 2 * i + 1),
      ...Array.from({ length: 990 }, (_, i) => 1099 + 100 * i),
    ]
    serveSnapshots(versions)
    store().open(A)
    await flush()
    expect(store().snapshotVersions).toEqual([])
    expect(store().snapshotsByPage[0]).toHaveLength(100)

    store().ensureRange(50_010, 50_040)
    await flush()
    expect(api.listSnapshots).toHaveBeenLastCalledWith({
      id: A,
      afterVersion: 49_999,
      beforeVersion: 50_200,
      limit: EVENT_PAGE_SIZE,
    })
    expect(store().snapshotsByPage[50_000]).toEqual([50_099, 50_199])
    expect(Object.keys(store().snapshotsByPage).sort()).toEqual(['0', '50000'])
    store().ensureRange(50_020, 50_050) // same page: asked once
    await flush()
    expect(api.listSnapshots).toHaveBeenCalledTimes(3)
  })

  it('filtered rows get the markers of their pages without loading those pages', async () => {
    serveEvents(1000)
    serveSnapshots([5, 705])
    store().open(A)
    await flush()
    store().ensureSnapshotMarkers([710, 705, 820])
    store().ensureSnapshotMarkers([705])
    await flush()
    expect(store().snapshotsByPage).toMatchObject({ 0: [5], 600: [705], 800: [] })
    expect(store().pages[600]).toBeUndefined()
    expect(api.listSnapshots).toHaveBeenCalledTimes(4) // the scrubber's, pages 0, 600 and 800
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
        discards: false,
        recordedAt: '2026-01-01T00:00:00.000Z',
      },
      {
        position: '10',
        originatorId: uuid(2),
        fromVersion: 0,
        toVersion: 900,
        topics: [],
        discards: false,
        recordedAt: '2026-01-01T00:00:00.000Z',
      },
    ])
    expect(store().latestVersion).toBe(EVENT_PAGE_SIZE + 6)
    expect(store().pages[0]).toBe('loaded')
    expect(store().pages[EVENT_PAGE_SIZE]).toBeUndefined()
    store().ensureRange(EVENT_PAGE_SIZE, EVENT_PAGE_SIZE + 6)
    await flush()
    expect(store().byVersion[EVENT_PAGE_SIZE + 6]).toBeDefined()
    // The scrubber's markers again, and the tail page's (asked again with it); not page 0's.
    const calls = api.listSnapshots.mock.calls.map(([request]) => request)
    expect(calls.filter((r) => r.beforeVersion === undefined)).toHaveLength(2)
    expect(calls.filter((r) => r.beforeVersion === 2 * EVENT_PAGE_SIZE)).toHaveLength(2)
    expect(calls.filter((r) => r.beforeVersion === EVENT_PAGE_SIZE)).toHaveLength(1)
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

  it('a page the service refuses at a version it cannot verify shows the rows before it, and names the bad version', async () => {
    serveEvents(9)
    const listed = api.listEvents.getMockImplementation()!
    api.listEvents.mockImplementation(async (request) => {
      // Versions 3 and 4 were deleted: any read reaching them fails at v3, as the service does.
      const from = request.fromVersion ?? 0
      if (from + (request.limit ?? 200) > 3)
        throw new ExplorerError({
          code: 'DataIntegrityError',
          message: 'versions 3–4 of A are missing from the store',
          details: { originatorId: A, originatorVersion: 3, latestVersion: 9 },
        })
      return listed(request)
    })
    store().open(A)
    await flush()
    await flush()

    const s = store()
    expect(s.pages[0]).toBe('broken')
    expect(s.breaks[0]).toEqual({
      version: 3,
      message: 'versions 3–4 of A are missing from the store',
    })
    expect(s.latestVersion).toBe(9)
    expect(Object.keys(s.byVersion).map(Number)).toEqual([0, 1, 2])
    expect(api.listEvents).toHaveBeenLastCalledWith({ id: A, fromVersion: 0, limit: 3 })
    expect(s.error?.code).toBe('DataIntegrityError')
  })
})
