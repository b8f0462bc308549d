import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BASE_SCENARIO_TEXT } from '../base.ts'
import { usesForwardGas, type Assumptions } from '../types.ts'
import { canonicalStatements, canonicalText, checkScenario, completions, formatDiagnostic, parseScenario, type ScenarioDocument } from './index.ts'

// `set fuel.gas = forward [from YYYY-MM]`: the value of fuel.gas is the run's Henry Hub forward
// curve. No unit, no escalate; only fuel.gas takes it; it resolves, prints and hashes like any set,
// and every text without it keeps the canonical form (so the hash and run ids) it had before.

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')
const BASE = parseScenario(BASE_SCENARIO_TEXT, 'base').document
const withBase = (name: string): ScenarioDocument | undefined => (name === 'base' ? BASE : undefined)

function resolved(text: string, lookup: (name: string) => ScenarioDocument | undefined = withBase): { assumptions: Assumptions; canonical: string } {
  const checked = checkScenario(text, 'fwd.scn', lookup)
  expect(checked.diagnostics.map(formatDiagnostic)).toEqual([])
  return { assumptions: checked.assumptions!, canonical: checked.canonical! }
}

const gasSets = (a: Assumptions) => a.sets.filter((s) => s.target === 'fuel.gas').map(({ value, unit, from, escalate, scenario }) => ({ value, unit, from, escalate, scenario }))

describe('set fuel.gas = forward: parse and resolve', () => {
  it('reads forward with or without from (value null, the target\'s unit, no escalate)', () => {
    const { document, diagnostics } = parseScenario('scenario "s" extends "base"\nset fuel.gas = forward from 2026-08\n', 's.scn')
    expect(diagnostics).toEqual([])
    expect(document.sets).toMatchObject([{ target: 'fuel.gas', value: null, unit: '$/MMBtu', from: '2026-08', escalate: null, by: null }])
    const whole = parseScenario('scenario "s"\nset fuel.gas = forward # the curve from the first month\n', 's.scn')
    expect(whole.diagnostics).toEqual([])
    expect(whole.document.sets).toMatchObject([{ value: null, from: null }])
  })

  it('a child\'s forward replaces the base\'s price; a later price in the same file still wins from its month', () => {
    const forward = resolved('scenario "On the curve" extends "base"\nset fuel.gas = forward from 2026-08\n')
    expect(gasSets(forward.assumptions)).toEqual([{ value: null, unit: '$/MMBtu', from: '2026-08', escalate: null, scenario: 'On the curve' }])
    expect(usesForwardGas(forward.assumptions)).toBe(true)
    const then = resolved('scenario "Curve then price" extends "base"\nset fuel.gas = 4 $/MMBtu from 2035-01\nset fuel.gas = forward from 2026-08\n')
    expect(gasSets(then.assumptions)).toEqual([
      { value: null, unit: '$/MMBtu', from: '2026-08', escalate: null, scenario: 'Curve then price' },
      { value: 4, unit: '$/MMBtu', from: '2035-01', escalate: null, scenario: 'Curve then price' },
    ])
  })

  it('a grandchild that sets a price replaces its parent\'s forward; one that sets nothing keeps it', () => {
    const parent = parseScenario('scenario "fwd" extends "base"\nset fuel.gas = forward from 2026-08\n', 'fwd').document
    const lookup = (name: string) => (name === 'fwd' ? parent : withBase(name))
    const priced = resolved('scenario "priced" extends "fwd"\nset fuel.gas = 5 $/MMBtu from 2027-01\n', lookup)
    expect(usesForwardGas(priced.assumptions)).toBe(false)
    const kept = resolved('scenario "kept" extends "fwd"\nbuild solar 10 MW in MISO at 2030-06\n', lookup)
    expect(gasSets(kept.assumptions)).toEqual([{ value: null, unit: '$/MMBtu', from: '2026-08', escalate: null, scenario: 'fwd' }])
    expect(kept.canonical).toContain('\nset fuel.gas = forward from 2026-08 by "fwd"\n')
  })

  it('the base scenario and every scenario without forward do not use the curve', () => {
    expect(usesForwardGas(resolved(BASE_SCENARIO_TEXT).assumptions)).toBe(false)
    expect(usesForwardGas(resolved('scenario "High gas" extends "base"\nset fuel.gas = 5.5 $/MMBtu from 2027-01\n').assumptions)).toBe(false)
  })
})

