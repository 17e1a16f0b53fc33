/**
 * The desktop key store on a real folder, with a stand-in for the OS keychain (keyStoreTesting.ts):
 * what it writes, when it refuses, and what a first run or a damaged key file gives.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { createKeyStore, type KeyStoreOptions } from './keyStore'
import { testSafeStorage } from './keyStoreTesting'

// Nothing here may reach the real electron package.
vi.mock('electron', () => {
  throw new Error('keyStore.ts must not import electron at runtime')
})

const KEY = Buffer.alloc(32, 7).toString('base64')

/** A key store on a fresh folder (created on first save), and what it logged. */
function fresh(options: KeyStoreOptions = {}) {
  const folder = join(mkdtempSync(join(tmpdir(), 'eventscope-keystore-')), 'profile')
  const file = join(folder, 'cipher-key.bin')
  const storage = testSafeStorage()
  const logged: string[] = []
  const store = createKeyStore(file, storage, {
    platform: 'linux',
    log: (message) => logged.push(message),
    ...options,
  })
  return { folder, file, storage, logged, store }
}

describe('the desktop key store', () => {
  test('a first run: no key file, nothing loaded, nothing reported', async () => {
    const { store, storage, logged } = fresh()

    expect(store.unavailableReason()).toBeUndefined()
    expect(await store.load()).toBeUndefined()
    expect(storage.opened).toEqual([])
    expect(logged).toEqual([])
  })

  test('save seals the key with the keychain, in a private file and folder; load gives it back; clear removes it', async () => {
    const { store, storage, file, folder } = fresh()

    expect(await store.save(` ${KEY}\n`)).toBe(true)

    expect(storage.sealed).toEqual([KEY])
    const bytes = readFileSync(file)
    expect(bytes.toString('latin1')).not.toContain(KEY)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(folder).mode & 0o777).toBe(0o700)
    // Written aside and renamed: no temporary file is left beside it.
    expect(readdirSync(folder)).toEqual(['cipher-key.bin'])
    expect(await store.load()).toBe(KEY)

    await store.clear()
    expect(existsSync(file)).toBe(false)
    expect(await store.load()).toBeUndefined()
    await store.clear() // clearing nothing is fine
  })

  test('without OS encryption nothing is saved, and a key file left from before is not opened', async () => {
    const { store, storage, file } = fresh()
    await store.save(KEY)
    const before = readFileSync(file)
    storage.available = false

    expect(store.unavailableReason()).toMatch(/no encryption/)
    expect(await store.save(Buffer.alloc(32, 1).toString('base64'))).toBe(false)
    expect(await store.load()).toBeUndefined()

    expect(storage.opened).toEqual([])
    expect(readFileSync(file).equals(before)).toBe(true)
  })

  test("on Linux the 'basic_text' backend (no keyring) counts as no encryption; elsewhere it is not asked about", async () => {
    const linux = fresh({ platform: 'linux' })
    linux.storage.backend = 'basic_text'
    expect(linux.store.unavailableReason()).toMatch(/no keyring/)
    expect(await linux.store.save(KEY)).toBe(false)
    expect(existsSync(linux.file)).toBe(false)

    const mac = fresh({ platform: 'darwin' })
    mac.storage.backend = 'basic_text'
    expect(mac.store.unavailableReason()).toBeUndefined()
    expect(await mac.store.save(KEY)).toBe(true)
    expect(await mac.store.load()).toBe(KEY)
  })

  test('a damaged key file loads as no key, and is reported without its contents', async () => {
    const { store, file, folder, logged } = fresh()
    mkdirSync(folder, { recursive: true })
    writeFileSync(file, `garbage ${KEY}`)

    await expect(store.load()).resolves.toBeUndefined()

    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(/saved cipher key could not be decrypted/)
    expect(logged[0]).not.toContain(KEY)
  })

  test('a key file that cannot be read (here a folder) loads as no key, and is reported', async () => {
    const { store, file, logged } = fresh()
    mkdirSync(file, { recursive: true })

    await expect(store.load()).resolves.toBeUndefined()

    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(/saved cipher key could not be read/)
  })
})
