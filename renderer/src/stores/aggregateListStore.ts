/**
 * How the user looks at the aggregates list (UI state only; the rows are a query, see
 * queries/aggregates.ts): the id prefix and type filters, the order, and whether live changes
 * were held back because reloading would move a deeply scrolled list.
 */
import { create } from 'zustand'

export type AggregateOrder = 'recent' | 'id'
/** Which end of the list the loaded rows are read from: End reads from the end. */
export type ListAnchor = 'start' | 'end'

interface AggregateListState {
  idPrefix: string
  type: string
  order: AggregateOrder
  anchor: ListAnchor
  /** New data exists that was not reloaded automatically (deep scroll). */
  stale: boolean
  setIdPrefix(prefix: string): void
  setType(type: string): void
  setOrder(order: AggregateOrder): void
  setStale(stale: boolean): void
  setAnchor(anchor: ListAnchor): void
  reset(): void
}

export const useAggregateListStore = create<AggregateListState>()((set) => ({
  idPrefix: '',
  type: '',
  order: 'recent',
  anchor: 'start',
  stale: false,
  // A new filter or order starts at the top again (the same one again changes nothing).
  setIdPrefix: (idPrefix) =>
    set((s) => ({ idPrefix, stale: false, anchor: s.idPrefix === idPrefix ? s.anchor : 'start' })),
  setType: (type) =>
    set((s) => ({ type, stale: false, anchor: s.type === type ? s.anchor : 'start' })),
  setOrder: (order) =>
    set((s) => ({ order, stale: false, anchor: s.order === order ? s.anchor : 'start' })),
  setStale: (stale) => set({ stale }),
  setAnchor: (anchor) => set({ anchor }),
  reset: () => set({ idPrefix: '', type: '', order: 'recent', anchor: 'start', stale: false }),
}))
