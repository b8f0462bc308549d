/**
 * Compliance positions per organization, program, period and class:
 *
 *   obligation           deficits (LCFS) or retail sales x percentage (RPS), in whole units
 *   retired              certificates retired against the period
 *   remainingObligation  obligation - retired (never below 0: retiring more is refused)
 *   holdings             certificates held, not retired, whose vintage may still be retired
 *                        against the period (its banking window); the others are listed in
 *                        `excluded` with the reason
 *   position             holdings - remainingObligation (negative: short)
 *   value                position x the class's latest price; shortfallCost = short units x price
 *
 * Holdings are judged per period: a lot whose vintage is eligible for two open periods counts in
 * both positions (it can be retired against either, not both). Pure: inputs in, positions out,
 * or a ComplianceError naming organization, program, period, class and field.
 */
import { z } from 'zod'
import { ComplianceError, type ComplianceErrorCode, type ComplianceErrorDetails } from './errors.ts'
import { ComplianceInput, type ComplianceInputIn, type LatestPrice, type Obligation } from './inputs.ts'
import { periodRange, vintageIneligibility, type ProgramClass, type ProgramDefinition } from './programs.ts'
import { PERCENT_DECIMALS, QUANTITY_DECIMALS, dollarsOf, scaledDecimal, toCents, unitsOfShare, wholeUnits } from './quantity.ts'

const Units = z.number().int().nonnegative()

export const ExcludedLot = z.object({ vintage: z.number().int(), quantity: Units, reason: z.string() })
export type ExcludedLot = z.infer<typeof ExcludedLot>

export const Position = z.object({
  organization: z.string(),
  program: z.string(),
  period: z.number().int(),
  /** First day of the compliance year and the first day after it (`YYYY-MM-DD`). */
  periodStart: z.iso.date(),
  periodEnd: z.iso.date(),
  class: z.string(),
  unit: z.enum(['MT', 'MWh']),
  obligation: Units,
  retired: Units,
  remainingObligation: Units,
  holdings: Units,
  excluded: z.array(ExcludedLot),
  position: z.number().int(),
  /** Units short: max(0, -position). */
  shortfall: Units,
  /** $/unit, whole cents; null when no price is known. */
  price: z.number().nonnegative().nullable(),
  priceAsOf: z.iso.date().nullable(),
  /** position x price in dollars (to the cent), null without a price. */
  value: z.number().nullable(),
  /** shortfall x price in dollars, null without a price. */
  shortfallCost: z.number().nonnegative().nullable(),
  /** Why value and shortfallCost are null, else null. */
  valuationNote: z.string().nullable(),
})
export type Position = z.infer<typeof Position>

/** One obligation of one class, in whole units. */
type ClassObligation = { organization: string; program: ProgramDefinition; period: number; class: ProgramClass; quantity: number }

const keyOf = (...parts: (string | number)[]) => parts.join('\u0000')

type Where = Omit<ComplianceErrorDetails, 'value'>
const fail = (code: ComplianceErrorCode, where: Where, value: unknown, reason: string): never => {
  throw new ComplianceError(code, { ...where, value: valueText(value) }, reason)
}

function valueText(value: unknown): string {
  if (value === undefined) return ''
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
}

