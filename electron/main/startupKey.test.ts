import { existsSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { createKeyStore, type SafeStorageLike } from './keyStore'
import { startupCipherKey } from './startupKey'

// Nothing here may reach the real electron package.
vi.mock('electron', () => {
  throw new Error('keyStore.ts and startupKey.ts must not import electron at runtime')
})

const KEY = Buffer.alloc(32, 9).toString('base64')

/** A safeStorage stand-in that "encrypts" by reversing, and counts what it was asked to seal. */
function fakeSafeStorage() {
  const sealed: string[] = []
  const storage: SafeStorageLike = {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (text: string) => {
      sealed.push(text)
      return Buffer.from([...text].reverse().join(''), 'utf8')
    },
    decryptString: (buffer: Buffer) => [...buffer.toString('utf8')].reverse().join(''),
  }
  return { storage, sealed }
}

describe('the cipher key at start-up', () => {
  test('given EVENTSCOPE_CIPHER_KEY and nothing saved, then the key is not written to the OS key store', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'eventscope-keys-'))
    const file = join(folder, 'cipher-key.bin')
    const { storage, sealed } = fakeSafeStorage()
    const keyStore = createKeyStore(file, storage)

    const saved = await startupCipherKey({ EVENTSCOPE_CIPHER_KEY: KEY }, keyStore)

    expect(saved).toBeUndefined() // the environment's key is the service's to use
    expect(sealed).toEqual([])
    expect(existsSync(file)).toBe(false)
    expect(await keyStore.load()).toBeUndefined()
  })

  test('given a key saved when the user asked, then a later run without the environment starts with it', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'eventscope-keys-')), 'profile')
    const file = join(folder, 'cipher-key.bin')
    const { storage, sealed } = fakeSafeStorage()
    const keyStore = createKeyStore(file, storage)

    expect(await keyStore.save(KEY)).toBe(true) // what `setCipherKey({ remember: true })` does
    const saved = await startupCipherKey({}, keyStore)

    expect(sealed).toEqual([KEY])
    expect(saved && Buffer.from(saved).toString('base64')).toBe(KEY)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(folder).mode & 0o777).toBe(0o700)
  })

  test('given both, then the environment wins and the saved key is not even read', async () => {
    const load = vi.fn(async () => KEY)

    expect(await startupCipherKey({ EVENTSCOPE_CIPHER_KEY: KEY }, { load })).toBeUndefined()
    expect(load).not.toHaveBeenCalled()
  })
})
