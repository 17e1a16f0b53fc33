/**
 * The Snapshots panel's list as a query of its own, outside the panel's chunk: a click on the
 * tab asks for the first page while the panel's code is still loading (tabPrefetch.ts).
 */
import { infiniteQueryOptions } from '@tanstack/react-query'
import type { ExplorerApi } from '../../../shared/contract'
import { SNAPSHOT_PAGE_SIZE } from '../features/snapshots/snapshotPages'
import { keys } from './keys'

const PREFETCHED_FRESH_MS = 10_000

/** Newest first, a page at a time, paged backwards with nextBeforeVersion. */
export function snapshotSummaryPagesOptions(api: ExplorerApi, id: string) {
  return infiniteQueryOptions({
    queryKey: keys.snapshots(id),
    queryFn: ({ pageParam }) =>
      api.listSnapshotSummaries({
        id,
        ...(pageParam === null ? {} : { beforeVersion: pageParam }),
        limit: SNAPSHOT_PAGE_SIZE,
      }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextBeforeVersion ?? null,
    // A page the tab's click asked for is taken by the panel as it mounts, not asked again;
    // a pushed change or a reconnection still marks the list stale (serverEvents.ts).
    staleTime: PREFETCHED_FRESH_MS,
  })
}
