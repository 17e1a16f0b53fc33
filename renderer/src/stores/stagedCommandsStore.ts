/**
 * Commands staged in the renderer, not yet saved: per slot (an aggregate id for the Commands
 * panel, `<id>#A`/`<id>#B` for the conflict demo's clients), with the version they were loaded
 * at. Nothing is held in the main process: Save sends them all with execute, as one batch.
 * Kept outside the components so that switching tabs does not lose what was staged.
 */
import { create } from 'zustand'
import type { JsonValue } from '../../../shared/contract'

export interface StagedCommand {
  /** Unique within the slot: a React key, and what Remove names. */
  key: number
  name: string
  /** The command's label from its descriptor, for the list. */
  label: string
  params: Record<string, JsonValue>
}

export interface StagedSlot {
  /** The version the commands run on: the one loaded (Reload latest moves it). */
  expectedVersion: number
  commands: StagedCommand[]
}

interface StagedCommandsState {
  slots: Record<string, StagedSlot>
  /** Starts a slot at `version` unless it holds staged commands (they keep their version). */
  load(slot: string, version: number, options?: { force?: boolean }): void
  stage(slot: string, command: Omit<StagedCommand, 'key'>): void
  remove(slot: string, key: number): void
  /** Drops the staged commands; with `version`, the slot now starts from there. */
  clear(slot: string, version?: number): void
  reset(): void
}

export const useStagedCommandsStore = create<StagedCommandsState>()((set, get) => {
  // In the store's closure, not the module: keys only have to differ within this store.
  let nextKey = 1
  const patch = (slot: string, change: Partial<StagedSlot>) =>
    set((s) => {
      const current = s.slots[slot] ?? { expectedVersion: -1, commands: [] }
      return { slots: { ...s.slots, [slot]: { ...current, ...change } } }
    })
  return {
    slots: {},
    load(slot, version, options) {
      const current = get().slots[slot]
      if (current && current.commands.length > 0 && !options?.force) return
      patch(slot, { expectedVersion: version })
    },
    stage(slot, command) {
      const current = get().slots[slot]
      patch(slot, { commands: [...(current?.commands ?? []), { ...command, key: nextKey++ }] })
    },
    remove(slot, key) {
      const current = get().slots[slot]
      if (current) patch(slot, { commands: current.commands.filter((c) => c.key !== key) })
    },
    clear(slot, version) {
      patch(slot, { commands: [], ...(version !== undefined ? { expectedVersion: version } : {}) })
    },
    reset() {
      set({ slots: {} })
    },
  }
})

export const EMPTY_SLOT: StagedSlot = { expectedVersion: -1, commands: [] }
