/**
 * The connection's UI state only: whether the connection screen is open, and what the live
 * indicator shows (how many `changes` batches arrived, and when the last did). What the service
 * reports about the connection is server data: a query (queries/connection.ts).
 */
import { create } from 'zustand'

interface ConnectionUiState {
  /** The user (or a key mismatch) opened the connection screen while connected. */
  screenOpen: boolean
  /** Batches seen on the `changes` stream; the live dot pulses when this grows. */
  changeCount: number
  lastChangeAt: number | null
}

interface ConnectionUiActions {
  openScreen(): void
  closeScreen(): void
  noteChanges(batches: number): void
  reset(): void
}

const initial: ConnectionUiState = { screenOpen: false, changeCount: 0, lastChangeAt: null }

export const useConnectionStore = create<ConnectionUiState & ConnectionUiActions>()((set) => ({
  ...initial,
  openScreen: () => set({ screenOpen: true }),
  closeScreen: () => set({ screenOpen: false }),
  noteChanges(batches) {
    if (batches <= 0) return
    set((s) => ({ changeCount: s.changeCount + batches, lastChangeAt: Date.now() }))
  },
  reset: () => set({ ...initial }),
}))
