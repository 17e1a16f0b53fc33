/**
 * The Snapshots panel's list, newest first, paged backwards with nextBeforeVersion: the first
 * page on open, older pages on demand, newer snapshots (live changes) added at the top.
 */
import type { ResponseOf, SnapshotSummaryDto } from '../../../../shared/contract'

/**
 * Summaries a page asks for: no state is decoded for them, so 100 of the demo's largest
 * snapshots take 40–90 ms in the server (the records' reading, mostly).
 */
export const SNAPSHOT_PAGE_SIZE = 100

export interface SnapshotList {
  /** Newest first, no gaps between the newest and the oldest listed. */
  items: SnapshotSummaryDto[]
  /** Pass as beforeVersion to list older ones; undefined once the oldest is listed. */
  nextBeforeVersion: number | undefined
}

type Page = ResponseOf<'listSnapshotSummaries'>

export const firstPage = (page: Page): SnapshotList => ({
  items: page.items,
  nextBeforeVersion: page.nextBeforeVersion,
})

/** Appends an older page (asked with beforeVersion = list.nextBeforeVersion). */
export function appendOlder(list: SnapshotList, page: Page): SnapshotList {
  const oldest = list.items.at(-1)?.version ?? Infinity
  return {
    items: [...list.items, ...page.items.filter((s) => s.version < oldest)],
    nextBeforeVersion: page.nextBeforeVersion,
  }
}

/**
 * Adds the snapshots newer than the list (asked with afterVersion = the newest listed). If they
 * did not fit in one page, the list restarts from that page (`restarted`), so it never has a
 * gap: the older ones are one "load more" away again.
 */
export function prependNewer(
  list: SnapshotList,
  page: Page,
): { list: SnapshotList; restarted: boolean } {
  if (page.nextBeforeVersion !== undefined) return { list: firstPage(page), restarted: true }
  const newest = list.items[0]?.version ?? -1
  const fresh = page.items.filter((s) => s.version > newest)
  return {
    list: fresh.length === 0 ? list : { ...list, items: [...fresh, ...list.items] },
    restarted: false,
  }
}
