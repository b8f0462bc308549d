import { LCFS_CREDIT_SERIES } from '@carbon/connectors'
import { PROGRAMS, type ProgramDefinition } from '@carbon/compliance'
import type { ComplianceProduct, ProgramSummary } from './schemas.ts'

/**
 * The programs tracked here (packages/compliance PROGRAMS) and the product whose entitlement
 * decides each: an LCFS program is LCFS data, an RPS program REC data (docs/decisions/023).
 */

export function productOf(program: Pick<ProgramDefinition, 'kind'>): ComplianceProduct {
  return program.kind === 'LCFS' ? 'LCFS' : 'REC'
}

/** The product's programs, by id. */
export function programsOf(product: ComplianceProduct): ProgramDefinition[] {
  return Object.values(PROGRAMS)
    .filter((program) => productOf(program) === product)
    .sort((a, b) => a.id.localeCompare(b.id))
}

export function findProgram(id: string): ProgramDefinition | undefined {
  return PROGRAMS[id]
}

/**
 * The weekly series that prices each LCFS program's credits: CARB's volume-weighted average of
 * all completed transfers (packages/connectors lcfs/weekly.ts). A program without one has no price.
 */
export const LCFS_PRICE_SERIES: Readonly<Record<string, string>> = { CA_LCFS: LCFS_CREDIT_SERIES }

/** `REC.<STATE>.`: the prefix of an RPS program's REC quote series (`REC.NJ.SOLAR.2027`, packages/connectors rec-prices-csv.ts). */
export const recSeriesPrefix = (program: Pick<ProgramDefinition, 'jurisdiction'>) => `REC.${program.jurisdiction}.`

/** Which stored price values a program's positions, in words (the API and the hub say it beside the numbers). */
export function priceRuleOf(program: ProgramDefinition): string {
  if (program.kind === 'LCFS') {
    const series = LCFS_PRICE_SERIES[program.id]
    return series
      ? `The latest weekly ${series} price (CARB's average of the week's completed credit transfers, $/MT), dated by the week's Monday as CARB dates it.`
      : `No price series is known for ${program.id}: positions are not valued.`
  }
  return (
    `The latest quote of ${recSeriesPrefix(program)}<class>.<vintage> ($/MWh) for the vintage nearest the period: the period's own vintage when quoted, ` +
    'else the nearest quoted one, the earlier on a tie (a later vintage cannot be retired against the period); dated by the quote\'s date.'
  )
}

export function programSummary(program: ProgramDefinition): ProgramSummary {
  return {
    id: program.id,
    name: program.name,
    kind: program.kind,
    jurisdiction: program.jurisdiction,
    unit: program.unit,
    periodStartMonth: program.periodStartMonth,
    periodNamedBy: program.periodNamedBy,
    classes: program.classes.map((c) => ({ class: c.class, carveOutOf: c.carveOutOf, bankingPriorYears: c.bankingPriorYears })),
    priceRule: priceRuleOf(program),
  }
}
