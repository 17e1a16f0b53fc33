import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

// A stand-in for electron: records what the window module asks of it; the real one never loads.
const openExternal = vi.fn(async () => {})
vi.mock('electron', () => ({
  BrowserWindow: class {},
  protocol: { registerSchemesAsPrivileged: vi.fn() },
  shell: { openExternal },
}))

const { hardenSession, hardenWebContents, isSafeExternalUrl, serveRenderer } =
  await import('./window')
const { createRendererUrlCheck } = await import('./rendererOrigin')

type Handler = (...args: unknown[]) => unknown

function fakeContents() {
  const listeners = new Map<string, Handler>()
  let openHandler: Handler | undefined
  const contents = {
    on(event: string, listener: Handler) {
      listeners.set(event, listener)
      return contents
    },
    setWindowOpenHandler(handler: Handler) {
      openHandler = handler
    },
  }
  const fire = (name: string, extra: Record<string, unknown> = {}) => {
    const event = { preventDefault: vi.fn(), ...extra }
    listeners.get(name)?.(event)
    return event.preventDefault.mock.calls.length > 0
  }
  return { contents, fire, open: (url: string) => openHandler?.({ url }) }
}

describe('isSafeExternalUrl', () => {
  it('allows plain http(s) links only', () => {
    expect(isSafeExternalUrl('https://github.com/eventsourcing')).toBe(true)
    expect(isSafeExternalUrl('http://example.com/')).toBe(true)
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com/',
      `https://x.example/${'a'.repeat(3000)}`,
      'garbage',
    ]) {
      expect(isSafeExternalUrl(url), url).toBe(false)
    }
  })
})

describe('hardenWebContents', () => {
  it('denies navigation, redirects and webviews', () => {
    const { contents, fire } = fakeContents()
    hardenWebContents(contents as never)
    expect(fire('will-navigate')).toBe(true)
    expect(fire('will-redirect')).toBe(true)
    expect(fire('will-attach-webview')).toBe(true)
    expect(fire('will-frame-navigate', { isMainFrame: false })).toBe(true)
  })

  it('denies every window.open, opening safe links in the browser', () => {
    const { contents, open } = fakeContents()
    hardenWebContents(contents as never)
    openExternal.mockClear()
    expect(open('https://example.com/docs')).toEqual({ action: 'deny' })
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' })
    expect(open('app://renderer/index.html')).toEqual({ action: 'deny' })
    expect(openExternal.mock.calls).toEqual([['https://example.com/docs']])
  })
})

describe('hardenSession', () => {
  function fakeSession() {
    const recorded: Record<string, Handler> = {}
    const session = {
      webRequest: { onHeadersReceived: (handler: Handler) => void (recorded['headers'] = handler) },
      setPermissionRequestHandler: (handler: Handler) => void (recorded['request'] = handler),
      setPermissionCheckHandler: (handler: Handler) => void (recorded['check'] = handler),
      setDevicePermissionHandler: (handler: Handler) => void (recorded['device'] = handler),
    }
    hardenSession(session as never, createRendererUrlCheck(undefined))
    return recorded
  }

  it('refuses every permission but clipboard writes from our page', () => {
    const h = fakeSession()
    const ours = { getURL: () => 'app://renderer/index.html' }
    const theirs = { getURL: () => 'https://evil.example/' }
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'clipboard-read',
      'fullscreen',
    ]) {
      const callback = vi.fn()
      h['request']!(ours, permission, callback)
      expect(callback, permission).toHaveBeenCalledWith(false)
      expect(h['check']!(ours, permission, 'app://renderer')).toBe(false)
    }
    const callback = vi.fn()
    h['request']!(theirs, 'clipboard-sanitized-write', callback)
    expect(callback).toHaveBeenCalledWith(false)
    expect(h['check']!(ours, 'clipboard-sanitized-write', 'app://renderer')).toBe(true)
    expect(h['device']!()).toBe(false)
  })

  it('puts the strict CSP on app:// responses, replacing any other, and leaves other URLs alone', () => {
    const h = fakeSession()
    const callback = vi.fn()
    h['headers']!(
      {
        url: 'app://renderer/index.html',
        responseHeaders: { 'content-security-policy': ['default-src *'] },
      },
      callback,
    )
    const headers = callback.mock.calls[0]![0].responseHeaders as Record<string, string[]>
    expect(Object.keys(headers)).toEqual(['Content-Security-Policy'])
    const csp = headers['Content-Security-Policy']![0]!
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/)
    const other = vi.fn()
    h['headers']!({ url: 'https://example.com/', responseHeaders: {} }, other)
    expect(other).toHaveBeenCalledWith({})
  })
})

describe('serveRenderer', () => {
  let root: string
  let handler: (request: { url: string; method: string }) => Promise<Response>

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'eventscope-app-protocol-'))
    root = join(base, 'renderer')
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html><title>ok</title>')
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(base, 'secret.txt'), 'secret')
    const session = {
      protocol: { handle: (_scheme: string, h: typeof handler) => void (handler = h) },
    }
    serveRenderer(session as never, root)
  })
  afterAll(async () => rm(join(root, '..'), { recursive: true, force: true }))

  it('serves files with their type and the CSP', async () => {
    const index = await handler({ url: 'app://renderer/', method: 'GET' })
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'")
    const js = await handler({ url: 'app://renderer/assets/app.js', method: 'GET' })
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await js.text()).toBe('console.log(1)')
  })

  it('refuses traversal, directories, other hosts and writes', async () => {
    for (const url of [
      'app://renderer/%2e%2e/secret.txt',
      'app://renderer/assets/..%2f..%2fsecret.txt',
      'app://renderer/assets/',
      'app://renderer/%2e%2e%5csecret.txt',
      'app://other/index.html',
    ]) {
      expect((await handler({ url, method: 'GET' })).status, url).toBe(404)
    }
    expect((await handler({ url: 'app://renderer/index.html', method: 'POST' })).status).toBe(405)
  })
})
