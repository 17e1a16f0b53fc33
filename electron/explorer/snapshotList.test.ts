import { describe, expect, test } from 'vitest'
import { SNAPSHOT_PAGE_BYTES, withinPageBytes } from './snapshotList'

const record = (version: number, bytes: number) => ({ version, state: new Uint8Array(bytes) })
const versions = (r: { page: Array<{ version: number }>; more: boolean }) => ({
  page: r.page.map((p) => p.version),
  more: r.more,
})

describe('a page of snapshots within its stored bytes', () => {
  test('small states: the count decides, and the extra record read says more exist', () => {
    const records = [5, 4, 3, 2].map((v) => record(v, 100))
    expect(versions(withinPageBytes(records, 3))).toEqual({ page: [5, 4, 3], more: true })
    expect(versions(withinPageBytes(records.slice(0, 3), 3))).toEqual({
      page: [5, 4, 3],
      more: false,
    })
  })

  test('large states: the page stops before the record that would pass the budget', () => {
    const half = SNAPSHOT_PAGE_BYTES / 2
    const records = [9, 8, 7, 6].map((v) => record(v, half))
    expect(versions(withinPageBytes(records, 50))).toEqual({ page: [9, 8], more: true })
    expect(versions(withinPageBytes(records.slice(0, 2), 50))).toEqual({
      page: [9, 8],
      more: false,
    })
  })

  test('a state over the budget alone still makes a page of one, so paging moves on', () => {
    const records = [record(3, SNAPSHOT_PAGE_BYTES * 4), record(2, 10)]
    expect(versions(withinPageBytes(records, 50))).toEqual({ page: [3], more: true })
    expect(versions(withinPageBytes([], 50))).toEqual({ page: [], more: false })
  })
})
