/**
 * A cipher key entered at run time: its check, whether it can be kept between runs, and putting
 * the saved key back when a change of key does not take.
 */
import { ApiFailure } from './dispatch'
import type { CipherKeyStore } from './serviceOptions'
import type { KeySource } from './settings'

/** The key in use, where it came from, and a malformed environment key's error. */
export interface KeyState {
  readonly cipherKey: Uint8Array | undefined
  readonly keySource: KeySource
  readonly keyError: string | undefined
}

/** An entered key's bytes; a length AES cannot use is a ValidationError. */
export function decodeEnteredKey(keyBase64: string): Uint8Array {
  // The schema checked the form; the decoded length is checked again all the same.
  const key = new Uint8Array(Buffer.from(keyBase64, 'base64'))
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new ApiFailure({
      code: 'ValidationError',
      message: 'a cipher key must be base64 of 16, 24 or 32 bytes',
    })
  }
  return key
}

/** Whether a secure store can keep a key between runs here. */
export function canRememberKey(keyStore: CipherKeyStore | undefined): boolean {
  try {
    return keyStore?.available() ?? false
  } catch {
    return false
  }
}

/** A change of key did not take: the saved key goes back to what it was `before`. */
export async function restoreSavedKey(keyStore: CipherKeyStore, before: KeyState): Promise<void> {
  try {
    if (before.keySource === 'saved' && before.cipherKey) await keyStore.save(before.cipherKey)
    else await keyStore.clear()
  } catch {
    // The key in memory is right; the saved one is whatever the store kept.
  }
}
