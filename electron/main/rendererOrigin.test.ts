import { describe, expect, it, vi } from 'vitest'
import { createRendererUrlCheck, rendererDevServerUrl } from './rendererOrigin'

// The origin rules must load without the Electron binary: a stand-in that fails if reached.
vi.mock('electron', () => {
  throw new Error('rendererOrigin.ts must not import electron at runtime')
})

describe('createRendererUrlCheck', () => {
  it('trusts app://renderer, and the dev server only when there is one', () => {
    const prod = createRendererUrlCheck(undefined)
    expect(prod('app://renderer/index.html')).toBe(true)
    expect(prod('app://renderer/assets/x.js')).toBe(true)
    expect(prod('http://localhost:5173/')).toBe(false)
    const dev = createRendererUrlCheck('http://localhost:5173')
    expect(dev('http://localhost:5173/')).toBe(true)
    for (const url of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'app://other/index.html',
      'app://user:pw@renderer/',
      'file:///index.html',
      'not a url',
    ]) {
      expect(dev(url), url).toBe(false)
    }
  })
})

describe('rendererDevServerUrl', () => {
  const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173' }

  it('is the dev server electron-vite names, in an unpackaged app', () => {
    expect(rendererDevServerUrl(false, env)).toBe('http://localhost:5173')
    expect(rendererDevServerUrl(false, {})).toBeUndefined()
    expect(rendererDevServerUrl(false, { ELECTRON_RENDERER_URL: '' })).toBeUndefined()
  })

  it('is never trusted in a packaged app, whatever the environment says', () => {
    expect(rendererDevServerUrl(true, env)).toBeUndefined()
    expect(rendererDevServerUrl(true, { ELECTRON_RENDERER_URL: 'https://evil.example' })).toBe(
      undefined,
    )
  })
})
