import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Bands } from '../types.ts'
import { MODEL_MONTHS } from './engine.ts'
import { drawPaths, mulberry32, runMonteCarloWith } from './montecarlo.ts'
import { baseAssumptions, resultDigest, syntheticContext } from './test-support.ts'

// History to 2026-07 (like the EIA file): months up to it are realized, the draws start after.
const ctx = syntheticContext('2026-07', 3)
const base = baseAssumptions()
const firstDrawn = MODEL_MONTHS.indexOf('2026-08')

function bandsDigest(bands: Bands): string {
  const hash = createHash('sha256')
  hash.update(`${bands.draws}|${bands.seed}`)
  for (const m of bands.markets) {
    for (const h of m.hubs) {
      hash.update(`${m.market}|${h.hub}|${h.block}`)
      for (const a of [h.p10, h.p50, h.p90]) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    }
  }
  return hash.digest('hex')
}

describe('mulberry32', () => {
  it('is a deterministic uniform generator on [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const xs = Array.from({ length: 1000 }, () => a())
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()))
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...xs)).toBeLessThan(1)
    const m = xs.reduce((s, x) => s + x, 0) / xs.length
    expect(Math.abs(m - 0.5)).toBeLessThan(0.05)
    expect(mulberry32(43)()).not.toBe(mulberry32(42)())
  })
})

describe('draw paths', () => {
  it('leave realized months alone and scatter around 1 after', () => {
    const rand = mulberry32(1)
    const n = MODEL_MONTHS.length
    const gasAt: number[] = []
    for (let d = 0; d < 400; d++) {
      const { gas, load } = drawPaths(rand, firstDrawn, n, { draws: 1, seed: 1 })
      for (let k = 0; k < firstDrawn; k++) {
        expect(gas[k]).toBe(1)
        expect(load[k]).toBe(1)
      }
      gasAt.push(gas[n - 1]!)
    }
    // mean-one log-normal with a long-run log spread of 0.3 / sqrt(2 x 0.5) = 0.3
    const mean = gasAt.reduce((s, x) => s + x, 0) / gasAt.length
    expect(mean).toBeGreaterThan(0.9)
    expect(mean).toBeLessThan(1.1)
    const logs = gasAt.map(Math.log)
    const lm = logs.reduce((s, x) => s + x, 0) / logs.length
    const sd = Math.sqrt(logs.reduce((s, x) => s + (x - lm) ** 2, 0) / logs.length)
    expect(sd).toBeGreaterThan(0.25)
    expect(sd).toBeLessThan(0.35)
  })
})

describe('runMonteCarlo', () => {
  const first = runMonteCarloWith(ctx, base, { draws: 24, seed: 2026 })

  it('same seed, same bands (to the byte); the deterministic run comes with them', () => {
    const again = runMonteCarloWith(ctx, base, { draws: 24, seed: 2026 })
    expect(bandsDigest(again.bands)).toBe(bandsDigest(first.bands))
    expect(resultDigest(again.result)).toBe(resultDigest(first.result))
  })

  it('a different seed gives different bands', () => {
    const other = runMonteCarloWith(ctx, base, { draws: 24, seed: 2027 })
    expect(bandsDigest(other.bands)).not.toBe(bandsDigest(first.bands))
  })

  it('P10 <= P50 <= P90 for every market, hub, block and month; realized months have no spread', () => {
    expect(first.bands.draws).toBe(24)
    expect(first.bands.seed).toBe(2026)
    expect(first.bands.markets.map((m) => m.market)).toEqual(['MISO', 'CAISO'])
    for (const m of first.bands.markets) {
      expect(m.hubs).toHaveLength(4)
      for (const h of m.hubs) {
        for (let k = 0; k < MODEL_MONTHS.length; k++) {
          expect(h.p10[k]!).toBeLessThanOrEqual(h.p50[k]!)
          expect(h.p50[k]!).toBeLessThanOrEqual(h.p90[k]!)
        }
        expect(h.p90[firstDrawn - 1]! - h.p10[firstDrawn - 1]!).toBe(0)
        expect(h.p90[200]! - h.p10[200]!).toBeGreaterThan(1)
      }
    }
  })

  it('reports progress and refuses bad arguments', () => {
    const seen: number[] = []
    runMonteCarloWith(ctx, base, { draws: 3, seed: 1, onProgress: (done) => seen.push(done) })
    expect(seen).toEqual([3])
    expect(() => runMonteCarloWith(ctx, base, { draws: 0, seed: 1 })).toThrow(/draws: expected a whole number of at least 1, found 0/)
    expect(() => runMonteCarloWith(ctx, base, { draws: 2, seed: -1 })).toThrow(/seed: expected a whole number 0\.\.4294967295, found -1/)
  })
})
