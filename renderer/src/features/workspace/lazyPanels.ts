/**
 * The tab panels past the first (State), loaded on demand: each is its own chunk, so the first
 * paint carries none of their code. They are fetched the first time their tab opens, or
 * earlier, when the page is idle (the timeline after connecting, App.tsx; the others once an
 * aggregate view is open, preloadPanels), so that the first opening of a tab does not wait for
 * React's fallback throttle (ui/lazyWithPreload.ts).
 */
import { lazyWithPreload, nextIdle } from '../../ui/lazyWithPreload'

export const Timeline = lazyWithPreload(async () => (await import('../timeline/Timeline')).Timeline)
export const DiffPanel = lazyWithPreload(async () => (await import('../diff/DiffPanel')).DiffPanel)
export const SnapshotsPanel = lazyWithPreload(
  async () => (await import('../snapshots/SnapshotsPanel')).SnapshotsPanel,
)
export const CommandsPanel = lazyWithPreload(
  async () => (await import('../commands/CommandsPanel')).CommandsPanel,
)
export const ConflictDemo = lazyWithPreload(
  async () => (await import('../conflict/ConflictDemo')).ConflictDemo,
)
export const ActivityPanel = lazyWithPreload(
  async () => (await import('../activity/ActivityPanel')).ActivityPanel,
)

/**
 * Fetches every panel's chunk, one per idle period of the page (a preload never runs in a burst
 * beside the user's own requests); a chunk that fails is left to its tab, which says so when
 * opened.
 */
export async function preloadPanels(): Promise<void> {
  for (const panel of [
    Timeline,
    SnapshotsPanel,
    DiffPanel,
    CommandsPanel,
    ConflictDemo,
    ActivityPanel,
  ]) {
    // Every aggregate view asks again: the loaded ones cost nothing, not even an idle turn.
    if (panel.isLoaded()) continue
    await nextIdle()
    await panel.preload().catch(() => undefined)
  }
}
