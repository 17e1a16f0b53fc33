/**
 * Which SQLite files `connect` may open. Always: the file's folder must already exist (Eventscope
 * never creates folders for a path it was sent), and the path must name a regular file or
 * nothing yet. Restricted (browser mode, the desktop app): only files under the app's data
 * folder, under the directories of an explicit allow-list (EVENTSCOPE_ALLOWED_PATHS), or files
 * granted one by one (the environment's EVENTSCOPE_SQLITE_PATH, a file the user picked in the
 * desktop app's system dialog). Symlinks and `..` are resolved before the check, and the
 * resolved path is what gets opened, so nothing escapes through a link.
 */
import { lstat, realpath, stat } from 'node:fs/promises'
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { ApiFailure } from './dispatch'

export interface SqlitePathPolicy {
  /** The canonical path to open (folders and links resolved); throws ApiFailure (ValidationError). */
  check(path: string): Promise<string>
  /** Allows this one file from now on (it still needs an existing folder). */
  grant(path: string): void
}

export interface SqlitePathPolicyOptions {
  /** Only the data folder, the allowed directories and granted files; false: any existing folder. */
  readonly restrict: boolean
  /** The app's data folder: always allowed. */
  readonly dataDir?: string
  /** More directories whose files (at any depth) are allowed. */
  readonly allowedDirectories?: readonly string[]
  /** Said after a refusal for being outside the allowed places: how to get there. */
  readonly outsideHint?: string
}

export function createSqlitePathPolicy(options: SqlitePathPolicyOptions): SqlitePathPolicy {
  const roots = [
    ...(options.dataDir === undefined ? [] : [options.dataDir]),
    ...(options.allowedDirectories ?? []),
  ].map((root) => resolve(root))
  const granted = new Set<string>()

  const isAllowed = async (target: string): Promise<boolean> => {
    for (const root of roots) {
      const realRoot = await realpath(root).catch(() => undefined)
      if (realRoot !== undefined && isInside(realRoot, target)) return true
    }
    for (const file of granted) {
      const canonical = await canonicalPath(file).catch(() => undefined)
      if (canonical === target) return true
    }
    return false
  }

  return {
    async check(path) {
      const target = await canonicalPath(path)
      if (options.restrict && !(await isAllowed(target))) {
        const places = roots.length > 0 ? roots.join(', ') : '(none)'
        throw refused(
          `${target} is outside the folders this app may open databases in (${places})` +
            (options.outsideHint ? `; ${options.outsideHint}` : ''),
        )
      }
      return target
    },
    grant(path) {
      granted.add(resolve(path))
    },
  }
}

/**
 * Grants the file of the store the environment or command line names: the operator's own choice,
 * like a file picked in a dialog. Both Eventscope's and a Python application's SQLite files count.
 */
export function grantConfiguredFile(
  policy: SqlitePathPolicy,
  connection: { readonly kind: string; readonly path?: string | undefined },
): void {
  if ((connection.kind === 'sqlite' || connection.kind === 'python-sqlite') && connection.path)
    policy.grant(connection.path)
}

/**
 * EVENTSCOPE_ALLOWED_PATHS: directories separated like PATH (`:` here, `;` on Windows); empty
 * entries are ignored, relative ones resolved against the working directory.
 */
export function parseAllowedPaths(text: string | undefined): string[] {
  return (text ?? '')
    .split(delimiter)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => resolve(entry))
}

/**
 * The real path of the file `path` names: its folder must exist (links and `..` resolved); the
 * file itself may be missing, or must be a regular file (a link to one is followed).
 */
export async function canonicalPath(path: string): Promise<string> {
  if (path.includes('\0')) throw refused('a file path cannot contain a NUL character')
  if (path.trim() === ':memory:' || /^file:/i.test(path.trim()))
    throw refused(
      `'${path.trim()}' is not a file path; pick the In-memory store for a throwaway one`,
    )
  const absolute = resolve(path)
  const name = basename(absolute)
  if (absolute.endsWith(sep) || name === '' || name === '.' || name === '..')
    throw refused(`${path} names a folder, not a database file`)
  const folder = dirname(absolute)
  let realFolder: string
  try {
    realFolder = await realpath(folder)
  } catch (error) {
    throw refused(
      codeOf(error) === 'ENOTDIR'
        ? `${folder} is not a folder`
        : `the folder ${folder} does not exist; Eventscope never creates folders: create it first or pick a file in an existing folder`,
    )
  }
  if (!(await stat(realFolder)).isDirectory()) throw refused(`${folder} is not a folder`)
  const candidate = join(realFolder, name)
  let entry
  try {
    entry = await lstat(candidate)
  } catch {
    return candidate // a new file, in an existing folder
  }
  let target = candidate
  if (entry.isSymbolicLink()) {
    try {
      target = await realpath(candidate)
      entry = await stat(target)
    } catch {
      throw refused(`${candidate} is a link to a file that does not exist`)
    }
  }
  if (entry.isDirectory()) throw refused(`${target} is a folder, not a database file`)
  if (!entry.isFile()) throw refused(`${target} is not a regular file`)
  return target
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

function refused(message: string): ApiFailure {
  return new ApiFailure({
    code: 'ValidationError',
    message: `Cannot use this SQLite file: ${message}`,
  })
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: unknown }).code as string | undefined
}
