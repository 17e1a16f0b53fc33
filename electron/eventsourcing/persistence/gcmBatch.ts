/**
 * AES-GCM decryption (NIST SP 800-38D) of a page of small messages under one key, with a few
 * calls into OpenSSL per page instead of five per message. Node makes a GCM context per message
 * (createDecipheriv, setAuthTag, setAAD, update, final), which cost more than all the rest of an
 * encrypted replay. The output is the same bytes: no stored format changes.
 *
 * - Keystream: GCM's counter blocks (nonce | 1 for the tag mask, nonce | 2, … for the text) of
 *   every message, encrypted by one `update` of an AES-ECB context kept for the key's lifetime.
 * - Tags: GHASH is linear. For each message the segment [its associated data, padded | its
 *   ciphertext, padded | its lengths block | its tag ⊕ E(K, nonce | 1)] has GHASH H · (S ⊕ S'),
 *   S being the GHASH its tag was made from and S' the one the stored tag claims: zero when the
 *   tag is right. Concatenated, the segments occupy disjoint powers of H, so their GHASH equals
 *   that of as many zero bytes only when every tag is right (or by chance, with probability about
 *   blocks / 2^128, as for any GCM tag). Node computes both GHASHs (a GCM tag over associated
 *   data alone, same nonce: the masks cancel) with its own GHASH, and the two are compared.
 * A page that fails is not decrypted: the caller opens each message on its own, to find which.
 * Only 12-byte nonces and 16-byte tags, as AesGcmCipher writes them.
 */
import { type Cipher, createCipheriv, type KeyObject, timingSafeEqual } from 'node:crypto'

const BLOCK = 16
const NONCE_BYTES = 12
const TAG_BYTES = 16
/** Longer messages are opened one at a time: no page buffer grows with them. */
export const BATCH_MAX_BYTES = 64 * 1024
/** Only used to have Node compute GHASH: nothing is ever encrypted under it. */
const CHECK_NONCE = Buffer.alloc(NONCE_BYTES)

/**
 * A Buffer made by Node's C++ side (as the keystream and SQLite's BLOBs are), kept for the
 * process's lifetime. Such Buffers get their prototype set after they are made, and V8 keeps
 * the hidden class that results only while one of them lives: after a full GC between two
 * replays it was gone, and the optimised code that had seen it was thrown away ("weak
 * objects"), so every replay after one ran this file's loops unoptimised (measured: 10 pages
 * 8 ms of CPU, 20 ms after a forced GC; with this kept, 8 ms either way). An all-zero block
 * under an all-zero key: nothing secret.
 */
const NATIVE_BUFFER_SHAPE = createCipheriv('aes-128-ecb', Buffer.alloc(16), null).update(
  Buffer.alloc(BLOCK),
)

/** One sealed message: nonce | tag | ciphertext at `start` of `bytes`, with its associated data. */
export type Sealed = SealedText | SealedParts

export interface SealedText {
  readonly bytes: Buffer
  readonly start: number
  /** The associated data as text (written as UTF-8). */
  readonly aad: string
}

/**
 * A message whose associated data is `lead`, `number` in decimal, then `tail` (UTF-8 bytes):
 * a record's `id\n`, version, `\ntopic`, whose lead and tail a page's records share, so that
 * no text is made and written per record.
 */
export interface SealedParts {
  readonly bytes: Buffer
  readonly start: number
  readonly aad?: undefined
  readonly lead: Uint8Array
  readonly number: number
  readonly tail: Uint8Array
}

/**
 * The plaintexts of a page, all in `bytes`: message r's at [starts[r], ends[r]) (no Buffer per
 * message: a page's decoding reads them in place).
 */
export interface OpenedPage {
  readonly bytes: Buffer
  readonly starts: Int32Array
  readonly ends: Int32Array
}

export class GcmBatch {
  private readonly ecb: Cipher
  /** (Referenced here so that no bundler drops it as unused.) */
  readonly nativeShape = NATIVE_BUFFER_SHAPE
  private zeros = Buffer.alloc(0)
  /** The tag over `length` zero bytes, by length: a replay's full pages mostly share one. */
  private readonly zeroTags = new Map<number, Buffer>()
  // Kept from page to page (grown when a page needs more): a replay's pages are alike, and
  // fresh buffers of a few hundred kB per page made work for the garbage collector.
  private counterBytes = new ArrayBuffer(0)
  private checkBytes = Buffer.alloc(0)

