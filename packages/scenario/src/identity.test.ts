import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canonicalHash, runIdentity } from './identity.ts'

const canonical = 'scenario "High gas" chain "base" "High gas"\nset fuel.gas = 5.5 $/MMBtu from 2027-01 escalate 2 %/yr\n'
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')
const versions = { baseDataVersion: 'bd-0123abcd', engineVersion: 'carbon-fundamentals/1.0.0' }

describe('run identity', () => {
  it('hashes the documented bytes', () => {
    expect(canonicalHash(canonical)).toBe(sha256(canonical))
    const deterministic = runIdentity({ canonical, ...versions, mode: 'deterministic' })
    expect(deterministic).toEqual({
      inputsHash: sha256(canonical),
      runId: sha256(`carbon-scenario-run/1\nbase-data bd-0123abcd\nengine carbon-fundamentals/1.0.0\nmode deterministic\n\n${canonical}`).slice(0, 32),
    })
    const mc = runIdentity({ canonical, ...versions, mode: 'montecarlo', draws: 1000, seed: 42 })
    expect(mc.runId).toBe(sha256(`carbon-scenario-run/1\nbase-data bd-0123abcd\nengine carbon-fundamentals/1.0.0\nmode montecarlo\ndraws 1000\nseed 42\n\n${canonical}`).slice(0, 32))
    expect(mc.inputsHash).toBe(deterministic.inputsHash)
  })

  it('changes with every input and only with them', () => {
    const id = (over: Partial<Parameters<typeof runIdentity>[0]>) => runIdentity({ canonical, ...versions, mode: 'deterministic', ...over }).runId
    const ids = [
      id({}),
      id({ canonical: canonical.replace('5.5', '5.6') }),
      id({ baseDataVersion: 'bd-0123abce' }),
      id({ engineVersion: 'carbon-fundamentals/1.0.1' }),
      id({ mode: 'montecarlo', draws: 1000, seed: 1 }),
      id({ mode: 'montecarlo', draws: 1000, seed: 2 }),
      id({ mode: 'montecarlo', draws: 999, seed: 1 }),
    ]
    expect(new Set(ids).size).toBe(ids.length)
    // A deterministic run ignores draws and seed.
    expect(id({ draws: 5, seed: 9 })).toBe(ids[0])
  })

  it('refuses a Monte Carlo run without draws or seed, and versions with a line break', () => {
    expect(() => runIdentity({ canonical, ...versions, mode: 'montecarlo', seed: 1 })).toThrow(/needs draws/)
    expect(() => runIdentity({ canonical, ...versions, mode: 'montecarlo', draws: 10 })).toThrow(/needs seed/)
    expect(() => runIdentity({ canonical, ...versions, mode: 'montecarlo', draws: 10, seed: -1 })).toThrow(/needs seed/)
    expect(() => runIdentity({ canonical, ...versions, engineVersion: 'a\nb', mode: 'deterministic' })).toThrow(/engine must be one non-empty line/)
  })
})
