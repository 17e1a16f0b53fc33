/**
 * Keeps renderer/src/features from importing each other sideways: a file under features/X may
 * import its own folder, ui/, lib/, stores/, transport/, api.ts, testing/ and shared/, never
 * features/Y. Only the composition roots below place other features' panels; App.tsx is outside
 * features/ and free to.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../renderer/src')
const FEATURES = join(SRC, 'features')

/** Features whose job is to place other features' panels: the app shell and the workspace. */
const COMPOSITION_ROOTS = new Set(['shell', 'workspace'])

/** Static imports, re-exports, side-effect imports (CSS) and dynamic import(). */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : []
  })
}

/** The feature folder a path lies in, or undefined outside features/. */
function featureOf(path: string): string | undefined {
  const rel = relative(FEATURES, path)
  if (rel.startsWith('..')) return undefined
  return rel.split(sep)[0]
}

export interface SidewaysImport {
  file: string
  specifier: string
}

export function sidewaysImports(file: string, text: string): SidewaysImport[] {
  const own = featureOf(file)
  if (own === undefined || COMPOSITION_ROOTS.has(own)) return []
  const found: SidewaysImport[] = []
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? ''
    if (!specifier.startsWith('.')) continue
    const target = featureOf(resolve(dirname(file), specifier))
    if (target !== undefined && target !== own) {
      found.push({ file: relative(SRC, file), specifier })
    }
  }
  return found
}

describe('feature folders', () => {
  it('import no other feature, except from a composition root', () => {
    const files = sourceFiles(FEATURES)
    expect(files.length).toBeGreaterThan(20)
    const sideways = files.flatMap((file) => sidewaysImports(file, readFileSync(file, 'utf8')))
    expect(sideways).toEqual([])
  })

  it('the scan catches sideways imports of every form, and allows the rest', () => {
    const file = join(FEATURES, 'tasks', 'SeedButton.tsx')
    const text = [
      "import { ErrorAlert } from '../commands/ErrorAlert'",
      "import '../verify/verify.css'",
      "const lazy = import('../diff/DiffPanel')",
      "export { x } from '../../features/timeline/Timeline'",
      "import { ModalDialog } from '../../ui/ModalDialog'",
      "import { useApi } from '../../service'",
      "import './tasks.css'",
      "import { useState } from 'react'",
    ].join('\n')
    expect(sidewaysImports(file, text).map((s) => s.specifier)).toEqual([
      '../commands/ErrorAlert',
      '../verify/verify.css',
      '../diff/DiffPanel',
      '../../features/timeline/Timeline',
    ])
    const root = join(FEATURES, 'workspace', 'AggregateView.tsx')
    expect(sidewaysImports(root, "import { Timeline } from '../timeline/Timeline'")).toEqual([])
  })
})
