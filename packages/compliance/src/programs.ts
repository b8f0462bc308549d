/**
 * Compliance programs: what an obligation is counted in, how compliance years run, and how long a
 * certificate of each class may be banked. Two kinds:
 *
 * - LCFS (California Low Carbon Fuel Standard): the unit is a credit of 1 MT CO2e; a regulated
 *   party's obligation for a year is the deficits it generated in that year (MT). One class of
 *   credit; credits bank without expiry.
 * - RPS (a state's renewable portfolio standard): the unit is a REC of 1 MWh; a supplier's
 *   obligation is its retail sales (MWh) times the class's percentage for the period. A carve-out
 *   class (NJ and PA solar) has its own percentage, which is part of its headline class's.
 *
 * A period is a compliance year, named by a year: calendar years for LCFS, per program for RPS
 * (New Jersey's energy year runs June to May and is named by the year it ends: EY2027 is
 * 2026-06-01 to 2027-05-31). Vintages are written the same way as periods (an NJ SREC generated in
 * July 2026 is vintage 2027), so a banking window is plain year arithmetic.
 */
import { SeriesUnit } from '@carbon/schemas'
import { z } from 'zod'

/** A program id: upper-case words joined by `_` (`CA_LCFS`, `NJ_RPS`). */
export const ProgramId = z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'upper-case words joined by "_"')
/** A certificate class, spelled as the REC price series spell it (`SOLAR`, `CLASS_I`, `TIER_1`). */
export const ClassName = z.string().regex(/^[A-Z0-9][A-Z0-9_]{0,31}$/, 'upper-case words joined by "_"')
/** A compliance year or a vintage. */
export const Year = z.number().int().min(1990).max(2100)

export const ProgramClass = z.object({
  class: ClassName,
  /** The headline class whose percentage includes this one's (a carve-out), or null. */
  carveOutOf: ClassName.nullable().default(null),
  /**
   * How many compliance years before a period its vintages may still be retired against it (the
   * period's own vintage always may): 2 means the period and the two before it. Null: no expiry.
   */
  bankingPriorYears: z.number().int().min(0).max(50).nullable(),
})
export type ProgramClass = z.infer<typeof ProgramClass>

const programFields = {
  id: ProgramId,
  name: z.string().min(1).max(128),
  /** The state or province that runs it (two letters). */
  jurisdiction: z.string().regex(/^[A-Z]{2}$/, 'a two-letter code'),
  /** The month (1-12) a compliance year starts on its first day. */
  periodStartMonth: z.number().int().min(1).max(12),
  /** Whether a compliance year is named by the calendar year it starts or ends in (same when it starts in January). */
  periodNamedBy: z.enum(['start', 'end']),
  /** How an obligation computed from deficits or retail sales becomes whole units: up (never understates), or to the nearest. */
  obligationRounding: z.enum(['up', 'nearest']).default('up'),
  classes: z.array(ProgramClass).min(1),
}

export const LcfsProgram = z.object({ kind: z.literal('LCFS'), unit: SeriesUnit.extract(['MT']), ...programFields })
export const RpsProgram = z.object({ kind: z.literal('RPS'), unit: SeriesUnit.extract(['MWh']), ...programFields })

/** Classes unique; a carve-out names a headline class of the program; LCFS has one class, no carve-out. */
function checkClasses(program: z.infer<typeof LcfsProgram> | z.infer<typeof RpsProgram>, context: z.RefinementCtx): void {
  const names = program.classes.map((c) => c.class)
  const headline = new Set(program.classes.filter((c) => c.carveOutOf === null).map((c) => c.class))
  program.classes.forEach((c, index) => {
    if (names.indexOf(c.class) !== index) context.addIssue({ code: 'custom', path: ['classes', index, 'class'], input: c.class, message: `class ${c.class} defined twice` })
    if (c.carveOutOf !== null && !headline.has(c.carveOutOf)) {
      context.addIssue({ code: 'custom', path: ['classes', index, 'carveOutOf'], input: c.carveOutOf, message: `not a headline class of ${program.id}` })
    }
  })
  if (program.kind === 'LCFS' && (program.classes.length !== 1 || headline.size !== 1)) {
    context.addIssue({ code: 'custom', path: ['classes'], input: names, message: 'an LCFS program has one class of credit, no carve-out' })
  }
}

