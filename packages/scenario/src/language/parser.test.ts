import { describe, expect, it } from 'vitest'
import { type Assumptions } from '../types.ts'
import { checkScenario, formatDiagnostic, parseScenario, type ScenarioDocument } from './index.ts'

const EXAMPLE = `# comment
scenario "High gas" extends "base"
set fuel.gas = 5.50 $/MMBtu from 2027-01 escalate 2 %/yr
set fuel.coal = 2.10 $/MMBtu
set policy.carbon = 40 $/t from 2030-01 escalate 3 %/yr
set load.MISO.growth = 1.5 %/yr from 2027-01
set macro.inflation = 2.5 %/yr
build solar 5000 MW in MISO at 2028-06
retire coal 3000 MW in MISO at 2029-01
`

const BASE = parseScenario('scenario "base"\n', 'base.scn').document
const baseOnly = (name: string): ScenarioDocument | undefined => (name === 'base' ? BASE : undefined)

/** The diagnostics of `text` (parsed and resolved against a bare `base`). */
function problems(text: string) {
  return checkScenario(text, 'test.scn', baseOnly, { knownNames: ['base', 'High gas'] }).diagnostics
}

describe('parseScenario: the example of the issue', () => {
  it('parses to the expected Assumptions (percentages as fractions, sorted canonically)', () => {
    const result = checkScenario(EXAMPLE, 'high-gas.scn', baseOnly)
    expect(result.diagnostics).toEqual([])
    const expected: Assumptions = {
      name: 'High gas',
      chain: ['base', 'High gas'],
      sets: [
        { target: 'fuel.coal', value: 2.1, unit: '$/MMBtu', from: null, escalate: null, scenario: 'High gas' },
        { target: 'fuel.gas', value: 5.5, unit: '$/MMBtu', from: '2027-01', escalate: 0.02, scenario: 'High gas' },
        { target: 'load.MISO.growth', value: 0.015, unit: '%/yr', from: '2027-01', escalate: null, scenario: 'High gas' },
        { target: 'macro.inflation', value: 0.025, unit: '%/yr', from: null, escalate: null, scenario: 'High gas' },
        { target: 'policy.carbon', value: 40, unit: '$/t', from: '2030-01', escalate: 0.03, scenario: 'High gas' },
      ],
      changes: [
        { kind: 'build', technology: 'solar', mw: 5000, market: 'MISO', at: '2028-06', scenario: 'High gas' },
        { kind: 'retire', technology: 'coal', mw: 3000, market: 'MISO', at: '2029-01', scenario: 'High gas' },
      ],
    }
    expect(result.assumptions).toEqual(expected)
  })

  it('keeps the positions of statements and the header', () => {
    const { document, diagnostics } = parseScenario(EXAMPLE, 'high-gas.scn')
    expect(diagnostics).toEqual([])
    expect(document.header).toMatchObject({ name: 'High gas', parent: 'base', chain: null, nameSpan: { line: 2, col: 10, endCol: 20 } })
    expect(document.header!.parentSpan).toMatchObject({ line: 2, col: 29, endCol: 35 })
    expect(document.sets[0]!.span).toMatchObject({ line: 3, col: 1 })
    expect(document.sets[0]!.targetSpan).toMatchObject({ line: 3, col: 5, endCol: 13, from: EXAMPLE.indexOf('fuel.gas'), to: EXAMPLE.indexOf('fuel.gas') + 8 })
    expect(document.changes.map((c) => c.span.line)).toEqual([8, 9])
  })

  it('reads a byte-order mark, glued units, CRLF line ends, trailing comments, from and escalate in either order, and from 2025-01 as no from', () => {
    const text = '\ufeffscenario "x"\r\nset fuel.gas = 4$/MMBtu escalate 2%/yr from 2027-01 # glued\r\nset fuel.coal = 2 $/MMBtu from 2025-01\r\nset fuel.gas.basis.MISO = -0.25 $/MMBtu'
    const result = checkScenario(text, 'x.scn', baseOnly)
    expect(result.diagnostics).toEqual([])
    expect(result.assumptions!.sets).toEqual([
      { target: 'fuel.coal', value: 2, unit: '$/MMBtu', from: null, escalate: null, scenario: 'x' },
      { target: 'fuel.gas', value: 4, unit: '$/MMBtu', from: '2027-01', escalate: 0.02, scenario: 'x' },
      { target: 'fuel.gas.basis.MISO', value: -0.25, unit: '$/MMBtu', from: null, escalate: null, scenario: 'x' },
    ])
  })
})

