/**
 * The stored state of Python's `eventsourcing` (9.x) records, decoded: AES-GCM as its
 * AESCipher lays it out (12-byte nonce | 16-byte tag | ciphertext, no associated data), then
 * zlib when the application compresses (told from the zlib header, not asked), then its
 * JSONTranscoder's JSON, where a custom type is `{"_type_": name, "_data_": value}`.
 * Read from the library's source (persistence.py Mapper, cipher.py, compressor.py), checked
 * against records the library wrote (python.*.test.ts).
 */
import { createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { ConfigurationError, DataIntegrityError } from '../../eventsourcing'
import { parsePythonJson } from './pythonJson'

const NONCE_BYTES = 12
const TAG_BYTES = 16

/** A stored event or snapshot row of a Python application (versions from 1, or 0 for some). */
export interface PythonRecord {
  /** Canonical lowercase UUID text with dashes (SQLite stores it as 32 hex digits). */
  readonly originatorId: string
  readonly originatorVersion: number
  readonly topic: string
  readonly state: Uint8Array
  /** The notification id (SQLite rowid, PostgreSQL notification_id); absent without a log. */
  readonly notificationId?: number
}

/**
 * The library's own transcodings, decoded to text that keeps every digit: a UUID as its
 * canonical form, a datetime as the ISO text Python wrote (microseconds and offset kept), a
 * Decimal as its digits. Any other tag is the application's own: kept as stored.
 */
const KNOWN_TAGS: Readonly<Record<string, (data: unknown) => unknown>> = {
  uuid_hex: (data) => {
    if (typeof data !== 'string' || !/^[0-9a-fA-F]{32}$/.test(data.replace(/-/g, '')))
      throw new TypeError(`uuid_hex holds ${JSON.stringify(data)}, not a UUID`)
    return canonicalUuid(data)
  },
  datetime_iso: (data) => {
    if (typeof data !== 'string') throw new TypeError('datetime_iso holds no text')
    return data
  },
  decimal_str: (data) => {
    if (typeof data !== 'string') throw new TypeError('decimal_str holds no text')
    return data
  },
}

export function canonicalUuid(text: string): string {
  const hex = text.replace(/-/g, '').toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export class PythonCodec {
  private readonly key: KeyObject | undefined
  private readonly algorithm: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' | undefined

  /** `cipherKey`: the application's CIPHER_KEY as it is (base64 of 16, 24 or 32 bytes). */
  constructor(cipherKey?: string) {
    if (cipherKey === undefined || cipherKey.trim() === '') return
    const text = cipherKey.trim()
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text))
      throw new ConfigurationError('the cipher key is not valid base64')
    const bytes = Buffer.from(text, 'base64')
    if (![16, 24, 32].includes(bytes.length))
      throw new ConfigurationError(
        `an AES key must be 16, 24 or 32 bytes long; this one is ${bytes.length}`,
      )
    this.key = createSecretKey(bytes)
    this.algorithm = `aes-${bytes.length * 8}-gcm` as 'aes-256-gcm'
  }

  /** The store's newest events are plain JSON (keyCheck.ts): a row that is not is damaged. */
  private plainStore = false

  get hasKey(): boolean {
    return this.key !== undefined
  }

  markPlainStore(): void {
    this.plainStore = true
  }

  /** The record's fields; DataIntegrityError naming the record when they cannot be read. */
  decode(record: PythonRecord): Record<string, unknown> {
    let text: string
    try {
      text = this.plaintext(record.state).toString('utf8')
    } catch (error) {
      throw integrity(record, (error as Error).message, error)
    }
    let parsed: unknown
    try {
      parsed = revive(parsePythonJson(text))
    } catch (error) {
      throw integrity(record, `its state cannot be decoded: ${(error as Error).message}`, error)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw integrity(record, 'its state holds no fields')
    return parsed as Record<string, unknown>
  }

  /**
   * The record's `timestamp` field, as decode(record)['timestamp'] gives it: read straight from
   * the bytes when the state starts as the library writes every event (the timestamp first, as
   * a datetime_iso tag), so a list page parses no JSON; decoded in full otherwise. Failures as
   * decode's. Only the bytes up to the timestamp are read on that path: damage after them is
   * found when the record itself is read, not here.
   */
  timestamp(record: PythonRecord): unknown {
    let plain: Buffer
    try {
      plain = this.plaintext(record.state)
    } catch (error) {
      throw integrity(record, (error as Error).message, error)
    }
    return leadingTimestamp(plain) ?? this.decode(record)['timestamp']
  }

  /** The stored JSON text, decrypted and inflated but not revived (the raw record view). */
  plainText(record: PythonRecord): string {
    try {
      return this.plaintext(record.state).toString('utf8')
    } catch (error) {
      throw integrity(record, (error as Error).message, error)
    }
  }

  /**
   * Whether the state is stored encrypted. Plain JSON starts with `{"` and zlib with 0x78 and a
   * check byte, but so does about one AES-GCM output in 8,000 (its random nonce): a zlib-looking
   * state is encrypted when the key opens it, or when it does not inflate.
   */
  isEncrypted(state: Uint8Array): boolean {
    if (looksPlain(state) || otherCompression(state) !== undefined) return false
    if (!looksZlib(state)) return true
    const bytes = Buffer.from(state.buffer, state.byteOffset, state.byteLength)
    if (this.key && opens(() => this.decrypt(bytes))) return true
    return !opens(() => inflate(bytes))
  }

  private plaintext(state: Uint8Array): Buffer {
    const bytes = Buffer.from(state.buffer, state.byteOffset, state.byteLength)
    if (this.key) {
      // Authenticated: a successful decryption cannot be a coincidence, so it is tried first;
      // what it refuses may still be a record the application wrote before it encrypted.
      let plain: Buffer | undefined
      let failure: unknown
      try {
        plain = this.decrypt(bytes)
      } catch (error) {
        failure = error
      }
      if (plain) return looksZlib(plain) ? inflate(plain) : refuseOtherCompression(plain)
      if (looksPlain(bytes)) return bytes
      // A nonce that looks like a zlib header: the key's refusal is the likelier story.
      if (looksZlib(bytes)) return inflateOr(bytes, failure)
      throw failure
    }
    if (looksPlain(bytes)) return bytes
    refuseOtherCompression(bytes)
    const noKey = new Error(
      this.plainStore
        ? "it is damaged: its state is not valid JSON, though the store's other events are plain JSON"
        : 'it is encrypted (or damaged) and no cipher key is configured',
    )
    if (looksZlib(bytes)) return inflateOr(bytes, noKey)
    throw noKey
  }

  private decrypt(bytes: Buffer): Buffer {
    if (bytes.length < NONCE_BYTES + TAG_BYTES)
      throw new Error('its state is too short to be AES-GCM output (damaged)')
    const decipher = createDecipheriv(this.algorithm!, this.key!, bytes.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    })
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES))
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)),
        decipher.final(),
      ])
    } catch {
      throw new Error('decryption failed: the cipher key is wrong or the stored bytes were damaged')
    }
  }
}

