/**
 * The first request of a tab's panel, sent when the tab is chosen rather than once the panel's
 * code has loaded and mounted: the panel's own query then finds it in flight or answered. A
 * tab chosen while the page is still busy with a large aggregate's first answers waited for
 * its chunk first (the Snapshots tab's request went out 261–607 ms after the click).
 */
import type { QueryClient } from '@tanstack/react-query'
import type { ExplorerApi } from '../../../../shared/contract'
import { snapshotSummaryPagesOptions } from '../../queries/snapshots'
import type { TabId } from '../../stores/selectionStore'

export function prefetchTab(tab: TabId, client: QueryClient, api: ExplorerApi, id: string): void {
  // (prefetch: a cached page that is fresh is not asked again; a failure is the panel's to show.)
  if (tab === 'snapshots') void client.prefetchInfiniteQuery(snapshotSummaryPagesOptions(api, id))
}