/** `obligations[2].carveOuts[0].percent` */
function pathText(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`)).join('')
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root
  for (const part of path) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<PropertyKey, unknown>)[part]
  }
  return at
}

/** The input parsed, or INVALID_INPUT naming the first bad field and the program, period and class of its element. */
function readInput(raw: ComplianceInputIn): ComplianceInput {
  const result = ComplianceInput.safeParse(raw)
  if (result.success) return result.data
  const issue = result.error.issues[0] as z.core.$ZodIssue
  const element = valueAt(raw, issue.path.slice(0, 2))
  const field = (name: string) => valueAt(element, [name])
  const text = (value: unknown) => (typeof value === 'string' ? value : null)
  const period = field('period')
  return fail(
    'INVALID_INPUT',
    {
      organization: text(field('organization')),
      program: text(field('program')) ?? text(field('id')),
      period: typeof period === 'number' ? period : null,
      class: text(field('class')),
      field: pathText(issue.path),
    },
    valueAt(raw, issue.path),
    issue.message,
  )
}

function programsById(programs: readonly ProgramDefinition[]): Map<string, ProgramDefinition> {
  const byId = new Map<string, ProgramDefinition>()
  programs.forEach((program, i) => {
    if (byId.has(program.id)) fail('DUPLICATE', { organization: null, program: program.id, period: null, class: null, field: `programs[${i}].id` }, program.id, 'program defined twice')
    byId.set(program.id, program)
  })
  return byId
}

function programOf(programs: Map<string, ProgramDefinition>, id: string, where: Where): ProgramDefinition {
  return programs.get(id) ?? fail('UNKNOWN_PROGRAM', where, id, `no definition of program ${id}`)
}

function classOf(program: ProgramDefinition, name: string, where: Where): ProgramClass {
  return program.classes.find((c) => c.class === name) ?? fail('UNKNOWN_CLASS', where, name, `${program.id} has no class ${name} (classes: ${program.classes.map((c) => c.class).join(', ')})`)
}

/** A validated decimal as its scaled integer (the schema already checked the places). */
const scaled = (value: number, decimals: number) => scaledDecimal(value, decimals) as bigint

/** The per-class obligations of one input obligation: one for deficits, one per class for retail sales. */
function expandObligation(obligation: Obligation, index: number, programs: Map<string, ProgramDefinition>): ClassObligation[] {
  const at = `obligations[${index}]`
  const where = (field: string, className: string | null = null): Where => ({ organization: obligation.organization, program: obligation.program, period: obligation.period, class: className, field: `${at}.${field}` })
  const program = programOf(programs, obligation.program, where('program'))
  const base = { organization: obligation.organization, program, period: obligation.period }

  if (obligation.basis === 'deficits') {
    if (program.kind !== 'LCFS') fail('WRONG_BASIS', where('basis'), obligation.basis, `${program.id} is an RPS: give retail sales and a percentage`)
    const credit = program.classes[0] as ProgramClass
    return [{ ...base, class: credit, quantity: wholeUnits(scaled(obligation.deficitsMT, QUANTITY_DECIMALS), program.obligationRounding) }]
  }

  if (program.kind !== 'RPS') fail('WRONG_BASIS', where('basis'), obligation.basis, `${program.id} is an LCFS program: give the deficits in MT`)
  const headline = classOf(program, obligation.class, where('class', obligation.class))
  if (headline.carveOutOf !== null) {
    fail('UNKNOWN_CLASS', where('class', obligation.class), obligation.class, `${obligation.class} is a carve-out of ${headline.carveOutOf}: give it in that obligation's carveOuts`)
  }
  const retail = scaled(obligation.retailSalesMWh, QUANTITY_DECIMALS)
  let rest = scaled(obligation.percent, PERCENT_DECIMALS)
  const carved: ClassObligation[] = []
  obligation.carveOuts.forEach((carveOut, i) => {
    const field = `carveOuts[${i}]`
    const programClass = classOf(program, carveOut.class, where(`${field}.class`, carveOut.class))
    if (programClass.carveOutOf !== headline.class) {
      fail('UNKNOWN_CLASS', where(`${field}.class`, carveOut.class), carveOut.class, `${carveOut.class} is not a carve-out of ${headline.class}`)
    }
    if (carved.some((c) => c.class.class === carveOut.class)) fail('DUPLICATE', where(`${field}.class`, carveOut.class), carveOut.class, 'carve-out given twice')
    const percent = scaled(carveOut.percent, PERCENT_DECIMALS)
    rest -= percent
    if (rest < 0n) {
      fail('CARVE_OUT_EXCEEDS_HEADLINE', where(`${field}.percent`, carveOut.class), carveOut.percent, `carve-outs add up to more than ${headline.class}'s ${obligation.percent} %`)
    }
    carved.push({ ...base, class: programClass, quantity: unitsOfShare(retail, percent, program.obligationRounding) })
  })
  return [{ ...base, class: headline, quantity: unitsOfShare(retail, rest, program.obligationRounding) }, ...carved]
}

