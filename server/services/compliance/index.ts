import type { LatestPrice, ProgramDefinition } from '@carbon/compliance'
import type { z } from 'zod'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import type { Principal } from '../auth/types.ts'
import { checked, positionsOf } from './ledger.ts'
import { missingPriceNote, readPriceBook, type PriceBook } from './prices.ts'
import { findProgram, productOf, programsOf, programSummary } from './programs.ts'
import {
  EntriesInput,
  PositionsInput,
  RecordInput,
  RemoveInput,
  type ComplianceProduct,
  type CompliancePosition,
  type EntriesOutput,
  type ObligationEntry,
  type PositionsOutput,
  type RecordInputIn,
  type RemoveInputIn,
  type RemoveOutput,
} from './schemas.ts'
import { deleteEntries, insertEntries, ledgerOf, lockOrganization, readEntries, type Enterer } from './store.ts'

/**
 * Compliance tracking per organization (packages/compliance does the arithmetic): obligations,
 * holding lots and retirements of the caller's organization, and its positions valued at the
 * latest stored prices. The procedures (server/trpc/routers/compliance.ts) and the hub pages
 * (app/routes/compliance.*) call these after the access gate has decided on the product.
 *
 * Every write is checked against all of the organization's entries of the product, under a
 * per-organization lock, before anything is stored or removed: the stored entries always add up
 * (no duplicate obligation, no retirement beyond holdings or obligation, no vintage outside its
 * banking window). The package's refusal is a 400 naming the field, program, period and value.
 */

export { productOf, programsOf, findProgram, priceRuleOf, programSummary } from './programs.ts'
export { nearestVintage, readPriceBook, type PriceBook, type Quote } from './prices.ts'
export * from './schemas.ts'

/** The part of a principal these functions use: whose entries, and who enters them. */
export type ComplianceCaller = Pick<Principal, 'organizationId' | 'organizationSlug' | 'userId' | 'label'>

/** What compliancePositions calls the organization (its messages name it). */
const organizationOf = (caller: ComplianceCaller) => caller.organizationSlug

/** BAD_REQUEST naming each field of an input that failed its schema (`lots.0.quantity: ...`). */
function invalid(error: z.ZodError): AppError {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
  return AppError.badRequest(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), { issues })
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input)
  if (!result.success) throw invalid(result.error)
  return result.data
}

/** The product's programs, or the one asked for (400 naming `program` when it is not one of them). */
function programsFor(product: ComplianceProduct, id?: string): ProgramDefinition[] {
  const programs = programsOf(product)
  if (id === undefined) return programs
  const program = programs.find((p) => p.id === id)
  if (!program) throw AppError.badRequest(`program: ${notOfProduct(product, id)}`, { issues: [{ path: 'program', message: notOfProduct(product, id) }] })
  return [program]
}

function notOfProduct(product: ComplianceProduct, id: string): string {
  const program = findProgram(id)
  const ids = programsOf(product).map((p) => p.id).join(', ')
  return program ? `${id} is a program of product ${productOf(program)}, not ${product}: ask with product ${productOf(program)}` : `no program ${id} (${product} programs: ${ids})`
}

/** Refuses an entry whose program is not one of the product's, naming its field (`lots.2.program`). */
function checkPrograms(product: ComplianceProduct, entries: Record<'obligations' | 'lots' | 'retirements', readonly { program: string }[]>): void {
  const ids = new Set(programsOf(product).map((p) => p.id))
  const issues = Object.entries(entries).flatMap(([kind, list]) =>
    list.flatMap((entry, i) => (ids.has(entry.program) ? [] : [{ path: `${kind}.${i}.program`, message: notOfProduct(product, entry.program) }])),
  )
  if (issues.length > 0) throw AppError.badRequest(issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues })
}

/** The class an obligation's row is unique by: an LCFS program's one credit class, or the RPS headline class. */
function obligationClass(entry: ObligationEntry): string {
  if (entry.basis === 'retail_sales') return entry.class
  return findProgram(entry.program)?.classes[0]?.class ?? 'CREDIT'
}

const programIds = (programs: readonly ProgramDefinition[]) => programs.map((p) => p.id)

/** The organization's entries of the product (or of one of its programs). */
export async function listEntries(db: Database, caller: ComplianceCaller, raw: EntriesInput): Promise<EntriesOutput> {
  const input = parse(EntriesInput, raw)
  const programs = programsFor(input.product, input.program)
  const stored = await readEntries(db, caller.organizationId, programIds(programs))
  return { product: input.product, ...stored }
}

/**
 * Records entries for the caller's organization, all or none: checked together with every stored
 * entry of the product first. Returns what was stored (with ids).
 */