describe('set ... = forward: diagnostics', () => {
  const H = 'scenario "s" extends "base"\n'
  it.each([
    ['escalate with forward', `${H}set fuel.gas = forward from 2026-08 escalate 2 %/yr`, '2:37', 'escalate', "escalate does not apply to forward: the forward curve gives each month's price (write a number in $/MMBtu to escalate it)", undefined],
    ['a unit with forward', `${H}set fuel.gas = forward $/MMBtu from 2026-08`, '2:24', '$/MMBtu', "forward takes no unit: the forward curve's prices are in $/MMBtu", undefined],
    ['another unit with forward', `${H}set fuel.gas = forward %/yr`, '2:24', '%/yr', "forward takes no unit: the forward curve's prices are in $/MMBtu", undefined],
    ['forward on another fuel', `${H}set fuel.coal = forward`, '2:17', 'forward', 'only fuel.gas can follow the forward curve: fuel.coal takes a number in $/MMBtu', undefined],
    ['forward on the gas basis', `${H}set fuel.gas.basis.MISO = forward from 2027-01`, '2:27', 'forward', 'only fuel.gas can follow the forward curve: fuel.gas.basis.MISO takes a number in $/MMBtu', undefined],
    ['forward on a rate', `${H}set load.MISO.growth = forward`, '2:24', 'forward', 'only fuel.gas can follow the forward curve: load.MISO.growth takes a number in %/yr', undefined],
    ['a misspelt forward', `${H}set fuel.gas = foward from 2026-08`, '2:16', 'foward', 'expected a number or forward after =, found foward; did you mean forward?', 'forward'],
    ['forward in the wrong case', `${H}set fuel.gas = Forward`, '2:16', 'Forward', 'expected a number or forward after =, found Forward; did you mean forward?', 'forward'],
    ['nothing after =', `${H}set fuel.gas =`, '2:15', '', 'expected a number or forward after =, found end of line', undefined],
    ['a word after forward', `${H}set fuel.gas = forward soon`, '2:24', 'soon', 'unexpected soon after forward: expected from', undefined],
    ['a misspelt from after forward', `${H}set fuel.gas = forward form 2026-08`, '2:24', 'form', 'unknown keyword form; did you mean from?', 'from'],
    ['from twice', `${H}set fuel.gas = forward from 2026-08 from 2027-01`, '2:37', 'from', 'from is given twice', undefined],
    ['forward and a price from the same month', `${H}set fuel.gas = forward from 2027-01\nset fuel.gas = 4 $/MMBtu from 2027-01`, '3:5', 'fuel.gas', 'fuel.gas is already set from 2027-01 at line 2', undefined],
  ])('%s', (_what, text, at, token, message, suggestion) => {
    const found = checkScenario(text, 'test.scn', withBase).diagnostics
    expect(found).toHaveLength(1)
    const d = found[0]!
    expect({ at: `${d.line}:${d.col}`, token: d.token, message: d.message, suggestion: d.suggestion }).toEqual({ at, token, message, suggestion })
    expect(text.slice(d.from, d.to)).toBe(token)
  })

  it('a number still works on fuel.gas, and a misspelling of forward on another target reads as a bad number', () => {
    expect(checkScenario(`${H}set fuel.gas = 3.4 $/MMBtu`, 't', withBase).diagnostics).toEqual([])
    expect(checkScenario(`${H}set fuel.coal = foward`, 't', withBase).diagnostics.map((d) => d.message)).toEqual(['expected a number after =, found foward'])
  })
})

