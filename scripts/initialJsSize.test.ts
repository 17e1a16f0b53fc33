import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { formatInitialJs, initialJs, type BundleLike } from './initialJsSize'

const chunk = (code: string, imports: string[] = [], isEntry = false) =>
  ({ type: 'chunk', isEntry, imports, code }) as const

describe('initialJs', () => {
  it('sums the entry chunk and what it imports statically, not the lazy chunks', () => {
    const entry = 'import"./react.js";import"./shared.js";import("./lazy.js")'
    const bundle: BundleLike = {
      'index.js': chunk(entry, ['react.js', 'shared.js'], true),
      'react.js': chunk('export const react = 1', ['shared.js']),
      'shared.js': chunk('export const shared = "é"'),
      // Reached only by import(): loads when a tab opens, so it is no part of the first paint.
      'lazy.js': chunk('import"./shared.js";export default 1'.repeat(50), ['shared.js']),
      'index.css': { type: 'asset' },
    }
    const result = initialJs(bundle)
    expect(result.files).toEqual(['index.js', 'react.js', 'shared.js'])
    const codes = [entry, 'export const react = 1', 'export const shared = "é"']
    // Bytes, not characters: the é is two.
    expect(result.raw).toBe(codes.reduce((sum, code) => sum + code.length, 0) + 1)
    expect(result.gzip).toBe(
      codes.reduce((sum, code) => sum + gzipSync(Buffer.from(code), { level: 9 }).length, 0),
    )
  })

  it('survives an import cycle and reports a bundle without an entry as empty', () => {
    const cyclic: BundleLike = {
      'a.js': chunk('a', ['b.js'], true),
      'b.js': chunk('b', ['a.js']),
    }
    expect(initialJs(cyclic).files).toEqual(['a.js', 'b.js'])
    expect(initialJs({ 'x.js': chunk('x') })).toEqual({ files: [], raw: 0, gzip: 0 })
  })

  it('prints kilobytes, raw and gzip', () => {
    expect(formatInitialJs({ files: ['a.js', 'b.js'], raw: 391_234, gzip: 120_500 })).toBe(
      'initial JS: 391.23 kB (gzip 120.50 kB) in 2 chunks',
    )
  })
})
