/**
 * How the desktop app's saved cipher key reaches the service, as index.ts wires it: a real
 * ExplorerService on a real SQLite file and a real data folder, with a stand-in for the OS
 * keychain (keyStoreTesting.ts). First run, a key remembered and used by the next run, the
 * environment's key winning, no OS encryption, a damaged key file, a keychain that refuses.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import {
  methods,
  type ApiError,
  type MethodName,
  type RequestOf,
  type ResponseOf,
} from '../../shared/contract'
import { dispatch } from '../explorer/dispatch'
import { ExplorerService } from '../explorer/service'
import { closeOpenServices, EXAMPLE, track } from '../explorer/serviceTesting'
import { createKeyStore } from './keyStore'
import { testSafeStorage, type TestSafeStorage } from './keyStoreTesting'
import { cipherKeyStore, desktopKeyOptions, KEY_FILE } from './keyWiring'

// The wiring must load without the Electron binary: a stand-in that fails if reached.
vi.mock('electron', () => {
  throw new Error('keyWiring.ts must not import electron at runtime')
})

afterEach(closeOpenServices)

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64')
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64')

interface Run {
  service: ExplorerService
  logged: string[]
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  fail(method: MethodName, request: unknown): Promise<ApiError>
}

/** One start of the desktop app's main process, as index.ts builds its service. */
async function start(
  dataDir: string,
  safeStorage: TestSafeStorage,
  env: Record<string, string> = {},
): Promise<Run> {
  const logged: string[] = []
  const service = new ExplorerService({
    dataDir,
    env,
    pollIntervalMs: 25,
    ...(await desktopKeyOptions({
      dataDir,
      env,
      safeStorage,
      platform: 'linux',
      log: (message) => logged.push(message),
    })),
    emit: () => {},
  })
  track(service)
  return {
    service,
    logged,
    async call(method, request) {
      const envelope = await dispatch(service, method, request)
      if (!envelope.ok)
        throw new Error(`${method}: ${envelope.error.code}: ${envelope.error.message}`)
      return methods[method].response.parse(envelope.value) as ResponseOf<typeof method>
    },
    async fail(method, request) {
      const envelope = await dispatch(service, method, request)
      if (envelope.ok) throw new Error(`${method} succeeded but was expected to fail`)
      return envelope.error
    },
  }
}

const dataFolder = () => mkdtempSync(join(tmpdir(), 'eventscope-userdata-'))
const storeIn = (dataDir: string) => ({
  kind: 'sqlite' as const,
  path: join(dataDir, 'app.sqlite'),
})

