import { describe, expect, it } from 'vitest'
import { SCENARIO_MARKETS, TECHNOLOGIES, UNITS } from '../types.ts'
import { completions } from './index.ts'

// The sources of the language, read by Vite (no Node module needed here either).
const sources = import.meta.glob(['./*.ts', '!./*.test.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>

describe('the language runs in the browser', () => {
  it('imports nothing but its own files and ../types.ts', () => {
    expect(Object.keys(sources).length).toBeGreaterThanOrEqual(8)
    for (const [file, text] of Object.entries(sources)) {
      const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!)
      for (const s of specifiers) expect({ file, s, ok: s === '../types.ts' || /^\.\/[\w-]+\.ts$/.test(s) }).toEqual({ file, s, ok: true })
      expect(text).not.toMatch(/\bprocess\.|\brequire\(/)
    }
  })
})

describe('completions', () => {
  it('offers keywords, every concrete target with its unit, units, technologies and markets', () => {
    const list = completions()
    const labels = (type: string) => list.filter((c) => c.type === type).map((c) => c.label)
    expect(labels('keyword')).toEqual(['scenario', 'set', 'build', 'retire', 'extends', 'from', 'escalate', 'in', 'at', 'forward'])
    expect(labels('target')).toContain('fuel.gas')
    expect(labels('target')).toContain('power.CAISO.gas_ct.vom')
    expect(labels('target')).not.toContain('load.<market>.growth')
    expect(list.find((c) => c.label === 'load.MISO.growth')!.detail).toMatch(/^%\/yr: /)
    expect(labels('unit')).toEqual([...UNITS])
    expect(labels('technology')).toEqual([...TECHNOLOGIES])
    expect(labels('market')).toEqual([...SCENARIO_MARKETS])
  })
})
