/**
 * The cipher key entered in the app, through `dispatch`: validation, switching, remembering and
 * forgetting it, and that it never leaves the service.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { besidesNodeSqlite } from '../../test/sqliteRun'
import type { MethodName } from '../../shared/contract'
import { SEED_CIPHER_KEY } from '../example/seedSettings'
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
  until,
  UUID_A,
  walkthroughAggregate,
} from './serviceTesting'

afterEach(closeOpenServices)

describe('the cipher key entered in the app', () => {
  const b64 = (key: Uint8Array): string => Buffer.from(key).toString('base64')
  const KEY_A = SEED_CIPHER_KEY
  const KEY_B = new Uint8Array(randomBytes(32))

  function fakeKeyStore(available = true) {
    return {
      saved: [] as Uint8Array[],
      cleared: 0,
      available: () => available,
      save(key: Uint8Array) {
        this.saved.push(new Uint8Array(key))
      },
      clear() {
        this.cleared++
      },
    }
  }

  besidesNodeSqlite(() =>
    test('keys that are not base64 of 16, 24 or 32 bytes are refused, without repeating them', async () => {
      const h = harness()
      const bad = [
        '',
        'c2hvcnQ=',
        Buffer.alloc(20, 1).toString('base64'),
        Buffer.alloc(33, 1).toString('base64'),
        `${b64(KEY_B).slice(0, 43)}!`,
        ` ${b64(KEY_B)}`,
        b64(KEY_B).replace(/=$/, ''),
        Buffer.alloc(32, 250).toString('base64url'),
      ]
      for (const keyBase64 of bad) {
        const error = await h.fail('setCipherKey', { keyBase64, remember: false })
        expect(error.code, keyBase64).toBe('ValidationError')
        if (keyBase64.length > 8) expect(JSON.stringify(error)).not.toContain(keyBase64.trim())
      }
      expect(
        (await h.fail('setCipherKey', { keyBase64: b64(KEY_B), remember: false, extra: 1 })).code,
      ).toBe('ValidationError')
      expect((await h.fail('setCipherKey', { keyBase64: b64(KEY_B) })).code).toBe('ValidationError')
      expect((await h.fail('forgetCipherKey', { remember: true })).code).toBe('ValidationError')
      // Nothing changed.
      expect(await h.ok('getConnection', {})).toMatchObject({ keySource: 'environment' })
    }),
  )

  besidesNodeSqlite(() =>
    test.each([16, 24, 32])('a %i-byte key is accepted while disconnected', async (bytes) => {
      const h = harness({ cipherKey: undefined })
      expect(await h.ok('getConnection', {})).toMatchObject({
        keySource: 'none',
        encrypted: false,
        canRememberKey: false,
      })

      const info = await h.ok('setCipherKey', {
        keyBase64: randomBytes(bytes).toString('base64'),
        remember: false,
      })

      expect(info).toMatchObject({ status: 'disconnected', keySource: 'entered', encrypted: true })
      expect(info.encryptionNote).toContain(`AES-${bytes * 8}-GCM with the key you entered`)
      expect(info.encryptionNote).toContain("compared with the store's key check")
    }),
  )

  test('switching keys reopens the same store: key B cannot read or write where key A wrote, switching back can', async () => {
    const path = newSqlitePath()
    const h = await connected('sqlite', {}, path)
    const id = await walkthroughAggregate(h)
    h.emitted.length = 0

    const withB = await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: false })
    expect(withB).toMatchObject({ status: 'connected', kind: 'sqlite', keySource: 'entered' })
    expect(withB.settings).toEqual({ kind: 'sqlite', path })
    expect(h.emitted.some((e) => e.event === 'connection')).toBe(true)
    expect((await h.ok('listAggregates', {})).total).toBe(1)
    const error = await h.fail('getAggregate', { id })
    expect(error.code).toBe('DataIntegrityError')
    // Key B is told wrong up front, and writes nothing beside what key A wrote.
    expect(withB).toMatchObject({
      readOnly: true,
      keyStatus: { state: 'wrong-key', mismatch: true },
    })
    expect(
      (
        await h.fail('execute', {
          type: EXAMPLE,
          expectedVersion: -1,
          commands: [{ name: 'create', params: { foo: 'written with B' } }],
        })
      ).code,
    ).toBe('ReadOnly')

    const withA = await h.ok('setCipherKey', { keyBase64: b64(KEY_A), remember: false })
    expect(withA).toMatchObject({ status: 'connected', keySource: 'entered', readOnly: false })
    expect(withA.keyStatus).toMatchObject({ state: 'verified', mismatch: false })
    expect((await h.ok('getAggregate', { id, at: 6 })).state).toMatchObject({ _foo: 'bar7' })
    await createExample(h, 'written with A')
  })

  besidesNodeSqlite(() =>
    test('remember saves the key in the key store; without a secure store remember is refused', async () => {
      const keyStore = fakeKeyStore()
      const h = await connected('memory', { keyStore })
      expect((await h.ok('getConnection', {})).canRememberKey).toBe(true)

      const info = await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: true })

      expect(info).toMatchObject({ status: 'connected', keySource: 'saved', canRememberKey: true })
      expect(info.encryptionNote).toContain('saved on this computer')
      expect(keyStore.saved).toEqual([KEY_B])

      await h.ok('setCipherKey', { keyBase64: b64(KEY_A), remember: false })
      expect(keyStore.saved).toHaveLength(1)

      const unavailable = fakeKeyStore(false)
      const other = await connected('memory', { keyStore: unavailable })
      expect((await other.ok('getConnection', {})).canRememberKey).toBe(false)
      const refused = await other.fail('setCipherKey', { keyBase64: b64(KEY_B), remember: true })
      expect(refused.code).toBe('ValidationError')
      expect(unavailable.saved).toHaveLength(0)
      expect((await other.ok('getConnection', {})).keySource).toBe('environment')

      const none = harness()
      expect(
        (await none.fail('setCipherKey', { keyBase64: b64(KEY_B), remember: true })).code,
      ).toBe('ValidationError')
    }),
  )

  besidesNodeSqlite(() =>
    test('forget clears the saved key and goes back to the environment key, or to none', async () => {
      const keyStore = fakeKeyStore()
      const h = await connected('memory', { keyStore })
      await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: true })

      const info = await h.ok('forgetCipherKey', {})

      expect(keyStore.cleared).toBe(1)
      expect(info).toMatchObject({ status: 'connected', keySource: 'environment', encrypted: true })
      expect(info.encryptionNote).toContain('EVENTSCOPE_CIPHER_KEY')

      const bare = await connected('memory', { keyStore, cipherKey: undefined })
      await bare.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: false })
      expect(await bare.ok('forgetCipherKey', {})).toMatchObject({
        status: 'connected',
        keySource: 'none',
        encrypted: false,
      })
      expect(keyStore.cleared).toBe(2)
    }),
  )

  test('at start the environment key wins over a saved key; a saved key is used without one', async () => {
    const withEnv = harness({ cipherKey: KEY_A, savedCipherKey: KEY_B })
    expect(await withEnv.ok('getConnection', {})).toMatchObject({ keySource: 'environment' })

    const path = newSqlitePath()
    const writer = await connected('sqlite', { cipherKey: KEY_B }, path)
    const id = await createExample(writer, 'saved')
    await writer.service.close()
    const fromSaved = await connected(
      'sqlite',
      { cipherKey: undefined, savedCipherKey: KEY_B, keyStore: fakeKeyStore() },
      path,
    )
    const info = await fromSaved.ok('getConnection', {})
    expect(info).toMatchObject({ keySource: 'saved', encrypted: true, canRememberKey: true })
    expect((await fromSaved.ok('getAggregate', { id })).state).toMatchObject({
      _foo: 'saved',
    })
  })

  besidesNodeSqlite(() =>
    test('a malformed EVENTSCOPE_CIPHER_KEY blocks connecting until a key is entered', async () => {
      const h = harness({ cipherKey: undefined })
      const blocked = new ExplorerService({
        emit: () => {},
        env: { EVENTSCOPE_CIPHER_KEY: 'not base64!' },
        snapshotPeriod: 2,
      })
      track(blocked)
      expect((await dispatch(blocked, 'connect', { kind: 'memory' })).ok).toBe(false)
      h.service = blocked

      const info = await h.ok('setCipherKey', { keyBase64: b64(KEY_B), remember: false })

      expect(info).toMatchObject({ status: 'connected', keySource: 'entered' })
      expect(info.error).toBeUndefined()
    }),
  )

  test('the key never appears in a response, an event or an error of a whole session', async () => {
    const key = new Uint8Array(randomBytes(32))
    const keyStore = fakeKeyStore()
    const h = harness({ cipherKey: undefined, keyStore })
    const seen: string[] = []
    const call = async (method: MethodName, request: unknown) => {
      const envelope = await dispatch(h.service, method, request)
      seen.push(JSON.stringify(envelope))
      return envelope
    }
    const path = newSqlitePath()
    await call('connect', { kind: 'sqlite', path })
    await call('setCipherKey', { keyBase64: b64(key), remember: true })
    await call('setCipherKey', { keyBase64: `${b64(key).slice(0, 43)}#`, remember: false })
    await call('setCipherKey', { keyBase64: ` ${b64(key)} `, remember: false })
    await call('getConnection', {})
    await call('seedDemoData', { aggregates: 2, events: 5, taskId: 'seed' })
    const list = await call('listAggregates', {})
    const id = list.ok ? (list.value as { items: { id: string }[] }).items[0]!.id : UUID_A
    await call('getAggregate', { id })
    await call('listEvents', { id })
    await call('getRawRecord', { id, version: 0 })
    await call('listSnapshots', { id })
    await call('exportHistory', { id })
    await call('setCipherKey', { keyBase64: b64(KEY_A), remember: false })
    await call('getAggregate', { id })
    await call('listEvents', { id })
    await call('setCipherKey', { keyBase64: b64(key), remember: false })
    await call('connect', { kind: 'sqlite', path: join(folder, 'a-file-that-blocks', 'x.sqlite') })
    await call('connect', { kind: 'sqlite', path })
    await call('forgetCipherKey', {})
    await call('getAggregate', { id })
    await call('disconnect', {})
    await until(() => h.emitted.length > 0)
    seen.push(...h.emitted.map((e) => JSON.stringify(e)))

    expect(keyStore.saved).toEqual([key])
    const needles = [
      b64(key),
      b64(key).slice(0, 40),
      Buffer.from(key).toString('base64url').slice(0, 40),
      Buffer.from(key).toString('hex'),
      Buffer.from(key).toString('latin1'),
      JSON.stringify(Array.from(key)).slice(1, -1),
      JSON.stringify(Buffer.from(key)),
    ]
    expect(seen.length).toBeGreaterThan(20)
    for (const text of seen) {
      const decoded = JSON.parse(text) as unknown
      const flat = `${text}\n${JSON.stringify(decoded)}`
      for (const needle of needles) expect(flat.includes(needle)).toBe(false)
    }
  })
})