type Case = { name: string; text: string; line: number; col: number; token: string; message: string; suggestion?: string }

const H = 'scenario "s" extends "base"\n'

/** Each error class: position (line:col), token, exact message, suggestion. */
const CASES: Case[] = [
  { name: 'unknown statement keyword', text: `${H}sett fuel.gas = 5 $/MMBtu`, line: 2, col: 1, token: 'sett', message: 'unknown keyword sett; did you mean set?', suggestion: 'set' },
  { name: 'keyword in the wrong case', text: `${H}Build solar 5 MW in MISO at 2028-01`, line: 2, col: 1, token: 'Build', message: 'unknown keyword Build; did you mean build?', suggestion: 'build' },
  { name: 'misspelt clause keyword', text: `${H}set fuel.gas = 5 $/MMBtu escalte 2 %/yr`, line: 2, col: 26, token: 'escalte', message: 'unknown keyword escalte; did you mean escalate?', suggestion: 'escalate' },
  { name: 'unknown target', text: `${H}set fuel.gaz = 5 $/MMBtu`, line: 2, col: 5, token: 'fuel.gaz', message: 'unknown target fuel.gaz; did you mean fuel.gas?', suggestion: 'fuel.gas' },
  { name: 'target in the wrong case', text: `${H}set load.miso.growth = 1 %/yr`, line: 2, col: 5, token: 'load.miso.growth', message: 'unknown target load.miso.growth; did you mean load.MISO.growth?', suggestion: 'load.MISO.growth' },
  { name: 'unknown market inside a target', text: `${H}set load.PJM.growth = 1 %/yr`, line: 2, col: 5, token: 'load.PJM.growth', message: 'unknown market PJM in target load.PJM.growth (markets: MISO, CAISO)' },
  { name: 'misspelt technology inside a target', text: `${H}set power.CAISO.gascc.vom = 3 $/MWh`, line: 2, col: 5, token: 'power.CAISO.gascc.vom', message: 'unknown technology gascc in target power.CAISO.gascc.vom; did you mean power.CAISO.gas_cc.vom?', suggestion: 'power.CAISO.gas_cc.vom' },
  { name: 'unit mismatch', text: `${H}set fuel.gas = 40 $/t`, line: 2, col: 19, token: '$/t', message: 'unit $/t does not fit fuel.gas: expected $/MMBtu', suggestion: '$/MMBtu' },
  { name: 'unit in the wrong case', text: `${H}set fuel.gas = 5 $/mmbtu`, line: 2, col: 18, token: '$/mmbtu', message: 'unknown unit $/mmbtu; did you mean $/MMBtu?', suggestion: '$/MMBtu' },
  { name: 'MWh for a price in $/MWh', text: `${H}set power.MISO.coal.vom = 4 MWh`, line: 2, col: 29, token: 'MWh', message: 'unknown unit MWh; did you mean $/MWh?', suggestion: '$/MWh' },
  { name: 'MWh for a capacity', text: `${H}build solar 500 MWh in MISO at 2028-06`, line: 2, col: 17, token: 'MWh', message: 'unknown unit MWh; did you mean MW?', suggestion: 'MW' },
  { name: 'missing unit', text: `${H}set fuel.gas = 5`, line: 2, col: 17, token: '', message: 'expected the unit $/MMBtu after 5, found end of line', suggestion: '$/MMBtu' },
  { name: 'missing number', text: `${H}set fuel.coal = $/MMBtu`, line: 2, col: 17, token: '$/MMBtu', message: 'expected a number after =, found $/MMBtu' },
  { name: 'number with an exponent', text: `${H}set fuel.coal = 2e3 $/MMBtu`, line: 2, col: 17, token: '2e3', message: 'expected a number after =, found 2e3' },
  { name: 'missing =', text: `${H}set fuel.coal 2 $/MMBtu`, line: 2, col: 15, token: '2', message: 'expected = after fuel.coal, found 2' },
  { name: 'bad month', text: `${H}set fuel.gas = 5 $/MMBtu from 2027-13`, line: 2, col: 31, token: '2027-13', message: 'bad month 2027-13: the month must be 01 to 12' },
  { name: 'one-digit month', text: `${H}build wind 10 MW in CAISO at 2027-1`, line: 2, col: 30, token: '2027-1', message: 'bad month 2027-1: write the month with two digits; did you mean 2027-01?', suggestion: '2027-01' },
  { name: 'year out of range', text: `${H}set fuel.gas = 5 $/MMBtu from 1999-01`, line: 2, col: 31, token: '1999-01', message: 'bad month 1999-01: the year must be 2000 to 2100' },
  { name: 'month beyond the model', text: `${H}retire coal 10 MW in MISO at 2051-01`, line: 2, col: 30, token: '2051-01', message: "month 2051-01 is outside the model's months 2025-01 to 2050-12" },
  { name: 'not a month', text: `${H}set fuel.gas = 5 $/MMBtu from soon`, line: 2, col: 31, token: 'soon', message: 'expected a month YYYY-MM after from, found soon' },
  { name: 'escalate on a rate', text: `${H}set load.MISO.growth = 1.5 %/yr escalate 2 %/yr`, line: 2, col: 33, token: 'escalate', message: 'escalate does not apply to load.MISO.growth: it is a rate (%/yr), not a price' },
  { name: 'escalate in %', text: `${H}set fuel.gas = 5 $/MMBtu escalate 2 %`, line: 2, col: 37, token: '%', message: 'unit % does not fit escalate: expected %/yr', suggestion: '%/yr' },
  { name: 'negative fuel price', text: `${H}set fuel.gas = -1 $/MMBtu`, line: 2, col: 16, token: '-1', message: 'fuel.gas must be at least 0 $/MMBtu, found -1 $/MMBtu' },
  { name: 'load shrinking by 100 %', text: `${H}set load.CAISO.growth = -100 %/yr`, line: 2, col: 25, token: '-100', message: 'load.CAISO.growth must be greater than -100 %/yr, found -100 %/yr' },
  { name: 'zero capacity', text: `${H}build wind 0 MW in MISO at 2030-01`, line: 2, col: 12, token: '0', message: 'the capacity to build must be greater than 0 MW, found 0 MW' },
  { name: 'unknown technology', text: `${H}build solr 5000 MW in MISO at 2028-06`, line: 2, col: 7, token: 'solr', message: 'unknown technology solr; did you mean solar?', suggestion: 'solar' },
  { name: 'unknown technology, nothing close', text: `${H}build fusion 5000 MW in MISO at 2028-06`, line: 2, col: 7, token: 'fusion', message: 'unknown technology fusion: expected one of solar, wind, storage, gas_cc, gas_ct, coal, nuclear, hydro' },
  { name: 'market in the wrong case', text: `${H}build solar 5000 MW in miso at 2028-06`, line: 2, col: 24, token: 'miso', message: 'unknown market miso; did you mean MISO?', suggestion: 'MISO' },
  { name: 'unknown market', text: `${H}retire coal 300 MW in PJM at 2028-06`, line: 2, col: 23, token: 'PJM', message: 'unknown market PJM: expected one of MISO, CAISO' },
  { name: 'missing in', text: `${H}build solar 5000 MW MISO at 2028-06`, line: 2, col: 21, token: 'MISO', message: 'expected in after MW, found MISO' },
  { name: 'extra words', text: `${H}build solar 5000 MW in MISO at 2028-06 please`, line: 2, col: 40, token: 'please', message: 'unexpected please after the end of the statement' },
  { name: 'duplicate scenario line', text: `${H}set fuel.gas = 5 $/MMBtu\nscenario "t"`, line: 3, col: 1, token: 'scenario', message: 'duplicate scenario line: this file already has one at line 1' },
  { name: 'missing scenario line', text: '# no header\nset fuel.gas = 5 $/MMBtu\n', line: 2, col: 1, token: 'set', message: 'missing scenario line: a scenario file starts with scenario "<name>", found set' },
  { name: 'empty file', text: '# nothing\n\n', line: 1, col: 1, token: '', message: 'missing scenario line: a scenario file starts with scenario "<name>", found an empty file' },
  { name: 'scenario line not first', text: `set fuel.gas = 5 $/MMBtu\n${H}`, line: 2, col: 1, token: 'scenario', message: 'the scenario line must be the first statement (line 1 comes before it)' },
  { name: 'unquoted name', text: 'scenario base2 extends "base"\n', line: 1, col: 10, token: 'base2', message: 'expected a quoted scenario name after scenario, found base2; did you mean "base2"?', suggestion: '"base2"' },
  { name: 'unterminated name', text: 'scenario "open\n', line: 1, col: 10, token: '"open', message: 'the string "open has no closing quote' },
  { name: 'misspelt extends', text: 'scenario "s" extend "base"\n', line: 1, col: 14, token: 'extend', message: 'unknown keyword extend; did you mean extends?', suggestion: 'extends' },
  { name: 'same target from the same month twice', text: `${H}set fuel.gas = 5 $/MMBtu from 2027-01\nset fuel.gas = 6 $/MMBtu from 2027-01`, line: 3, col: 5, token: 'fuel.gas', message: 'fuel.gas is already set from 2027-01 at line 2' },
  { name: 'by outside a canonical text', text: `${H}set fuel.gas = 5 $/MMBtu by "base"`, line: 2, col: 26, token: 'by', message: 'by "<scenario>" is only allowed in a canonical text (a scenario line with chain)' },
  { name: 'unknown parent', text: 'scenario "s" extends "bsae"\n', line: 1, col: 22, token: '"bsae"', message: 'unknown parent scenario "bsae"; did you mean "base"?', suggestion: '"base"' },
  { name: 'unknown parent, nothing close', text: 'scenario "s" extends "Low gas 2031"\n', line: 1, col: 22, token: '"Low gas 2031"', message: 'unknown parent scenario "Low gas 2031"' },
  { name: 'extends itself', text: 'scenario "s" extends "s"\n', line: 1, col: 22, token: '"s"', message: 'scenario "s" cannot extend itself' },
]

