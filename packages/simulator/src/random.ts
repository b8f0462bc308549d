/**
 * Counter-based randomness: a value is a hash of what it describes (seed, node, run, interval),
 * so any window, in any order, sees the same numbers. Sequential streams (the node catalogue)
 * use @carbon/demo-data's mulberry32.
 */

/** A 32-bit hash of integers (murmur3-style mixing). */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = 0x9e3779b9 ^ Math.imul(a | 0, 0xcc9e2d51)
  h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64
  h ^= Math.imul(b | 0, 0x1b873593)
  h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64
  h ^= Math.imul(c | 0, 0xcc9e2d51)
  h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64
  h ^= Math.imul(d | 0, 0x1b873593)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** FNV-1a hash of a string: the demo model's, so node keys hash alike in both packages. */
export { hashString } from '@carbon/demo-data'

const SQRT3 = Math.sqrt(3)

/**
 * A near-normal number (mean 0, variance 1, bounded by +-3.46) from one hash: the sum of its
 * four bytes (Irwin-Hall), cheap enough for millions of values per file.
 */
export function normalOf(h: number): number {
  const sum = (h & 0xff) + ((h >>> 8) & 0xff) + ((h >>> 16) & 0xff) + (h >>> 24)
  return ((sum + 2) / 256 - 2) * SQRT3
}

/** Uniform in [0, 1) from one hash. */
export function uniformOf(h: number): number {
  return h / 4_294_967_296
}
