import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SCENARIO_MARKETS, TECHNOLOGIES, type Assumptions } from '../types.ts'
import { formatNumber, formatPercent } from './numbers.ts'
import { CONCRETE_TARGETS } from './targets.ts'
import { canonicalStatements, canonicalText, checkScenario, parseScenario, type ScenarioDocument } from './index.ts'

const noParents = () => undefined

/** Resolves a text that needs no parents (a root, or a canonical text). */
function resolveAlone(text: string): Assumptions {
  const result = checkScenario(text, 'alone.scn', noParents)
  expect(result.diagnostics).toEqual([])
  return result.assumptions!
}

describe('numbers', () => {
  it('prints the shortest decimal without exponent, trailing zeros or -0', () => {
    expect([5.5, 2, -0, 0, 1e21, 1.5e-7, 123.456, -0.25, 2 ** 60].map(formatNumber)).toEqual([
      '5.5', '2', '0', '0', '1000000000000000000000', '0.00000015', '123.456', '-0.25', '1152921504606847000',
    ])
    expect([0.02, 0.07, 0.015, 0.025, -0.005, 0.001].map(formatPercent)).toEqual(['2', '7', '1.5', '2.5', '-0.5', '0.1'])
  })

  it('reads back every finite double it prints', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = formatNumber(x)
        expect(text).toMatch(/^-?\d+(\.\d+)?$/)
        expect(Number(text)).toBe(x === 0 ? 0 : x)
      }),
      { numRuns: 2000 },
    )
  })

  it('prints a percentage that divides back to the same fraction, for fractions and for percentages as typed', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -99.9, max: 1e6 }), (percent) => {
        const f = percent / 100
        expect(Number(formatPercent(f)) / 100).toBe(f === 0 ? 0 : f)
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.integer({ min: -99_999, max: 1_000_000 }), fc.integer({ min: 0, max: 4 }), (n, scale) => {
        const typed = n / 10 ** scale
        expect(Number(formatPercent(typed / 100))).toBe(typed === 0 ? 0 : typed)
      }),
      { numRuns: 2000 },
    )
  })
})

