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

/**
 * The page's transport: its status, its one socket in browser mode, and the validator's loading
 * (one chunk per page, like the socket).
 */
const transport = createStore<{
  status: TransportStatus
  socket: WebSocketTransport | null
  validator: Promise<Validator> | null
}>()(() => ({ status: 'connecting', socket: null, validator: null }))

function setStatus(next: TransportStatus): void {
  // The store notifies only on a change: the same status again is not news.
  if (next !== transport.getState().status) transport.setState({ status: next })
}

/**
 * The validator (zod and the contract's schemas) in its own chunk, so the first paint does not
 * wait for it: main.tsx starts it at boot, and calls send their requests meanwhile (the answers
 * wait for it). A failed load is forgotten, so the next call tries again.
 */
export function loadValidator(): Promise<Validator> {
  const loading = transport.getState().validator
  if (loading) return loading
  const started = import('../../../shared/validation').then(
    (module) => module.validator,
    (error: unknown) => {
      transport.setState({ validator: null })
      throw error
    },
  )
  transport.setState({ validator: started })
  return started
}

export function createApi(): ExplorerApi {
  if (window.eventscope) {
    // IPC needs no connecting: the preload is there or it isn't.
    setStatus('open')
    return createClient(window.eventscope, loadValidator)
  }
  let { socket } = transport.getState()
  if (!socket) {
    // One socket per page, however many times this is called.
    socket = createWebSocketTransport(webSocketTarget(window.location))
    transport.setState({ socket })
    socket.onStatus(setStatus)
  }
  return createClient(socket, loadValidator)
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
