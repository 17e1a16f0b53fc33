/**
 * The renderer's first paint does not need zod: the modules main.tsx reaches through static
 * value imports (what Vite puts in the initial JS) import neither zod nor the contract's schemas.
 * Those load in their own chunk (renderer/src/transport: loadValidator), in parallel at boot.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { RENDERER_SRC, parse } from './rendererSources'

const ROOT = resolve(RENDERER_SRC, '../..')
const ZOD_MODULES = ['shared/contract.ts', 'shared/schemas.ts', 'shared/settings.ts']

/** Value imports only: `import type` and dynamic import() are not in the initial chunk. */
function staticValueImports(file: ts.SourceFile): string[] {
  return file.statements.flatMap((statement) => {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) return []
    if (
      ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly : statement.isTypeOnly
    )
      return []
    const specifier = statement.moduleSpecifier
    return specifier && ts.isStringLiteral(specifier) ? [specifier.text] : []
  })
}

function resolveSource(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier)
  return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((path) => existsSync(path))
}

/** Every module (repo-relative) and package main.tsx reaches through static value imports. */
function initialGraph(): Set<string> {
  const seen = new Set<string>()
  const visit = (path: string): void => {
    const name = relative(ROOT, path)
    if (seen.has(name)) return
    seen.add(name)
    for (const specifier of staticValueImports(parse(path, readFileSync(path, 'utf8')))) {
      if (!specifier.startsWith('.')) seen.add(specifier)
      else if (!specifier.endsWith('.css')) {
        const next = resolveSource(path, specifier)
        if (next) visit(next)
      }
    }
  }
  visit(resolve(RENDERER_SRC, 'main.tsx'))
  return seen
}

describe('the first paint', () => {
  it('imports neither zod nor the contract schemas', () => {
    const graph = initialGraph()
    expect(graph.size).toBeGreaterThan(50)
    expect(graph.has('shared/client.ts')).toBe(true)
    const zodParts = [...graph].filter((name) => name === 'zod' || ZOD_MODULES.includes(name))
    expect(zodParts).toEqual([])
  })
})
