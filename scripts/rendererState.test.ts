/**
 * The renderer keeps no state at module level: what changes at runtime lives in zustand stores,
 * React state or a store's own closure, so nothing survives where a fresh app expects none.
 * Flags a module-level `let` or `var`, and a module-level Map/Set/WeakMap/WeakSet that the module
 * itself changes (a constant lookup Set is fine, and so is a memo cache named in CACHES).
 */
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { parse, rendererSources, where } from './rendererSources'

const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet'])
/** Memo caches of immutable values: they change no behaviour, so they are not state. */
const CACHES = new Set(['lib/format.ts formatters'])
const MUTATORS = new Set(['set', 'add', 'delete', 'clear'])

export function moduleLevelState(file: ts.SourceFile): string[] {
  const found: string[] = []
  const collections = new Set<string>()
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue
    const flags = statement.declarationList.flags
    const keyword = flags & ts.NodeFlags.Let ? 'let' : flags & ts.NodeFlags.Const ? 'const' : 'var'
    for (const declaration of statement.declarationList.declarations) {
      const name = declaration.name.getText(file)
      if (keyword !== 'const') found.push(`${where(declaration)} ${keyword} ${name}`)
      const init = declaration.initializer
      const cache = CACHES.has(`${file.fileName} ${name}`)
      if (init && ts.isNewExpression(init) && COLLECTIONS.has(init.expression.getText(file)))
        if (!cache) collections.add(name)
    }
  }
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      MUTATORS.has(node.expression.name.text) &&
      collections.has(node.expression.expression.getText(file))
    )
      found.push(`${where(node)} changes ${node.expression.getText(file)}`)
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

describe('renderer/src', () => {
  it('declares no module-level let or var and changes no module-level collection', () => {
    const files = rendererSources()
    expect(files.length).toBeGreaterThan(50)
    expect(files.flatMap(moduleLevelState)).toEqual([])
  })

  it('the scan catches module-level state and lets closures and constants be', () => {
    const text = [
      'let count = 0',
      'var legacy = 1',
      'export let exported: string | null = null',
      'const seen = new Map<string, number>()',
      'const FIXED = new Set(["a"])',
      'export function f() { let local = 1; seen.set("x", local); return FIXED.has("a") }',
      'export const store = create(() => { let inClosure = 0; const own = new Set(); own.add(inClosure); return {} })',
    ].join('\n')
    expect(moduleLevelState(parse('example.ts', text))).toEqual([
      'example.ts:1 let count',
      'example.ts:2 var legacy',
      'example.ts:3 let exported',
      'example.ts:6 changes seen.set',
    ])
  })
})
