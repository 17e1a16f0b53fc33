/**
 * The timeline's search and type filter: UI state, not server data (that is in
 * queries/timeline.ts). Kept outside the component so that it stays across tab switches and
 * aggregates: looking for the same event type across aggregates is common.
 */
import { create } from 'zustand'

interface TimelineFilterState {
  search: string
  eventType: string
  setSearch(search: string): void
  setEventType(eventType: string): void
  reset(): void
}

export const useTimelineFilterStore = create<TimelineFilterState>()((set) => ({
  search: '',
  eventType: '',
  setSearch: (search) => set({ search }),
  setEventType: (eventType) => set({ eventType }),
  reset: () => set({ search: '', eventType: '' }),
}))

export const isFiltered = (s: { search: string; eventType: string }) =>
  s.search.trim() !== '' || s.eventType !== ''
