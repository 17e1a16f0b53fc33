/**
 * The renderer's way to the main process, whichever shell it runs in: the Electron preload's
 * `window.eventscope`, or else a WebSocket to the browser-mode server. Either way the result
 * is `createClient(transport, validator)`, which validates every answer against the contract.
 */
import { createStore } from 'zustand'
import { createClient, type Validator } from '../../../shared/client'
import type { ExplorerApi } from '../../../shared/contract'
import {
  createWebSocketTransport,
  webSocketTarget,
  type TransportStatus,
  type WebSocketTransport,
} from './websocket'

export type { TransportStatus } from './websocket'

/** The page's transport: its status, and its one socket in browser mode. */
const transport = createStore<{ status: TransportStatus; socket: WebSocketTransport | null }>()(
  () => ({ status: 'connecting', socket: null }),
)

function setStatus(next: TransportStatus): void {
  // The store notifies only on a change: the same status again is not news.
  if (next !== transport.getState().status) transport.setState({ status: next })
}

let validatorLoad: Promise<Validator> | null = null

/**
 * The validator (zod and the contract's schemas) in its own chunk, so the first paint does not
 * wait for it: main.tsx starts it at boot, and calls send their requests meanwhile (the answers
 * wait for it). A failed load is forgotten, so the next API made tries again.
 */
export function loadValidator(): Promise<Validator> {
  validatorLoad ??= import('../../../shared/validation').then(
    (module) => module.validator,
    (error: unknown) => {
      validatorLoad = null
      throw error
    },
  )
  return validatorLoad
}

export function createApi(): ExplorerApi {
  if (window.eventscope) {
    // IPC needs no connecting: the preload is there or it isn't.
    setStatus('open')
    return createClient(window.eventscope, loadValidator())
  }
  let { socket } = transport.getState()
  if (!socket) {
    // One socket per page, however many times this is called.
    socket = createWebSocketTransport(webSocketTarget(window.location))
    transport.setState({ socket })
    socket.onStatus(setStatus)
  }
  return createClient(socket, loadValidator())
}

/** Calls `listener` with the current status now and on every change; returns the unsubscribe. */
export function onTransportStatus(listener: (status: TransportStatus) => void): () => void {
  const unsubscribe = transport.subscribe((state, prev) => {
    if (state.status !== prev.status) listener(state.status)
  })
  listener(transport.getState().status)
  return unsubscribe
}

export function getTransportStatus(): TransportStatus {
  return transport.getState().status
}
