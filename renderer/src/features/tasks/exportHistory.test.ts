import { beforeEach, describe, expect, it } from 'vitest'
import type { EventDto, RequestOf, ResponseOf } from '../../../../shared/contract'
import { createFakeApi, eventDto, uuid, type FakeApi } from '../../testing/fakeApi'
import { EXPORT_PAGE_SIZE, exportHistory } from './exportHistory'

const A = uuid(1)
const EXPORTED_AT = '2026-02-03T04:05:06.000Z'
let api: FakeApi

/** Answers exportHistory like the service, for a history whose latest version may grow. */
function serveHistory(latest: () => number) {
  api.exportHistory.mockImplementation(
    async ({ id, fromVersion = 0, limit = EXPORT_PAGE_SIZE }: RequestOf<'exportHistory'>) => {
      const latestVersion = latest()
      const last = Math.min(latestVersion, fromVersion + limit - 1)
      const events: EventDto[] = []
      for (let v = fromVersion; v <= last; v++)
        events.push(eventDto(id, v, { payload: { label: `bar${v}`, nested: { list: [v, 'x'] } } }))
      const page: ResponseOf<'exportHistory'> = {
        aggregateId: id,
        type: 'test#Widget',
        exportedAt: EXPORTED_AT,
        latestVersion,
        events,
        ...(last < latestVersion ? { nextFromVersion: last + 1 } : {}),
      }
      return page
    },
  )
}

const allEvents = (n: number) =>
  Array.from({ length: n }, (_, v) =>
    eventDto(A, v, { payload: { label: `bar${v}`, nested: { list: [v, 'x'] } } }),
  )

beforeEach(() => {
  api = createFakeApi()
})

describe('exportHistory (renderer)', () => {
  it('reads the history page by page and writes the same file as one JSON.stringify would', async () => {
    serveHistory(() => 4_999)
    const progress: Array<{ done: number; total: number }> = []

    const result = await exportHistory(api, A, {
      taskId: 'export-1',
      onProgress: (p) => progress.push(p),
    })

    expect(api.exportHistory.mock.calls.map(([r]) => r.fromVersion)).toEqual([0, 2000, 4000])
    expect(api.exportHistory).toHaveBeenCalledWith({
      id: A,
      fromVersion: 2000,
      limit: EXPORT_PAGE_SIZE,
      taskId: 'export-1',
    })
    expect(progress).toEqual([
      { done: 2000, total: 5000 },
      { done: 4000, total: 5000 },
      { done: 5000, total: 5000 },
    ])
    expect(result.events).toBe(5000)
    const expected = {
      aggregateId: A,
      type: 'test#Widget',
      exportedAt: EXPORTED_AT,
      events: allEvents(5000),
    }
    expect(await result.blob.text()).toBe(JSON.stringify(expected, null, 2))
    expect(result.blob.type).toBe('application/json')
  })

  it('leaves out events stored after the export began', async () => {
    // Version 4 is the latest when the first page is read; someone saves 5 more meanwhile.
    let requests = 0
    serveHistory(() => (requests++ === 0 ? 4 : 9))

    const result = await exportHistory(api, A, { pageSize: 3 })

    const file = JSON.parse(await result.blob.text()) as { events: EventDto[] }
    expect(file.events.map((e) => e.version)).toEqual([0, 1, 2, 3, 4])
    expect(api.exportHistory).toHaveBeenCalledTimes(2)
  })

  it('writes an empty list the way JSON.stringify does', async () => {
    api.exportHistory.mockResolvedValue({
      aggregateId: A,
      type: 't',
      exportedAt: EXPORTED_AT,
      latestVersion: 0,
      events: [],
    })
    const result = await exportHistory(api, A)
    expect(await result.blob.text()).toBe(
      JSON.stringify({ aggregateId: A, type: 't', exportedAt: EXPORTED_AT, events: [] }, null, 2),
    )
    expect(result.events).toBe(0)
  })

  it('stops between pages when cancelled, with a Cancelled error', async () => {
    serveHistory(() => 9_999)
    let cancelled = false
    const run = exportHistory(api, A, {
      isCancelled: () => cancelled,
      onProgress: ({ done }) => {
        if (done >= 4000) cancelled = true
      },
    })
    await expect(run).rejects.toMatchObject({ code: 'Cancelled' })
    expect(api.exportHistory).toHaveBeenCalledTimes(2)
  })

  it('fails rather than loops when a page does not advance', async () => {
    api.exportHistory.mockResolvedValue({
      aggregateId: A,
      type: 't',
      exportedAt: EXPORTED_AT,
      latestVersion: 10,
      events: [],
      nextFromVersion: 0,
    })
    await expect(exportHistory(api, A)).rejects.toMatchObject({ code: 'InternalError' })
  })
})
