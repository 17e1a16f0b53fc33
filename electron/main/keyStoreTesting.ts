/**
 * A stand-in for Electron's `safeStorage` in the key store tests (keyStore.test.ts,
 * keyWiring.test.ts): the OS keychain is not on a test machine and is not a store the app owns.
 * Like the real one it seals text into bytes that do not show it, and fails to open bytes it did
 * not seal (a damaged key file). Its switches are the OS's: encryption available, the backend.
 */
import type { SafeStorageLike } from './keyStore'

const SEAL = Buffer.from('sealed-by-test-keychain:')

export interface TestSafeStorage extends SafeStorageLike {
  /** Whether the OS offers encryption; flip it to take the keychain away. */
  available: boolean
  /** What getSelectedStorageBackend answers ('basic_text': no keyring on Linux). */
  backend: string
  /** Every text sealed and every buffer opened, in order. */
  readonly sealed: string[]
  readonly opened: number[]
  /** Makes encryptString throw, as Electron's does when the keychain refuses. */
  refuseToSeal: boolean
}

export function testSafeStorage(): TestSafeStorage {
  const storage: TestSafeStorage = {
    available: true,
    backend: 'gnome_libsecret',
    sealed: [],
    opened: [],
    refuseToSeal: false,
    isEncryptionAvailable: () => storage.available,
    getSelectedStorageBackend: () => storage.backend,
    encryptString(text) {
      if (storage.refuseToSeal || !storage.available)
        throw new Error('Error while encrypting the text provided to safeStorage.encryptString.')
      storage.sealed.push(text)
      // Every byte flipped: the key's own base64 never appears in the file.
      return Buffer.concat([SEAL, flip(Buffer.from(text, 'utf8'))])
    },
    decryptString(buffer) {
      storage.opened.push(buffer.length)
      if (!buffer.subarray(0, SEAL.length).equals(SEAL))
        throw new Error(
          'Error while decrypting the ciphertext provided to safeStorage.decryptString.',
        )
      return flip(buffer.subarray(SEAL.length)).toString('utf8')
    },
  }
  return storage
}

const flip = (bytes: Buffer): Buffer => Buffer.from(bytes.map((b) => b ^ 0x5a))