describe('parseScenario: errors by table', () => {
  it.each(CASES)('$name', ({ text, line, col, token, message, suggestion }) => {
    const found = problems(text)
    expect(found).toHaveLength(1)
    const d = found[0]!
    expect({ line: d.line, col: d.col, token: d.token, message: d.message, suggestion: d.suggestion }).toEqual({ line, col, token, message, suggestion })
    expect(d.severity).toBe('error')
    expect(d.file).toBe('test.scn')
    // The offsets point at the token in the text, the end column just after it.
    expect(text.slice(d.from, d.to)).toBe(token)
    expect(d.endLine).toBe(line)
    expect(d.endCol - d.col).toBe(token.length)
    expect(formatDiagnostic(d)).toBe(`test.scn:${line}:${col}: ${message}`)
  })

  it('collects every error of a file, one per line, in text order, and keeps the good lines', () => {
    const text = `${H}set fuel.gaz = 5 $/MMBtu\nset fuel.coal = 2 $/MMBtu\nbuild solr 5 MW in MISO at 2028-01\nset fuel.gas = 40 $/t\n`
    const { document, diagnostics } = parseScenario(text, 'many.scn')
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'many.scn:2:5: unknown target fuel.gaz; did you mean fuel.gas?',
      'many.scn:4:7: unknown technology solr; did you mean solar?',
      'many.scn:5:19: unit $/t does not fit fuel.gas: expected $/MMBtu',
    ])
    expect(document.sets.map((s) => s.target)).toEqual(['fuel.coal'])
    expect(checkScenario(text, 'many.scn', baseOnly).assumptions).toBeUndefined()
  })

  it('allows a piecewise path: one target set from different months in one file', () => {
    const text = `${H}set fuel.gas = 5 $/MMBtu\nset fuel.gas = 6 $/MMBtu from 2030-01 escalate 1 %/yr\n`
    const result = checkScenario(text, 'p.scn', baseOnly)
    expect(result.diagnostics).toEqual([])
    expect(result.assumptions!.sets.map((s) => [s.from, s.value, s.escalate])).toEqual([
      [null, 5, null],
      ['2030-01', 6, 0.01],
    ])
  })
})