export async function recordEntries(db: Database, caller: ComplianceCaller, via: Enterer['via'], raw: RecordInputIn): Promise<EntriesOutput> {
  const input = parse(RecordInput, raw)
  checkPrograms(input.product, { obligations: input.obligations, lots: input.lots, retirements: input.retirements })
  const programs = programsOf(input.product)
  const enterer: Enterer = { userId: caller.userId, label: caller.label, via }
  const stored = await db.transaction(async (tx) => {
    await lockOrganization(tx, caller.organizationId, input.product)
    const ledger = ledgerOf(await readEntries(tx, caller.organizationId, programIds(programs)))
    const origin = (index: number) => ({ source: 'input' as const, index })
    ledger.obligations.push(...input.obligations.map((entry, i) => ({ entry, origin: origin(i) })))
    ledger.lots.push(...input.lots.map((entry, i) => ({ entry, origin: origin(i) })))
    ledger.retirements.push(...input.retirements.map((entry, i) => ({ entry, origin: origin(i) })))
    checked(ledger, 'record', () => positionsOf(organizationOf(caller), programs, ledger))
    return insertEntries(tx, caller.organizationId, enterer, input, obligationClass)
  })
  return { product: input.product, ...stored }
}

/**
 * Removes entries of the caller's organization, all or none. An id that is not one of its entries
 * of the product is a 404 (another organization's entries are not there to find); a removal that
 * would leave the other entries inconsistent (a retirement without the lot it draws on) is a 400
 * naming the entry left behind.
 */
export async function removeEntries(db: Database, caller: ComplianceCaller, raw: RemoveInputIn): Promise<RemoveOutput> {
  const input = parse(RemoveInput, raw)
  const programs = programsOf(input.product)
  const ids = { obligations: [...new Set(input.obligations)], lots: [...new Set(input.lots)], retirements: [...new Set(input.retirements)] }
  await db.transaction(async (tx) => {
    await lockOrganization(tx, caller.organizationId, input.product)
    const stored = await readEntries(tx, caller.organizationId, programIds(programs))
    for (const kind of ['obligations', 'lots', 'retirements'] as const) {
      const known = new Set(stored[kind].map((row) => row.id))
      const index = ids[kind].findIndex((id) => !known.has(id))
      if (index >= 0) {
        const message = `no ${KIND_NAMES[kind]} ${ids[kind][index]} among your organization's ${input.product} entries`
        throw new AppError('NOT_FOUND', `${kind}.${index}: ${message}`, { details: { issues: [{ path: `${kind}.${index}`, message }] } })
      }
    }
    const ledger = ledgerOf(stored, new Set([...ids.obligations, ...ids.lots, ...ids.retirements]))
    checked(ledger, 'remove', () => positionsOf(organizationOf(caller), programs, ledger))
    await deleteEntries(tx, caller.organizationId, ids)
  })
  return { product: input.product, removed: ids }
}

const KIND_NAMES = { obligations: 'obligation', lots: 'holding lot', retirements: 'retirement' } as const

/**
 * The caller's positions per program, period and class, valued at the latest stored price (the
 * rule of each program: {@link priceRuleOf}). A period's positions are computed with that
 * period's prices (an RPS class is priced at the vintage nearest the period).
 */
export async function getPositions(deps: { db: Database; ch: ClickHouseHandle }, caller: ComplianceCaller, raw: PositionsInput): Promise<PositionsOutput> {
  const input = parse(PositionsInput, raw)
  const programs = programsFor(input.product, input.program)
  const all = programsOf(input.product)
  const ledger = ledgerOf(await readEntries(deps.db, caller.organizationId, programIds(all)))
  const summaries = programs.map(programSummary)
  if (ledger.obligations.length === 0) return { product: input.product, programs: summaries, positions: [] }
  const book = await readPriceBook(deps.ch, programs)
  const wanted = new Set(programIds(programs))
  const periods = [...new Set(ledger.obligations.map((o) => o.entry.period))].filter((p) => input.period === undefined || p === input.period).sort((a, b) => a - b)
  const positions: CompliancePosition[] = []
  for (const period of periods) {
    const computed = checked(ledger, 'read', () => positionsOf(organizationOf(caller), all, ledger, pricesOf(book, programs, period)))
    for (const { organization: _organization, ...position } of computed) {
      if (position.period !== period || !wanted.has(position.program)) continue
      const program = programs.find((p) => p.id === position.program)!
      const quote = book.quoteOf(program, position.class, period)
      positions.push({
        ...position,
        priceSeries: quote?.series ?? null,
        valuationNote: quote ? position.valuationNote : missingPriceNote(program, position.class),
      })
    }
  }
  positions.sort((a, b) => a.program.localeCompare(b.program) || a.period - b.period)
  return { product: input.product, programs: summaries, positions }
}

/** Each class's price for one period, as the package takes it. */
function pricesOf(book: PriceBook, programs: readonly ProgramDefinition[], period: number): LatestPrice[] {
  return programs.flatMap((program) =>
    program.classes.flatMap((c) => {
      const quote = book.quoteOf(program, c.class, period)
      return quote ? [{ program: program.id, class: c.class, price: quote.value, asOf: quote.asOf }] : []
    }),
  )
}

