import { CarveOut, ClassName, DeficitObligation, HoldingLot, Position, ProgramId, RetailSalesObligation, Retirement, Year } from '@carbon/compliance'
import { z } from 'zod'

/**
 * What the compliance procedures and hub pages take and give. Entries are the package's inputs
 * (packages/compliance inputs.ts) without `organization`: the caller's organization is the only
 * one a call reads or writes.
 */

/** The product whose entitlement decides a call: LCFS for LCFS programs, REC for RPS programs. */
export const ComplianceProduct = z.enum(['LCFS', 'REC']).describe('LCFS: California LCFS (program CA_LCFS); REC: state RPS programs (NJ_RPS)')
export type ComplianceProduct = z.infer<typeof ComplianceProduct>

/** Most entries of each kind one call records or removes. */
export const MAX_ENTRIES = 500
/** Most carve-outs of one RPS obligation. */
export const MAX_CARVE_OUTS = 8
/** Days after today (UTC) a retirement may be dated: a user ahead of UTC enters their own today. */
export const RETIREMENT_DATE_SLACK_DAYS = 1

const DAY_MS = 86_400_000
const withoutOrganization = { organization: true } as const

export const DeficitEntry = DeficitObligation.omit(withoutOrganization).extend({
  program: ProgramId.describe('an LCFS program (CA_LCFS)'),
  period: Year.describe('the compliance year'),
  deficitsMT: DeficitObligation.shape.deficitsMT.describe('deficits generated in the year, MT CO2e (at most 3 decimals); the obligation is this rounded up to whole credits'),
})

export const RetailSalesEntry = RetailSalesObligation.omit(withoutOrganization).extend({
  program: ProgramId.describe('an RPS program (NJ_RPS)'),
  period: Year.describe('the compliance year as the program names it (NJ: the energy year June-May, named by its end)'),
  class: ClassName.describe('the headline class (CLASS_I); its carve-outs go in carveOuts'),
  retailSalesMWh: RetailSalesObligation.shape.retailSalesMWh.describe('retail sales of the year, MWh (at most 3 decimals)'),
  percent: RetailSalesObligation.shape.percent.describe("the class's percentage, carve-outs included (at most 4 decimals)"),
  carveOuts: z.array(CarveOut).max(MAX_CARVE_OUTS).default([]).describe('carve-out classes of the headline class with their own percentage (NJ SOLAR), taken out of it'),
})

export const ObligationEntry = z.discriminatedUnion('basis', [DeficitEntry, RetailSalesEntry])
export type ObligationEntry = z.infer<typeof ObligationEntry>

export const LotEntry = HoldingLot.omit(withoutOrganization).extend({
  vintage: Year.describe('the vintage, written like a period (an NJ SREC of July 2026 is 2027)'),
  quantity: HoldingLot.shape.quantity.describe('whole certificates (1 = 1 MT CO2e or 1 MWh)'),
})
export type LotEntry = z.infer<typeof LotEntry>

/** The latest date a retirement may carry, `YYYY-MM-DD`. */
export function latestRetirementDate(now = Date.now()): string {
  return new Date(now + RETIREMENT_DATE_SLACK_DAYS * DAY_MS).toISOString().slice(0, 10)
}

export const RetirementEntry = Retirement.omit(withoutOrganization).extend({
  period: Year.describe('the compliance year retired against'),
  vintage: Year.describe('the vintage of the certificates retired'),
  quantity: Retirement.shape.quantity.describe('whole certificates retired'),
  retiredOn: z.iso
    .date()
    .refine((date) => date <= latestRetirementDate(), { message: 'is in the future: a retirement is dated when the registry retired it' })
    .describe('the date the registry retired them, YYYY-MM-DD'),
})
export type RetirementEntry = z.infer<typeof RetirementEntry>

export const RecordInput = z
  .object({
    product: ComplianceProduct,
    obligations: z.array(ObligationEntry).max(MAX_ENTRIES).default([]),
    lots: z.array(LotEntry).max(MAX_ENTRIES).default([]),
    retirements: z.array(RetirementEntry).max(MAX_ENTRIES).default([]),
  })
  .refine((input) => input.obligations.length + input.lots.length + input.retirements.length > 0, {
    message: 'nothing to record: give obligations, lots or retirements',
  })
export type RecordInput = z.infer<typeof RecordInput>
export type RecordInputIn = z.input<typeof RecordInput>

