import { FIXTURE_DIR, ParseError, SOURCES, type SourceId } from '@carbon/connectors'
import { unzipSync } from 'fflate'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { breakText, breakZip, FailurePlan, type TextKind } from './failures.ts'
import { zipBytes } from './zip.ts'

const fixture = (name: string) => readFileSync(new URL(name, FIXTURE_DIR), 'utf8')
const FILES: { kind: TextKind; source: SourceId; text: string }[] = [
  { kind: 'miso-csv', source: 'miso.da_expost_lmp', text: fixture('miso_da_expost_lmp_20260714_hubs.csv') },
  { kind: 'miso-csv', source: 'miso.rt_lmp_final', text: fixture('miso_rt_lmp_final_20260926_hubs_interfaces.csv') },
  { kind: 'oasis-csv', source: 'caiso.oasis.prc_lmp', text: fixture('caiso_oasis_PRC_LMP_DAM_TH_SP15_20260714_EXCERPT.csv') },
  { kind: 'rt5-json', source: 'miso.api.rt5_expost', text: fixture('miso_public_api_GetRealTimeFiveMinExPost_Current_20261002_EXCERPT.json') },
  { kind: 'exante-json', source: 'miso.api.exante', text: fixture('miso_public_api_GetExAnteLmp_20261002.json') },
]
const parse = (source: SourceId, text: string) => SOURCES[source].parse(text, 'broken')
const parseError = (source: SourceId, text: string): ParseError => {
  try {
    parse(source, text)
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError)
    return error as ParseError
  }
  throw new Error('expected a ParseError')
}

describe('breakText', () => {
  it.each(FILES.map((f) => [f.source, f] as const))('%s: every mode breaks it the way it promises', (_, { kind, source, text }) => {
    expect(parse(source, text).errors).toEqual([])
    expect(parseError(source, breakText(text, kind, 'empty')).reason).toBe('empty file')
    expect(parseError(source, breakText(text, kind, 'changed-header')).reason).toMatch(/header|Hub list/)

    const nonNumeric = parse(source, breakText(text, kind, 'non-numeric'))
    expect(nonNumeric.errors.length).toBeGreaterThan(0)
    expect(nonNumeric.errors[0]!.reason).toBe('not a number')
    expect(['$1,024.50', 'N/A']).toContain(nonNumeric.errors[0]!.value)

    const truncated = breakText(text, kind, 'truncated')
    expect(truncated.length).toBeLessThan(text.length)
    if (kind === 'miso-csv' || kind === 'oasis-csv') {
      const { errors } = parse(source, truncated)
      expect(errors.at(-1)!.reason).toMatch(/^row has 3 of \d+ columns \(truncated\?\)$/)
    } else expect(parseError(source, truncated).reason).toMatch(/^not JSON/)
  })
})

describe('breakZip', () => {
  it('truncated and corrupt-zip make a zip no reader opens; other modes leave it alone', async () => {
    const zip = await zipBytes([{ name: 'a.csv', chunks: [fixture('caiso_oasis_PRC_LMP_DAM_TH_SP15_20260714_EXCERPT.csv')] }])
    expect(Object.keys(unzipSync(zip))).toEqual(['a.csv'])
    expect(() => unzipSync(breakZip(zip, 'truncated'))).toThrow()
    expect(() => unzipSync(breakZip(zip, 'corrupt-zip'))).toThrow()
    expect(breakZip(zip, 'corrupt-zip')).toHaveLength(zip.length)
    expect(breakZip(zip, 'html')).toBe(zip)
  })
})

describe('FailurePlan', () => {
  it('applies the first matching rule, for its number of times, to its feeds only', () => {
    const plan = new FailurePlan([
      { mode: 'html', feeds: ['miso.api.exante'], times: 2 },
      { mode: 'empty', feeds: ['miso.api.exante', 'caiso.oasis.prc_lmp'] },
    ])
    expect(plan.take('miso.da_expost_lmp')).toBeNull()
    expect([1, 2, 3].map(() => plan.take('miso.api.exante'))).toEqual(['html', 'html', 'empty'])
    expect(plan.take('caiso.oasis.prc_lmp')).toBe('empty')
    plan.set([{ mode: 'truncated' }])
    expect(plan.take('miso.rt_lmp_prelim')).toBe('truncated')
    expect(() => plan.set([{ mode: 'gremlins' as never }])).toThrow(/unknown failure mode/)
  })

  it('applies a rule with pages only to those pages of a paged feed', () => {
    const plan = new FailurePlan([{ mode: 'not-published', feeds: ['miso.dx.da_expost_lmp'], pages: [3], times: 1 }])
    expect(plan.take('miso.dx.da_expost_lmp')).toBeNull()
    expect([1, 2].map((page) => plan.take('miso.dx.da_expost_lmp', page))).toEqual([null, null])
    expect(plan.take('miso.dx.da_expost_lmp', 3)).toBe('not-published')
    expect(plan.take('miso.dx.da_expost_lmp', 3)).toBeNull()
  })
})