describe('set fuel.gas = forward: canonical form and identity', () => {
  it('prints forward with no unit and no escalate, and the canonical text resolves alone to the same Assumptions', () => {
    const { assumptions, canonical } = resolved('scenario "Curve"   extends "base"\n# the market\nset fuel.gas = forward   from 2026-08\nset fuel.gas = 4.00 $/MMBtu from 2035-01\n')
    const gas = canonical.split('\n').filter((l) => l.startsWith('set fuel.gas '))
    expect(gas).toEqual(['set fuel.gas = forward from 2026-08', 'set fuel.gas = 4 $/MMBtu from 2035-01'])
    expect(canonicalStatements(assumptions).filter((s) => s.key.startsWith('set fuel.gas')).map((s) => s.key)).toEqual(['set fuel.gas 2026-08', 'set fuel.gas 2035-01'])
    const again = checkScenario(canonical, 'canonical', () => undefined)
    expect(again.diagnostics).toEqual([])
    expect(again.assumptions).toEqual(assumptions)
    expect(canonicalText(again.assumptions!)).toBe(canonical)
    expect(resolved('scenario "x"\nset fuel.gas = forward from 2025-01\n').canonical).toBe('scenario "x" chain "x"\nset fuel.gas = forward\n')
  })

  it('forward is its own scenario identity: unlike a price, and unlike forward from another month', () => {
    const texts = [
      'scenario "x"\nset fuel.gas = forward from 2026-08\n',
      'scenario "x"\nset fuel.gas = forward from 2026-09\n',
      'scenario "x"\nset fuel.gas = forward\n',
      'scenario "x"\nset fuel.gas = 0 $/MMBtu from 2026-08\n',
    ]
    expect(new Set(texts.map((t) => sha256(resolved(t, () => undefined).canonical))).size).toBe(texts.length)
  })

  it('texts without forward keep the canonical form, hash and Assumptions JSON they had before forward existed', () => {
    // sha256 of the canonical text and of JSON.stringify(Assumptions), computed with the language as it was before `forward`.
    const base = resolved(BASE_SCENARIO_TEXT, () => undefined)
    expect(sha256(base.canonical)).toBe('5be030979673431092d18048df7e4d4681d4be9e79f5e5c0d1dfdd07932ccc61')
    expect(sha256(JSON.stringify(base.assumptions))).toBe('93e4f1e50f21644779d46b5a8bc030e0eb09df1cc0b306717a291f14067a3755')
    const highGas = resolved(
      [
        'scenario "High gas" extends "base"',
        'set fuel.gas = 5.50 $/MMBtu from 2027-01 escalate 2 %/yr',
        'set policy.carbon = 40 $/t from 2030-01 escalate 3 %/yr',
        'set load.MISO.growth = 1.5 %/yr from 2027-01',
        'build solar 5000 MW in MISO at 2028-06',
        'retire coal 3000 MW in MISO at 2029-01',
        '',
      ].join('\n'),
    )
    expect(sha256(highGas.canonical)).toBe('3f89499f56f6edcbefcd010b4272d775d34b01a5cb182f3f4f44a725974a13d1')
    expect(sha256(JSON.stringify(highGas.assumptions))).toBe('615e8b6c2508b5e1f3a8f99d3908e26ffd432867027a8554ee755a0a1ebf605f')
  })
})

describe('completions of forward', () => {
  it('offers forward as a keyword that says what it is for', () => {
    const forward = completions().find((c) => c.label === 'forward')!
    expect(forward).toEqual({ label: 'forward', type: 'keyword', detail: expect.stringMatching(/^fuel\.gas only: the run's Henry Hub forward curve/) })
    expect(completions().find((c) => c.label === 'set')!.detail).toContain('set fuel.gas = forward [from YYYY-MM]')
  })
})
