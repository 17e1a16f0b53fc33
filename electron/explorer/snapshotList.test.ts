import { describe, expect, test } from 'vitest'
import {
  FIRST_READ,
  READ_CHUNK,
  readWithinBytes,
  SNAPSHOT_PAGE_BYTES,
  SUMMARY_PAGE_BYTES,
} from './snapshotList'

const record = (originatorVersion: number, bytes: number) => ({
  originatorVersion,
  state: new Uint8Array(bytes),
})

/** Records newest first, read as a store reads them (below a version, at most `count`). */
function stored(records: ReturnType<typeof record>[]) {
  const reads: number[] = []
  const read = async (before: number | undefined, count: number) => {
    reads.push(count)
    return records
      .filter((r) => before === undefined || r.originatorVersion < before)
      .slice(0, count)
  }
  return { read, reads }
}

const page = async (
  records: ReturnType<typeof record>[],
  limit: number,
  budget = SNAPSHOT_PAGE_BYTES,
  before?: number,
) => {
  const store = stored(records)
  const { page: held, more } = await readWithinBytes(store.read, before, limit, budget)
  return { page: held.map((r) => r.originatorVersion), more, reads: store.reads }
}

describe('a page of snapshots within its stored bytes', () => {
  test('small states: the count decides, and the extra record read says more exist', async () => {
    const records = [5, 4, 3, 2].map((v) => record(v, 100))
    expect(await page(records, 3)).toMatchObject({ page: [5, 4, 3], more: true })
    expect(await page(records.slice(0, 3), 3)).toMatchObject({ page: [5, 4, 3], more: false })
    expect(await page(records, 2, SNAPSHOT_PAGE_BYTES, 4)).toMatchObject({
      page: [3, 2],
      more: false,
    })
  })

  test('large states: the page stops before the record that would pass the budget', async () => {
    const half = SNAPSHOT_PAGE_BYTES / 2
    const records = [9, 8, 7, 6].map((v) => record(v, half))
    expect(await page(records, 50)).toMatchObject({ page: [9, 8], more: true })
    expect(await page(records.slice(0, 2), 50)).toMatchObject({ page: [9, 8], more: false })
  })

  test('a state over the budget alone still makes a page of one, so paging moves on', async () => {
    const records = [record(3, SNAPSHOT_PAGE_BYTES * 4), record(2, 10)]
    expect(await page(records, 50)).toMatchObject({ page: [3], more: true })
    expect(await page([], 50)).toEqual({ page: [], more: false, reads: [FIRST_READ + 1] })
  })

  test('many small records: read in chunks, every one once, up to the limit', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => record(999 - i, 50))
    const result = await page(records, 1000, SUMMARY_PAGE_BYTES)
    expect(result.page).toEqual(records.map((r) => r.originatorVersion))
    expect(result.more).toBe(false)
    expect(Math.max(...result.reads)).toBe(READ_CHUNK + 1)
    const limited = await page(records, 150, SUMMARY_PAGE_BYTES)
    expect(limited.page).toEqual(records.slice(0, 150).map((r) => r.originatorVersion))
    expect(limited.more).toBe(true)
  })

  test('large records: a page reads little past its budget, whatever the limit', async () => {
    // A client asks for 1,000 summaries of states a tenth of the budget each.
    const size = SUMMARY_PAGE_BYTES / 10
    const records = Array.from({ length: 1000 }, (_, i) => record(999 - i, size))
    const result = await page(records, 1000, SUMMARY_PAGE_BYTES)
    expect(result.page).toHaveLength(10)
    expect(result.more).toBe(true)
    // A few reads, each past what it keeps by the one more it asks for and the rounding of the
    // fit: far from the 1,001 records a page read whole before.
    const read = result.reads.reduce((n, count) => n + count, 0)
    expect(result.reads.length).toBeLessThanOrEqual(3)
    expect(read).toBeLessThanOrEqual(10 + 2 * result.reads.length)
  })
})
