/**
 * The browser-mode server's limits on what one client may cost it: a request too large, a
 * frame past what ws buffers, and answers left unread.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { fakeHandlers } from '../../test/fakeHandlers'
import { MAX_MESSAGE_BYTES, startServer, type RunningServer } from './server'
import { connect, TOKEN } from './serverTesting'

const { handlers } = fakeHandlers()

describe('browser-mode server limits', () => {
  let base: string
  let staticDir: string
  let server: RunningServer

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'eventscope-serve-limits-'))
    staticDir = join(base, 'renderer')
    await mkdir(staticDir, { recursive: true })
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Eventscope</title>')
    server = await startServer({ port: 0, handlers, staticDir, token: TOKEN, log: () => {} })
  })

  afterAll(async () => {
    await server.close()
    await rm(base, { recursive: true, force: true })
  })

  it('answers an oversized message with an error, and closes (1009) on a huge one; the server stays up', async () => {
    const socket = await connect(server)
    const big = JSON.stringify({
      id: 4,
      method: 'preview',
      payload: {
        type: 'example#ExampleAggregateRoot',
        expectedVersion: -1,
        commands: [{ name: 'create', params: { foo: 'x'.repeat(MAX_MESSAGE_BYTES) } }],
      },
    })
    expect(await socket.call(big)).toMatchObject({
      // Not parsed, but its id read from its head: the caller's request is the one refused.
      id: 4,
      envelope: {
        ok: false,
        error: { code: 'ValidationError', message: expect.stringMatching(/too large/) },
      },
    })
    expect(await socket.call({ id: 5, method: 'getConnection', payload: {} })).toMatchObject({
      id: 5,
      envelope: { ok: true },
    })
    socket.ws.send('x'.repeat(9 * MAX_MESSAGE_BYTES))
    expect(await socket.closed).toBe(1009)
    const again = await connect(server)
    expect(await again.call({ id: 6, method: 'getConnection', payload: {} })).toMatchObject({
      id: 6,
      envelope: { ok: true },
    })
    again.ws.close()
  })

  it('cuts off a client that leaves its answers unread past the limit; the others go on', async () => {
    const logged: string[] = []
    const small = await startServer({
      handlers,
      staticDir,
      token: TOKEN,
      log: (line) => logged.push(line),
      maxUnreadBytes: 4 * 1024 * 1024,
    })
    try {
      const stalled = await connect(small)
      const reading = await connect(small)
      // Stops reading its TCP socket: what the server sends piles up in the kernel, then in ws.
      ;(stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause()
      const payload = { entries: ['x'.repeat(512 * 1024)] } as unknown as Parameters<
        typeof small.broadcast<'changes'>
      >[1]
      for (let i = 0; i < 200 && stalled.ws.readyState === WebSocket.OPEN; i++) {
        small.broadcast('changes', payload)
        await new Promise((r) => setTimeout(r, 5))
      }
      ;(stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume()
      expect(await stalled.closed).toBe(1006)
      expect(
        logged.some((l) => /cut off a WebSocket client that left \d+ bytes unread/.test(l)),
      ).toBe(true)
      // The client that read its share is still connected; a new one is answered.
      expect(reading.ws.readyState).toBe(WebSocket.OPEN)
      reading.ws.close()
      const later = await connect(small)
      expect(await later.call({ id: 7, method: 'getConnection', payload: {} })).toMatchObject({
        id: 7,
        envelope: { ok: true },
      })
      later.ws.close()
    } finally {
      await small.close()
    }
  })
})
