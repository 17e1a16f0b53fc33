/**
 * How the desktop app's saved cipher key reaches the ExplorerService: the key file in the app's
 * data folder, sealed by the OS (keyStore.ts); the key saved in an earlier run, unless the
 * environment names one (startupKey.ts); and the service's view of the store, for keys entered
 * with "Remember on this computer". No `electron` import: index.ts passes Electron's
 * safeStorage in, keyWiring.test.ts a stand-in with a real service and a real folder.
 */
import { join } from 'node:path'
import type { CipherKeyStore, ExplorerServiceOptions } from '../explorer/service'
import {
  createKeyStore,
  type KeyStore,
  type KeyStoreOptions,
  type SafeStorageLike,
} from './keyStore'
import { startupCipherKey } from './startupKey'

/** The key file's name in the app's data folder (Electron's userData). */
export const KEY_FILE = 'cipher-key.bin'

export interface DesktopKeyDeps extends KeyStoreOptions {
  /** The app's data folder: the key file lives there. */
  dataDir: string
  /** The environment: its EVENTSCOPE_CIPHER_KEY wins over a saved key. */
  env: Readonly<Record<string, string | undefined>>
  safeStorage: SafeStorageLike
}

/** The service options that carry the key: the saved key to start with, and where to save one. */
export type DesktopKeyOptions = Pick<ExplorerServiceOptions, 'keyStore' | 'savedCipherKey'>

/**
 * Reads the saved key (never blocking start-up: a key file that cannot be read, decrypted or
 * parsed is reported and the app starts without it) and wraps the key store for the service.
 */
export async function desktopKeyOptions(deps: DesktopKeyDeps): Promise<DesktopKeyOptions> {
  const { dataDir, env, safeStorage, ...options } = deps
  const keyStore = createKeyStore(join(dataDir, KEY_FILE), safeStorage, options)
  const savedCipherKey = await startupCipherKey(env, keyStore, options.log)
  return { keyStore: cipherKeyStore(keyStore), ...(savedCipherKey ? { savedCipherKey } : {}) }
}

/** The service's view of the safeStorage-backed key file: for keys entered in the app. */
export function cipherKeyStore(keyStore: KeyStore): CipherKeyStore {
  return {
    available: () => keyStore.unavailableReason() === undefined,
    async save(key) {
      // Availability can change between the service's check and the save (a keyring stopped).
      if (!(await keyStore.save(Buffer.from(key).toString('base64'))))
        throw new Error(keyStore.unavailableReason() ?? 'the OS offers no secure store')
    },
    clear: () => keyStore.clear(),
  }
}
