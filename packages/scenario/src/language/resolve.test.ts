import { describe, expect, it } from 'vitest'
import { checkScenario, formatDiagnostic, parseScenario, type ScenarioDocument } from './index.ts'

/** A lookup over named texts, each parsed as `<name>.scn`. */
function library(texts: Record<string, string>) {
  const docs = new Map<string, ScenarioDocument>(Object.entries(texts).map(([name, text]) => [name, parseScenario(text, `${name}.scn`).document]))
  return { lookup: (name: string) => docs.get(name), knownNames: [...docs.keys()] }
}

const lib = library({
  base: `scenario "base"
set fuel.gas = 3.5 $/MMBtu from 2026-08 escalate 2 %/yr
set fuel.gas = 3 $/MMBtu
set fuel.coal = 2 $/MMBtu
set policy.carbon.CAISO = 30 $/t escalate 5 %/yr
retire coal 1000 MW in MISO at 2030-01
`,
  'High gas': `scenario "High gas" extends "base"
set fuel.gas = 5.5 $/MMBtu from 2027-01
build gas_cc 800 MW in MISO at 2029-01
`,
  'High gas carbon': `scenario "High gas carbon" extends "High gas"
set policy.carbon = 40 $/t from 2030-01
retire coal 500 MW in MISO at 2030-01
`,
  A: 'scenario "A" extends "B"\n',
  B: 'scenario "B" extends "C"\n',
  C: 'scenario "C" extends "A"\n',
  Orphan: 'scenario "Orphan" extends "Missing"\n',
  Broken: 'scenario "Broken" extends "base"\nset fuel.gaz = 4 $/MMBtu\n',
})

function check(text: string, file = 'child.scn') {
  return checkScenario(text, file, lib.lookup, { knownNames: lib.knownNames })
}

describe('resolveScenario', () => {
  it('replaces every ancestor statement of a target the child sets, keeps the rest, accumulates builds and retirements', () => {
    const result = check('scenario "Child" extends "High gas carbon"\nset fuel.coal = 2.5 $/MMBtu\nbuild solar 100 MW in CAISO at 2027-06\n')
    expect(result.diagnostics).toEqual([])
    const a = result.assumptions!
    expect(a.chain).toEqual(['base', 'High gas', 'High gas carbon', 'Child'])
    expect(a.sets.map((s) => `${s.target} ${s.from ?? '-'} ${s.value} ${s.scenario}`)).toEqual([
      'fuel.coal - 2.5 Child',
      // base's two-piece gas path is replaced as a whole by High gas's one statement
      'fuel.gas 2027-01 5.5 High gas',
      'policy.carbon 2030-01 40 High gas carbon',
      'policy.carbon.CAISO - 30 base',
    ])
    expect(a.changes.map((c) => `${c.market} ${c.at} ${c.technology} ${c.kind} ${c.mw} ${c.scenario}`)).toEqual([
      'CAISO 2027-06 solar build 100 Child',
      'MISO 2029-01 gas_cc build 800 High gas',
      'MISO 2030-01 coal retire 500 High gas carbon',
      'MISO 2030-01 coal retire 1000 base',
    ])
  })

  it('names an unknown parent at the extends token, with a suggestion among the known names', () => {
    const result = check('scenario "Child" extends "high gas"\n')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['child.scn:1:26: unknown parent scenario "high gas"; did you mean "High gas"?'])
    expect(result.diagnostics[0]!.suggestion).toBe('"High gas"')
    expect(result.assumptions).toBeUndefined()
  })

  it('names an unknown grandparent at the extends token, with the file that names it and the chain', () => {
    const result = check('scenario "Child" extends "Orphan"\n')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['child.scn:1:26: unknown parent scenario "Missing" (named by Orphan.scn, chain Child -> Orphan -> Missing)'])
  })

  it('refuses a cycle, naming it', () => {
    const result = check('scenario "A" extends "B"\n', 'A.scn')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['A.scn:1:22: extends makes a cycle: A -> B -> C -> A'])
    expect(result.diagnostics[0]!.token).toBe('"B"')
  })

  it('refuses a parent with errors, quoting its first one', () => {
    const result = check('scenario "Child" extends "Broken"\n')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'child.scn:1:26: parent scenario "Broken" has 1 error; first: Broken.scn:2:5: unknown target fuel.gaz; did you mean fuel.gas?',
    ])
  })

  it('resolves a scenario without extends as a root of its own', () => {
    const result = check('scenario "Alone"\nset fuel.gas = 4 $/MMBtu\n')
    expect(result.assumptions).toMatchObject({ name: 'Alone', chain: ['Alone'], sets: [{ target: 'fuel.gas', value: 4, scenario: 'Alone' }], changes: [] })
  })

  it('reports the chain problem and the text problems together', () => {
    const result = check('scenario "Child" extends "Nope"\nset fuel.gaz = 4 $/MMBtu\n')
    expect(result.diagnostics.map((d) => `${d.line}:${d.col}`)).toEqual(['1:26', '2:5'])
  })
})
