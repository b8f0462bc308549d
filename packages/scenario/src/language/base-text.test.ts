import { describe, expect, it } from 'vitest'
import { BASE_SCENARIO_TEXT } from '../base.ts'
import { canonicalText, checkScenario, formatDiagnostic, parseScenario } from './index.ts'

describe('the built-in base scenario (src/base.ts)', () => {
  it('parses and resolves with no diagnostics, as a root named base', () => {
    const { document, diagnostics } = parseScenario(BASE_SCENARIO_TEXT, 'base.scn')
    expect(diagnostics.map(formatDiagnostic)).toEqual([])
    expect(document.header).toMatchObject({ name: 'base', parent: null })
    const checked = checkScenario(BASE_SCENARIO_TEXT, 'base.scn', () => undefined)
    expect(checked.diagnostics).toEqual([])
    expect(checked.assumptions!.chain).toEqual(['base'])
    expect(checked.assumptions!.sets.length).toBeGreaterThan(0)
    // Its canonical form stands alone and is a fixed point.
    const again = checkScenario(checked.canonical!, 'canonical', () => undefined)
    expect(again.assumptions).toEqual(checked.assumptions)
    expect(canonicalText(again.assumptions!)).toBe(checked.canonical)
  })
})