  constructor(
    private readonly key: KeyObject,
    private readonly bits: 128 | 192 | 256,
  ) {
    this.ecb = createCipheriv(`aes-${bits}-ecb`, key, null)
    // ECB without padding keeps no partial block: every update of whole blocks yields them all,
    // so the one context serves every page.
    this.ecb.setAutoPadding(false)
  }

  /** The plaintexts of all the messages; undefined when any of them does not authenticate. */
  openAll(sealed: readonly Sealed[]): Buffer[] | undefined {
    const page = this.openPage(sealed)
    if (page === undefined) return undefined
    const { bytes, starts, ends } = page
    return Array.from(starts, (start, r) => bytes.subarray(start, ends[r]))
  }

  /** openAll's plaintexts in place in one buffer; undefined when any does not authenticate. */
  openPage(sealed: readonly Sealed[]): OpenedPage | undefined {
    // The work per message is in functions called once per message, not in loops here: V8
    // optimises a function by its calls, while a loop in a function called once per page ran
    // unoptimised after every full GC (six times slower where the bench collects garbage
    // before each replay).
    const n = sealed.length
    // Where each message's blocks start in the keystream and its ciphertext in `check`.
    const streamAt = new Int32Array(n + 1)
    let streamSize = 0
    let checkSize = 0
    for (let r = 0; r < n; r++) {
      const message = sealed[r]!
      const { bytes, start } = message
      const cLength = bytes.length - start - NONCE_BYTES - TAG_BYTES
      if (cLength < 0) return undefined
      streamAt[r] = streamSize
      streamSize += (1 + blocksOf(cLength)) * BLOCK
      checkSize += (blocksOf(aadBound(message)) + blocksOf(cLength) + 2) * BLOCK
    }
    streamAt[n] = streamSize
    if (this.counterBytes.byteLength < streamSize) this.counterBytes = new ArrayBuffer(streamSize)
    const counters = new DataView(this.counterBytes, 0, streamSize)
    for (let r = 0; r < n; r++) {
      const { bytes, start } = sealed[r]!
      writeCounters(counters, streamAt[r]!, streamAt[r + 1]!, bytes, start)
    }
    const stream = this.ecb.update(new Uint8Array(this.counterBytes, 0, streamSize))
    // (Its own ArrayBuffer: aligned for the word-wise XOR below; zeros where nothing is written.)
    if (this.checkBytes.length < checkSize)
      this.checkBytes = Buffer.from(
        new ArrayBuffer(Math.max(checkSize, 2 * this.checkBytes.length)),
      )
    const check = this.checkBytes.fill(0, 0, checkSize)
    const cipherAt = new Int32Array(n)
    // (The lengths blocks through a DataView: Buffer's writeUInt32BE checks its arguments.)
    const view = new DataView(check.buffer, check.byteOffset, checkSize)
    let o = 0
    for (let r = 0; r < n; r++) {
      o = writeSegment(check, view, o, sealed[r]!, stream, streamAt[r]!, cipherAt, r)
    }
    if (!timingSafeEqual(this.ghashTag(check.subarray(0, o)), this.zeroTag(o))) return undefined
    // Decrypted in the keystream (the plaintexts are new buffers, not views of `check`, which the
    // next page reuses), a word at a time: the ciphertext copies in `check` are block aligned.
    const keys = alignedWords(stream)
    const words = new Int32Array(check.buffer, check.byteOffset, checkSize >> 2)
    const plain = Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength)
    const starts = new Int32Array(n)
    const ends = new Int32Array(n)
    for (let r = 0; r < n; r++) {
      const { bytes, start } = sealed[r]!
      const length = bytes.length - start - NONCE_BYTES - TAG_BYTES
      const k = (streamAt[r]! + BLOCK) >> 2
      xorWords(keys, k, words, cipherAt[r]! >> 2, blocksOf(length) * 4)
      starts[r] = 4 * k
      ends[r] = 4 * k + length
    }
    return { bytes: plain, starts, ends }
  }

  private zeroTag(length: number): Buffer {
    let tag = this.zeroTags.get(length)
    if (tag === undefined) {
      if (this.zeros.length < length)
        this.zeros = Buffer.alloc(Math.max(length, 2 * this.zeros.length))
      tag = this.ghashTag(this.zeros.subarray(0, length))
      if (this.zeroTags.size >= 64) this.zeroTags.clear()
      this.zeroTags.set(length, tag)
    }
    return tag
  }

  /** The GCM tag of no plaintext with `aad` under the fixed check nonce. */
  private ghashTag(aad: Buffer): Buffer {
    const gcm = createCipheriv(`aes-${this.bits}-gcm`, this.key, CHECK_NONCE, {
      authTagLength: TAG_BYTES,
    })
    gcm.setAAD(aad)
    gcm.final()
    return gcm.getAuthTag()
  }
}

