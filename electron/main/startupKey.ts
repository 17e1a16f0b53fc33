/**
 * Which cipher key the desktop app starts with besides the environment's: the one the user
 * saved in an earlier run. The environment's key is used for the run and never written to the
 * OS key store on its own: a key goes there only when the user asks (`setCipherKey` with
 * `remember`, the connection screen's "Remember on this computer").
 */
import { parseCipherKey } from '../explorer/settings'
import type { KeyStore } from './keyStore'

/** The saved key, for the service to use when EVENTSCOPE_CIPHER_KEY is not set (the environment's wins). */
export async function startupCipherKey(
  env: Readonly<Record<string, string | undefined>>,
  keyStore: Pick<KeyStore, 'load'>,
  log: (message: string) => void = (message) => console.warn(message),
): Promise<Uint8Array | undefined> {
  try {
    if (env['EVENTSCOPE_CIPHER_KEY']?.trim()) return undefined
    const saved = await keyStore.load()
    return saved === undefined ? undefined : parseCipherKey(saved)
  } catch (error) {
    // A bad key is reported by the service (settings); the key store never blocks start-up.
    // parseCipherKey's messages never include the key.
    log(`eventscope: cipher key store: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  }
}