export const ProgramDefinition = z.discriminatedUnion('kind', [LcfsProgram, RpsProgram]).superRefine(checkClasses)
export type ProgramDefinition = z.infer<typeof ProgramDefinition>
export type ProgramDefinitionInput = z.input<typeof ProgramDefinition>

type PeriodRule = Pick<ProgramDefinition, 'periodStartMonth' | 'periodNamedBy'>

/** `YYYY-MM-01` */
const firstOfMonth = (year: number, month: number) => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`

/** The calendar year a period named `year` starts in. */
function startYear(program: PeriodRule, year: number): number {
  return program.periodNamedBy === 'end' && program.periodStartMonth > 1 ? year - 1 : year
}

/** The dates of compliance year `year`: its first day and the first day after it (`YYYY-MM-DD`). */
export function periodRange(program: PeriodRule, year: number): { start: string; end: string } {
  const from = startYear(program, year)
  return { start: firstOfMonth(from, program.periodStartMonth), end: firstOfMonth(from + 1, program.periodStartMonth) }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * The compliance year (or vintage) a date falls in: 2026-06-01 is NJ energy year 2027, 2026-05-31
 * energy year 2026. Throws on a date that is not `YYYY-MM-DD`.
 */
export function periodOf(program: PeriodRule, date: string): number {
  const m = DATE.exec(date)
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null
  if (!m || !day || day.getUTCMonth() !== Number(m[2]) - 1 || day.getUTCDate() !== Number(m[3])) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`)
  const year = Number(m[1])
  const started = Number(m[2]) >= program.periodStartMonth
  const from = started ? year : year - 1
  return program.periodNamedBy === 'end' && program.periodStartMonth > 1 ? from + 1 : from
}

/**
 * Why a vintage may not be retired against a period, or null when it may: never a vintage later
 * than the period (not generated yet when the period closes), and, for a class that expires,
 * never one older than the period's banking window.
 */
export function vintageIneligibility(programClass: ProgramClass, vintage: number, period: number): string | null {
  if (vintage > period) return `vintage ${vintage} is later than period ${period}`
  const window = programClass.bankingPriorYears
  if (window !== null && vintage < period - window) {
    return `vintage ${vintage} is outside the banking window of period ${period} (vintages ${period - window}-${period})`
  }
  return null
}

/**
 * California LCFS: calendar-year compliance, 1 MT CO2e credits that bank without expiry.
 * Obligation = the year's deficits.
 */
export const CA_LCFS = ProgramDefinition.parse({
  kind: 'LCFS',
  id: 'CA_LCFS',
  name: 'California Low Carbon Fuel Standard',
  jurisdiction: 'CA',
  unit: 'MT',
  periodStartMonth: 1,
  periodNamedBy: 'start',
  classes: [{ class: 'CREDIT', bankingPriorYears: null }],
} satisfies ProgramDefinitionInput)

/**
 * New Jersey RPS (N.J.A.C. 14:8-2), energy years June-May named by their end. Banking windows as
 * the market describes them: a Class I REC serves three energy years (the year generated and the
 * two after); an SREC generated from July 2012 five (the year and the four after). Solar is read
 * as carved out of Class I: the Class I percentage given includes the solar percentage, and SRECs
 * meet that share. Check both against the Board's current order before filing; Class II and the
 * other carve-outs are left to the caller (add them with their own windows).
 */
export const NJ_RPS = ProgramDefinition.parse({
  kind: 'RPS',
  id: 'NJ_RPS',
  name: 'New Jersey Renewable Portfolio Standard',
  jurisdiction: 'NJ',
  unit: 'MWh',
  periodStartMonth: 6,
  periodNamedBy: 'end',
  classes: [
    { class: 'CLASS_I', bankingPriorYears: 2 },
    { class: 'SOLAR', carveOutOf: 'CLASS_I', bankingPriorYears: 4 },
  ],
} satisfies ProgramDefinitionInput)

/** The programs defined here, by id. Callers may pass their own definitions instead. */
export const PROGRAMS: Readonly<Record<string, ProgramDefinition>> = { [CA_LCFS.id]: CA_LCFS, [NJ_RPS.id]: NJ_RPS }
