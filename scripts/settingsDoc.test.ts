/**
 * README.md's settings table lists every variable shared/settings.ts describes for users, and
 * no other: the table is made from the schema (scripts/settingsDoc.ts prints it).
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { documentedSettings, settingsTable } from './settingsDoc'

const README = resolve(dirname(fileURLToPath(import.meta.url)), '../README.md')
const SECTION = '## Settings (environment)'

/** The variables named in the first column of the section's first table (a row may name two). */
function tableVariables(markdown: string): string[] {
  const start = markdown.indexOf(SECTION)
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`)
  const lines = markdown.slice(start + SECTION.length).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'))
  // The header row and the separator row name no variable.
  const rows = first < 0 ? [] : lines.slice(first + 2, end < 0 ? undefined : end)
  return rows.flatMap((row) =>
    [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!),
  )
}

describe("the README's settings table", () => {
  it('lists every variable of the settings schema, and only those', () => {
    const documented = documentedSettings().map((spec) => spec.env)
    const listed = tableVariables(readFileSync(README, 'utf8'))
    const missing = documented.filter((env) => !listed.includes(env))
    const unknown = listed.filter((env) => !documented.includes(env))
    expect(
      { missing, unknown },
      `README.md's settings table is out of date; its text is \`npx tsx --tsconfig tsconfig.node.json scripts/settingsDoc.ts\`:\n${settingsTable()}\n`,
    ).toEqual({ missing: [], unknown: [] })
  })

  it('reads the variables of a table made from the schema, rows naming two included', () => {
    const table = `${SECTION}\n\n${settingsTable()}\n| \`A_1\`, \`B\` | x | y |\n\nText.\n| \`C\` | no | table |`
    expect(tableVariables(table)).toEqual([
      ...documentedSettings().map((spec) => spec.env),
      'A_1',
      'B',
    ])
  })

  it('has one row per documented variable, each with a meaning and a default', () => {
    const rows = settingsTable().split('\n').slice(2)
    expect(rows).toHaveLength(documentedSettings().length)
    for (const row of rows) expect(row).toMatch(/^\| `[A-Z][A-Z0-9_]*` \| [^|].* \| \S.* \|$/)
  })
})