/**
 * A message's counter blocks in [at, end): nonce | 1 (the tag mask), nonce | 2, nonce | 3, …
 * (the keystream), a word at a time: the nonce's bytes as they are (little endian both ways),
 * the count big endian.
 */
function writeCounters(
  counters: DataView,
  at: number,
  end: number,
  bytes: Uint8Array,
  start: number,
): void {
  const n0 = littleWord(bytes, start)
  const n1 = littleWord(bytes, start + 4)
  const n2 = littleWord(bytes, start + 8)
  for (let count = 1; at < end; at += BLOCK, count++) {
    counters.setInt32(at, n0, true)
    counters.setInt32(at + 4, n1, true)
    counters.setInt32(at + 8, n2, true)
    counters.setUint32(at + 12, count, false)
  }
}

/**
 * A message's segment of the check at `o` (associated data, ciphertext, lengths block, tag ⊕
 * its mask from `stream` at `mask`), where its ciphertext went in `cipherAt[r]`; the next `o`.
 */
function writeSegment(
  check: Buffer,
  view: DataView,
  o: number,
  message: Sealed,
  stream: Buffer,
  mask: number,
  cipherAt: Int32Array,
  r: number,
): number {
  const { bytes, start } = message
  const cStart = start + NONCE_BYTES + TAG_BYTES
  const cLength = bytes.length - cStart
  const aLength =
    message.aad === undefined ? writeParts(check, o, message) : check.write(message.aad, o, 'utf8')
  o += blocksOf(aLength) * BLOCK
  check.set(new Uint8Array(bytes.buffer, bytes.byteOffset + cStart, cLength), o)
  cipherAt[r] = o
  o += blocksOf(cLength) * BLOCK
  view.setUint32(o, Math.floor(aLength / 0x20000000))
  view.setUint32(o + 4, (aLength * 8) >>> 0)
  view.setUint32(o + 8, Math.floor(cLength / 0x20000000))
  view.setUint32(o + 12, (cLength * 8) >>> 0)
  o += BLOCK
  for (let j = 0; j < TAG_BYTES; j++)
    check[o + j] = bytes[start + NONCE_BYTES + j]! ^ stream[mask + j]!
  return o + BLOCK
}

/** At most how many bytes a message's associated data takes (3 UTF-8 bytes per UTF-16 unit). */
function aadBound(message: Sealed): number {
  return message.aad === undefined
    ? message.lead.length + 16 + message.tail.length
    : message.aad.length * 3
}

/** A SealedParts' associated data at `o` of `check`; its length. */
function writeParts(check: Buffer, o: number, { lead, number, tail }: SealedParts): number {
  check.set(lead, o)
  let at = o + lead.length
  // The decimal digits of a non-negative safe integer (a version), written backwards.
  let digits = 1
  for (let rest = number; rest >= 10; rest = Math.floor(rest / 10)) digits++
  let rest = number
  for (let d = at + digits - 1; d >= at; d--) {
    check[d] = 48 + (rest % 10)
    rest = Math.floor(rest / 10)
  }
  at += digits
  check.set(tail, at)
  return at + tail.length - o
}

/** keys[k …] ^= words[w …], `count` words. */
function xorWords(keys: Int32Array, k: number, words: Int32Array, w: number, count: number): void {
  for (let j = 0; j < count; j++) keys[k + j] = keys[k + j]! ^ words[w + j]!
}

/** Four bytes as a little-endian word (what a little-endian DataView store writes back as is). */
function littleWord(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)
}

/** The bytes as 32-bit words (XOR word by word is XOR byte by byte, whatever the byte order). */
function alignedWords(bytes: Buffer): Int32Array {
  if (bytes.byteOffset % 4 === 0)
    return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)
  const words = new Int32Array(bytes.length >> 2)
  new Uint8Array(words.buffer).set(bytes)
  return words
}

function blocksOf(bytes: number): number {
  return Math.ceil(bytes / BLOCK)
}
