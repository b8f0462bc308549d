/**
 * Small, fast, seeded randomness. Every stream is a mulberry32 generator seeded from a hash
 * of (seed, what, which day), so a value depends only on the seed and on what it describes,
 * never on how much history was asked for: two windows that overlap agree on the overlap.
 */

/** mulberry32: a 32-bit state PRNG; uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A 32-bit hash of integers (murmur3-style mixing), for seeding streams. */
export function hashInts(...parts: number[]): number {
  let h = 0x9e3779b9
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** FNV-1a hash of a string (node names as stream keys). */
export function hashString(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export type Rng = {
  /** Uniform in [0, 1). */
  uniform(): number
  /** Standard normal (Box-Muller). */
  normal(): number
}

/** A seeded stream of uniform and normal numbers. */
export function rng(seed: number): Rng {
  const next = mulberry32(seed)
  let spare = Number.NaN
  return {
    uniform: next,
    normal() {
      if (!Number.isNaN(spare)) {
        const value = spare
        spare = Number.NaN
        return value
      }
      const u = 1 - next() // (0, 1]: log(0) never happens
      const radius = Math.sqrt(-2 * Math.log(u))
      const angle = 2 * Math.PI * next()
      spare = radius * Math.sin(angle)
      return radius * Math.cos(angle)
    },
  }
}

/**
 * Slow noise over one UTC day: 25 hourly knots (standard normal) read with cosine interpolation,
 * the 25th knot being the first knot of the next day so days join without a jump. Returns the
 * day's stream, positioned after its 24 knots, for the white noise that follows.
 */
export function dayKnots(streamSeed: (day: number) => number, day: number): { knots: Float64Array; stream: Rng } {
  const stream = rng(streamSeed(day))
  const knots = new Float64Array(25)
  for (let i = 0; i < 24; i++) knots[i] = stream.normal()
  knots[24] = rng(streamSeed(day + 1)).normal()
  return { knots, stream }
}

/** The value of hourly `knots` at `hours` (0..24) into the day. */
export function smooth(knots: Float64Array, hours: number): number {
  const i = Math.min(23, Math.floor(hours))
  const f = hours - i
  const w = (1 - Math.cos(Math.PI * f)) / 2
  return (knots[i] ?? 0) * (1 - w) + (knots[i + 1] ?? 0) * w
}
