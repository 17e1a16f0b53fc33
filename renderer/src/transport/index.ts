/**
 * The renderer's way to the main process, whichever shell it runs in: the Electron preload's
 * `window.eventscope`, or else a WebSocket to the browser-mode server. Either way the result
 * is `createClient(transport)`, which validates every answer against the contract.
 */
import { createClient } from '../../../shared/client'
import type { ExplorerApi } from '../../../shared/contract'
import {
  createWebSocketTransport,
  webSocketTarget,
  type TransportStatus,
  type WebSocketTransport,
} from './websocket'

export type { TransportStatus } from './websocket'

let status: TransportStatus = 'connecting'
let socketTransport: WebSocketTransport | null = null
const listeners = new Set<(status: TransportStatus) => void>()

function setStatus(next: TransportStatus): void {
  if (next === status) return
  status = next
  for (const listener of [...listeners]) listener(next)
}

export function createApi(): ExplorerApi {
  if (window.eventscope) {
    // IPC needs no connecting: the preload is there or it isn't.
    setStatus('open')
    return createClient(window.eventscope)
  }
  if (!socketTransport) {
    // One socket per page, however many times this is called.
    socketTransport = createWebSocketTransport(webSocketTarget(window.location))
    socketTransport.onStatus(setStatus)
  }
  return createClient(socketTransport)
}

/** Calls `listener` with the current status now and on every change; returns the unsubscribe. */
export function onTransportStatus(listener: (status: TransportStatus) => void): () => void {
  listeners.add(listener)
  listener(status)
  return () => void listeners.delete(listener)
}

export function getTransportStatus(): TransportStatus {
  return status
}