/** How the library's events begin: the timestamp first, as a datetime_iso tag. */
export const TIMESTAMP_HEAD = '{"timestamp":{"_type_":"datetime_iso","_data_":"'
/** How many bytes after the head are looked at: the tag's text and its end (`"}`) fit. */
export const TIMESTAMP_TAIL_BYTES = 64
const HEAD_BYTES = Buffer.from(TIMESTAMP_HEAD, 'latin1')

/**
 * The timestamp's text from what follows TIMESTAMP_HEAD in a state, or undefined. The tag must
 * close right after its text (`"}`) and the text be printable ASCII with no escape, so the value
 * is exactly what JSON.parse and revive would give; anything else is left to the full decode.
 */
export function timestampTail(tail: string): string | undefined {
  const end = tail.indexOf('"')
  if (end < 0 || tail.charCodeAt(end + 1) !== 0x7d) return undefined
  for (let i = 0; i < end; i += 1) {
    const code = tail.charCodeAt(i)
    if (code < 0x20 || code > 0x7e || code === 0x5c) return undefined
  }
  return tail.slice(0, end)
}

/** The text of a leading datetime_iso timestamp, or undefined when the JSON does not begin so. */
function leadingTimestamp(json: Buffer): string | undefined {
  const start = HEAD_BYTES.length
  if (json.length <= start || json.compare(HEAD_BYTES, 0, start, 0, start) !== 0) return undefined
  // latin1 maps each byte to one character, so the checks above see the bytes themselves.
  return timestampTail(json.toString('latin1', start, start + TIMESTAMP_TAIL_BYTES))
}

