/**
 * Browser mode's Transport: one WebSocket to the loopback server (`/ws`), requests matched to
 * answers by id, pushed events fanned out to listeners, reconnects with backoff. The token
 * travels as the HttpOnly cookie the server set on the first page load (sent by the browser
 * on the upgrade), or, when the page still has `?token=`, as a subprotocol.
 */
import type { Transport } from '../../../shared/client'
import type { ApiError, EventName, MethodName } from '../../../shared/contract'
import { MAX_REQUEST_BYTES, requestTooLarge } from '../../../shared/contractBasics'

/**
 * 'refused': the server answers, but not this page (its access token is an earlier run's: the
 * server was restarted); the transport keeps trying, as another tab may renew the cookie.
 */
export type TransportStatus = 'connecting' | 'open' | 'closed' | 'refused'

export const WS_PROTOCOL = 'eventscope'
export const WS_TOKEN_PROTOCOL_PREFIX = 'eventscope.token.'
export const REQUEST_TIMEOUT_MS = 60_000
const BACKOFF_MIN_MS = 250
const BACKOFF_MAX_MS = 10_000

/** The parts of the browser WebSocket this module uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onclose: ((event: unknown) => void) | null
  onerror: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface WebSocketTransportOptions {
  url: string
  token?: string | undefined
  timeoutMs?: number
  createSocket?: (url: string, protocols: string[]) => SocketLike
  /**
   * After a handshake that failed: the HTTP status the server gives this page now (401 or 403:
   * it refuses the page's token), undefined if it cannot be reached. None: never 'refused'.
   */
  probe?: () => Promise<number | undefined>
}

export interface WebSocketTransport extends Transport {
  readonly status: TransportStatus
  onStatus(listener: (status: TransportStatus) => void): () => void
  /** Closes for good: no reconnect; pending requests fail. */
  close(): void
}

interface Pending {
  resolve(envelope: unknown): void
  timer: ReturnType<typeof setTimeout>
  /** Sent on the current socket (its answer is lost if the socket drops) or still queued. */
  sent: boolean
  text: string
}

const OPEN = 1

const failure = (code: ApiError['code'], message: string) =>
  ({ ok: false, error: { code, message } }) as const

