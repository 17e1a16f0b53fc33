/**
 * Browser mode: the same UI over HTTP + WebSocket. Loopback only, one random token per run
 * required on every request and on the WebSocket upgrade, `Host` and `Origin` checked (DNS
 * rebinding, cross-site pages). The WebSocket carries the contract: `{id, method, payload}` in,
 * `{id, envelope}` out via `dispatch()`, and pushed `{event, payload}`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { EventName, EventOf, ExplorerHandlers } from '../../shared/contract'
import { MAX_REQUEST_BYTES, requestTooLarge } from '../../shared/contractBasics'
import { contentSecurityPolicy } from '../host/csp'
import { dispatch, refusal, type EnvelopeValue } from '../host/dispatch'
import {
  cacheControlFor,
  contentTypeFor,
  hasIndexHtml,
  resolveStaticFile,
} from '../host/staticFiles'
import { clearedCookie, isPageLoad, restartedPageHtml } from './restartedPage'

/** Requests above this size get an error reply; the connection stays open. */
export const MAX_MESSAGE_BYTES = MAX_REQUEST_BYTES
/** Frames above this size are refused by `ws` itself (close 1009) before they are buffered. */
const HARD_MAX_PAYLOAD = 8 * MAX_MESSAGE_BYTES
/** Requests one connection may have in flight; more get an error reply. */
const MAX_IN_FLIGHT = 64
/**
 * Replies and events a connection may leave unread: past it the client is not reading (a
 * request stops counting as in flight once its reply is queued), and it is cut off rather than
 * let the server's memory grow without bound. A page reading normally never comes near it.
 */
const MAX_UNREAD_BYTES = 64 * 1024 * 1024
/** The WebSocket subprotocol the client must offer; a token may ride along as `eventscope.token.<token>`. */
export const WS_PROTOCOL = 'eventscope'
export const WS_TOKEN_PROTOCOL_PREFIX = 'eventscope.token.'
export const WS_PATH = '/ws'

export interface ServerOptions {
  /** 0 picks a free port. */
  port?: number
  /** A loopback address: 127.0.0.1 (default) or ::1. */
  host?: string
  handlers: ExplorerHandlers
  /** The built renderer (`out/renderer`); may be missing: then a 503 page says how to build it. */
  staticDir: string
  /** Fixed token (tests); a random one per run otherwise. */
  token?: string
  log?: (message: string) => void
  /** Bytes a client may leave unread before it is cut off (default MAX_UNREAD_BYTES; tests). */
  maxUnreadBytes?: number
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string
  port: number
  token: string
  broadcast<E extends EventName>(event: E, payload: EventOf<E>): void
  close(): Promise<void>
}

type WireReply = { id: string | number | null; envelope: EnvelopeValue }
type Refusal = { status: 401 | 403 | 421; token?: true }

const LOOPBACK = new Set(['127.0.0.1', '::1'])
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,256}$/

