import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ApiFailure } from './dispatch'
import {
  canonicalPath,
  createSqlitePathPolicy,
  grantConfiguredFile,
  parseAllowedPaths,
} from './sqlitePathPolicy'

// realpath: on some systems the temp folder itself is behind a link (macOS /var → /private/var).
const root = realpathSync(mkdtempSync(join(tmpdir(), 'eventscope-paths-')))
const dataDir = join(root, 'data')
const allowed = join(root, 'allowed')
const outside = join(root, 'outside')
for (const dir of [dataDir, allowed, outside]) mkdirSync(dir)

async function refusal(promise: Promise<unknown>): Promise<ApiFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ApiFailure)
  const failure = error as ApiFailure
  expect(failure.apiError.code).toBe('ValidationError')
  return failure
}

describe('any SQLite path', () => {
  test('given a file in a missing folder, then a ValidationError that says so, and nothing is created', async () => {
    const missing = join(root, 'no-such-folder', 'deeper', 'x.sqlite')
    const policy = createSqlitePathPolicy({ restrict: false })

    const failure = await refusal(policy.check(missing))

    expect(failure.message).toContain(
      `the folder ${join(root, 'no-such-folder', 'deeper')} does not exist`,
    )
    expect(failure.message).toMatch(/never creates folders/)
    expect(existsSync(join(root, 'no-such-folder'))).toBe(false)
  })

  test('given a file in an existing folder, then its absolute path, and nothing is created yet', async () => {
    const policy = createSqlitePathPolicy({ restrict: false })

    expect(await policy.check(join(outside, 'new.sqlite'))).toBe(join(outside, 'new.sqlite'))
    expect(existsSync(join(outside, 'new.sqlite'))).toBe(false)
  })

  test('given a folder, a file as folder, :memory: or a NUL, then each is refused', async () => {
    const aFile = join(root, 'a-file')
    writeFileSync(aFile, 'x')
    const policy = createSqlitePathPolicy({ restrict: false })

    expect((await refusal(policy.check(outside))).message).toMatch(/is a folder/)
    expect((await refusal(policy.check(join(aFile, 'x.sqlite')))).message).toMatch(/not a folder/)
    expect((await refusal(policy.check(':memory:'))).message).toMatch(/In-memory/)
    expect((await refusal(policy.check(`${outside}/x\0.sqlite`))).message).toMatch(/NUL/)
  })
})

describe('browser mode: the data folder only, unless an allow-list says more', () => {
  const browserPolicy = (allowedDirectories: string[] = []) =>
    createSqlitePathPolicy({ restrict: true, dataDir, allowedDirectories, outsideHint: 'hint' })

  test('given a file in the data folder or a subfolder of it, then it is accepted', async () => {
    mkdirSync(join(dataDir, 'sub'), { recursive: true })
    const policy = browserPolicy()

    expect(await policy.check(join(dataDir, 'a.sqlite'))).toBe(join(dataDir, 'a.sqlite'))
    expect(await policy.check(join(dataDir, 'sub', 'b.sqlite'))).toBe(
      join(dataDir, 'sub', 'b.sqlite'),
    )
  })

  test('given a file outside the data folder, then refused with where files may be and the hint', async () => {
    const failure = await refusal(browserPolicy().check(join(outside, 'x.sqlite')))

    expect(failure.message).toContain(`${join(outside, 'x.sqlite')} is outside`)
    expect(failure.message).toContain(dataDir)
    expect(failure.message).toContain('hint')
  })

  test('given an allow-list, then its folders are accepted and others still refused', async () => {
    const policy = browserPolicy(parseAllowedPaths(`${allowed}${delimiter}${delimiter} `))

    expect(await policy.check(join(allowed, 'x.sqlite'))).toBe(join(allowed, 'x.sqlite'))
    expect(await policy.check(join(dataDir, 'x.sqlite'))).toBe(join(dataDir, 'x.sqlite'))
    await refusal(policy.check(join(outside, 'x.sqlite')))
  })

  test('given `..` out of the data folder, then refused', async () => {
    await refusal(browserPolicy().check(join(dataDir, '..', 'outside', 'x.sqlite')))
    await refusal(browserPolicy().check(`${dataDir}/sub/../../outside/x.sqlite`))
  })

  test('given a folder link or a file link leading out of the data folder, then refused', async () => {
    symlinkSync(outside, join(dataDir, 'folder-link'))
    writeFileSync(join(outside, 'target.sqlite'), '')
    symlinkSync(join(outside, 'target.sqlite'), join(dataDir, 'file-link.sqlite'))
    symlinkSync(join(outside, 'missing.sqlite'), join(dataDir, 'dangling.sqlite'))
    const policy = browserPolicy()

    await refusal(policy.check(join(dataDir, 'folder-link', 'x.sqlite')))
    await refusal(policy.check(join(dataDir, 'file-link.sqlite')))
    expect((await refusal(policy.check(join(dataDir, 'dangling.sqlite')))).message).toMatch(
      /link to a file that does not exist/,
    )
  })

  test('given a link inside the data folder to a file inside it, then the real file is what opens', async () => {
    writeFileSync(join(dataDir, 'real.sqlite'), '')
    symlinkSync(join(dataDir, 'real.sqlite'), join(dataDir, 'alias.sqlite'))

    expect(await browserPolicy().check(join(dataDir, 'alias.sqlite'))).toBe(
      join(dataDir, 'real.sqlite'),
    )
  })

  test('given a granted file (the environment’s, or one picked in the system dialog), then it alone is accepted', async () => {
    const policy = browserPolicy()
    policy.grant(join(outside, 'granted.sqlite'))

    expect(await policy.check(join(outside, 'granted.sqlite'))).toBe(
      join(outside, 'granted.sqlite'),
    )
    expect(await policy.check(join(outside, '.', 'granted.sqlite'))).toBe(
      join(outside, 'granted.sqlite'),
    )
    await refusal(policy.check(join(outside, 'other.sqlite')))
  })

  test('given the configured store is a Python application’s SQLite file, then that file is granted like Eventscope’s own', async () => {
    const policy = browserPolicy()
    grantConfiguredFile(policy, { kind: 'python-sqlite', path: join(outside, 'app.sqlite') })
    grantConfiguredFile(policy, { kind: 'sqlite', path: join(outside, 'own.sqlite') })
    grantConfiguredFile(policy, { kind: 'python-postgres' })

    expect(await policy.check(join(outside, 'app.sqlite'))).toBe(join(outside, 'app.sqlite'))
    expect(await policy.check(join(outside, 'own.sqlite'))).toBe(join(outside, 'own.sqlite'))
    await refusal(policy.check(join(outside, 'other.sqlite')))
  })

  test('given an allowed folder that is a link, then files under its target are accepted', async () => {
    symlinkSync(allowed, join(root, 'allowed-link'))
    const policy = browserPolicy([join(root, 'allowed-link')])

    expect(await policy.check(join(allowed, 'y.sqlite'))).toBe(join(allowed, 'y.sqlite'))
  })
})

test('canonicalPath resolves relative paths against the working directory', async () => {
  expect(await canonicalPath('x.sqlite')).toBe(join(realpathSync(process.cwd()), 'x.sqlite'))
})