/** A decimal written as typed: `digits / 10^scale`, e.g. 550, 2 -> "5.50". */
function decimalText(n: number, scale: number): string {
  const sign = n < 0 ? '-' : ''
  const digits = String(Math.abs(n)).padStart(scale + 1, '0')
  return scale === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

/** The same number spelt differently: trailing zeros, a leading + or zero. */
function respell(text: string, how: number): string {
  if (how === 1) return text.includes('.') ? `${text}00` : `${text}.0`
  if (how === 2 && !text.startsWith('-')) return `+${text}`
  if (how === 3 && !text.startsWith('-')) return `0${text}`
  return text
}

const month = fc.tuple(fc.integer({ min: 2025, max: 2050 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`)
const amount = fc.tuple(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 0, max: 3 })).map(([n, s]) => decimalText(n, s))

type Statement = { key: string; text: (how: number) => string }

const setStatement: fc.Arbitrary<Statement> = fc
  .record({
    t: fc.constantFrom(...CONCRETE_TARGETS),
    n: fc.integer({ min: 0, max: 9_999 }),
    scale: fc.integer({ min: 0, max: 3 }),
    negative: fc.boolean(),
    from: fc.option(month),
    escalate: fc.option(fc.tuple(fc.integer({ min: -99, max: 1_000 }), fc.integer({ min: 0, max: 2 }))),
    forward: fc.boolean(),
  })
  .map(({ t, n, scale, negative, from, escalate, forward }) => {
    const key = `set ${t.target} ${from === '2025-01' ? '' : (from ?? '')}`
    // `set fuel.gas = forward [from ...]`: the run's forward curve, no unit, no escalate.
    if (t.spec.forward && forward) return { key, text: () => `set ${t.target} = forward${from ? ` from ${from}` : ''}` }
    const signed = negative && (t.spec.unit === '%/yr' || t.target.startsWith('fuel.gas.basis')) ? -(n % 100) : n
    const value = t.spec.unit === 'MW' ? Math.max(1, signed) : signed
    const esc = t.spec.escalates && escalate ? escalate : null
    return {
      // `from 2025-01` (the first model month) is the same as no from: one key for both.
      key,
      text: (how: number) =>
        `set ${t.target} = ${respell(decimalText(value, scale), how)} ${t.spec.unit}${from ? ` from ${from}` : ''}${esc ? ` escalate ${respell(decimalText(esc[0], esc[1]), how)} %/yr` : ''}`,
    }
  })

const changeStatement: fc.Arbitrary<Statement> = fc
  .record({ kind: fc.constantFrom('build', 'retire'), tech: fc.constantFrom(...TECHNOLOGIES), mw: amount, market: fc.constantFrom(...SCENARIO_MARKETS), at: month })
  .map(({ kind, tech, mw, market, at }) => ({ key: `${kind}${tech}${market}${at}${mw}`, text: (how: number) => `${kind} ${tech} ${respell(mw, how)} MW in ${market} at ${at}` }))

const scenarioBody = fc.tuple(fc.uniqueArray(setStatement, { selector: (s) => s.key, maxLength: 25 }), fc.array(changeStatement, { maxLength: 10 }))

/** The statements as a file: in the given order, each spelt its way, with comments and blank lines. */
function writeFile(name: string, parent: string | null, statements: Statement[], spelling: number[]): string {
  const header = `scenario "${name}"${parent ? ` extends "${parent}"` : ''}`
  const body = statements.map((s, i) => {
    const how = spelling[i % Math.max(1, spelling.length)] ?? 0
    return how === 2 ? `   ${s.text(how)}   # note ${i}` : how === 3 ? `\n# comment\n${s.text(how)}` : s.text(how)
  })
  return `# generated\n${header}\n${body.join('\n')}\n`
}

describe('canonicalText', () => {
  it('prints the example of the issue as sorted, normalized statements', () => {
    const base = parseScenario('scenario "base"\nset fuel.oil = 15.0 $/MMBtu\n', 'base').document
    const result = checkScenario(
      'scenario "High gas" extends "base"\nset fuel.gas = 5.50 $/MMBtu from 2027-01 escalate 2 %/yr\nset fuel.coal = 2.10 $/MMBtu\nretire coal 3000 MW in MISO at 2029-01\nbuild solar 5000 MW in MISO at 2028-06\n',
      'high-gas.scn',
      (n) => (n === 'base' ? base : undefined),
    )
    expect(result.canonical).toBe(
      [
        'scenario "High gas" chain "base" "High gas"',
        'set fuel.coal = 2.1 $/MMBtu',
        'set fuel.gas = 5.5 $/MMBtu from 2027-01 escalate 2 %/yr',
        'set fuel.oil = 15 $/MMBtu by "base"',
        'build solar 5000 MW in MISO at 2028-06',
        'retire coal 3000 MW in MISO at 2029-01',
        '',
      ].join('\n'),
    )
    expect(canonicalStatements(result.assumptions!).map((s) => s.key)).toEqual(['set fuel.coal', 'set fuel.gas 2027-01', 'set fuel.oil', 'build solar 5000 MW in MISO at 2028-06', 'retire coal 3000 MW in MISO at 2029-01'])
    const twice = resolveAlone('scenario "x"\nbuild wind 5 MW in MISO at 2030-01\nbuild wind 5.0 MW in MISO at 2030-01\n')
    expect(canonicalStatements(twice).map((s) => s.key)).toEqual(['build wind 5 MW in MISO at 2030-01', 'build wind 5 MW in MISO at 2030-01 #2'])
  })

  it('re-parses alone to equal Assumptions, and is a fixed point', () => {
    fc.assert(
      fc.property(scenarioBody, fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 8 }), ([sets, changes], spelling) => {
        const parent = writeFile('base', null, sets.slice(0, Math.ceil(sets.length / 2)), spelling)
        const child = writeFile('child', 'base', [...sets.slice(Math.ceil(sets.length / 2)), ...changes], spelling)
        const parentDoc = parseScenario(parent, 'base.scn')
        expect(parentDoc.diagnostics).toEqual([])
        const checked = checkScenario(child, 'child.scn', (n) => (n === 'base' ? parentDoc.document : undefined))
        expect(checked.diagnostics).toEqual([])
        const again = resolveAlone(checked.canonical!)
        expect(again).toEqual(checked.assumptions)
        expect(canonicalText(again)).toBe(checked.canonical)
      }),
      { numRuns: 300 },
    )
  })

  it('is the same for files that differ in comments, blank space, statement order and number spelling', () => {
    fc.assert(
      fc.property(
        scenarioBody,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.integer(),
        ([sets, changes], spellingA, spellingB, seed) => {
          const statements = [...sets, ...changes]
          const shuffled = fc.sample(fc.shuffledSubarray(statements, { minLength: statements.length, maxLength: statements.length }), { numRuns: 1, seed })[0]!
          const a = resolveAlone(writeFile('x', null, statements, spellingA))
          const b = resolveAlone(writeFile('x', null, shuffled, spellingB))
          expect(canonicalText(b)).toBe(canonicalText(a))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('differs when a value, a month or the chain differs', () => {
    const one = resolveAlone('scenario "x"\nset fuel.gas = 5 $/MMBtu from 2027-01\n')
    const values = resolveAlone('scenario "x"\nset fuel.gas = 5.01 $/MMBtu from 2027-01\n')
    const months = resolveAlone('scenario "x"\nset fuel.gas = 5 $/MMBtu from 2027-02\n')
    const name = resolveAlone('scenario "y"\nset fuel.gas = 5 $/MMBtu from 2027-01\n')
    const texts = new Set([one, values, months, name].map(canonicalText))
    expect(texts.size).toBe(4)
  })

  it('refuses a canonical text whose by names a scenario outside its chain', () => {
    const { diagnostics } = parseScenario('scenario "x" chain "base" "x"\nset fuel.gas = 5 $/MMBtu by "bsae"\n', 'c.scn')
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['2:29 scenario "bsae" is not in the chain base -> x; did you mean base?'])
  })
})

describe('documents used as parents', () => {
  it('accepts a canonical text as a parent and keeps the origins it records', () => {
    const grand = parseScenario('scenario "base"\nset fuel.coal = 2 $/MMBtu\n', 'base.scn').document
    const mid = checkScenario('scenario "mid" extends "base"\nset fuel.gas = 4 $/MMBtu\n', 'mid.scn', (n) => (n === 'base' ? grand : undefined))
    const midCanonical: ScenarioDocument = parseScenario(mid.canonical!, 'mid.canonical').document
    const child = checkScenario('scenario "child" extends "mid"\nset fuel.oil = 9 $/MMBtu\n', 'child.scn', (n) => (n === 'mid' ? midCanonical : undefined))
    expect(child.diagnostics).toEqual([])
    expect(child.assumptions!.chain).toEqual(['base', 'mid', 'child'])
    expect(child.assumptions!.sets.map((s) => `${s.target}:${s.scenario}`)).toEqual(['fuel.coal:base', 'fuel.gas:mid', 'fuel.oil:child'])
  })
})
