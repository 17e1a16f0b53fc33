/**
 * Where the loaded rows sit in the whole list, and what to load for the rows in view. Keyset
 * paging reaches a page only from a neighbour's token: the loaded rows are one stretch read
 * from the start (forward) or from the end (backward), and rows far from it cannot be fetched
 * directly. Unfiltered, the store's total is the list's size, so every position has its row
 * (a placeholder until loaded) and the scrollbar is the whole list's; filtered, or before the
 * total is known (a store that counts apart from its pages), the size is unknown until both
 * ends are loaded, so one loader row stands for each unloaded side.
 */
import type { ListAnchor } from '../../stores/aggregateListStore'

/** Rows short of the loaded edge at which the next page is asked for. */
export const PREFETCH_ROWS = 20
/** Rows of placeholders paging crosses by itself (20 pages); beyond, only Home/End jump. */
export const PAGING_REACH = 2000

export interface WindowInput {
  loaded: number
  /** The store's aggregate count; undefined until known. */
  total: number | undefined
  anchor: ListAnchor
  filtered: boolean
  hasBefore: boolean
  hasAfter: boolean
}

export interface ListWindow {
  /** The list position of the first loaded row. */
  offset: number
  /** Rows the list renders: loaded, placeholders and loader rows. */
  count: number
  /** aria-setsize: the whole list's size, or -1 when unknown. */
  setSize: number
  /** Whether loaded rows know their position in the whole list (aria-posinset). */
  positioned: boolean
}

/** Whether the total is the list's size: unfiltered, and counted. */
export function sized(w: WindowInput): w is WindowInput & { total: number } {
  return !w.filtered && w.total !== undefined
}

export function listWindow(w: WindowInput): ListWindow {
  const n = w.loaded
  if (!w.hasBefore && !w.hasAfter) return { offset: 0, count: n, setSize: n, positioned: true }
  const before = w.hasBefore ? 1 : 0
  const after = w.hasAfter ? 1 : 0
  if (!sized(w)) {
    return { offset: before, count: before + n + after, setSize: -1, positioned: before === 0 }
  }
  // The total may lag the rows (a live change): never fewer positions than rows and loaders.
  const count = Math.max(w.total, n + before + after)
  const offset = w.anchor === 'start' ? before : count - n - after
  return { offset, count, setSize: count, positioned: true }
}

export type PagingAction = 'next' | 'previous' | 'fromStart' | 'fromEnd' | null

/**
 * What the rows in view (first..last, overscan included) need: the page after or before the
 * loaded ones when near them; when far, reading from the nearer end of the list instead; when
 * farther than PAGING_REACH from both, nothing (the placeholders say so).
 */
export function pagingAction(
  view: { first: number; last: number },
  w: ListWindow & WindowInput,
): PagingAction {
  const start = w.offset
  const end = w.offset + w.loaded
  if (w.hasAfter && view.last >= end - PREFETCH_ROWS) {
    const gap = view.first - end
    if (!sized(w) || gap <= PAGING_REACH) return 'next'
    if (w.anchor === 'start' && w.count - 1 - view.last < gap) return 'fromEnd'
  }
  if (w.hasBefore && view.first < start + PREFETCH_ROWS) {
    const gap = start - 1 - view.last
    if (!sized(w) || gap <= PAGING_REACH) return 'previous'
    if (w.anchor === 'end' && view.first < gap) return 'fromStart'
  }
  return null
}

/** Whether a placeholder at `index` will load by paging (else it is too far to reach). */
export function withinReach(index: number, w: ListWindow & WindowInput): boolean {
  const end = w.offset + w.loaded
  if (index >= end) return index - end <= PAGING_REACH || w.count - 1 - index <= PAGING_REACH
  return w.offset - 1 - index <= PAGING_REACH || index <= PAGING_REACH
}

/** The position a navigation key moves to in a list of `count`; undefined for other keys. */
export function keyTarget(
  key: string,
  from: number,
  count: number,
  page: number,
): number | undefined {
  let to: number
  switch (key) {
    case 'ArrowDown':
      to = from + 1
      break
    case 'ArrowUp':
      to = from - 1
      break
    case 'PageDown':
      to = from + page
      break
    case 'PageUp':
      to = from - page
      break
    default:
      return undefined
  }
  return Math.max(0, Math.min(count - 1, to))
}
