/**
 * The README's settings table, made from shared/settings.ts (every setting described once):
 * `npx tsx --tsconfig tsconfig.node.json scripts/settingsDoc.ts` prints it, formatted as
 * prettier formats README.md. settingsDoc.test.ts fails when README.md's table misses a
 * variable of the schema or names one the schema does not know.
 */
import { fileURLToPath } from 'node:url'
import { format } from 'prettier'
import { SETTINGS, settingNames, type SettingSpec } from '../shared/settings'

/** The settings a user sets (those for the project's own tests left out), in the schema's order. */
export function documentedSettings(): SettingSpec[] {
  return settingNames.map((name): SettingSpec => SETTINGS[name]).filter((spec) => !spec.internal)
}

/** The table as markdown, one row per variable. */
export function settingsTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|')
  return [
    '| variable | meaning | default |',
    '| --- | --- | --- |',
    ...documentedSettings().map(
      (spec) => `| \`${spec.env}\` | ${cell(spec.doc)} | ${cell(spec.defaultDoc)} |`,
    ),
  ].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(await format(settingsTable(), { parser: 'markdown', printWidth: 100 }))
}
