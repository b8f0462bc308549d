import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { complianceHoldingLots, complianceObligations, complianceRetirements, type Database } from '../../adapters/postgres/schema/index.ts'
import type { Ledger } from './ledger.ts'
import type { LotEntry, ObligationEntry, RetirementEntry, StoredLot, StoredObligation, StoredRetirement } from './schemas.ts'

/**
 * The compliance tables of one organization (schema/compliance.ts). Every query names the
 * organization: another organization's rows are never read, written or removed from here.
 */

type ObligationRow = typeof complianceObligations.$inferSelect
type LotRow = typeof complianceHoldingLots.$inferSelect
type RetirementRow = typeof complianceRetirements.$inferSelect

/** Who enters rows: the user (null for a service client), the label the audit log uses, and the channel. */
export type Enterer = { userId: string | null; label: string; via: 'hub' | 'api' }

export type StoredEntries = { obligations: StoredObligation[]; lots: StoredLot[]; retirements: StoredRetirement[] }

const entered = (row: ObligationRow | LotRow | RetirementRow) => ({
  enteredBy: row.enteredBy,
  enteredByLabel: row.enteredByLabel,
  enteredVia: row.enteredVia as 'hub' | 'api',
  createdAt: row.createdAt.toISOString(),
})

export function toStoredObligation(row: ObligationRow): StoredObligation {
  return {
    id: row.id,
    program: row.program,
    period: row.period,
    basis: row.basis as StoredObligation['basis'],
    class: row.class,
    deficitsMT: row.deficitsMt,
    retailSalesMWh: row.retailSalesMwh,
    percent: row.percent,
    carveOuts: row.carveOuts,
    ...entered(row),
  }
}

const toStoredLot = (row: LotRow): StoredLot => ({ id: row.id, program: row.program, class: row.class, vintage: row.vintage, quantity: row.quantity, ...entered(row) })

const toStoredRetirement = (row: RetirementRow): StoredRetirement => ({
  id: row.id,
  program: row.program,
  period: row.period,
  class: row.class,
  vintage: row.vintage,
  quantity: row.quantity,
  retiredOn: row.retiredOn,
  ...entered(row),
})

/**
 * The organization's entries of `programs`, in a stable order: obligations by program, period and
 * class; lots by program, class and vintage; retirements by program, period, class and vintage;
 * then as entered.
 */
export async function readEntries(db: Database, organizationId: string, programs: readonly string[]): Promise<StoredEntries> {
  if (programs.length === 0) return { obligations: [], lots: [], retirements: [] }
  const [obligations, lots, retirements] = await Promise.all([
    db
      .select()
      .from(complianceObligations)
      .where(and(eq(complianceObligations.organizationId, organizationId), inArray(complianceObligations.program, [...programs])))
      .orderBy(asc(complianceObligations.program), asc(complianceObligations.period), asc(complianceObligations.class), asc(complianceObligations.id)),
    db
      .select()
      .from(complianceHoldingLots)
      .where(and(eq(complianceHoldingLots.organizationId, organizationId), inArray(complianceHoldingLots.program, [...programs])))
      .orderBy(
        asc(complianceHoldingLots.program),
        asc(complianceHoldingLots.class),
        asc(complianceHoldingLots.vintage),
        asc(complianceHoldingLots.createdAt),
        asc(complianceHoldingLots.id),
      ),
    db
      .select()
      .from(complianceRetirements)
      .where(and(eq(complianceRetirements.organizationId, organizationId), inArray(complianceRetirements.program, [...programs])))
      .orderBy(
        asc(complianceRetirements.program),
        asc(complianceRetirements.period),
        asc(complianceRetirements.class),
        asc(complianceRetirements.vintage),
        asc(complianceRetirements.createdAt),
        asc(complianceRetirements.id),
      ),
  ])
  return { obligations: obligations.map(toStoredObligation), lots: lots.map(toStoredLot), retirements: retirements.map(toStoredRetirement) }
}

