/**
 * How the user looks at the aggregates list (UI state only; the rows are a query, see
 * queries/aggregates.ts): the id prefix and type filters, the order, and whether live changes
 * were held back because reloading would move a deeply scrolled list.
 */
import { create } from 'zustand'

export type AggregateOrder = 'recent' | 'id'

interface AggregateListState {
  idPrefix: string
  type: string
  order: AggregateOrder
  /** New data exists that was not reloaded automatically (deep scroll). */
  stale: boolean
  setIdPrefix(prefix: string): void
  setType(type: string): void
  setOrder(order: AggregateOrder): void
  setStale(stale: boolean): void
  reset(): void
}

export const useAggregateListStore = create<AggregateListState>()((set) => ({
  idPrefix: '',
  type: '',
  order: 'recent',
  stale: false,
  setIdPrefix: (idPrefix) => set({ idPrefix, stale: false }),
  setType: (type) => set({ type, stale: false }),
  setOrder: (order) => set({ order, stale: false }),
  setStale: (stale) => set({ stale }),
  reset: () => set({ idPrefix: '', type: '', order: 'recent', stale: false }),
}))
