import { describe, expect, it } from 'vitest'
import { CA_LCFS, NJ_RPS, ProgramDefinition, periodOf, periodRange, vintageIneligibility, type ProgramDefinitionInput } from './programs.ts'

/** A compliance year from July, named by the year it starts in. */
const JULY_BY_START = { periodStartMonth: 7, periodNamedBy: 'start' } as const
/** January start named by its end: the same as the calendar year. */
const JANUARY_BY_END = { periodStartMonth: 1, periodNamedBy: 'end' } as const

describe('compliance years', () => {
  it.each([
    ['LCFS: the calendar year', CA_LCFS, 2026, '2026-01-01', '2027-01-01'],
    ['NJ: the energy year June-May, named by its end', NJ_RPS, 2027, '2026-06-01', '2027-06-01'],
    ['July-June named by its start', JULY_BY_START, 2026, '2026-07-01', '2027-07-01'],
    ['January named by its end is the calendar year', JANUARY_BY_END, 2026, '2026-01-01', '2027-01-01'],
  ])('%s: %i runs %s to %s', (_, program, year, start, end) => {
    expect(periodRange(program, year)).toEqual({ start, end })
  })

  it.each([
    [CA_LCFS, '2026-01-01', 2026],
    [CA_LCFS, '2026-12-31', 2026],
    [NJ_RPS, '2026-05-31', 2026],
    [NJ_RPS, '2026-06-01', 2027],
    [NJ_RPS, '2026-12-31', 2027],
    [NJ_RPS, '2027-01-01', 2027],
    [JULY_BY_START, '2026-06-30', 2025],
    [JULY_BY_START, '2026-07-01', 2026],
    [JANUARY_BY_END, '2026-12-31', 2026],
  ])('%# %s is in year %i', (program, date, year) => {
    expect(periodOf(program, date)).toBe(year)
  })

  it('puts every day of 2026-2028 inside the range of its own year (leap day included)', () => {
    for (const program of [CA_LCFS, NJ_RPS, JULY_BY_START, JANUARY_BY_END]) {
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2029, 0, 1); ms += 86_400_000) {
        const date = new Date(ms).toISOString().slice(0, 10)
        const { start, end } = periodRange(program, periodOf(program, date))
        expect(start <= date && date < end, `${date} in ${start}..${end}`).toBe(true)
      }
    }
  })

  it.each(['2027-02-29', '2026-13-01', '06/01/2026', ''])('refuses %j as a date', (date) => {
    expect(() => periodOf(NJ_RPS, date)).toThrow(RangeError)
  })
})

describe('banking windows', () => {
  const classI = { class: 'CLASS_I', carveOutOf: null, bankingPriorYears: 2 }
  const credit = { class: 'CREDIT', carveOutOf: null, bankingPriorYears: null }
  it.each([
    [classI, 2027, 2027, null],
    [classI, 2025, 2027, null],
    [classI, 2024, 2027, 'vintage 2024 is outside the banking window of period 2027 (vintages 2025-2027)'],
    [classI, 2028, 2027, 'vintage 2028 is later than period 2027'],
    [{ ...classI, bankingPriorYears: 0 }, 2026, 2027, 'vintage 2026 is outside the banking window of period 2027 (vintages 2027-2027)'],
    [credit, 1995, 2027, null],
    [credit, 2028, 2027, 'vintage 2028 is later than period 2027'],
  ])('%# vintage %i against %i', (programClass, vintage, period, reason) => {
    expect(vintageIneligibility(programClass, vintage, period)).toBe(reason)
  })
})

describe('program definitions', () => {
  it('fills the defaults: rounding up, no carve-out', () => {
    expect(CA_LCFS).toMatchObject({ obligationRounding: 'up', unit: 'MT', classes: [{ class: 'CREDIT', carveOutOf: null, bankingPriorYears: null }] })
    expect(NJ_RPS.classes).toEqual([
      { class: 'CLASS_I', carveOutOf: null, bankingPriorYears: 2 },
      { class: 'SOLAR', carveOutOf: 'CLASS_I', bankingPriorYears: 4 },
    ])
  })

  it.each<[string, ProgramDefinitionInput, string, string]>([
    ['a class defined twice', { ...NJ_RPS, classes: [NJ_RPS.classes[0]!, NJ_RPS.classes[0]!] }, 'classes.1.class', 'class CLASS_I defined twice'],
    ['a carve-out of a carve-out', { ...NJ_RPS, classes: [...NJ_RPS.classes, { class: 'SOLAR_NEW', carveOutOf: 'SOLAR', bankingPriorYears: 4 }] }, 'classes.2.carveOutOf', 'not a headline class of NJ_RPS'],
    ['an LCFS program with two classes', { ...CA_LCFS, classes: [...CA_LCFS.classes, { class: 'OTHER', bankingPriorYears: null }] }, 'classes', 'an LCFS program has one class of credit, no carve-out'],
    ['an RPS counted in MT', { ...NJ_RPS, unit: 'MT' } as unknown as ProgramDefinitionInput, 'unit', ''],
    ['a start month 13', { ...NJ_RPS, periodStartMonth: 13 }, 'periodStartMonth', ''],
  ])('refuses %s', (_, definition, path, message) => {
    const result = ProgramDefinition.safeParse(definition)
    expect(result.success).toBe(false)
    const issue = result.error?.issues[0]
    expect(issue?.path.join('.')).toBe(path)
    if (message) expect(issue?.message).toBe(message)
  })
})
