/**
 * A seeded uniform [0, 1) sequence (mulberry32): deterministic pseudo-random numbers, so a test
 * failure can be replayed and the bench's scrub rows jump to the same versions in every run.
 */
export function seededRandom(seed = 10): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