export function generateToken(): string {
  return randomBytes(24).toString('base64url')
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host)) throw new Error(`browser mode listens on loopback only, not ${host}`)
  const token = options.token ?? generateToken()
  if (!TOKEN_SHAPE.test(token))
    throw new Error('the token must be 16-256 characters of [A-Za-z0-9_-]')
  const log = options.log ?? ((message: string) => console.warn(message))
  const hostInUrl = host === '::1' ? '[::1]' : host
  const maxUnread = options.maxUnreadBytes ?? MAX_UNREAD_BYTES
  const tokenDigest = digest(token)
  const tokenMatches = (candidate: string) => timingSafeEqual(digest(candidate), tokenDigest)

  let port = 0
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
  const cookieName = () => `eventscope_token_${port}` // cookies ignore ports: one name per server
  let csp = contentSecurityPolicy()

  /**
   * 'ok', or the status to refuse with; `token`: refused for its token alone (none, or another
   * run's). Host first: a rebound DNS name never gets further.
   */
  const check = (req: IncomingMessage, url: URL): 'ok' | Refusal => {
    const hostHeader = req.headers.host
    if (!hostHeader || !allowedHosts().has(hostHeader.toLowerCase())) return { status: 421 }
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${hostHeader.toLowerCase()}`)
      return { status: 403 }
    // A browser tells us when a request comes from another site, even without Origin.
    if (req.headers['sec-fetch-site'] === 'cross-site') return { status: 403 }
    const candidates = presentedTokens(req, url, cookieName())
    if (candidates.length === 0) return { status: 401, token: true }
    // Any one matching is enough: a stale cookie from an earlier run must not lock the user out.
    return candidates.some(tokenMatches) ? 'ok' : { status: 403, token: true }
  }

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      log(
        `eventscope: HTTP handler failed: ${error instanceof Error ? error.message : String(error)}`,
      )
      if (!res.headersSent) plain(res, 500, 'Internal Server Error')
      else res.destroy()
    })
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req.url)
    if (!url) return plain(res, 400, 'Bad Request')
    const verdict = check(req, url)
    if (verdict !== 'ok') {
      // A reload after a restart: a page saying what to open, not a bare "Forbidden".
      if (verdict.token && isPageLoad(req, url.pathname, WS_PATH)) return restarted(req, res)
      return plain(res, verdict.status, STATUS_TEXT[verdict.status])
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return plain(res, 405, 'Method Not Allowed')
    }
    if (url.pathname === WS_PATH) return plain(res, 426, 'Upgrade Required')

    const queryToken = url.searchParams.get('token')
    if (queryToken !== null) {
      // First page load: trade the URL token for a cookie and drop it from the address bar.
      res.setHeader('Set-Cookie', `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`)
      url.searchParams.delete('token')
      res.setHeader('Location', url.pathname + url.search)
      res.setHeader('Referrer-Policy', 'no-referrer')
      res.setHeader('Cache-Control', 'no-store')
      res.writeHead(303).end()
      return
    }

    if (!(await hasIndexHtml(options.staticDir))) return notBuilt(res, req.method === 'HEAD')
    const file = await resolveStaticFile(options.staticDir, url.pathname)
    if (!file) return plain(res, 404, 'Not Found')
    securityHeaders(res, csp)
    res.setHeader('Content-Type', contentTypeFor(file))
    res.setHeader('Cache-Control', cacheControlFor(url.pathname))
    if (req.method === 'HEAD') return void res.writeHead(200).end()
    res.writeHead(200)
    const stream = createReadStream(file)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }

  /** 403 with the page saying which address to open; a stale token cookie is cleared. */
  function restarted(req: IncomingMessage, res: ServerResponse): void {
    securityHeaders(res, "default-src 'none'")
    const name = cookieName()
    const presented = (req.headers.cookie ?? '')
      .split(';')
      .some((part) => part.split('=')[0]?.trim() === name)
    if (presented) res.setHeader('Set-Cookie', clearedCookie(name))
    res.writeHead(403, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(restartedPageHtml(`http://${hostInUrl}:${port}`))
  }

  // ---------------------------------------------------------------- WebSocket

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_MAX_PAYLOAD,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = parseUrl(req.url)
    if (!url || url.pathname !== WS_PATH) return refuseUpgrade(socket, 404)
    const verdict = check(req, url)
    if (verdict !== 'ok') {
      log(`eventscope: refused a WebSocket upgrade (${verdict.status})`)
      return refuseUpgrade(socket, verdict.status)
    }
    // Only our client: it always offers the app's subprotocol (a plain `new WebSocket(url)` does not).
    if (!offeredProtocols(req).includes(WS_PROTOCOL)) {
      log(`eventscope: refused a WebSocket upgrade without the '${WS_PROTOCOL}' subprotocol`)
      return refuseUpgrade(socket, 400)
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    let inFlight = 0
    ws.on('error', (error) => log(`eventscope: WebSocket error: ${error.message}`))
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const reply = (message: WireReply) => {
        if (ws.readyState !== WebSocket.OPEN) return
        let text: string
        try {
          text = JSON.stringify(message)
        } catch (error) {
          text = JSON.stringify({
            id: message.id,
            envelope: refusal(
              'InternalError',
              `the response could not be encoded: ${String(error)}`,
            ),
          })
        }
        sendOrCutOff(ws, text, log, maxUnread)
      }
      const size = rawSize(data)
      if (isBinary)
        return reply({ id: null, envelope: refusal('ValidationError', 'expected a text message') })
      if (size > MAX_MESSAGE_BYTES) {
        // Not parsed; its id read from its head, so that the caller's request is the one refused.
        return reply({
          id: leadingId(data),
          envelope: refusal('ValidationError', requestTooLarge(size)),
        })
      }
      let message: unknown
      try {
        message = JSON.parse(rawText(data))
      } catch {
        return reply({ id: null, envelope: refusal('ValidationError', 'malformed JSON') })
      }
      const request = parseRequest(message)
      if ('error' in request)
        return reply({ id: request.id, envelope: refusal('ValidationError', request.error) })
      if (inFlight >= MAX_IN_FLIGHT) {
        return reply({
          id: request.id,
          envelope: refusal(
            'ValidationError',
            `too many requests in flight (limit ${MAX_IN_FLIGHT})`,
          ),
        })
      }
      inFlight++
      void dispatch(options.handlers, request.method, request.payload)
        .then((envelope) => reply({ id: request.id, envelope }))
        .finally(() => inFlight--)
    })
  })

  // ---------------------------------------------------------------- lifecycle

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (error) => log(`eventscope: server error: ${error.message}`))
  port = (server.address() as AddressInfo).port
  csp = contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`])

  let closed: Promise<void> | undefined
  return {
    url: `http://${hostInUrl}:${port}/?token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      const text = JSON.stringify({ event, payload })
      for (const client of wss.clients)
        if (client.readyState === WebSocket.OPEN) sendOrCutOff(client, text, log, maxUnread)
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const client of wss.clients) client.close(1001, 'server shutting down')
        wss.close()
        server.close(() => resolve())
        // Browsers keep idle HTTP connections open; don't wait for them.
        server.closeAllConnections()
        setTimeout(() => {
          for (const client of wss.clients) client.terminate()
        }, 1000).unref()
      })
      return closed
    },
  }
}

