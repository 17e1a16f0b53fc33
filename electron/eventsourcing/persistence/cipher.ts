import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type CipherGCMTypes,
  type KeyObject,
} from 'node:crypto'
import { ConfigurationError, DataIntegrityError } from '../errors'
import { BATCH_MAX_BYTES, GcmBatch, type OpenedPage, type Sealed } from './gcmBatch'

const NONCE_BYTES = 12
const TAG_BYTES = 16
const GCM_OPTIONS = { authTagLength: TAG_BYTES }

/**
 * AES-GCM with a random 12-byte nonce per message: nonce | tag | ciphertext. The associated
 * data binds a ciphertext to its record (originator id, version, topic), so a state copied onto
 * another row fails to decrypt instead of being read as that row's.
 */
export class AesGcmCipher {
  private readonly algorithm: CipherGCMTypes
  private readonly bits: 128 | 192 | 256
  // A KeyObject, made once: createDecipheriv then skips converting and copying raw key bytes
  // on every call (one call per event on replay).
  private readonly key: KeyObject
  private scratch = Buffer.allocUnsafe(256)
  /** Decrypts pages of records with a few calls into OpenSSL (gcmBatch.ts); made on first use. */
  private batch: GcmBatch | undefined

  constructor(key: Uint8Array) {
    const bits = key.length * 8
    if (bits !== 128 && bits !== 192 && bits !== 256) {
      throw new ConfigurationError(
        `an AES key must be 16, 24 or 32 bytes long; this one is ${key.length}`,
      )
    }
    this.bits = bits
    this.algorithm = `aes-${bits}-gcm` as CipherGCMTypes
    this.key = createSecretKey(Buffer.from(key))
  }

  /** Parses a base64 key (as EVENTSCOPE_CIPHER_KEY holds it). */
  static fromBase64(text: string): AesGcmCipher {
    const trimmed = text.trim()
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
      throw new ConfigurationError('the cipher key is not valid base64')
    }
    return new AesGcmCipher(Buffer.from(trimmed, 'base64'))
  }

  encrypt(plaintext: Uint8Array, associatedData?: Uint8Array): Buffer {
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv(this.algorithm, this.key, nonce, GCM_OPTIONS)
    if (associatedData) cipher.setAAD(associatedData)
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return Buffer.concat([nonce, cipher.getAuthTag(), body])
  }

  /**
   * decrypt() of a stored record's state from byte `start` (after the format byte), whose
   * associated data is `id\nversion\ntopic`: that text is written into a buffer kept for the
   * purpose, and the state is read in place, with no view of it made first. (Node makes one
   * OpenSSL context per GCM message, with no way to re-key one with a new nonce; measured, a
   * raw key and a KeyObject cost the same, so the context stays per event.)
   */
  decryptRecord(
    state: Uint8Array,
    start: number,
    originatorId: string,
    version: number,
    topic: string,
  ): Buffer {
    const text = `${originatorId}\n${version}\n${topic}`
    // (Worst case 3 bytes per UTF-16 unit: grow the scratch buffer when that might not fit.)
    if (text.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(text.length * 3)
    const length = this.scratch.write(text, 0, 'utf8')
    const bytes = Buffer.isBuffer(state)
      ? state
      : Buffer.from(state.buffer, state.byteOffset, state.byteLength)
    return this.open(bytes, start, this.scratch.subarray(0, length))
  }

  /**
   * decryptRecord() of many records at once (a replay's page): their plaintexts, in order, or
   * undefined when any fails to authenticate (or is longer than a page decrypts): decrypt those
   * one by one, which says which record failed.
   */
  decryptRecords(records: readonly Sealed[]): Buffer[] | undefined {
    for (const { bytes, start } of records)
      if (bytes.length - start > BATCH_MAX_BYTES) return undefined
    this.batch ??= new GcmBatch(this.key, this.bits)
    return this.batch.openAll(records)
  }

  /** decryptRecords() with the plaintexts left in place in one buffer (GcmBatch.openPage). */
  decryptPage(records: readonly Sealed[]): OpenedPage | undefined {
    for (const { bytes, start } of records)
      if (bytes.length - start > BATCH_MAX_BYTES) return undefined
    this.batch ??= new GcmBatch(this.key, this.bits)
    return this.batch.openPage(records)
  }

  decrypt(data: Uint8Array, associatedData?: Uint8Array): Buffer {
    return this.open(Buffer.from(data.buffer, data.byteOffset, data.byteLength), 0, associatedData)
  }

  /** Decrypts nonce | tag | ciphertext found at `start` of `bytes`. */
  private open(bytes: Buffer, start: number, associatedData: Uint8Array | undefined): Buffer {
    if (bytes.length - start < NONCE_BYTES + TAG_BYTES) {
      throw new DataIntegrityError('ciphertext is too short to be AES-GCM output')
    }
    const nonce = bytes.subarray(start, start + NONCE_BYTES)
    const tag = bytes.subarray(start + NONCE_BYTES, start + NONCE_BYTES + TAG_BYTES)
    const decipher = createDecipheriv(this.algorithm, this.key, nonce, GCM_OPTIONS)
    decipher.setAuthTag(tag)
    if (associatedData) decipher.setAAD(associatedData)
    try {
      const plaintext = decipher.update(bytes.subarray(start + NONCE_BYTES + TAG_BYTES))
      // final() authenticates (it throws on a wrong key, tag or associated data). For GCM it
      // yields no bytes, so the concat (a copy per event) is only kept for the general case.
      const rest = decipher.final()
      return rest.length === 0 ? plaintext : Buffer.concat([plaintext, rest])
    } catch (error) {
      throw new DataIntegrityError(
        'decryption failed: the cipher key is wrong or the stored bytes were damaged',
        {},
        { cause: error },
      )
    }
  }
}
