/**
 * SQLite files through the service and the library, on real files: a path in a missing folder
 * is refused and creates nothing; what the app creates is private to the user.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { besidesNodeSqlite } from '../../test/sqliteRun'
import type { ConnectionInfo } from '../../shared/contract'
import { createSqliteStore, StoreUnavailable } from '../eventsourcing'
import { sqliteDriverFromEnv } from './storeEnv'
import { dispatch } from './dispatch'
import { ExplorerService } from './service'
import { createSqlitePathPolicy } from './sqlitePathPolicy'

const root = realpathSync(mkdtempSync(join(tmpdir(), 'eventscope-files-')))
const services: ExplorerService[] = []
afterAll(async () => {
  for (const service of services) await service.close()
})

function browserModeService(dataDir: string): ExplorerService {
  const service = new ExplorerService({
    emit: () => {},
    dataDir,
    cipherKey: undefined,
    sqlitePathPolicy: createSqlitePathPolicy({ restrict: true, dataDir }),
  })
  services.push(service)
  return service
}

const mode = (path: string) => statSync(path).mode & 0o777

describe('connect with a SQLite path', () => {
  test('given a path in a missing folder, then a clear ValidationError, nothing created, and the working connection kept', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    const service = browserModeService(dataDir)
    const first = await dispatch(service, 'connect', { kind: 'sqlite' })
    expect(first.ok).toBe(true)

    const missing = join(root, 'nonexistent-dir', 'x.sqlite')
    const envelope = await dispatch(service, 'connect', { kind: 'sqlite', path: missing })

    expect(envelope).toMatchObject({ ok: false, error: { code: 'ValidationError' } })
    const message = envelope.ok ? '' : envelope.error.message
    expect(message).toContain(`the folder ${join(root, 'nonexistent-dir')} does not exist`)
    expect(existsSync(join(root, 'nonexistent-dir'))).toBe(false)
    const info = await dispatch(service, 'getConnection', {})
    expect(info.ok && (info.value as ConnectionInfo).status).toBe('connected')
  })

  besidesNodeSqlite(() =>
    test('given a path outside the data folder in browser mode, then refused and not created', async () => {
      const dataDir = mkdtempSync(join(root, 'data-'))
      const outside = mkdtempSync(join(root, 'outside-'))

      const envelope = await dispatch(browserModeService(dataDir), 'connect', {
        kind: 'sqlite',
        path: join(outside, 'x.sqlite'),
      })

      expect(envelope).toMatchObject({ ok: false, error: { code: 'ValidationError' } })
      expect(readdirSync(outside)).toEqual([])
    }),
  )

  test('given a `..` path that ends inside the data folder, then the canonical path is opened and shown', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    mkdirSync(join(dataDir, 'sub'))

    const envelope = await dispatch(browserModeService(dataDir), 'connect', {
      kind: 'sqlite',
      path: join(dataDir, 'sub', '..', 'y.sqlite'),
    })

    expect(envelope.ok).toBe(true)
    const info = envelope.ok ? (envelope.value as ConnectionInfo) : undefined
    expect(info?.settings).toEqual({ kind: 'sqlite', path: join(dataDir, 'y.sqlite') })
    expect(existsSync(join(dataDir, 'y.sqlite'))).toBe(true)
  })
})

describe('the SQLite library', () => {
  besidesNodeSqlite(() =>
    test('given a file in a missing folder, then StoreUnavailable and no folder is made', () => {
      expect(() =>
        createSqliteStore(join(root, 'missing-folder', 'z.sqlite'), sqliteDriverFromEnv()),
      ).toThrow(StoreUnavailable)
      expect(existsSync(join(root, 'missing-folder'))).toBe(false)
    }),
  )

  test('given a new database, then the file and its -wal and -shm files are 0600, whatever the umask allows', async () => {
    const previous = process.umask(0o022) // the usual umask: would give 0644
    try {
      const folder = mkdtempSync(join(root, 'modes-'))
      const path = join(folder, 'private.sqlite')
      const service = new ExplorerService({ emit: () => {}, cipherKey: undefined })
      services.push(service)
      expect((await dispatch(service, 'connect', { kind: 'sqlite', path })).ok).toBe(true)
      const created = await dispatch(service, 'execute', {
        type: 'example#ExampleAggregateRoot',
        expectedVersion: -1,
        commands: [{ name: 'create', params: { foo: 'x' } }],
      })
      expect(created.ok).toBe(true)

      expect(readdirSync(folder).sort()).toEqual([
        'private.sqlite',
        'private.sqlite-shm',
        'private.sqlite-wal',
      ])
      for (const name of readdirSync(folder))
        expect([name, mode(join(folder, name))]).toEqual([name, 0o600])
    } finally {
      process.umask(previous)
    }
  })
})