function looksPlain(bytes: Uint8Array): boolean {
  // The transcoder writes an object with no whitespace: `{"`, or `{}` for no fields.
  return bytes[0] === 0x7b && (bytes[1] === 0x22 || (bytes[1] === 0x7d && bytes.length === 2))
}

/**
 * The compressors Python's standard library has besides zlib, by their streams' magic bytes:
 * the library takes a module as COMPRESSOR_TOPIC (eventsourcing's own compressor is zlib's).
 */
function otherCompression(bytes: Uint8Array): string | undefined {
  // bz2: "BZh", a block size digit, then the block magic 0x314159265359.
  const bz2 = [0x42, 0x5a, 0x68]
  if (bz2.every((b, i) => bytes[i] === b) && bytes[4] === 0x31 && bytes[5] === 0x41) return 'bz2'
  // lzma's default format, xz: FD 37 7A 58 5A 00.
  const xz = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]
  if (xz.every((b, i) => bytes[i] === b)) return 'lzma (xz)'
  return undefined
}

/** The bytes as they are, unless another compressor wrote them: then a clear refusal. */
function refuseOtherCompression(bytes: Buffer): Buffer {
  const compressor = otherCompression(bytes)
  if (compressor === undefined) return bytes
  throw new Error(
    `it is compressed with ${compressor}, which Eventscope does not read (only zlib, the library's ZlibCompressor)`,
  )
}

function looksZlib(bytes: Uint8Array): boolean {
  // zlib.compress: CMF 0x78 (deflate, 32K window) and a check byte making CMF*256+FLG % 31 == 0.
  const cmf = bytes[0]
  const flg = bytes[1]
  return cmf === 0x78 && flg !== undefined && (cmf * 256 + flg) % 31 === 0
}

function opens(read: () => Buffer): boolean {
  try {
    read()
    return true
  } catch {
    return false
  }
}

/** Inflated, or `otherwise` thrown when the bytes are not a zlib stream after all. */
function inflateOr(bytes: Buffer, otherwise: unknown): Buffer {
  try {
    return inflateSync(bytes)
  } catch {
    throw otherwise
  }
}

function inflate(bytes: Buffer): Buffer {
  try {
    return inflateSync(bytes)
  } catch (error) {
    throw new Error(`its compressed state is damaged: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/** JSON.parse's output with the library's tags decoded, bottom-up like its object_hook. */
function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(revive)
  const object = value as Record<string, unknown>
  const keys = Object.keys(object)
  const out: Record<string, unknown> = {}
  for (const key of keys) out[key] = revive(object[key])
  // Only an object of exactly these two keys is a tag (the library checks len(d) == 2).
  if (keys.length === 2 && typeof out['_type_'] === 'string' && '_data_' in out) {
    const decode = KNOWN_TAGS[out['_type_']]
    if (decode) return decode(out['_data_'])
  }
  return out
}

function integrity(record: PythonRecord, reason: string, cause?: unknown): DataIntegrityError {
  return new DataIntegrityError(
    `record ${record.originatorId} v${record.originatorVersion} (${record.topic}): ${reason}`,
    {
      originatorId: record.originatorId,
      originatorVersion: record.originatorVersion,
      problem: 'undecodable',
    },
    cause === undefined ? undefined : { cause },
  )
}
