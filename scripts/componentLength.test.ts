/**
 * No function component in renderer/src is longer than MAX_LINES: a longer one is split into
 * smaller components. A component here is any function in a .tsx file that returns JSX.
 */
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { parse, rendererSources, where } from './rendererSources'

const MAX_LINES = 150

/** Whether `node` holds JSX outside any function nested in it. */
function hasJsx(node: ts.Node): boolean {
  if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node))
    return true
  if (ts.isFunctionLike(node)) return false
  return ts.forEachChild(node, hasJsx) ?? false
}

/** Whether one of the function's own return statements (or its expression body) is JSX. */
function returnsJsx(fn: ts.FunctionLikeDeclaration): boolean {
  const body = fn.body
  if (!body) return false
  if (!ts.isBlock(body)) return hasJsx(body)
  const visit = (node: ts.Node): boolean => {
    if (ts.isFunctionLike(node)) return false
    if (ts.isReturnStatement(node)) return node.expression ? hasJsx(node.expression) : false
    return ts.forEachChild(node, visit) ?? false
  }
  return ts.forEachChild(body, visit) ?? false
}

function nameOf(fn: ts.FunctionLikeDeclaration): string {
  if (fn.name) return fn.name.getText()
  const parent = fn.parent
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
    return parent.name.getText()
  return '(anonymous)'
}

export interface LongComponent {
  at: string
  name: string
  lines: number
}

export function longComponents(file: ts.SourceFile, max = MAX_LINES): LongComponent[] {
  const found: LongComponent[] = []
  const visit = (node: ts.Node): void => {
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node) ||
        ts.isMethodDeclaration(node)) &&
      returnsJsx(node)
    ) {
      const first = file.getLineAndCharacterOfPosition(node.getStart()).line
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line
      const lines = last - first + 1
      if (lines > max) found.push({ at: where(node), name: nameOf(node), lines })
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

describe('renderer components', () => {
  it(`are at most ${MAX_LINES} lines each`, () => {
    const files = rendererSources().filter((file) => file.fileName.endsWith('.tsx'))
    expect(files.length).toBeGreaterThan(30)
    expect(files.flatMap((file) => longComponents(file))).toEqual([])
  })

  it('the scan measures functions that return JSX, and only those', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i}`)
    const text = [
      'export function Long() {',
      ...body(3),
      '  return <div />',
      '}',
      'export const Arrow = () => (',
      '  <p>',
      '    x',
      '  </p>',
      ')',
      'function helper() {',
      ...body(4),
      '  return 1',
      '}',
      'function Outer() {',
      '  const inner = () => <span />',
      '  return null',
      '}',
    ].join('\n')
    expect(longComponents(parse('example.tsx', text), 4)).toEqual([
      { at: 'example.tsx:1', name: 'Long', lines: 6 },
      { at: 'example.tsx:7', name: 'Arrow', lines: 5 },
    ])
  })
})