function obligationsByKey(obligations: readonly Obligation[], programs: Map<string, ProgramDefinition>): Map<string, ClassObligation> {
  const byKey = new Map<string, ClassObligation>()
  obligations.forEach((obligation, index) => {
    for (const one of expandObligation(obligation, index, programs)) {
      const key = keyOf(one.organization, one.program.id, one.period, one.class.class)
      if (byKey.has(key)) {
        const where = { organization: one.organization, program: one.program.id, period: one.period, class: one.class.class, field: `obligations[${index}]` }
        fail('DUPLICATE', where, one.class.class, 'a second obligation for this organization, program, period and class')
      }
      byKey.set(key, one)
    }
  })
  return byKey
}

/** Certificates held per organization, program, class and vintage (lots of the same key added). */
function heldByLot(input: ComplianceInput, programs: Map<string, ProgramDefinition>): Map<string, number> {
  const held = new Map<string, number>()
  input.holdings.forEach((lot, i) => {
    const where = (field: string): Where => ({ organization: lot.organization, program: lot.program, period: null, class: lot.class, field: `holdings[${i}].${field}` })
    classOf(programOf(programs, lot.program, where('program')), lot.class, where('class'))
    const key = keyOf(lot.organization, lot.program, lot.class, lot.vintage)
    held.set(key, (held.get(key) ?? 0) + lot.quantity)
  })
  return held
}

/**
 * Draws each retirement from the lots of its class and vintage (`held` becomes what is left) and
 * totals what was retired per obligation key. Refuses a vintage outside the period's banking
 * window and a retirement beyond what is held.
 */
function applyRetirements(input: ComplianceInput, programs: Map<string, ProgramDefinition>, held: Map<string, number>): Map<string, number> {
  const retired = new Map<string, number>()
  input.retirements.forEach((retirement, i) => {
    const where = (field: string): Where => ({ organization: retirement.organization, program: retirement.program, period: retirement.period, class: retirement.class, field: `retirements[${i}].${field}` })
    const program = programOf(programs, retirement.program, where('program'))
    const programClass = classOf(program, retirement.class, where('class'))
    const ineligible = vintageIneligibility(programClass, retirement.vintage, retirement.period)
    if (ineligible) fail('INELIGIBLE_VINTAGE', where('vintage'), retirement.vintage, ineligible)
    const lot = keyOf(retirement.organization, retirement.program, retirement.class, retirement.vintage)
    const left = held.get(lot) ?? 0
    if (retirement.quantity > left) {
      fail('RETIREMENT_EXCEEDS_HOLDINGS', where('quantity'), retirement.quantity, `only ${left} of ${retirement.class} vintage ${retirement.vintage} held and not yet retired`)
    }
    held.set(lot, left - retirement.quantity)
    const key = keyOf(retirement.organization, retirement.program, retirement.period, retirement.class)
    retired.set(key, (retired.get(key) ?? 0) + retirement.quantity)
  })
  return retired
}

/** Refuses any (organization, program, period, class) retired beyond its obligation, or retired without one. */
function checkRetiredWithinObligations(input: ComplianceInput, retired: Map<string, number>, obligations: Map<string, ClassObligation>): void {
  for (const retirement of input.retirements) {
    const key = keyOf(retirement.organization, retirement.program, retirement.period, retirement.class)
    const total = retired.get(key) ?? 0
    const obligation = obligations.get(key)?.quantity ?? 0
    if (total > obligation) {
      const where = { organization: retirement.organization, program: retirement.program, period: retirement.period, class: retirement.class, field: 'retired' }
      const reason = obligations.has(key) ? `over-retirement: ${total} retired against an obligation of ${obligation}` : 'over-retirement: retired against a period with no obligation'
      fail('OVER_RETIREMENT', where, total, reason)
    }
  }
}