// ---------------------------------------------------------------- helpers

const STATUS_TEXT = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  421: 'Misdirected Request',
} as const

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

function parseUrl(raw: string | undefined): URL | null {
  if (!raw || !raw.startsWith('/')) return null
  try {
    return new URL(raw, 'http://placeholder')
  } catch {
    return null
  }
}

function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
}

/** Every token the request presents (query, bearer header, cookie, WebSocket subprotocol). */
function presentedTokens(req: IncomingMessage, url: URL, cookieName: string): string[] {
  const found: string[] = []
  for (const value of url.searchParams.getAll('token')) found.push(value)
  const auth = req.headers.authorization
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth)
    if (match?.[1]) found.push(match[1])
  }
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === cookieName) found.push(part.slice(eq + 1).trim())
  }
  for (const trimmed of offeredProtocols(req)) {
    if (trimmed.startsWith(WS_TOKEN_PROTOCOL_PREFIX))
      found.push(trimmed.slice(WS_TOKEN_PROTOCOL_PREFIX.length))
  }
  return found
}

function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

/** A refusal with no detail beyond the status line. */
function plain(res: ServerResponse, status: number, text: string): void {
  securityHeaders(res, "default-src 'none'")
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  })
  res.end(`${text}\n`)
}

function notBuilt(res: ServerResponse, head: boolean): void {
  const body =
    '<!doctype html><meta charset="utf-8"><title>Eventscope: not built</title>' +
    '<h1>The Eventscope UI is not built</h1><p>Run <code>npm run build</code>, then reload this page.</p>\n'
  securityHeaders(res, "default-src 'none'")
  res.writeHead(503, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Retry-After': '10',
  })
  res.end(head ? undefined : body)
}

function refuseUpgrade(socket: Duplex, status: 400 | 401 | 403 | 404 | 421): void {
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    )
  }
  socket.destroy()
}

/** Sends, or cuts off a client that has left more than MAX_UNREAD_BYTES unread. */
function sendOrCutOff(
  ws: WebSocket,
  text: string,
  log: (line: string) => void,
  maxUnread: number,
): void {
  if (ws.bufferedAmount + text.length > maxUnread) {
    log(`eventscope: cut off a WebSocket client that left ${ws.bufferedAmount} bytes unread`)
    ws.terminate()
    return
  }
  ws.send(text)
}

/** The id of a request that starts `{"id":<digits>` (as the page writes them), else null. */
function leadingId(data: RawData): number | null {
  const first = Array.isArray(data) ? data[0] : data
  if (first === undefined) return null
  const head = (
    first instanceof ArrayBuffer ? Buffer.from(first, 0, 32) : first.subarray(0, 32)
  ).toString('latin1')
  const match = /^\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(head)
  return match ? Number(match[1]) : null
}

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0)
  return data instanceof ArrayBuffer ? data.byteLength : data.length
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8')
}

type ParsedRequest =
  | { id: string | number; method: unknown; payload: unknown }
  | { id: string | number | null; error: string }

/** The wire shape; the method and payload themselves are validated by `dispatch()`. */
function parseRequest(message: unknown): ParsedRequest {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { id: null, error: 'expected an object {id, method, payload}' }
  }
  const { id, method, payload } = message as Record<string, unknown>
  const validId =
    (typeof id === 'string' && id.length > 0 && id.length <= 64) ||
    (typeof id === 'number' && Number.isSafeInteger(id))
  if (!validId)
    return { id: null, error: 'expected an id: a string of 1-64 characters or an integer' }
  return { id: id as string | number, method, payload }
}
