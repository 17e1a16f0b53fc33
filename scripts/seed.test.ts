/**
 * `npm run seed` writes to the store browser mode opens with the same environment: with
 * EVENTSCOPE_DATA_DIR set, the default SQLite file is the one in that folder, not `.eventscope/`.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const run = promisify(execFile)
const folders: string[] = []

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'eventscope-seed-'))
  folders.push(folder)
  return folder
}

describe('npm run seed', () => {
  it("seeds the SQLite file in EVENTSCOPE_DATA_DIR, as browser mode's default", async () => {
    const cwd = tempFolder()
    const dataDir = join(tempFolder(), 'data')
    // Only what the run needs: no store, path or module settings of the caller's shell.
    const env = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      EVENTSCOPE_DATA_DIR: dataDir,
    }
    const tsx = join(ROOT, 'node_modules/.bin/tsx')
    const seed = join(ROOT, 'scripts/seed.ts')
    const tsconfig = join(ROOT, 'tsconfig.node.json')
    await run(tsx, ['--tsconfig', tsconfig, seed, '--aggregates', '2', '--events', '2'], {
      cwd,
      env,
    })
    expect(existsSync(join(dataDir, 'eventscope.sqlite'))).toBe(true)
    expect(existsSync(join(cwd, '.eventscope'))).toBe(false)
  })
})
