/**
 * The tab panels past the first (State), loaded on demand: each is its own chunk, so the first
 * paint carries none of their code. They are fetched the first time their tab opens, or
 * earlier, when the page is idle (the timeline after connecting, App.tsx; the others once an
 * aggregate view is open, preloadPanels) or the pointer is over the tab, so that the first
 * opening of a tab does not wait for React's fallback throttle (ui/lazyWithPreload.ts); a tab
 * chosen before then waits for its chunk (panelReady).
 */
import type { TabId } from '../../stores/selectionStore'
import { lazyWithPreload, nextIdle, type PreloadableComponent } from '../../ui/lazyWithPreload'

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

/** Each tab's panel chunk (State's is in the main chunk). */
const PANEL_OF_TAB: Partial<Record<TabId, PreloadableComponent<never>>> = {
  timeline: Timeline as PreloadableComponent<never>,
  diff: DiffPanel as PreloadableComponent<never>,
  snapshots: SnapshotsPanel as PreloadableComponent<never>,
  commands: CommandsPanel as PreloadableComponent<never>,
  conflict: ConflictDemo as PreloadableComponent<never>,
  activity: ActivityPanel as PreloadableComponent<never>,
}

/**
 * How long a tab switch waits for its panel's chunk before showing the tab with its loading
 * fallback. A panel rendered before its chunk arrived suspends, and React then reveals it no
 * sooner than 300 ms after the fallback showed (ui/lazyWithPreload.ts), so waiting for a chunk
 * on its way is never slower; the Snapshots tab clicked while a 100,000-event aggregate's first
 * answers were being shown took 300–600 ms for its chunk. A chunk slower than this (a server
 * briefly away) shows the fallback, and its error, as before.
 */
export const TAB_SWITCH_WAIT_MS = 1000

/**
 * Resolves once the tab's panel would render without suspending, or after TAB_SWITCH_WAIT_MS,
 * or at once when it has no chunk or has it already (then `true`: switch in this turn).
 */
export function panelReady(tab: TabId): true | Promise<void> {
  const panel = PANEL_OF_TAB[tab]
  if (panel === undefined || panel.isLoaded()) return true
  return Promise.race([
    panel.preload().catch(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, TAB_SWITCH_WAIT_MS)),
  ])
}

/** Starts fetching a tab's panel chunk (the pointer over its tab, or the tab focused). */
export function preloadTab(tab: TabId): void {
  const panel = PANEL_OF_TAB[tab]
  if (panel !== undefined && !panel.isLoaded()) void panel.preload().catch(() => undefined)
}
