/**
 * How stored bodies are compressed: zlib for events and other states, Brotli for snapshots
 * (the format byte records which, recordFlags.ts).
 */
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants as zlibConstants,
  deflateSync,
  inflateSync,
} from 'node:zlib'
import { BROTLI, COMPRESSED } from './recordFlags'

/**
 * Below this, zlib costs more than it saves: each deflateSync sets up a new stream (tens of
 * microseconds, more than the rest of writing a small event), every replay pays an inflate, and
 * a few hundred bytes of JSON shrink by a few dozen at most.
 */
export const COMPRESS_MIN_BYTES = 1024

/**
 * Brotli at quality 3 with a 16 MiB window: on the demo's largest snapshot stored by column
 * (1.56 MB of JSON), 415 KB written in about 20 ms and read back in 4–7, against zlib's 830 KB,
 * about 70 ms and 11 ms (docs/performance-log.md). zlib's 32 KB window cannot reach a repeat in
 * another column (an entity's id beside the map key it is stored under).
 */
function brotliOptions(bytes: number) {
  return {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 3,
      [zlibConstants.BROTLI_PARAM_LGWIN]: 24,
      [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes,
    },
  }
}

/**
 * `body` compressed (by Brotli or zlib) and the flag that says so, or undefined when it is too
 * small to be worth it or does not shrink.
 */
export function compressBody(
  body: Uint8Array,
  brotli: boolean,
): { body: Uint8Array; flag: number } | undefined {
  if (body.length < COMPRESS_MIN_BYTES) return undefined
  const compressed = brotli
    ? brotliCompressSync(body, brotliOptions(body.length))
    : deflateSync(body)
  if (compressed.length >= body.length) return undefined
  return { body: compressed, flag: brotli ? BROTLI : COMPRESSED }
}

/** `body` decompressed as the format byte `flags` says (as it is when it says none). */
export function decompressBody(body: Uint8Array, flags: number): Uint8Array {
  if (flags & COMPRESSED) return inflateSync(body)
  if (flags & BROTLI) return brotliDecompressSync(body)
  return body
}

/**
 * The start of `body` decompressed as `flags` says, from its first `inputBytes` bytes only (a
 * flush instead of the end of the stream: what those bytes decode to), and whether that is the
 * whole body. For the head of a large state (a snapshot's time and type) without inflating
 * megabytes; bytes past the first `inputBytes` are neither read nor checked.
 */
export function decompressPrefix(
  body: Uint8Array,
  flags: number,
  inputBytes: number,
): { bytes: Uint8Array; whole: boolean } {
  const whole = body.length <= inputBytes
  if (whole) return { bytes: decompressBody(body, flags), whole }
  const head = body.subarray(0, inputBytes)
  if (flags & COMPRESSED)
    return { bytes: inflateSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }), whole }
  if (flags & BROTLI) {
    const finishFlush = zlibConstants.BROTLI_OPERATION_FLUSH
    return { bytes: brotliDecompressSync(head, { finishFlush }), whole }
  }
  return { bytes: head, whole }
}
