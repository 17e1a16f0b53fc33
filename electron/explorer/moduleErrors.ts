/**
 * Where in a user module its failure happened, for the report beside the module (modules.ts).
 * V8 gives an ES module's SyntaxError no location at all ("Unexpected token '.'"), so the file is
 * parsed again with acorn, which names the line and column; a failure at run time is located
 * by the module's own frame in the stack.
 */
import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'acorn'

/** Larger files are not read again for a location: the message goes without one. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024
const MAX_EXCERPT = 120

/** `types.mjs line 3, column 6: "  api.foo("`, or undefined when the failure is not in the file. */
export function whereInModule(
  path: string,
  phase: 'import' | 'register',
  error: unknown,
): string | undefined {
  try {
    // Any import failure: the loader's error may not be a SyntaxError (a bundler's, in tests).
    return (phase === 'import' ? syntaxLocation(path) : undefined) ?? stackLocation(path, error)
  } catch {
    // Reading the file again failed (removed since, unreadable): no location, the message stays.
    return undefined
  }
}

function syntaxLocation(path: string): string | undefined {
  if (statSync(path).size > MAX_SOURCE_BYTES) return undefined
  const source = readFileSync(path, 'utf8')
  try {
    parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true })
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc
    if (loc) return describe(path, source, loc.line, loc.column + 1)
  }
  // The file parses: the SyntaxError is in a module it imports, or a syntax acorn accepts.
  return undefined
}

function stackLocation(path: string, error: unknown): string | undefined {
  const stack = (error as { stack?: unknown } | null)?.stack
  if (typeof stack !== 'string') return undefined
  // Node names an ES module's frames by file URL; some loaders (vitest's) by path.
  const name = [pathToFileURL(path).href, path].find((n) => stack.includes(`${n}:`))
  if (name === undefined) return undefined
  const match = /^:(\d+):(\d+)/.exec(stack.slice(stack.indexOf(`${name}:`) + name.length))
  if (!match) return undefined
  if (statSync(path).size > MAX_SOURCE_BYTES) return undefined
  return describe(path, readFileSync(path, 'utf8'), Number(match[1]), Number(match[2]))
}

function describe(path: string, source: string, line: number, column: number): string {
  const text = (source.split(/\r\n|\r|\n/)[line - 1] ?? '').trimEnd()
  const excerpt = text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT)}…` : text
  return `${basename(path)} line ${line}, column ${column}${excerpt.trim() ? `: ${JSON.stringify(excerpt)}` : ''}`
}
