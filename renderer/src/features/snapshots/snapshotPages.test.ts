import { describe, expect, it } from 'vitest'
import type { SnapshotSummaryDto } from '../../../../shared/contract'
import { uuid } from '../../testing/fakeApi'
import { appendOlder, firstPage, prependNewer } from './snapshotPages'

const snapshot = (version: number): SnapshotSummaryDto => ({
  originatorId: uuid(1),
  version,
  timestamp: '2026-01-01T00:00:00.000Z',
  type: 't',
  discarded: false,
  storedBytes: 100,
})
const page = (versions: number[], nextBeforeVersion?: number) => ({
  items: versions.map(snapshot),
  ...(nextBeforeVersion === undefined ? {} : { nextBeforeVersion }),
})
const versionsOf = (list: { items: SnapshotSummaryDto[] }) => list.items.map((s) => s.version)

describe('snapshot pages', () => {
  it('appends older pages until there are no more', () => {
    let list = firstPage(page([9, 7, 5], 5))
    expect(list.nextBeforeVersion).toBe(5)
    list = appendOlder(list, page([3, 1]))
    expect(versionsOf(list)).toEqual([9, 7, 5, 3, 1])
    expect(list.nextBeforeVersion).toBeUndefined()
  })

  it('adds newer snapshots at the top, once', () => {
    const list = firstPage(page([5, 3], 3))
    const { list: next, restarted } = prependNewer(list, page([9, 7, 5]))
    expect(restarted).toBe(false)
    expect(versionsOf(next)).toEqual([9, 7, 5, 3])
    expect(next.nextBeforeVersion).toBe(3)
    expect(prependNewer(next, page([])).list).toBe(next)
  })

  it('restarts from the newest page when the new ones do not fit in one, leaving no gap', () => {
    const list = firstPage(page([5, 3, 1]))
    const { list: next, restarted } = prependNewer(list, page([21, 19, 17], 17))
    expect(restarted).toBe(true)
    expect(versionsOf(next)).toEqual([21, 19, 17])
    expect(next.nextBeforeVersion).toBe(17)
  })
})