const Ids = (what: string) => z.array(z.uuid()).max(MAX_ENTRIES).default([]).describe(`ids of your organization's ${what} (from GET /compliance/entries)`)

export const RemoveInput = z.object({
  product: ComplianceProduct,
  obligations: Ids('obligations'),
  lots: Ids('holding lots'),
  retirements: Ids('retirements'),
})
export type RemoveInput = z.infer<typeof RemoveInput>
export type RemoveInputIn = z.input<typeof RemoveInput>

/** A year from a query string (`?period=2027`) or a number. */
const QueryYear = z.coerce.number().int().min(1990).max(2100)

export const EntriesInput = z.object({
  product: ComplianceProduct,
  program: ProgramId.optional().describe("one of the product's programs; default all of them"),
})
export type EntriesInput = z.input<typeof EntriesInput>

export const PositionsInput = EntriesInput.extend({
  period: QueryYear.optional().describe('one compliance year; default every year with an obligation'),
})
export type PositionsInput = z.input<typeof PositionsInput>

const Entered = {
  enteredBy: z.uuid().nullable().describe('the user who entered it (null: a service client, or a user since deleted)'),
  enteredByLabel: z.string().describe('who entered it, as the audit log names them (email, token name, client id)'),
  enteredVia: z.enum(['hub', 'api']),
  createdAt: z.iso.datetime(),
}

export const StoredObligation = z.object({
  id: z.uuid(),
  program: z.string(),
  period: z.number().int(),
  basis: z.enum(['deficits', 'retail_sales']),
  class: z.string().describe("the obligation's class: the LCFS credit class, or the RPS headline class"),
  deficitsMT: z.number().nullable().describe('deficits only'),
  retailSalesMWh: z.number().nullable().describe('retail_sales only'),
  percent: z.number().nullable().describe('retail_sales only'),
  carveOuts: z.array(CarveOut),
  ...Entered,
})
export type StoredObligation = z.infer<typeof StoredObligation>

export const StoredLot = z.object({ id: z.uuid(), program: z.string(), class: z.string(), vintage: z.number().int(), quantity: z.number().int(), ...Entered })
export type StoredLot = z.infer<typeof StoredLot>

export const StoredRetirement = z.object({
  id: z.uuid(),
  program: z.string(),
  period: z.number().int(),
  class: z.string(),
  vintage: z.number().int(),
  quantity: z.number().int(),
  retiredOn: z.iso.date(),
  ...Entered,
})
export type StoredRetirement = z.infer<typeof StoredRetirement>

export const EntriesOutput = z.object({
  product: ComplianceProduct,
  obligations: z.array(StoredObligation),
  lots: z.array(StoredLot),
  retirements: z.array(StoredRetirement),
})
export type EntriesOutput = z.infer<typeof EntriesOutput>

export const RemoveOutput = z.object({
  product: ComplianceProduct,
  removed: z.object({ obligations: z.array(z.uuid()), lots: z.array(z.uuid()), retirements: z.array(z.uuid()) }),
})
export type RemoveOutput = z.infer<typeof RemoveOutput>

export const ProgramSummary = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['LCFS', 'RPS']),
  jurisdiction: z.string(),
  unit: z.enum(['MT', 'MWh']),
  periodStartMonth: z.number().int().describe('the month (1-12) a compliance year starts'),
  periodNamedBy: z.enum(['start', 'end']).describe('whether a year is named by the calendar year it starts or ends in'),
  classes: z.array(
    z.object({
      class: z.string(),
      carveOutOf: z.string().nullable(),
      bankingPriorYears: z.number().int().nullable().describe('how many years before a period its vintages may still be retired against it; null: no expiry'),
    }),
  ),
  priceRule: z.string().describe("which stored price values the program's positions, and the date it carries"),
})
export type ProgramSummary = z.infer<typeof ProgramSummary>

export const CompliancePosition = Position.omit({ organization: true }).extend({
  priceSeries: z.string().nullable().describe('the stored series whose latest value prices the position (LCFS_CREDIT, REC.NJ.SOLAR.2027); null when none is stored'),
})
export type CompliancePosition = z.infer<typeof CompliancePosition>

export const PositionsOutput = z.object({
  product: ComplianceProduct,
  programs: z.array(ProgramSummary),
  positions: z.array(CompliancePosition).describe('per program, period and class: obligation, retired, remaining, holdings, position (holdings - remaining), value at the latest price'),
})
export type PositionsOutput = z.infer<typeof PositionsOutput>