export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS
  const createSocket =
    options.createSocket ??
    ((url: string, protocols: string[]) => new WebSocket(url, protocols) as unknown as SocketLike)
  const protocols = options.token
    ? [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${options.token}`]
    : [WS_PROTOCOL]

  let status: TransportStatus = 'closed'
  let socket: SocketLike | null = null
  let attempt = 0
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null
  let disposed = false
  let nextId = 1
  const pending = new Map<number, Pending>()
  const statusListeners = new Set<(status: TransportStatus) => void>()
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>()

  const setStatus = (next: TransportStatus) => {
    if (next === status) return
    status = next
    for (const listener of [...statusListeners]) listener(next)
  }

  const settle = (id: number, envelope: unknown) => {
    const entry = pending.get(id)
    if (!entry) return
    pending.delete(id)
    clearTimeout(entry.timer)
    entry.resolve(envelope)
  }

  const flush = () => {
    if (!socket || socket.readyState !== OPEN) return
    for (const entry of pending.values()) {
      if (entry.sent) continue
      socket.send(entry.text)
      entry.sent = true
    }
  }

  const connect = () => {
    if (disposed || socket) return
    reconnectTimer = null
    // Refused stays said while the tries go on: the page's token will not change by itself.
    if (status !== 'refused') setStatus('connecting')
    let current: SocketLike
    try {
      current = createSocket(options.url, protocols)
    } catch {
      scheduleReconnect()
      return
    }
    socket = current
    let opened = false
    current.onopen = () => {
      opened = true
      if (socket !== current) return
      attempt = 0
      setStatus('open')
      flush()
    }
    current.onmessage = (event) => {
      if (socket !== current) return
      onMessage(event.data)
    }
    current.onerror = () => {
      // Always followed by close; nothing to do here.
    }
    current.onclose = () => {
      if (socket !== current) return
      socket = null
      // Requests already sent won't be answered on the next socket: the server may or may not
      // have run them, so say so rather than resend (a save must not happen twice).
      for (const [id, entry] of pending) {
        if (entry.sent)
          settle(
            id,
            failure(
              'InternalError',
              'the connection to the Eventscope server was lost before it answered',
            ),
          )
      }
      setStatus('closed')
      scheduleReconnect()
      if (!opened) void checkRefused()
    }
  }

  const checkRefused = async () => {
    const answer = await options.probe?.()
    if (disposed || socket?.readyState === OPEN) return
    if (answer === 401 || answer === 403) setStatus('refused')
  }

  const scheduleReconnect = () => {
    if (disposed || reconnectTimer) return
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt)
    attempt++
    // Jitter: many tabs reconnecting after a restart don't all arrive at once.
    reconnectTimer = setTimeout(connect, base / 2 + Math.random() * (base / 2))
  }

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      return
    }
    if (typeof message !== 'object' || message === null) return
    const record = message as Record<string, unknown>
    if (typeof record['id'] === 'number' && 'envelope' in record) {
      settle(record['id'], record['envelope'])
      return
    }
    if (typeof record['event'] === 'string') {
      for (const listener of [...(eventListeners.get(record['event']) ?? [])])
        listener(record['payload'])
    }
  }

  const transport: WebSocketTransport = {
    get status() {
      return status
    },
    invoke(method: MethodName, payload: unknown): Promise<unknown> {
      if (disposed)
        return Promise.resolve(
          failure('InternalError', 'the connection to the Eventscope server is closed'),
        )
      const id = nextId++
      let text: string
      try {
        text = JSON.stringify({ id, method, payload })
      } catch (error) {
        return Promise.resolve(
          failure('ValidationError', `the request could not be encoded: ${String(error)}`),
        )
      }
      // Refused here as the server would (it cannot answer a request it does not read): a UTF-8
      // character takes at most 3 bytes per UTF-16 unit, so short texts are not measured.
      if (text.length * 3 > MAX_REQUEST_BYTES) {
        const bytes = new TextEncoder().encode(text).length
        if (bytes > MAX_REQUEST_BYTES)
          return Promise.resolve(failure('ValidationError', requestTooLarge(bytes)))
      }
      return new Promise((resolve) => {
        const timer = setTimeout(
          () =>
            settle(
              id,
              failure(
                'InternalError',
                `no answer from the Eventscope server to ${method} within ${Math.round(timeoutMs / 1000)} s`,
              ),
            ),
          timeoutMs,
        )
        pending.set(id, { resolve, timer, sent: false, text })
        if (socket) flush()
        else if (reconnectTimer) {
          // The user is waiting for this answer: try now rather than at the end of the backoff.
          clearTimeout(reconnectTimer)
          reconnectTimer = null
          connect()
        } else connect()
      })
    },
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      let set = eventListeners.get(event)
      if (!set) eventListeners.set(event, (set = new Set()))
      const entry = (payload: unknown) => listener(payload)
      set.add(entry)
      // Pushed events need a connection even when no request has been made yet.
      if (!socket && !reconnectTimer) connect()
      return () => void set.delete(entry)
    },
    onStatus(listener) {
      statusListeners.add(listener)
      return () => void statusListeners.delete(listener)
    },
    close() {
      disposed = true
      if (reconnectTimer) clearTimeout(reconnectTimer)
      reconnectTimer = null
      const current = socket
      socket = null
      current?.close(1000, 'closed by the page')
      for (const id of [...pending.keys()])
        settle(id, failure('InternalError', 'the connection to the Eventscope server is closed'))
      setStatus('closed')
    },
  }
  return transport
}

/** `ws(s)://<host>/ws` for the page's location, and the token if the URL still carries one. */
export function webSocketTarget(location: Pick<Location, 'protocol' | 'host' | 'search'>): {
  url: string
  token: string | undefined
} {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const token = new URLSearchParams(location.search).get('token') ?? undefined
  return { url: `${scheme}://${location.host}/ws`, token: token || undefined }
}
