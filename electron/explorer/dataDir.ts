/**
 * Browser mode's data folder, where its default SQLite file lives. `npm run serve` and
 * `npm run seed` both find it here, so with the same environment they open the same store.
 */
import { chmod, mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { readSetting, type Env } from './settings'

export interface DataDir {
  /** The folder, absolute. */
  readonly path: string
  /** Named by EVENTSCOPE_DATA_DIR (the user's folder), not the default `.eventscope/`. */
  readonly chosen: boolean
}

/** EVENTSCOPE_DATA_DIR, or `.eventscope/` under `cwd`. */
export function browserDataDir(env: Env, cwd: string): DataDir {
  const chosen = readSetting(env, 'dataDir')
  return { path: resolve(cwd, chosen || '.eventscope'), chosen: Boolean(chosen) }
}

/** Creates the folder private to the user (0700) if missing. */
export async function createDataDir(dir: DataDir): Promise<void> {
  await mkdir(dir.path, { recursive: true, mode: 0o700 })
  // `.eventscope/` is ours alone: tighten one an older version made 0755. A folder the user
  // named keeps the mode they gave it.
  if (!dir.chosen) await chmod(dir.path, 0o700)
}
