import type { ReactNode } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { FleetCheckMarket, FleetCheckOutput } from '#server/services/scenarios/fleet-check.ts'
import { FleetCheckPanel, fleetLine, formatMw } from './fleet-check.tsx'
import { appendLine } from './scenario-editor.tsx'

/**
 * The fleet check panel's markup (the e2e test tests/e2e/fleet-check.e2e.test.ts clicks it in the
 * browser): the empty states, one table a market with the statements and their buttons, the
 * technologies outside the model, and the line "Add to scenario" appends.
 */

const html = (node: ReactNode) => renderToString(node)
const text = (node: ReactNode) =>
  html(node)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/\s+/g, ' ')

const SCENARIO = { id: null, name: 'My scenario', extends: 'base', version: null }

const CAISO: FleetCheckMarket = {
  market: 'CAISO',
  respondent: 'CISO',
  check: {
    month: '2026-09',
    at: '2026-10',
    rows: [
      { technology: 'solar', modelMw: 25_500, summerMw: 147.5, nameplateMw: 150, gapMw: -25_352.5, statement: 'retire solar 25353 MW in CAISO at 2026-10' },
      { technology: 'storage', modelMw: 199.6, summerMw: 200, nameplateMw: 200, gapMw: 0.4, statement: null },
    ],
    statements: ['retire solar 25353 MW in CAISO at 2026-10'],
    notModelled: [{ technology: 'Petroleum Liquids', summerMw: 11.5, nameplateMw: 12 }],
  },
}

const check = (markets: FleetCheckMarket[]): FleetCheckOutput => ({ scenario: SCENARIO, markets })

describe('formatMw and the appended line', () => {
  it.each<[number, boolean, string]>([
    [0, false, '0'],
    [0.04, true, '0'],
    [147.5, false, '147.5'],
    [25_352.46, false, '25,352.5'],
    [-25_352.5, true, '\u221225,352.5'],
    [50, true, '+50'],
    [50, false, '50'],
  ])('formatMw(%d, signed %s) = %j', (value, signed, shown) => expect(formatMw(value, signed)).toBe(shown))

  it('appends the statement with a comment naming the inventory, as its own last line', () => {
    const line = fleetLine('retire solar 25353 MW in CAISO at 2026-10', CAISO, CAISO.check!)
    expect(line).toBe('retire solar 25353 MW in CAISO at 2026-10  # fleet check: EIA-860M 2026-09, CISO net summer MW')
    expect(appendLine('scenario "x" extends "base"', line)).toBe(`scenario "x" extends "base"\n${line}\n`)
    expect(appendLine('scenario "x" extends "base"\n', line)).toBe(`scenario "x" extends "base"\n${line}\n`)
    expect(appendLine('', line)).toBe(`${line}\n`)
  })
})

describe('FleetCheckPanel', () => {
  it('says what fills an empty inventory, per market', () => {
    const out = text(<FleetCheckPanel check={check([{ market: 'MISO', respondent: 'MISO', check: null }])} onAdd={() => {}} />)
    expect(out).toContain('Fleet check against EIA-860M')
    expect(out).toContain('Checked: My scenario (extends base)')
    expect(out).toContain('MISO: no EIA-860M inventory of MISO stored')
    expect(out).toContain('No EIA-860M inventory stored; carbon backfill --dataset eia.860m.generators fills it.')
    expect(html(<FleetCheckPanel check={check([{ market: 'MISO', respondent: 'MISO', check: null }])} />)).toContain('data-inventory="none"')
  })

  it('says so when the organization sees no market the model covers', () => {
    expect(text(<FleetCheckPanel check={check([])} />)).toContain('Your organization is entitled to no market the model covers (MISO, CAISO) in the hub.')
  })

  it('shows model, net summer and nameplate MW, the gap and the statement with its button; within 1 MW no statement', () => {
    const out = html(<FleetCheckPanel check={check([CAISO])} onAdd={() => {}} />)
    const solar = /<tr data-technology="solar">(.*?)<\/tr>/.exec(out)![1]!
    expect(solar.replace(/<[^>]+>/g, '|').split('|').filter((s) => s.trim() !== '')).toEqual([
      'solar',
      '25,500',
      '147.5',
      '150',
      '\u221225,352.5',
      'retire solar 25353 MW in CAISO at 2026-10',
      'Add to scenario',
    ])
    const storage = /<tr data-technology="storage">(.*?)<\/tr>/.exec(out)![1]!
    expect(storage).toContain('within 1 MW')
    expect(storage).not.toContain('<button')
    const all = text(<FleetCheckPanel check={check([CAISO])} onAdd={() => {}} />)
    expect(all).toContain('CAISO · CISO operable capacity, EIA-860M 2026-09 · statements take effect 2026-10')
    expect(all).toContain('Model MW (2026-10)')
    expect(all).toContain('Not in the model (CISO, net summer / nameplate MW): Petroleum Liquids 11.5 / 12')
    expect(all).toContain('Add all 1 CAISO statement to the scenario')
  })

  it('on a house scenario shows the statements without a button and says how to add them', () => {
    const out = html(<FleetCheckPanel check={{ ...check([CAISO]), scenario: { id: '00000000-0000-4000-8000-00000000ba5e', name: 'base', extends: null, version: 1 } }} />)
    expect(out).toContain('data-statement="retire solar 25353 MW in CAISO at 2026-10"')
    expect(out).not.toContain('<button')
    expect(text(<FleetCheckPanel check={{ ...check([CAISO]), scenario: { ...SCENARIO, name: 'base', extends: null, version: 1 } }} />)).toContain(
      'A house scenario cannot change: start a new scenario that extends it to add these statements.',
    )
  })

  it('says the fleet matches when no statement is left', () => {
    const closed: FleetCheckMarket = { ...CAISO, check: { ...CAISO.check!, rows: [CAISO.check!.rows[1]!], statements: [], notModelled: [] } }
    expect(text(<FleetCheckPanel check={check([closed])} onAdd={() => {}} />)).toContain("The scenario's CAISO fleet matches the inventory within 1 MW for every technology.")
  })
})
