/**
 * The renderer's way to the main process, whichever shell it runs in: the Electron preload's
 * `window.eventscope`, or else a WebSocket to the browser-mode server. Either way the API is
 * `createClient(transport, validator)`, which validates every answer against the contract.
 */
import { createClient, type Validator } from '../../../shared/client'
import type { Service } from '../service'
import { createWebSocketTransport, webSocketTarget } from './websocket'

export type { TransportStatus } from './websocket'

/**
 * The validator (zod and the contract's schemas) in its own chunk, so the first paint does not
 * wait for it: loading starts when the service is made, and calls send their requests meanwhile
 * (the answers wait for it). A failed load is forgotten, so the next call tries again.
 */
function validatorLoader(): () => Promise<Validator> {
  let loading: Promise<Validator> | null = null
  return () => {
    loading ??= import('../../../shared/validation').then(
      (module) => module.validator,
      (error: unknown) => {
        loading = null
        throw error
      },
    )
    return loading
  }
}

/** The page's service: made once, by main.tsx (one socket per page). */
export function createService(): Service {
  const loadValidator = validatorLoader()
  // The first call awaits the load (or its retry) for its answer: a failure here needs no handling.
  loadValidator().catch(() => {})
  if (window.eventscope) {
    // IPC needs no connecting: the preload is there or it isn't.
    return {
      api: createClient(window.eventscope, loadValidator),
      transportStatus: () => 'open',
      onTransportStatus: () => () => {},
    }
  }
  const socket = createWebSocketTransport({
    ...webSocketTarget(window.location),
    // A HEAD of the page itself: what the server says to this page's cookie (or token).
    probe: () =>
      fetch(window.location.pathname, {
        method: 'HEAD',
        credentials: 'same-origin',
        cache: 'no-store',
      }).then(
        (response) => response.status,
        () => undefined,
      ),
  })
  // 'connecting' until the socket first says otherwise: it is 'closed' only before its first try.
  let started = false
  socket.onStatus(() => {
    started = true
  })
  return {
    api: createClient(socket, loadValidator),
    transportStatus: () => (started ? socket.status : 'connecting'),
    onTransportStatus: (listener) => socket.onStatus(listener),
  }
}