/** A stored obligation as the package's entry. */
export function obligationEntry(row: StoredObligation): ObligationEntry {
  if (row.basis === 'deficits') return { program: row.program, period: row.period, basis: 'deficits', deficitsMT: row.deficitsMT ?? 0 }
  return {
    program: row.program,
    period: row.period,
    basis: 'retail_sales',
    class: row.class,
    retailSalesMWh: row.retailSalesMWh ?? 0,
    percent: row.percent ?? 0,
    carveOuts: row.carveOuts,
  }
}

/** The stored entries as a ledger (each with its id as origin), leaving out the ids in `without`. */
export function ledgerOf(stored: StoredEntries, without: ReadonlySet<string> = new Set()): Ledger {
  const keep = <T extends { id: string }>(rows: T[]) => rows.filter((row) => !without.has(row.id))
  const origin = (id: string) => ({ source: 'stored' as const, id })
  return {
    obligations: keep(stored.obligations).map((row) => ({ entry: obligationEntry(row), origin: origin(row.id) })),
    lots: keep(stored.lots).map(({ program, class: className, vintage, quantity, id }) => ({ entry: { program, class: className, vintage, quantity }, origin: origin(id) })),
    retirements: keep(stored.retirements).map(({ program, period, class: className, vintage, quantity, retiredOn, id }) => ({
      entry: { program, period, class: className, vintage, quantity, retiredOn },
      origin: origin(id),
    })),
  }
}

/**
 * Serializes the writes of one organization and product until the transaction ends, so two calls
 * never both pass the check against the same stored entries (a transaction-scoped advisory lock).
 */
export async function lockOrganization(tx: Database, organizationId: string, product: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`compliance:${organizationId}:${product}`}))`)
}

/** The class an obligation's row is unique by: the LCFS program's credit class, or the RPS headline class. */
export type ClassOf = (entry: ObligationEntry) => string

export async function insertEntries(
  tx: Database,
  organizationId: string,
  by: Enterer,
  entries: { obligations: ObligationEntry[]; lots: LotEntry[]; retirements: RetirementEntry[] },
  classOf: ClassOf,
): Promise<StoredEntries> {
  const who = { organizationId, enteredBy: by.userId, enteredByLabel: by.label, enteredVia: by.via }
  const obligations =
    entries.obligations.length === 0
      ? []
      : await tx
          .insert(complianceObligations)
          .values(
            entries.obligations.map((o) =>
              o.basis === 'deficits'
                ? { ...who, program: o.program, period: o.period, basis: o.basis, class: classOf(o), deficitsMt: o.deficitsMT }
                : { ...who, program: o.program, period: o.period, basis: o.basis, class: o.class, retailSalesMwh: o.retailSalesMWh, percent: o.percent, carveOuts: o.carveOuts },
            ),
          )
          .returning()
  const lots = entries.lots.length === 0 ? [] : await tx.insert(complianceHoldingLots).values(entries.lots.map((lot) => ({ ...who, ...lot }))).returning()
  const retirements =
    entries.retirements.length === 0 ? [] : await tx.insert(complianceRetirements).values(entries.retirements.map((r) => ({ ...who, ...r }))).returning()
  return { obligations: obligations.map(toStoredObligation), lots: lots.map(toStoredLot), retirements: retirements.map(toStoredRetirement) }
}

export async function deleteEntries(tx: Database, organizationId: string, ids: { obligations: string[]; lots: string[]; retirements: string[] }): Promise<void> {
  if (ids.retirements.length > 0) {
    await tx.delete(complianceRetirements).where(and(eq(complianceRetirements.organizationId, organizationId), inArray(complianceRetirements.id, ids.retirements)))
  }
  if (ids.lots.length > 0) {
    await tx.delete(complianceHoldingLots).where(and(eq(complianceHoldingLots.organizationId, organizationId), inArray(complianceHoldingLots.id, ids.lots)))
  }
  if (ids.obligations.length > 0) {
    await tx.delete(complianceObligations).where(and(eq(complianceObligations.organizationId, organizationId), inArray(complianceObligations.id, ids.obligations)))
  }
}
