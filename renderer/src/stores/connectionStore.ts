/**
 * The connection's UI state only: whether the connection screen is open, what the live
 * indicator shows (how many `changes` batches arrived, and when the last did), and whether
 * another page switched the shared connection's store. What the service reports about the
 * connection is server data: a query (queries/connection.ts).
 */
import { create } from 'zustand'

/** Another page connected the shared connection to another store, or disconnected it. */
export type StoreSwitch = { readonly to: string } | { readonly disconnectedFrom: string }

interface ConnectionUiState {
  /** The user (or a key mismatch) opened the connection screen while connected. */
  screenOpen: boolean
  /** Batches seen on the `changes` stream; the live dot pulses when this grows. */
  changeCount: number
  lastChangeAt: number | null
  /** This page's connects under way: a store change meanwhile is its own doing. */
  ownConnects: number
  /** What another page did to the shared connection's store, to be said here; null: nothing. */
  switchedElsewhere: StoreSwitch | null
}

interface ConnectionUiActions {
  openScreen(): void
  closeScreen(): void
  noteChanges(batches: number): void
  beginOwnConnect(): void
  endOwnConnect(): void
  noteSwitchedElsewhere(change: StoreSwitch): void
  dismissSwitchedElsewhere(): void
  reset(): void
}

const initial: ConnectionUiState = {
  screenOpen: false,
  changeCount: 0,
  lastChangeAt: null,
  ownConnects: 0,
  switchedElsewhere: null,
}

export const useConnectionStore = create<ConnectionUiState & ConnectionUiActions>()((set) => ({
  ...initial,
  openScreen: () => set({ screenOpen: true }),
  closeScreen: () => set({ screenOpen: false }),
  noteChanges(batches) {
    if (batches <= 0) return
    set((s) => ({ changeCount: s.changeCount + batches, lastChangeAt: Date.now() }))
  },
  // A connect of this page's own makes an earlier word about another page's switch stale.
  beginOwnConnect: () => set((s) => ({ ownConnects: s.ownConnects + 1, switchedElsewhere: null })),
  endOwnConnect: () => set((s) => ({ ownConnects: Math.max(0, s.ownConnects - 1) })),
  noteSwitchedElsewhere: (change) => set({ switchedElsewhere: change }),
  dismissSwitchedElsewhere: () => set({ switchedElsewhere: null }),
  reset: () => set({ ...initial }),
}))
