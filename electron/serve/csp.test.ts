/**
 * The CSP in renderer/index.html's meta tag is as strict as the header both shells send
 * (electron/host/csp.ts' contentSecurityPolicy: the desktop app's app:// responses, browser mode's
 * HTTP responses). A meta tag cannot carry frame-ancestors (browsers ignore it there); the
 * header does.
 */
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fakeHandlers } from '../../test/fakeHandlers'
import { startServer } from './server'
import { contentSecurityPolicy } from '../host/csp'

const INDEX_HTML = join(__dirname, '../../renderer/index.html')
const META_ONLY_IGNORED = ['frame-ancestors']

type Policy = Map<string, string[]>

function parse(policy: string): Policy {
  const directives: Policy = new Map()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) directives.set(name.toLowerCase(), sources.sort())
  }
  return directives
}

function metaPolicy(html: string): string {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)
  if (!match?.[1]) throw new Error('no CSP meta tag in renderer/index.html')
  return match[1]
}

function withoutMetaIgnored(policy: Policy): Policy {
  return new Map([...policy].filter(([name]) => !META_ONLY_IGNORED.includes(name)))
}

describe('the renderer CSP', () => {
  const meta = parse(metaPolicy(readFileSync(INDEX_HTML, 'utf8')))

  it('the meta tag says exactly what the desktop header says (but frame-ancestors, header-only)', () => {
    expect(meta).toEqual(withoutMetaIgnored(parse(contentSecurityPolicy())))
    expect(parse(contentSecurityPolicy()).get('frame-ancestors')).toEqual(["'none'"])
  })

  it('the meta tag is at least as strict as browser mode’s header for index.html', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eventscope-csp-'))
    await writeFile(join(dir, 'index.html'), readFileSync(INDEX_HTML))
    const token = 'csp-test-token-0123456789'
    const server = await startServer({ handlers: fakeHandlers().handlers, staticDir: dir, token })
    try {
      const header = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/',
            headers: { authorization: `Bearer ${token}` },
          },
          (res) => {
            res.resume()
            resolve(String(res.headers['content-security-policy']))
          },
        )
        req.on('error', reject)
        req.end()
      })
      const served = parse(header)
      // The header names the server's own WebSocket besides 'self'; the meta allows 'self' only.
      expect(served.get('connect-src')).toEqual(
        ["'self'", `ws://127.0.0.1:${server.port}`, `ws://localhost:${server.port}`].sort(),
      )
      served.set('connect-src', ["'self'"])
      expect(meta).toEqual(withoutMetaIgnored(served))
    } finally {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
