/**
 * The renderer's initial JS: the module script that out/renderer/index.html loads plus every
 * chunk it preloads (`<link rel="modulepreload">`), minified as `electron-vite build` writes
 * them; lazily imported chunks are not counted. KB = 1,000 bytes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { atMost, ROOT, round, skipped, type BenchModule } from '../lib/harness'

const ROW = {
  id: 'bundle',
  label: 'renderer bundle, minified initial JS (KB)',
  goal: atMost(400, '≤ 400 KB'),
} as const

export const RENDERER_DIR = join(ROOT, 'out/renderer')

export function initialScripts(dir: string): string[] {
  const html = readFileSync(join(dir, 'index.html'), 'utf8')
  const found = new Set<string>()
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) found.add(m[1]!)
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g))
    found.add(m[1]!)
  return [...found].map((src) => join(dir, src.replace(/^\.?\//, '')))
}

export const bundleModule: BenchModule = {
  name: 'bundle',
  rows: [ROW.id],
  async run() {
    if (!existsSync(join(RENDERER_DIR, 'index.html')))
      return [skipped(ROW.id, ROW.label, ROW.goal, 'KB', 'no out/renderer (run: npm run build)')]
    const files = initialScripts(RENDERER_DIR)
    if (files.length === 0) throw new Error('out/renderer/index.html loads no module script')
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0)
    const gzip = files.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0)
    const all = readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8')
    return [
      {
        ...ROW,
        value: round(bytes / 1000, 1),
        unit: 'KB',
        figures: { initialJsBytes: bytes, initialJsGzipBytes: gzip, initialJsFiles: files.length },
        note: `${files.length} file(s) loaded by index.html${all.includes('modulepreload') ? ' incl. modulepreload' : ''}; gzip ${round(gzip / 1000, 1)} KB`,
      },
    ]
  },
}
