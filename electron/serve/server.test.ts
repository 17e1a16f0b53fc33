import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { methodNames } from '../../shared/contract'
import { fakeConnectionInfo as connectionInfo, fakeHandlers } from '../../test/fakeHandlers'
import { startServer, type RunningServer } from './server'
import { auth, connect, TOKEN } from './serverTesting'

const { handlers, called } = fakeHandlers()

interface HttpResult {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** node:http rather than fetch: fetch won't send a raw `..` path or a foreign Host header. */
function get(
  server: RunningServer,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method,
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('browser-mode server', () => {
  let base: string
  let staticDir: string
  let server: RunningServer

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'eventscope-serve-'))
    staticDir = join(base, 'renderer')
    await mkdir(join(staticDir, 'assets'), { recursive: true })
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Eventscope</title>')
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("app")')
    await writeFile(join(staticDir, 'assets', 'app.css'), 'body{}')
    await writeFile(join(staticDir, '.env'), 'SECRET=1')
    await writeFile(join(base, 'secret.txt'), 'top secret')
    await symlink(join(base, 'secret.txt'), join(staticDir, 'assets', 'link.txt'))
    server = await startServer({ port: 0, handlers, staticDir, token: TOKEN, log: () => {} })
  })

  afterAll(async () => {
    await server.close()
    await rm(base, { recursive: true, force: true })
  })

  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`)
    expect(server.token).toBe(TOKEN)
  })

  it('makes up a random base64url token of 24 bytes when given none, and refuses non-loopback hosts', async () => {
    const other = await startServer({ handlers, staticDir, log: () => {} })
    try {
      expect(other.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
      expect(other.token).not.toBe(TOKEN)
    } finally {
      await other.close()
    }
    await expect(startServer({ handlers, staticDir, host: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })

  describe('HTTP', () => {
    it('refuses a request without a token (401) or with a wrong one (403), without detail', async () => {
      const none = await get(server, '/')
      expect(none.status).toBe(401)
      expect(none.body.trim()).toBe('Unauthorized')
      expect(
        (await get(server, '/', { authorization: 'Bearer wrong-token-0123456789' })).status,
      ).toBe(403)
      expect((await get(server, '/?token=wrong')).status).toBe(403)
      expect(
        (await get(server, '/', { cookie: `eventscope_token_${server.port}=nope` })).status,
      ).toBe(403)
    })

    it('trades ?token= for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
      const first = await get(server, `/?token=${TOKEN}`)
      expect(first.status).toBe(303)
      expect(first.headers.location).toBe('/')
      const cookie = first.headers['set-cookie']?.[0] ?? ''
      expect(cookie).toContain(`eventscope_token_${server.port}=${TOKEN}`)
      expect(cookie).toMatch(/HttpOnly/)
      expect(cookie).toMatch(/SameSite=Strict/)
      const next = await get(server, '/', { cookie: cookie.split(';')[0]! })
      expect(next.status).toBe(200)
      expect(next.body).toContain('<title>Eventscope</title>')
    })

    it('lets a stale cookie from an earlier run not lock the user out', async () => {
      const res = await get(server, '/', {
        cookie: `eventscope_token_${server.port}=old-token-from-yesterday`,
        ...auth,
      })
      expect(res.status).toBe(200)
    })

    it('answers a page load with a stale or no token with a page saying to open the printed address', async () => {
      const page = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }
      const cookieName = `eventscope_token_${server.port}`
      const stale = await get(server, '/', {
        ...page,
        cookie: `${cookieName}=old-token-0123456789`,
      })
      expect(stale.status).toBe(403)
      expect(stale.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(stale.body).toMatch(/<html lang="en">/)
      expect(stale.body).toMatch(/<title>Eventscope: [^<]+<\/title>/)
      expect(stale.body).toMatch(/<h1>[^<]+<\/h1>/)
      expect(stale.body).toContain('restarted')
      expect(stale.body).toContain(
        `Eventscope is running at http://127.0.0.1:${server.port}/?token=…`,
      )
      expect(stale.body).not.toContain(TOKEN)
      // Self-contained under the refusals' CSP: nothing inline that it would block.
      expect(stale.body).not.toMatch(/<script|<style|style=|<link|<img/i)
      expect(stale.headers['content-security-policy']).toBe("default-src 'none'")
      expect(stale.headers['x-frame-options']).toBe('DENY')
      expect(stale.headers['x-content-type-options']).toBe('nosniff')
      expect(stale.headers['cache-control']).toBe('no-store')
      // The stale cookie goes, so the next load with the new address starts clean.
      const cleared = stale.headers['set-cookie'] ?? []
      expect(cleared).toHaveLength(1)
      expect(cleared[0]).toMatch(new RegExp(`^${cookieName}=;`))
      expect(cleared[0]).toMatch(/Max-Age=0/)
      expect(cleared[0]).toMatch(/Path=\//)

      const none = await get(server, '/aggregates', page)
      expect(none.status).toBe(403)
      expect(none.body).toContain('Eventscope is running at')
      expect(none.headers['set-cookie']).toBeUndefined()
    })

    it('keeps the plain-text refusal for requests that are not a page load, or not about the token', async () => {
      const html = 'text/html'
      const stale = { cookie: `eventscope_token_${server.port}=old-token-0123456789` }
      for (const [what, headers, method, path, status] of [
        ['no Accept', stale, 'GET', '/', 403],
        ['a fetch', { ...stale, accept: '*/*' }, 'GET', '/', 403],
        ['the page asking for itself', { ...stale, accept: html }, 'HEAD', '/', 403],
        ['the WebSocket path', { ...stale, accept: html }, 'GET', '/ws', 403],
        ['a POST', { ...stale, accept: html }, 'POST', '/', 403],
        ['no token, a fetch', { accept: '*/*' }, 'GET', '/', 401],
        [
          'a foreign Origin',
          { ...auth, accept: html, origin: 'http://evil.example' },
          'GET',
          '/',
          403,
        ],
      ] as const) {
        const res = await get(server, path, headers, method)
        expect(res.status, what).toBe(status)
        expect(res.headers['content-type'], what).toBe('text/plain; charset=utf-8')
        expect(res.headers['set-cookie'], what).toBeUndefined()
      }
    })

    it('refuses a foreign Host (DNS rebinding) with 421, and accepts localhost', async () => {
      for (const host of [
        'evil.example',
        `evil.example:${server.port}`,
        '127.0.0.1:1',
        `127.0.0.1.nip.io:${server.port}`,
      ]) {
        const res = await get(server, '/', { ...auth, host })
        expect(res.status, host).toBe(421)
      }
      expect((await get(server, '/', { ...auth, host: `localhost:${server.port}` })).status).toBe(
        200,
      )
    })

    it('refuses a foreign Origin or a cross-site fetch with 403', async () => {
      expect((await get(server, '/', { ...auth, origin: 'http://evil.example' })).status).toBe(403)
      expect(
        (await get(server, '/', { ...auth, origin: `http://localhost:${server.port}` })).status,
      ).toBe(403)
      expect((await get(server, '/', { ...auth, 'sec-fetch-site': 'cross-site' })).status).toBe(403)
      expect(
        (await get(server, '/', { ...auth, origin: `http://127.0.0.1:${server.port}` })).status,
      ).toBe(200)
    })

    it('serves the renderer with content types, a CSP and no sniffing', async () => {
      const index = await get(server, '/', auth)
      expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
      const csp = String(index.headers['content-security-policy'])
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`)
      expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/)
      expect(index.headers['x-content-type-options']).toBe('nosniff')
      const js = await get(server, '/assets/app.js', auth)
      expect(js.status).toBe(200)
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect(js.body).toBe('console.log("app")')
      expect((await get(server, '/assets/app.css', auth)).headers['content-type']).toBe(
        'text/css; charset=utf-8',
      )
      // Hashed build assets are kept by the browser; the page that names them never is.
      expect(js.headers['cache-control']).toBe('private, max-age=31536000, immutable')
      expect(index.headers['cache-control']).toBe('no-store')
      const head = await get(server, '/index.html', auth, 'HEAD')
      expect(head.status).toBe(200)
      expect(head.body).toBe('')
    })

    it('refuses ../ traversal, encoded or not, symlinks out, dotfiles and directory listings', async () => {
      for (const path of [
        '/../secret.txt',
        '/assets/../../secret.txt',
        '/%2e%2e/secret.txt',
        '/assets/%2e%2e/%2e%2e/secret.txt',
        '/assets/..%2f..%2fsecret.txt',
        '/..%5csecret.txt',
        '/%2e%2e%5csecret.txt',
        '/assets/link.txt',
        '/.env',
        '/assets/',
        '/assets',
        '/%00index.html',
        '/%E0%A4%A',
      ]) {
        const res = await get(server, path, auth)
        expect(res.status, path).toBe(404)
        expect(res.body).not.toContain('top secret')
      }
    })

    it('answers only GET and HEAD', async () => {
      expect((await get(server, '/', auth, 'POST')).status).toBe(405)
      expect((await get(server, '/', auth, 'DELETE')).status).toBe(405)
    })

    it('says to run npm run build when out/renderer is missing', async () => {
      const bare = await startServer({
        handlers,
        staticDir: join(base, 'missing'),
        token: TOKEN,
        log: () => {},
      })
      try {
        const res = await get(bare, '/', auth)
        expect(res.status).toBe(503)
        expect(res.body).toContain('npm run build')
        expect((await get(bare, '/')).status).toBe(401)
      } finally {
        await bare.close()
      }
    })
  })

  describe('WebSocket', () => {
    const refusal = (options: Parameters<typeof connect>[1]) =>
      connect(server, options).then(
        () => 'accepted',
        (e: Error) => e.message,
      )

    it('refuses an upgrade without a token, with a wrong one, a foreign Host or Origin', async () => {
      expect(await refusal({ headers: {} })).toBe('refused: 401')
      expect(await refusal({ headers: { authorization: 'Bearer wrong-token-0123456789' } })).toBe(
        'refused: 403',
      )
      expect(await refusal({ headers: { ...auth, host: `evil.example:${server.port}` } })).toBe(
        'refused: 421',
      )
      expect(await refusal({ headers: { ...auth, origin: 'http://evil.example' } })).toBe(
        'refused: 403',
      )
    })

    it('refuses an upgrade that does not offer the app subprotocol, however good its token', async () => {
      expect(await refusal({ protocols: [] })).toBe('refused: 400')
      expect(await refusal({ protocols: ['chat', 'eventscope-not'] })).toBe('refused: 400')
      expect(await refusal({ headers: {}, protocols: [`eventscope.token.${TOKEN}`] })).toBe(
        'refused: 400',
      )
      const accepted = await connect(server, { protocols: ['chat', 'eventscope'] })
      expect(accepted.ws.protocol).toBe('eventscope')
      accepted.ws.close()
    })

    it('accepts the token as a subprotocol, a query parameter or the cookie', async () => {
      const viaProtocol = await connect(server, {
        headers: {},
        protocols: ['eventscope', `eventscope.token.${TOKEN}`],
      })
      expect(viaProtocol.ws.protocol).toBe('eventscope') // the token is never echoed back
      viaProtocol.ws.close()
      const viaQuery = await connect(server, { headers: {}, query: `?token=${TOKEN}` })
      viaQuery.ws.close()
      const viaCookie = await connect(server, {
        headers: {
          cookie: `eventscope_token_${server.port}=${TOKEN}`,
          origin: `http://127.0.0.1:${server.port}`,
        },
      })
      viaCookie.ws.close()
    })

    it('round-trips a call through dispatch', async () => {
      const socket = await connect(server)
      expect(await socket.call({ id: 1, method: 'getConnection', payload: {} })).toEqual({
        id: 1,
        envelope: { ok: true, value: connectionInfo },
      })
      expect(
        await socket.call({ id: 'b', method: 'listAggregates', payload: { limit: 5 } }),
      ).toEqual({
        id: 'b',
        envelope: { ok: true, value: { echoed: { limit: 5, order: 'recent', from: 'start' } } },
      })
      socket.ws.close()
    })

    it('pushes broadcast events to every client', async () => {
      const a = await connect(server)
      const b = await connect(server)
      server.broadcast('connection', connectionInfo)
      expect(await a.next()).toEqual({ event: 'connection', payload: connectionInfo })
      expect(await b.next()).toEqual({ event: 'connection', payload: connectionInfo })
      a.ws.close()
      b.ws.close()
    })

    it('answers malformed messages with a ValidationError and stays up', async () => {
      const socket = await connect(server)
      const bad = [
        '{not json',
        '',
        'null',
        '[]',
        '42',
        '{"method":"getConnection"}',
        '{"id":{},"method":"getConnection"}',
        `{"id":"${'x'.repeat(100)}"}`,
      ]
      for (const text of bad) {
        const reply = await socket.call(text)
        expect(reply, text).toMatchObject({
          envelope: { ok: false, error: { code: 'ValidationError' } },
        })
      }
      expect(await socket.call({ id: 2, method: 'nope', payload: {} })).toMatchObject({
        id: 2,
        envelope: {
          ok: false,
          error: { code: 'ValidationError', message: expect.stringMatching(/unknown method/) },
        },
      })
      socket.ws.send(Buffer.from([1, 2, 3]), { binary: true })
      expect(await socket.next()).toMatchObject({
        envelope: { ok: false, error: { code: 'ValidationError' } },
      })
      expect(await socket.call({ id: 3, method: 'getConnection', payload: {} })).toMatchObject({
        id: 3,
        envelope: { ok: true },
      })
      socket.ws.close()
    })

    it('fuzz: 200 random invalid requests all get ValidationError envelopes, and no handler runs', async () => {
      const random = mulberry32(20240601)
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
      const junk = (depth: number): unknown => {
        const choice = Math.floor(random() * (depth > 2 ? 5 : 8))
        switch (choice) {
          case 0:
            return null
          case 1:
            return random() < 0.5
          case 2:
            return Math.floor((random() - 0.5) * 2 ** 40) / (random() < 0.5 ? 1 : 7)
          case 3:
            return Array.from({ length: Math.floor(random() * 40) }, () =>
              String.fromCharCode(Math.floor(random() * 0x3000)),
            ).join('')
          case 4:
            return pick([
              '',
              'id',
              '../../etc/passwd',
              '__proto__',
              'constructor',
              '0'.repeat(36),
              '<script>',
              '\u0000',
            ])
          case 5:
            return Array.from({ length: Math.floor(random() * 4) }, () => junk(depth + 1))
          default: {
            const object: Record<string, unknown> = {}
            for (let i = Math.floor(random() * 4); i > 0; i--)
              object[
                pick(['id', 'limit', 'kind', 'expectedVersion', 'version', 'at', 'taskId', 'foo'])
              ] = junk(depth + 1)
            return object
          }
        }
      }
      /** Never valid: a non-object, or an object with a key no (strict) request schema allows. */
      const invalidPayload = (n: number): unknown => {
        const value = junk(0)
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          return { ...value, [`fuzz${n}`]: junk(1) }
        return value
      }
      const socket = await connect(server)
      const before = called.length
      for (let n = 0; n < 200; n++) {
        const method =
          random() < 0.85
            ? pick(methodNames)
            : pick(['', 'constructor', '__proto__', 'toString', 'getConnectionX', 'eval'])
        const reply = await socket.call({ id: n, method, payload: invalidPayload(n) })
        expect(reply, `request ${n} to ${method}`).toMatchObject({
          id: n,
          envelope: { ok: false, error: { code: 'ValidationError' } },
        })
      }
      expect(called.length).toBe(before)
      expect(
        await socket.call({ id: 'alive', method: 'getConnection', payload: {} }),
      ).toMatchObject({ envelope: { ok: true } })
      socket.ws.close()
    })
  })
})

/** A small seeded PRNG so that a fuzz failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
