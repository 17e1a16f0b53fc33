/** The first byte of every stored state: how the rest is encoded (mapper.ts). */
export const COMPRESSED = 0b0001
export const ENCRYPTED = 0b0010
/** Format 2 (canonicalRecord.ts): the body is the event's hash + the canonical text it hashes. */
export const CANONICAL = 0b0100
/** Format 2 whose text is followed by the paths of the UUIDs to type back (canonicalRetypes.ts). */
export const RETYPED = 0b1000
/**
 * Compressed with Brotli rather than zlib (snapshots): its window spans a whole large state,
 * where zlib's 32 KB cannot reach a repeat in another column (transcoderColumns.ts).
 */
export const BROTLI = 0b1_0000
/** Either compression (never both). */
export const COMPRESSION = COMPRESSED | BROTLI

/** Whether no format this version knows has these flags (retyped is a kind of format 2 only). */
export function unknownFlags(flags: number): boolean {
  return (
    (flags & ~(COMPRESSED | ENCRYPTED | CANONICAL | RETYPED | BROTLI)) !== 0 ||
    (flags & (CANONICAL | RETYPED)) === RETYPED ||
    (flags & COMPRESSION) === COMPRESSION
  )
}
