/**
 * The format 2 bodies of a page decrypted at once (GcmBatch.openPage), decoded a page at a time:
 * their hashes in hex with one call into Node and their texts with one, instead of two calls
 * (and their argument checks) per record. The page's buffer is its own (the keystream it was
 * decrypted in), so the texts are moved together in it.
 */
import { decodeChecked, HASH_BYTES, HEADER_BYTES } from './canonicalRecord'
import { applyRetypes, splitRetyped } from './canonicalRetypes'
import { RETYPED } from './recordFlags'
import type { StoredRecord } from './recorder'
import type { OpenedPage } from './gcmBatch'

/** Row k's text (k: its place among the page's format 2 bodies) lies at [ends[k - 1], ends[k]). */
export interface OpenedTexts {
  /** Row i's k, or -1 for a row not decrypted. */
  readonly at: Int32Array
  /** Hex of the hashes, 64 digits each. */
  readonly hashes: string
  /** The three offsets of each body's header. */
  readonly offsets: Uint16Array
  /** The texts, end to end. */
  readonly bytes: Buffer
  readonly ends: Int32Array
  /** `bytes` decoded, when each byte of it decoded to one UTF-16 unit (else decode each text). */
  readonly text: string | undefined
}

/** A page's decrypted rows with, when every one is an uncompressed format 2 body, their texts. */
export interface OpenedRows extends OpenedPage {
  readonly texts: OpenedTexts | undefined
}

let hashBytes = Buffer.alloc(0)

/**
 * The texts of a page whose every decrypted body (starts[i] ≥ 0) is format 2 uncompressed;
 * undefined when one is shorter than its header and two bytes (each is then read alone, and
 * refused as it would be).
 */
export function openedTexts({ bytes, starts, ends }: OpenedPage): OpenedTexts | undefined {
  const n = starts.length
  const at = new Int32Array(n).fill(-1)
  let count = 0
  for (let i = 0; i < n; i++) {
    const start = starts[i]!
    if (start < 0) continue
    if (ends[i]! - start < HEADER_BYTES + 2) return undefined
    at[i] = count++
  }
  if (hashBytes.length < count * HASH_BYTES) hashBytes = Buffer.alloc(count * HASH_BYTES * 2)
  const offsets = new Uint16Array(3 * count)
  // The hashes copied a word at a time where the bodies start on words (GcmBatch's do).
  const aligned =
    bytes.byteOffset % 4 === 0 && starts.every((start) => start < 0 || start % 4 === 0)
  const from = aligned ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null
  const to = new Int32Array(hashBytes.buffer, hashBytes.byteOffset, hashBytes.length >> 2)
  for (let i = 0; i < n; i++) {
    const k = at[i]!
    if (k >= 0) readHeader(bytes, from, starts[i]!, to, offsets, k)
  }
  const hashes = hashBytes.toString('hex', 0, count * HASH_BYTES)
  // Each text moved to the end of the ones before it: it lies after them, and after its own
  // header, which is read already.
  const textEnds = new Int32Array(count)
  let p = 0
  for (let i = 0; i < n; i++) {
    const k = at[i]!
    if (k < 0) continue
    const from = starts[i]! + HEADER_BYTES
    bytes.copyWithin(p, from, ends[i])
    p += ends[i]! - from
    textEnds[k] = p
  }
  const text = bytes.toString('utf8', 0, p)
  return {
    at,
    hashes,
    offsets,
    bytes,
    ends: textEnds,
    text: text.length === p ? text : undefined,
  }
}

/**
 * Body k's hash into `hashes` at 32 k (from `words`, the page as words, when given) and its
 * offsets (16-bit little endian) at 3 k.
 */
function readHeader(
  bytes: Buffer,
  words: Int32Array | null,
  start: number,
  hashes: Int32Array,
  offsets: Uint16Array,
  k: number,
): void {
  const to = (k * HASH_BYTES) >> 2
  if (words !== null) {
    const from = start >> 2
    for (let j = 0; j < HASH_BYTES >> 2; j++) hashes[to + j] = words[from + j]!
  } else {
    const hashBytes = new Uint8Array(hashes.buffer, hashes.byteOffset, hashes.byteLength)
    hashBytes.set(bytes.subarray(start, start + HASH_BYTES), k * HASH_BYTES)
  }
  const o = start + HASH_BYTES
  offsets[3 * k] = bytes[o]! | (bytes[o + 1]! << 8)
  offsets[3 * k + 1] = bytes[o + 2]! | (bytes[o + 3]! << 8)
  offsets[3 * k + 2] = bytes[o + 4]! | (bytes[o + 5]! << 8)
}

/**
 * decodeChecked for the row whose body is the page's k-th (texts.at[i]): its fields onto
 * `target`, its hash checked into checks[i].
 */
export function decodeOpened(
  texts: OpenedTexts,
  k: number,
  { originatorId, originatorVersion, topic, state }: StoredRecord,
  target: Record<string, unknown>,
  checks: Uint8Array | undefined,
  i: number,
): void {
  const from = k === 0 ? 0 : texts.ends[k - 1]!
  const to = texts.ends[k]!
  let text =
    texts.text === undefined ? texts.bytes.toString('utf8', from, to) : texts.text.slice(from, to)
  let retypes: string | undefined
  if (state[0]! & RETYPED) [text, retypes] = splitRetyped(text)
  const hash = texts.hashes.slice(2 * HASH_BYTES * k, 2 * HASH_BYTES * (k + 1))
  const { offsets } = texts
  const a = offsets[3 * k]!
  const b = offsets[3 * k + 1]!
  const c = offsets[3 * k + 2]!
  decodeChecked(text, a, b, c, hash, target, originatorId, originatorVersion, topic, checks, i)
  if (retypes !== undefined) applyRetypes(target, retypes)
}
