/**
 * The tab panels past the first (State), loaded on demand: each is its own chunk, fetched the
 * first time its tab opens, so the first paint carries none of their code.
 */
import { lazy } from 'react'

export const Timeline = lazy(async () => ({
  default: (await import('../timeline/Timeline')).Timeline,
}))
export const DiffPanel = lazy(async () => ({
  default: (await import('../diff/DiffPanel')).DiffPanel,
}))
export const SnapshotsPanel = lazy(async () => ({
  default: (await import('../snapshots/SnapshotsPanel')).SnapshotsPanel,
}))
export const CommandsPanel = lazy(async () => ({
  default: (await import('../commands/CommandsPanel')).CommandsPanel,
}))
export const ConflictDemo = lazy(async () => ({
  default: (await import('../conflict/ConflictDemo')).ConflictDemo,
}))
export const ActivityPanel = lazy(async () => ({
  default: (await import('../activity/ActivityPanel')).ActivityPanel,
}))
