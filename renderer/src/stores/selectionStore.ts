/**
 * What the user is looking at: the selected aggregate, the version the scrubber points at
 * (null = follow the latest, so live changes keep showing), the open tab and the time zone.
 */
import { create } from 'zustand'
import type { TimeZoneMode } from '../lib/format'

export const TABS = [
  'state',
  'timeline',
  'diff',
  'snapshots',
  'commands',
  'conflict',
  'activity',
] as const
export type TabId = (typeof TABS)[number]

const TZ_KEY = 'eventscope.timezone'

function storedTimezone(): TimeZoneMode {
  try {
    return globalThis.localStorage?.getItem(TZ_KEY) === 'utc' ? 'utc' : 'local'
  } catch {
    return 'local'
  }
}

interface SelectionState {
  aggregateId: string | null
  /** The version to show; null follows the latest version. */
  version: number | null
  timezone: TimeZoneMode
  tab: TabId
}

interface SelectionActions {
  select(aggregateId: string | null): void
  /** Pass null (or the latest version, see `setVersionWithin`) to follow the latest. */
  setVersion(version: number | null): void
  /** Sets the version, treating `latest` itself as "follow the latest". */
  setVersionWithin(version: number, latest: number): void
  setTimezone(timezone: TimeZoneMode): void
  setTab(tab: TabId): void
  reset(): void
}

const initial = (): SelectionState => ({
  aggregateId: null,
  version: null,
  timezone: storedTimezone(),
  tab: 'state',
})

export const useSelectionStore = create<SelectionState & SelectionActions>()((set, get) => ({
  ...initial(),

  select(aggregateId) {
    if (aggregateId === get().aggregateId) return
    set({ aggregateId, version: null })
  },
  setVersion(version) {
    set({ version })
  },
  setVersionWithin(version, latest) {
    const clamped = Math.max(0, Math.min(version, latest))
    set({ version: clamped >= latest ? null : clamped })
  },
  setTimezone(timezone) {
    try {
      globalThis.localStorage?.setItem(TZ_KEY, timezone)
    } catch {
      // private mode: the choice lasts for this session only
    }
    set({ timezone })
  },
  setTab: (tab) => set({ tab }),
  reset: () => set(initial()),
}))