describe('the saved cipher key, from the key file to the service', () => {
  test('a first run without a key anywhere starts without one, and offers to remember one', async () => {
    const dataDir = dataFolder()
    const keychain = testSafeStorage()
    const run = await start(dataDir, keychain)

    expect(await run.call('getConnection', {})).toMatchObject({
      keySource: 'none',
      canRememberKey: true,
    })
    expect(existsSync(join(dataDir, KEY_FILE))).toBe(false)
    expect(keychain.opened).toEqual([])
    expect(run.logged).toEqual([])
  })

  test('a key remembered in one run is the next run’s key, and reads what it wrote; forgetting it removes the file', async () => {
    const dataDir = dataFolder()
    const keychain = testSafeStorage()
    const first = await start(dataDir, keychain)
    await first.call('connect', storeIn(dataDir))
    expect(await first.call('setCipherKey', { keyBase64: KEY_A, remember: true })).toMatchObject({
      keySource: 'saved',
    })
    const { id } = await first.call('execute', {
      type: EXAMPLE,
      expectedVersion: -1,
      commands: [{ name: 'create', params: { foo: 'sealed' } }],
    })
    await first.service.close()
    expect(keychain.sealed).toEqual([KEY_A])
    expect(readFileSync(join(dataDir, KEY_FILE)).toString('latin1')).not.toContain(KEY_A)

    const second = await start(dataDir, keychain)
    expect(await second.call('getConnection', {})).toMatchObject({
      keySource: 'saved',
      encrypted: true,
    })
    const info = await second.call('connect', storeIn(dataDir))
    expect(info).toMatchObject({
      readOnly: false,
      keyStatus: { state: 'verified', mismatch: false },
    })
    expect((await second.call('getAggregate', { id })).state).toMatchObject({ _foo: 'sealed' })

    expect(await second.call('forgetCipherKey', {})).toMatchObject({ keySource: 'none' })
    expect(existsSync(join(dataDir, KEY_FILE))).toBe(false)
    await second.service.close()
    const third = await start(dataDir, keychain)
    expect(await third.call('getConnection', {})).toMatchObject({ keySource: 'none' })
  })

  test('the environment’s key wins: the saved key is not even opened, and stays as it was', async () => {
    const dataDir = dataFolder()
    const keychain = testSafeStorage()
    await createKeyStore(join(dataDir, KEY_FILE), keychain).save(KEY_A)
    const saved = readFileSync(join(dataDir, KEY_FILE))

    const run = await start(dataDir, keychain, { EVENTSCOPE_CIPHER_KEY: KEY_B })

    expect(await run.call('getConnection', {})).toMatchObject({ keySource: 'environment' })
    expect(keychain.opened).toEqual([])
    expect(keychain.sealed).toEqual([KEY_A]) // only the save above
    expect(readFileSync(join(dataDir, KEY_FILE)).equals(saved)).toBe(true)
  })

  test('without OS encryption the saved key is not used, remember is refused, and a key can still be entered for the session', async () => {
    const dataDir = dataFolder()
    const keychain = testSafeStorage()
    await createKeyStore(join(dataDir, KEY_FILE), keychain).save(KEY_A)
    const saved = readFileSync(join(dataDir, KEY_FILE))
    keychain.available = false

    const run = await start(dataDir, keychain)

    expect(await run.call('getConnection', {})).toMatchObject({
      keySource: 'none',
      canRememberKey: false,
    })
    expect(keychain.opened).toEqual([])
    const refused = await run.fail('setCipherKey', { keyBase64: KEY_B, remember: true })
    expect(refused).toMatchObject({ code: 'ValidationError', message: /cannot remember a key/ })
    expect(await run.call('setCipherKey', { keyBase64: KEY_B, remember: false })).toMatchObject({
      keySource: 'entered',
    })
    expect(readFileSync(join(dataDir, KEY_FILE)).equals(saved)).toBe(true)
  })

  test('a damaged key file: the app starts without a key and says why; a key remembered now replaces the file', async () => {
    const dataDir = dataFolder()
    const keychain = testSafeStorage()
    writeFileSync(join(dataDir, KEY_FILE), 'not sealed by this keychain')

    const run = await start(dataDir, keychain)

    expect(await run.call('getConnection', {})).toMatchObject({ keySource: 'none' })
    expect(run.logged.join('\n')).toMatch(/saved cipher key could not be decrypted/)
    expect(await run.call('connect', storeIn(dataDir))).toMatchObject({ status: 'connected' })
    await run.call('setCipherKey', { keyBase64: KEY_A, remember: true })
    await run.service.close()
    const next = await start(dataDir, keychain)
    expect(await next.call('getConnection', {})).toMatchObject({ keySource: 'saved' })
    expect(next.logged).toEqual([])
  })

  test('a key file that opens to something that is not a key: the app starts without it, and the report does not repeat it', async () => {
    const dataDir = dataFolder()
    const keychain = testSafeStorage()
    const secretLooking = 'hunter2-but-not-base64-of-a-key'
    writeFileSync(join(dataDir, KEY_FILE), keychain.encryptString(secretLooking))

    const run = await start(dataDir, keychain)

    expect(await run.call('getConnection', {})).toMatchObject({ keySource: 'none' })
    expect(run.logged).toHaveLength(1)
    expect(run.logged[0]).toMatch(/cipher key store/)
    expect(run.logged[0]).not.toContain(secretLooking)
  })

  test('a keychain that refuses to seal: remember fails with InternalError, nothing is written, the key in use stays', async () => {
    const dataDir = dataFolder()
    const keychain = testSafeStorage()
    const run = await start(dataDir, keychain)
    await run.call('connect', storeIn(dataDir))
    keychain.refuseToSeal = true

    const error = await run.fail('setCipherKey', { keyBase64: KEY_A, remember: true })

    expect(error).toMatchObject({ code: 'InternalError', message: /could not save the cipher key/ })
    expect(error.message).not.toContain(KEY_A)
    expect(existsSync(join(dataDir, KEY_FILE))).toBe(false)
    expect(await run.call('getConnection', {})).toMatchObject({ keySource: 'none' })
  })
})

describe("the service's view of the key store (cipherKeyStore)", () => {
  test('a save the OS can no longer encrypt fails with the reason, rather than saving nothing quietly', async () => {
    const keychain = testSafeStorage()
    const file = join(dataFolder(), KEY_FILE)
    const store = cipherKeyStore(createKeyStore(file, keychain, { platform: 'linux' }))
    expect(store.available()).toBe(true)
    keychain.available = false

    expect(store.available()).toBe(false)
    await expect(store.save(new Uint8Array(32))).rejects.toThrow(/no encryption/)
    expect(existsSync(file)).toBe(false)
  })

  test('save writes the key as base64 of its bytes, which the next start reads back as the same key', async () => {
    const keychain = testSafeStorage()
    const dataDir = dataFolder()
    const key = new Uint8Array(Buffer.from(KEY_B, 'base64'))
    await cipherKeyStore(createKeyStore(join(dataDir, KEY_FILE), keychain)).save(key)

    expect(keychain.sealed).toEqual([KEY_B])
    const { savedCipherKey } = await desktopKeyOptions({ dataDir, env: {}, safeStorage: keychain })
    expect(savedCipherKey && Buffer.from(savedCipherKey).toString('base64')).toBe(KEY_B)
  })
})
