/**
 * The preload: exposes `window.eventscope`, the `Transport` of shared/client.ts, built from the
 * contract's method and event names. Nothing else crosses: no ipcRenderer, no Node APIs. The
 * renderer wraps it with `createClient`, which validates every response.
 */
import { contextBridge, ipcRenderer } from 'electron'
import type { Transport } from '../../shared/client'
import { eventNames, isMethodName, type EventName } from '../../shared/contract'
import { isSqliteFilePickMode, type DesktopBridge } from '../../shared/desktop'
import {
  EVENT_CHANNEL,
  PICK_AGGREGATE_MODULE_CHANNEL,
  PICK_SQLITE_FILE_CHANNEL,
  methodChannel,
} from '../main/channels'

const listeners = new Map<EventName, Set<(payload: unknown) => void>>(
  eventNames.map((name) => [name, new Set()]),
)

ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  const set = typeof name === 'string' ? listeners.get(name as EventName) : undefined
  for (const listener of set ?? []) listener(payload)
})

const transport = {
  invoke(method: unknown, payload: unknown): Promise<unknown> {
    if (!isMethodName(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'ValidationError', message: 'unknown method' },
      })
    }
    return ipcRenderer.invoke(methodChannel(method), payload)
  },
  on(event: unknown, listener: (payload: unknown) => void): () => void {
    const set = listeners.get(event as EventName)
    if (!set || typeof listener !== 'function') throw new TypeError('unknown event')
    // Wrapped so that subscribing the same function twice gives two independent subscriptions.
    const entry = (payload: unknown) => listener(payload)
    set.add(entry)
    return () => void set.delete(entry)
  },
} satisfies Transport

contextBridge.exposeInMainWorld('eventscope', transport)

/** The desktop shell's own: the system file dialog, shown by the main process. */
const desktop = {
  async pickSqliteFile(mode) {
    if (!isSqliteFilePickMode(mode)) throw new TypeError("the mode must be 'open' or 'create'")
    const chosen: unknown = await ipcRenderer.invoke(PICK_SQLITE_FILE_CHANNEL, mode)
    return typeof chosen === 'string' ? chosen : null
  },
  async pickAggregateModule() {
    const chosen: unknown = await ipcRenderer.invoke(PICK_AGGREGATE_MODULE_CHANNEL)
    return typeof chosen === 'string' ? chosen : null
  },
} satisfies DesktopBridge

contextBridge.exposeInMainWorld('eventscopeDesktop', desktop)
