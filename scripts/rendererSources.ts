/** The renderer's own source files (not tests), parsed with the TypeScript compiler API. */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const RENDERER_SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../renderer/src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    const source = /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')
    return source && !/\.test\.tsx?$/.test(entry.name) ? [path] : []
  })
}

export function parse(name: string, text: string): ts.SourceFile {
  const kind = name.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS
  return ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, kind)
}

/** Every non-test .ts/.tsx file under renderer/src, named relative to it. */
export function rendererSources(): ts.SourceFile[] {
  return sourceFiles(RENDERER_SRC).map((path) =>
    parse(relative(RENDERER_SRC, path), readFileSync(path, 'utf8')),
  )
}

/** `file:line` of a node, for messages. */
export function where(node: ts.Node): string {
  const file = node.getSourceFile()
  return `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
}
