/**
 * The connection to the event store: what the main process reports (ConnectionInfo), the
 * last attempt (for Retry), whether the connection screen is open, and the live indicator.
 */
import { create } from 'zustand'
import type { ConnectionInfo, ConnectionSettings } from '../../../shared/contract'
import { api } from '../api'
import { toUiError, type UiError } from '../ui/errors'
import { dropFirstPageEarly } from '../queries/earlyPage'

export type ConnectionPhase = 'idle' | 'loading' | 'connecting' | 'ready' | 'error'
/** The transport under the API (WebSocket in browser mode; IPC is always 'open'). */
export type TransportState = 'connecting' | 'open' | 'closed'

interface ConnectionState {
  info: ConnectionInfo | null
  phase: ConnectionPhase
  error: UiError | null
  /** What the last failed action was, so Retry can run it again. */
  lastAttempt: { action: 'load' } | { action: 'connect'; settings: ConnectionSettings } | null
  /** The user opened the connection screen while connected. */
  screenOpen: boolean
  transport: TransportState
  /** Batches seen on the `changes` stream; the live dot pulses when this grows. */
  changeCount: number
  lastChangeAt: number | null
  /** A cipher key is being set or forgotten. */
  keyBusy: boolean
  /** Why the last setCipherKey / forgetCipherKey failed (never holds the key). */
  keyError: UiError | null
}

interface ConnectionActions {
  load(): Promise<void>
  connect(settings: ConnectionSettings): Promise<boolean>
  disconnect(): Promise<void>
  retry(): Promise<void>
  /**
   * Sends the key to the main process once (it is never sent back, and not kept here); true
   * when it is in use.
   */
  setCipherKey(keyBase64: string, remember: boolean): Promise<boolean>
  forgetCipherKey(): Promise<boolean>
  openScreen(): void
  closeScreen(): void
  /** Listener targets. */
  setInfo(info: ConnectionInfo): void
  setTransport(state: TransportState): void
  noteChanges(batches: number): void
  reset(): void
}

const initial: ConnectionState = {
  info: null,
  phase: 'idle',
  error: null,
  lastAttempt: null,
  screenOpen: false,
  transport: 'connecting',
  changeCount: 0,
  lastChangeAt: null,
  keyBusy: false,
  keyError: null,
}

export const useConnectionStore = create<ConnectionState & ConnectionActions>()((set, get) => ({
  ...initial,

  async load() {
    set({ phase: 'loading', error: null, lastAttempt: { action: 'load' } })
    try {
      const info = await api.getConnection({})
      set((s) => ({
        info,
        phase: 'ready',
        error: info.error ? { code: 'StoreUnavailable', message: info.error } : null,
        // A cipher key that does not match the store is told on the connection screen at once.
        screenOpen: s.screenOpen || info.keyStatus?.mismatch === true,
      }))
    } catch (error) {
      set({ phase: 'error', error: toUiError(error) })
    }
  },

  async connect(settings) {
    dropFirstPageEarly()
    set({ phase: 'connecting', error: null, lastAttempt: { action: 'connect', settings } })
    try {
      const info = await api.connect(settings)
      if (info.status !== 'connected') {
        set({
          info,
          phase: 'error',
          error: {
            code: 'StoreUnavailable',
            message: info.error ?? 'the store did not accept the connection',
          },
        })
        return false
      }
      // A key mismatch keeps the connection screen open: it says what is wrong and how to fix it.
      set({ info, phase: 'ready', error: null, screenOpen: info.keyStatus?.mismatch === true })
      return true
    } catch (error) {
      set({ phase: 'error', error: toUiError(error) })
      return false
    }
  },

  async disconnect() {
    dropFirstPageEarly()
    try {
      const info = await api.disconnect({})
      set({ info, phase: 'ready', error: null })
    } catch (error) {
      set({ phase: 'error', error: toUiError(error) })
    }
  },

  async retry() {
    const attempt = get().lastAttempt
    if (attempt?.action === 'connect') await get().connect(attempt.settings)
    else await get().load()
  },

  async setCipherKey(keyBase64, remember) {
    dropFirstPageEarly()
    set({ keyBusy: true, keyError: null })
    try {
      const info = await api.setCipherKey({ keyBase64: keyBase64.trim(), remember })
      set({ info, keyBusy: false })
      return true
    } catch (error) {
      set({ keyBusy: false, keyError: toUiError(error) })
      return false
    }
  },

  async forgetCipherKey() {
    dropFirstPageEarly()
    set({ keyBusy: true, keyError: null })
    try {
      const info = await api.forgetCipherKey({})
      set({ info, keyBusy: false })
      return true
    } catch (error) {
      set({ keyBusy: false, keyError: toUiError(error) })
      return false
    }
  },

  openScreen: () => set({ screenOpen: true }),
  closeScreen: () => set({ screenOpen: false }),

  setInfo(info) {
    set((s) => ({
      info,
      // A pushed `connected` clears a stale failure; a pushed error is shown as one.
      error: info.error
        ? { code: 'StoreUnavailable', message: info.error }
        : s.phase === 'connecting'
          ? s.error
          : null,
      phase: s.phase === 'connecting' ? s.phase : info.error ? 'error' : 'ready',
    }))
  },

  setTransport(transport) {
    set({ transport })
  },

  noteChanges(batches) {
    if (batches <= 0) return
    set((s) => ({ changeCount: s.changeCount + batches, lastChangeAt: Date.now() }))
  },

  reset: () => set({ ...initial }),
}))

/** Whether the explorer (rather than the connection screen) should be shown. */
export function selectIsConnected(s: ConnectionState): boolean {
  return s.info?.status === 'connected'
}
