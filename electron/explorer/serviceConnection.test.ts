/**
 * Connecting and disconnecting through `dispatch`: the state reported, stores that cannot be
 * opened, settings from the environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { besidesNodeSqlite } from '../../test/sqliteRun'
import type { ResponseOf } from '../../shared/contract'
import { dispatch } from './dispatch'
import { ExplorerService } from './service'
import {
  closeOpenServices,
  connected,
  createExample,
  EXAMPLE,
  folder,
  harness,
  newSqlitePath,
  track,
} from './serviceTesting'

afterEach(closeOpenServices)

describe('connection', () => {
  besidesNodeSqlite(() =>
    test('given no connection yet, then disconnected, and queries say NotConnected', async () => {
      const h = harness()

      const info = await h.ok('getConnection', {})

      expect(info).toMatchObject({ status: 'disconnected', encrypted: true, snapshotPeriod: 2 })
      expect(info.encryptionNote).toContain('AES-128-GCM')
      expect((await h.fail('listAggregates', {})).code).toBe('NotConnected')
      expect(
        (
          await h.fail('execute', {
            type: EXAMPLE,
            expectedVersion: -1,
            commands: [{ name: 'create', params: { foo: 'x' } }],
          })
        ).code,
      ).toBe('NotConnected')
    }),
  )

  besidesNodeSqlite(() =>
    test('given no key, then the encryption note says there is none', async () => {
      const h = await connected('memory', { cipherKey: undefined })

      const info = await h.ok('getConnection', {})

      expect(info.encrypted).toBe(false)
      expect(info.encryptionNote).toMatch(/not encrypted/i)
    }),
  )

  test('given the SQLite file is deleted while connected, then the page is told within a poll and a save is refused, not acknowledged into the lost file', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const { id } = await h.ok('execute', {
      type: EXAMPLE,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { foo: 'x' } }],
    })
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })

    const deadline = Date.now() + 5000
    let info = await h.ok('getConnection', {})
    while (info.availability?.state !== 'unavailable' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      info = await h.ok('getConnection', {})
    }
    expect(info.availability).toMatchObject({ state: 'unavailable' })
    expect(info.availability?.reason).toContain('was deleted since it was opened')
    const refused = await h.fail('execute', {
      id,
      expectedVersion: 0,
      commands: [{ name: 'setFoo', params: { value: 'lost?' } }],
    })
    expect(refused.code).toBe('StoreUnavailable')
  })

  test('given a file that cannot be opened, then StoreUnavailable, the state stays disconnected with the error, and a retry can succeed', async () => {
    const notADatabase = join(folder, 'not-a-database.sqlite')
    writeFileSync(notADatabase, 'not a database '.repeat(100))
    const h = harness()

    const error = await h.fail('connect', { kind: 'sqlite', path: notADatabase })

    expect(error.code).toBe('StoreUnavailable')
    expect(error.message).toContain('Cannot connect to the SQLite file')
    const info = await h.ok('getConnection', {})
    expect(info.status).toBe('disconnected')
    expect(info.error).toContain('Cannot connect')
    expect(h.emitted.filter((e) => e.event === 'connection').at(-1)?.payload).toMatchObject({
      status: 'disconnected',
    })

    expect((await h.ok('connect', { kind: 'sqlite', path: newSqlitePath() })).status).toBe(
      'connected',
    )
    expect((await h.ok('getConnection', {})).error).toBeUndefined()
  })

  besidesNodeSqlite(() =>
    test('given an unreachable Cassandra, then StoreUnavailable whose message never holds the password', async () => {
      const h = harness()
      const password = 'hunter2-very-secret'

      const error = await h.fail('connect', {
        kind: 'cassandra',
        contactPoints: ['127.0.0.1:1'],
        localDataCenter: 'dc1',
        keyspace: 'nothing_here',
        username: 'someone',
        password,
      })

      expect(error.code).toBe('StoreUnavailable')
      expect(error.message).toContain('Cassandra at 127.0.0.1:1')
      const info = await h.ok('getConnection', {})
      expect(JSON.stringify(info)).not.toContain(password)
      expect(JSON.stringify(h.emitted)).not.toContain(password)
      expect(info.settings).toEqual({
        kind: 'cassandra',
        contactPoints: ['127.0.0.1:1'],
        localDataCenter: 'dc1',
        keyspace: 'nothing_here',
        username: 'someone',
        tls: false,
      })
    }),
  )

  besidesNodeSqlite(() =>
    test('given an invalid key in the environment, then the service stays disconnected and says what to fix', async () => {
      const service = new ExplorerService({
        emit: () => {},
        env: { EVENTSCOPE_CIPHER_KEY: 'c2hvcnQ=' },
        dataDir: folder,
      })
      track(service)

      const envelope = await dispatch(service, 'connect', { kind: 'sqlite' })
      const info = await dispatch(service, 'getConnection', {})

      expect(envelope.ok).toBe(false)
      if (!envelope.ok) {
        expect(envelope.error.code).toBe('ValidationError')
        expect(envelope.error.message).toContain('EVENTSCOPE_CIPHER_KEY')
        expect(envelope.error.message).not.toContain('c2hvcnQ=')
      }
      expect(info.ok && (info.value as { status: string; error: string }).error).toContain(
        'EVENTSCOPE_CIPHER_KEY',
      )
    }),
  )

  test('given env settings and a data folder, then sqlite without a path opens the default file there', async () => {
    const dataDir = mkdtempSync(join(folder, 'data-'))
    const service = new ExplorerService({
      emit: () => {},
      env: { EVENTSCOPE_SNAPSHOT_PERIOD: '3' },
      dataDir,
    })
    track(service)

    const envelope = await dispatch(service, 'connect', { kind: 'sqlite' })

    expect(envelope.ok).toBe(true)
    const info = envelope.ok ? (envelope.value as ResponseOf<'connect'>) : undefined
    expect(info?.description).toContain(join(dataDir, 'eventscope.sqlite'))
    expect(info?.snapshotPeriod).toBe(3)
    expect(info?.encrypted).toBe(false)
  })

  besidesNodeSqlite(() =>
    test('given a second connect, then the first application is closed', async () => {
      const h = await connected('memory')
      const id = await createExample(h, 'x')

      await h.ok('connect', { kind: 'memory' })

      // A new memory store: what the first one held is gone with it.
      expect((await h.fail('getAggregate', { id })).code).toBe('AggregateNotFound')
      expect((await h.ok('disconnect', {})).status).toBe('disconnected')
      expect((await h.fail('listAggregates', {})).code).toBe('NotConnected')
    }),
  )
})
