import { beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError } from '../../../shared/contract'
import { createFakeApi, eventDto, uuid, type FakeApi } from '../testing/fakeApi'
import { createQueryClient } from './client'
import { changesHandler } from './serverEvents'
import {
  EVENT_PAGE_SIZE,
  eventInPage,
  eventPageOptions,
  fetchEventPage,
  pageMarkersOptions,
  scrubberMarkersOptions,
} from './timeline'

const A = uuid(1)
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
})

const events = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => eventDto(A, from + i))

describe('timeline queries', () => {
  it('a page refused for integrity shows the rows before the break and where it broke', async () => {
    api.listEvents.mockImplementation(async ({ fromVersion = 0, limit = EVENT_PAGE_SIZE }) => {
      if (limit === EVENT_PAGE_SIZE)
        throw new ExplorerError({
          code: 'DataIntegrityError',
          message: 'hash chain broken at 5',
          details: { originatorVersion: 5, latestVersion: 9 },
        })
      return {
        items: events(fromVersion, fromVersion + limit),
        latestVersion: 9,
        firstVersion: 0,
        scanned: limit,
      }
    })
    const page = await fetchEventPage(api, A, 0)
    expect(page.items.map((e) => e.version)).toEqual([0, 1, 2, 3, 4])
    expect(page.latestVersion).toBe(9)
    expect(page.firstVersion).toBe(0)
    expect(page.broken).toMatchObject({ version: 5, message: 'hash chain broken at 5' })
  })

  it('a page whose every record is refused keeps the ends the service reported', async () => {
    // A Python store opened with a wrong key: its first record (v1) already fails.
    const refused = (details: Record<string, number>) =>
      new ExplorerError({ code: 'DataIntegrityError', message: 'cannot decrypt', details })
    api.listEvents.mockRejectedValue(
      refused({ originatorVersion: 1, latestVersion: 7, firstVersion: 1 }),
    )
    const page = await fetchEventPage(api, A, 0)
    expect(page).toMatchObject({ items: [], latestVersion: 7, firstVersion: 1 })
    expect(page.broken?.version).toBe(1)
    // Not reported: the history is known to reach down to the refused version, no further.
    api.listEvents.mockRejectedValue(refused({ originatorVersion: 3, latestVersion: 7 }))
    expect((await fetchEventPage(api, A, 0)).firstVersion).toBe(3)
  })

  it('any other error fails the page', async () => {
    api.listEvents.mockRejectedValue(
      new ExplorerError({ code: 'AggregateNotFound', message: 'no such aggregate' }),
    )
    await expect(fetchEventPage(api, A, 0)).rejects.toThrow('no such aggregate')
  })

  it('asks for snapshot versions within one page only, and none for the scrubber when many', async () => {
    api.listSnapshotVersions.mockResolvedValueOnce({ versions: [399, 300, 201] })
    const client = createQueryClient()
    expect(await client.fetchQuery(pageMarkersOptions(api, A, 200))).toEqual([399, 300, 201])
    expect(api.listSnapshotVersions).toHaveBeenLastCalledWith({
      id: A,
      afterVersion: 199,
      beforeVersion: 400,
      limit: EVENT_PAGE_SIZE,
    })
    api.listSnapshotVersions.mockResolvedValueOnce({ versions: [900, 800], nextBeforeVersion: 800 })
    expect(await client.fetchQuery(scrubberMarkersOptions(api, A))).toEqual([])
    api.listSnapshotVersions.mockResolvedValueOnce({ versions: [9, 3] })
    expect(await client.fetchQuery({ ...scrubberMarkersOptions(api, A), staleTime: 0 })).toEqual([
      3, 9,
    ])
  })

  it('a pushed change to the aggregate makes its pages and markers stale', async () => {
    api.listEvents.mockResolvedValue({
      items: events(0, 3),
      latestVersion: 2,
      firstVersion: 0,
      scanned: 3,
    })
    api.listSnapshotVersions.mockResolvedValue({ versions: [] })
    const client = createQueryClient()
    await client.fetchQuery(eventPageOptions(api, A, 0))
    await client.fetchQuery(pageMarkersOptions(api, A, 0))
    const handler = changesHandler(client)
    handler.onChanges([
      {
        position: '4',
        originatorId: A,
        fromVersion: 3,
        toVersion: 3,
        topics: ['test#Widget.AttributeChanged'],
        discards: false,
        recordedAt: '2026-01-01T00:00:00.000Z',
      },
    ])
    handler.stop()
    expect(client.getQueryState(eventPageOptions(api, A, 0).queryKey)?.isInvalidated).toBe(true)
    expect(client.getQueryState(pageMarkersOptions(api, A, 0).queryKey)?.isInvalidated).toBe(true)
  })
})

describe('eventInPage', () => {
  it('finds versions in a page that starts at 0, and in one whose store starts at 1', () => {
    const fromZero = { items: events(0, 5), latestVersion: 4, firstVersion: 0 }
    expect(eventInPage(fromZero, 0, 3)?.version).toBe(3)
    // Python eventsourcing's versions start at 1: the first page holds v1..v7.
    const fromOne = { items: events(1, 8), latestVersion: 7, firstVersion: 1 }
    expect(eventInPage(fromOne, 0, 1)?.version).toBe(1)
    expect(eventInPage(fromOne, 0, 7)?.version).toBe(7)
    expect(eventInPage(fromOne, 0, 0)).toBeUndefined()
    expect(eventInPage(undefined, 0, 1)).toBeUndefined()
  })
})