function pricesByKey(prices: readonly LatestPrice[], programs: Map<string, ProgramDefinition>): Map<string, LatestPrice> {
  const byKey = new Map<string, LatestPrice>()
  prices.forEach((price, i) => {
    const where = (field: string): Where => ({ organization: null, program: price.program, period: null, class: price.class, field: `prices[${i}].${field}` })
    classOf(programOf(programs, price.program, where('program')), price.class, where('class'))
    const key = keyOf(price.program, price.class)
    if (byKey.has(key)) fail('DUPLICATE', where('class'), price.class, 'a second price for this program and class: pass the latest only')
    byKey.set(key, price)
  })
  return byKey
}

/** The unretired lots of an obligation's class, split into what counts for its period and what does not (and why). */
function holdingsFor(obligation: ClassObligation, held: Map<string, number>): { holdings: number; excluded: ExcludedLot[] } {
  const prefix = `${keyOf(obligation.organization, obligation.program.id, obligation.class.class)}\u0000`
  const lots = [...held]
    .filter(([key, quantity]) => key.startsWith(prefix) && quantity > 0)
    .map(([key, quantity]) => ({ vintage: Number(key.slice(prefix.length)), quantity }))
    .sort((a, b) => a.vintage - b.vintage)
  let holdings = 0
  const excluded: ExcludedLot[] = []
  for (const lot of lots) {
    const reason = vintageIneligibility(obligation.class, lot.vintage, obligation.period)
    if (reason) excluded.push({ ...lot, reason })
    else holdings += lot.quantity
  }
  return { holdings, excluded }
}

type Valuation = Pick<Position, 'price' | 'priceAsOf' | 'value' | 'shortfallCost' | 'valuationNote'>

function valuationOf(position: number, shortfall: number, price: LatestPrice | undefined, label: string): Valuation {
  if (price === undefined) return { price: null, priceAsOf: null, value: null, shortfallCost: null, valuationNote: `no price given for ${label}` }
  if (price.price === null) {
    const asOf = price.asOf === null ? '' : ` as of ${price.asOf}`
    return { price: null, priceAsOf: price.asOf, value: null, shortfallCost: null, valuationNote: `no price for ${label}${asOf}` }
  }
  const cents = toCents(price.price)
  return { price: cents / 100, priceAsOf: price.asOf, value: dollarsOf(position, cents), shortfallCost: dollarsOf(shortfall, cents), valuationNote: null }
}

/**
 * The positions of every (organization, program, period, class) with an obligation, sorted by
 * organization, program, period and the program's class order. Throws {@link ComplianceError}.
 */
export function compliancePositions(raw: ComplianceInputIn): Position[] {
  const input = readInput(raw)
  const programs = programsById(input.programs)
  const obligations = obligationsByKey(input.obligations, programs)
  const held = heldByLot(input, programs)
  const retired = applyRetirements(input, programs, held)
  checkRetiredWithinObligations(input, retired, obligations)
  const prices = pricesByKey(input.prices, programs)

  const order = (o: ClassObligation) => o.program.classes.indexOf(o.class)
  const sorted = [...obligations.values()].sort(
    (a, b) => a.organization.localeCompare(b.organization) || a.program.id.localeCompare(b.program.id) || a.period - b.period || order(a) - order(b),
  )
  return sorted.map((obligation) => {
    const { organization, program, period } = obligation
    const className = obligation.class.class
    const retiredUnits = retired.get(keyOf(organization, program.id, period, className)) ?? 0
    const remainingObligation = obligation.quantity - retiredUnits
    const { holdings, excluded } = holdingsFor(obligation, held)
    const position = holdings - remainingObligation
    const shortfall = Math.max(0, -position)
    const range = periodRange(program, period)
    return {
      organization,
      program: program.id,
      period,
      periodStart: range.start,
      periodEnd: range.end,
      class: className,
      unit: program.unit,
      obligation: obligation.quantity,
      retired: retiredUnits,
      remainingObligation,
      holdings,
      excluded,
      position,
      shortfall,
      ...valuationOf(position, shortfall, prices.get(keyOf(program.id, className)), `${program.id} ${className}`),
    }
  })
}
