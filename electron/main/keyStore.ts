/**
 * Remembers the cipher key between runs of the desktop app, encrypted with Electron's
 * `safeStorage` (the OS keychain: Keychain, DPAPI, libsecret/kwallet). Written only when the
 * user asks (`setCipherKey` with `remember`), never from the environment: the key goes
 * from the renderer to this process once and is never sent back. On Linux without a keyring
 * (`basic_text`) nothing is stored, as that would be plain text in all but name. No `electron`
 * import: index.ts passes Electron's safeStorage in, tests a stand-in (keyWiring.test.ts).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** The parts of Electron's `safeStorage` used here: the only way this module reaches the OS. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
  /** Which keyring backs the encryption on Linux; 'basic_text' is none. */
  getSelectedStorageBackend(): string
}

export interface KeyStoreOptions {
  /** Whose rules apply (`basic_text` matters on Linux only); process.platform by default. */
  platform?: NodeJS.Platform
  /** Where a key file that cannot be read or decrypted is reported; console.warn by default. */
  log?: (message: string) => void
}

export interface KeyStore {
  /** Why the store can't be used here, or undefined when it can. */
  unavailableReason(): string | undefined
  /** The saved key (base64), or undefined if none is saved or it can't be decrypted. */
  load(): Promise<string | undefined>
  /** Saves the key (base64); false when the OS offers no real encryption. */
  save(keyBase64: string): Promise<boolean>
  clear(): Promise<void>
}

export function createKeyStore(
  file: string,
  storage: SafeStorageLike,
  options: KeyStoreOptions = {},
): KeyStore {
  const platform = options.platform ?? process.platform
  const log = options.log ?? ((message: string) => console.warn(message))
  const unavailableReason = (): string | undefined => {
    if (!storage.isEncryptionAvailable()) return 'the OS offers no encryption for stored secrets'
    if (platform === 'linux' && storage.getSelectedStorageBackend() === 'basic_text') {
      return 'no keyring (libsecret or kwallet) is running, so a stored key would not really be encrypted'
    }
    return undefined
  }
  return {
    unavailableReason,
    async load() {
      if (unavailableReason()) return undefined
      let sealed: Buffer
      try {
        sealed = await readFile(file)
      } catch (error) {
        // No file is the first run; any other failure is worth a line, but never stops start-up.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
          log(`eventscope: the saved cipher key could not be read (${messageOf(error)})`)
        return undefined
      }
      try {
        return storage.decryptString(sealed).trim() || undefined
      } catch (error) {
        log(`eventscope: the saved cipher key could not be decrypted (${messageOf(error)})`)
        return undefined
      }
    },
    async save(keyBase64) {
      if (unavailableReason()) return false
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      // Written aside, then renamed: a crash never leaves half a key file.
      const temporary = `${file}.${process.pid}.tmp`
      await writeFile(temporary, storage.encryptString(keyBase64.trim()), { mode: 0o600 })
      await rename(temporary, file)
      return true
    },
    async clear() {
      await rm(file, { force: true })
    },
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
