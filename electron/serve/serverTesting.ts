/**
 * What the browser-mode server's tests share: the token they start it with, and a WebSocket
 * client that sends a message and waits for the next reply.
 */
import { WebSocket } from 'ws'
import type { RunningServer } from './server'

export const TOKEN = 'test-token-0123456789abcdef'

export const auth = { authorization: `Bearer ${TOKEN}` }

export interface Socket {
  ws: WebSocket
  /** Sends `message` (an object is JSON-encoded) and resolves with the next reply. */
  call(message: unknown): Promise<Record<string, unknown>>
  next(): Promise<Record<string, unknown>>
  closed: Promise<number>
}

export function connect(
  server: RunningServer,
  options: { headers?: Record<string, string>; protocols?: string[]; query?: string } = {},
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${server.port}/ws${options.query ?? ''}`,
      options.protocols ?? ['eventscope'],
      {
        headers: options.headers ?? auth,
      },
    )
    const inbox: Record<string, unknown>[] = []
    const waiting: ((m: Record<string, unknown>) => void)[] = []
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>
      const waiter = waiting.shift()
      if (waiter) waiter(message)
      else inbox.push(message)
    })
    const next = () =>
      new Promise<Record<string, unknown>>((r) =>
        inbox.length ? r(inbox.shift()!) : waiting.push(r),
      )
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)))
    ws.on('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)))
    ws.on('error', reject)
    ws.on('open', () =>
      resolve({
        ws,
        next,
        closed,
        call(message) {
          ws.send(typeof message === 'string' ? message : JSON.stringify(message))
          return next()
        },
      }),
    )
  })
}
