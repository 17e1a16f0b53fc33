/**
 * The renderer keeps no state at module level: server data lives in the query cache (made by
 * the app root), UI state in zustand hooks under stores/, the rest in React state or a closure,
 * so nothing survives where a fresh app expects none. The page's service (the API client and
 * its transport) is made by main.tsx and handed down through a context (service.tsx). Flags a module-level `let` or `var`, a
 * module-level Map/Set/WeakMap/WeakSet that the module itself changes (a constant lookup Set is
 * fine, and so is a memo cache named in CACHES), a module-level vanilla store (`createStore`,
 * a mutable variable by another name) or QueryClient, and a zustand hook outside stores/.
 */
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { parse, rendererSources, where } from './rendererSources'

const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet'])
/** Memo caches of immutable values: they change no behaviour, so they are not state. */
const CACHES = new Set([
  'lib/format.ts formatters',
  'lib/format.ts dateTimes',
  'ui/JsonTree.tsx childCounts',
])
const MUTATORS = new Set(['set', 'add', 'delete', 'clear'])

/** What a module-level initializer makes, when it makes a store or a cache of its own. */
function madeState(init: ts.Expression, file: ts.SourceFile): string | undefined {
  if (ts.isNewExpression(init) && init.expression.getText(file) === 'QueryClient')
    return 'a QueryClient'
  // `createStore<T>()(…)` and `createStore(…)`: the callee chain starts at createStore.
  let callee: ts.Expression = init
  while (ts.isCallExpression(callee)) callee = callee.expression
  const name = callee.getText(file)
  if (name === 'createStore') return 'a vanilla store'
  if (name === 'create' && !file.fileName.startsWith('stores/'))
    return 'a zustand hook outside stores/'
  return undefined
}

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
      const made = init && madeState(init, file)
      if (made) found.push(`${where(declaration)} ${name} is ${made}`)
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
  it('declares no module-level let, var, vanilla store or QueryClient, and changes no module-level collection', () => {
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
      'const hidden = createStore<{ n: number }>()(() => ({ n: 0 }))',
      'const client = new QueryClient()',
    ].join('\n')
    expect(moduleLevelState(parse('example.ts', text))).toEqual([
      'example.ts:1 let count',
      'example.ts:2 var legacy',
      'example.ts:3 let exported',
      'example.ts:7 store is a zustand hook outside stores/',
      'example.ts:8 hidden is a vanilla store',
      'example.ts:9 client is a QueryClient',
      'example.ts:6 changes seen.set',
    ])
  })
})
