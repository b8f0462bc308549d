/**
 * What an organization tells us: obligations by program and period, the certificates it holds
 * (lots by class and vintage), what it retired against which period, and the latest price of each
 * program's class. Quantities that count certificates are whole units; deficits and retail sales
 * keep three decimals and percentages four (see quantity.ts for why and how they are rounded).
 */
import { z } from 'zod'
import { ProgramDefinition, ClassName, ProgramId, Year } from './programs.ts'
import { PERCENT_DECIMALS, QUANTITY_DECIMALS, hasAtMostDecimals } from './quantity.ts'

/** Largest quantity accepted (units, MT or MWh): far above any one organization, and keeps every product exact. */
export const MAX_QUANTITY = 1e9
/** Largest price accepted, $/unit. */
export const MAX_PRICE = 10_000

const Organization = z.string().min(1).max(128)

const decimal = (decimals: number) =>
  z
    .number()
    .nonnegative()
    .refine((value) => hasAtMostDecimals(value, decimals), `at most ${decimals} decimal places`)

const Measured = decimal(QUANTITY_DECIMALS).max(MAX_QUANTITY)
const Percent = decimal(PERCENT_DECIMALS).max(100)
/** A count of certificates: whole, positive. */
const Certificates = z.number().int('whole certificates (1 unit = 1 MT or 1 MWh)').positive().max(MAX_QUANTITY)

/** An LCFS obligation: the deficits (MT CO2e) generated in the period. */
export const DeficitObligation = z.object({
  organization: Organization,
  program: ProgramId,
  period: Year,
  basis: z.literal('deficits'),
  deficitsMT: Measured,
})

/** A carve-out's share of retail sales, in percent (NJ solar). */
export const CarveOut = z.object({ class: ClassName, percent: Percent })

/**
 * An RPS obligation of a headline class: retail sales (MWh) x `percent`. Each carve-out is its
 * own obligation of retail sales x its percent, and is taken out of the headline's.
 */
export const RetailSalesObligation = z.object({
  organization: Organization,
  program: ProgramId,
  period: Year,
  basis: z.literal('retail_sales'),
  class: ClassName,
  retailSalesMWh: Measured,
  percent: Percent,
  carveOuts: z.array(CarveOut).default([]),
})

export const Obligation = z.discriminatedUnion('basis', [DeficitObligation, RetailSalesObligation])
export type Obligation = z.infer<typeof Obligation>

/** Certificates of one class and vintage held (retired ones included: retirements draw on lots). */
export const HoldingLot = z.object({
  organization: Organization,
  program: ProgramId,
  class: ClassName,
  vintage: Year,
  quantity: Certificates,
})
export type HoldingLot = z.infer<typeof HoldingLot>

/** Certificates of one class and vintage retired against a period. */
export const Retirement = z.object({
  organization: Organization,
  program: ProgramId,
  period: Year,
  class: ClassName,
  vintage: Year,
  quantity: Certificates,
})
export type Retirement = z.infer<typeof Retirement>

/** The latest price of a program's class ($/unit) and its date; null when there is none. */
export const LatestPrice = z
  .object({
    program: ProgramId,
    class: ClassName,
    price: z.number().nonnegative().max(MAX_PRICE).nullable(),
    asOf: z.iso.date().nullable(),
  })
  .refine((p) => p.price === null || p.asOf !== null, { path: ['asOf'], message: 'a price needs the date it is of' })
export type LatestPrice = z.infer<typeof LatestPrice>

export const ComplianceInput = z.object({
  programs: z.array(ProgramDefinition).min(1),
  obligations: z.array(Obligation),
  holdings: z.array(HoldingLot).default([]),
  retirements: z.array(Retirement).default([]),
  prices: z.array(LatestPrice).default([]),
})
export type ComplianceInput = z.infer<typeof ComplianceInput>
/** What callers pass (defaults not yet applied). */
export type ComplianceInputIn = z.input<typeof ComplianceInput>
