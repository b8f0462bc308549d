import { sql } from 'drizzle-orm'
import { check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { organizations, users } from './identity.ts'

/**
 * Compliance tracking per organization (server/services/compliance, packages/compliance): what an
 * organization owes under a program (obligations), the certificates it holds (lots) and what it
 * retired against which compliance year. Rows are never updated: a correction is a removal and a
 * new entry, so `created_at` is the one timestamp and the row says who entered it.
 *
 * The service checks every write against all of the organization's rows of the program's product
 * (compliancePositions refuses a duplicate obligation, a retirement beyond holdings or obligation,
 * a vintage outside its banking window) before it inserts or deletes, holding a per-organization
 * lock; the constraints below are the backstop of what a row can be on its own.
 */

/** Who entered a row: the user (null for a service client, or once the user is deleted), their label, and the channel. */
function enteredColumns() {
  return {
    enteredBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** As the audit log names principals: an email, a token name, a service client id. */
    enteredByLabel: text().notNull(),
    /** 'hub' (a signed-in session) or 'api' (a personal token or a service client). */
    enteredVia: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  }
}

const organizationId = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' })

/**
 * One obligation of a program's compliance year (`period`, named as the program names its years)
 * and class: LCFS deficits in MT CO2e (`basis` 'deficits', `class` the program's credit class), or
 * RPS retail sales in MWh times `percent` (`basis` 'retail_sales', `class` the headline class),
 * with the carve-outs of that class as `[{class, percent}]`. Deficits and retail sales keep three
 * decimals and percentages four, exactly (numeric), as the package reads them. One per
 * organization, program, period and class: a second one is an error, not a sum.
 */
export const complianceObligations = pgTable(
  'compliance_obligations',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: organizationId(),
    program: text().notNull(),
    period: integer().notNull(),
    /** 'deficits' | 'retail_sales'. */
    basis: text().notNull(),
    class: text().notNull(),
    deficitsMt: numeric({ precision: 13, scale: 3, mode: 'number' }),
    retailSalesMwh: numeric({ precision: 13, scale: 3, mode: 'number' }),
    percent: numeric({ precision: 7, scale: 4, mode: 'number' }),
    carveOuts: jsonb().$type<{ class: string; percent: number }[]>().notNull().default(sql`'[]'::jsonb`),
    ...enteredColumns(),
  },
  (t) => [
    unique('compliance_obligations_org_program_period_class_key').on(t.organizationId, t.program, t.period, t.class),
    check(
      'compliance_obligations_basis_check',
      sql`(${t.basis} = 'deficits' AND ${t.deficitsMt} IS NOT NULL AND ${t.retailSalesMwh} IS NULL AND ${t.percent} IS NULL AND ${t.carveOuts} = '[]'::jsonb)
        OR (${t.basis} = 'retail_sales' AND ${t.deficitsMt} IS NULL AND ${t.retailSalesMwh} IS NOT NULL AND ${t.percent} IS NOT NULL)`,
    ),
    check('compliance_obligations_quantities_check', sql`${t.deficitsMt} >= 0 AND ${t.retailSalesMwh} >= 0 AND ${t.percent} BETWEEN 0 AND 100`),
    check('compliance_obligations_period_check', sql`${t.period} BETWEEN 1990 AND 2100`),
    check('compliance_obligations_via_check', sql`${t.enteredVia} IN ('hub', 'api')`),
  ],
)

/** Certificates of one class and vintage the organization holds (retired ones included: retirements draw on lots). Lots of the same class and vintage add up. */
export const complianceHoldingLots = pgTable(
  'compliance_holding_lots',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: organizationId(),
    program: text().notNull(),
    class: text().notNull(),
    vintage: integer().notNull(),
    /** Whole certificates (1 = 1 MT CO2e or 1 MWh). */
    quantity: integer().notNull(),
    ...enteredColumns(),
  },
  (t) => [
    index('compliance_holding_lots_org_program_idx').on(t.organizationId, t.program),
    check('compliance_holding_lots_quantity_check', sql`${t.quantity} > 0`),
    check('compliance_holding_lots_vintage_check', sql`${t.vintage} BETWEEN 1990 AND 2100`),
    check('compliance_holding_lots_via_check', sql`${t.enteredVia} IN ('hub', 'api')`),
  ],
)

/** Certificates of one class and vintage retired against a compliance year, on the date the registry retired them. */
export const complianceRetirements = pgTable(
  'compliance_retirements',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: organizationId(),
    program: text().notNull(),
    period: integer().notNull(),
    class: text().notNull(),
    vintage: integer().notNull(),
    quantity: integer().notNull(),
    retiredOn: date({ mode: 'string' }).notNull(),
    ...enteredColumns(),
  },
  (t) => [
    index('compliance_retirements_org_program_idx').on(t.organizationId, t.program, t.period),
    check('compliance_retirements_quantity_check', sql`${t.quantity} > 0`),
    check('compliance_retirements_years_check', sql`${t.period} BETWEEN 1990 AND 2100 AND ${t.vintage} BETWEEN 1990 AND 2100`),
    check('compliance_retirements_via_check', sql`${t.enteredVia} IN ('hub', 'api')`),
  ],
)
