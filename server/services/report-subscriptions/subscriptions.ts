import { ENTITLED_PRODUCTS, type MarketId } from '@carbon/schemas'
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm'
import type { z } from 'zod'
import { reportSubscriptions, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { authorize, entitledProducts } from '../auth/entitlements.ts'
import type { Principal } from '../auth/types.ts'
import { listCurves } from '../curves/queries.ts'
import { FUELS_REPORT_KIND } from '../reports/types.ts'
import { ReportSubscription, SubscribeInput, type SubscriptionParams } from './schemas.ts'

/**
 * Subscriptions to scheduled reports: one per user, kind and parameters (subscribing twice gives
 * the same subscription back; subscribing after unsubscribing switches it on again from that day).
 * Subscribing needs the market's `downloads` entitlement (a report is a file leaving the platform);
 * the fuels report, which covers products rather than a market, needs at least one of its products
 * (GAS, LNG, LCFS, REC) through downloads. The caller (hub route, procedure) audits the attempt.
 */

type SubscriptionRow = typeof reportSubscriptions.$inferSelect

/**
 * Subscribes the principal's user to a report. BAD_REQUEST naming the field and value for bad
 * input or a node that is not a hub with a curve; FORBIDDEN without the market's downloads
 * entitlement (for the fuels report: without any of its products through downloads) or for a
 * credential that is not a user's.
 */
export async function subscribe(
  db: Database,
  principal: Principal,
  input: z.input<typeof SubscribeInput>,
): Promise<{ subscription: ReportSubscription; created: boolean }> {
  const parsed = SubscribeInput.safeParse(input)
  if (!parsed.success) throw invalidInput('subscription', parsed.error, input)
  const { kind, params } = parsed.data
  const userId = requireUserId(principal)
  if (kind === FUELS_REPORT_KIND) await requireFuelsProduct(db, principal)
  else await authorize(db, principal, { channel: 'downloads', market: params.market })
  if (kind === 'curve') await requireCurveHub(db, principal, params.market, params.node)

  const [row] = await db
    .insert(reportSubscriptions)
    .values({ organizationId: principal.organizationId, userId, kind, params })
    .onConflictDoUpdate({
      target: [reportSubscriptions.userId, reportSubscriptions.kind, reportSubscriptions.params],
      // Switched on again: it reports from today on, not on the days it was off.
      set: {
        active: true,
        createdAt: sql`case when ${reportSubscriptions.active} then ${reportSubscriptions.createdAt} else now() end`,
      },
    })
    .returning({ ...getTableColumns(reportSubscriptions), inserted: sql<boolean>`xmax = 0` })
  const { inserted, ...stored } = row!
  return { subscription: toSubscription(stored), created: Boolean(inserted) }
}

/** Switches one of the user's subscriptions off (its produced reports stay listed). NOT_FOUND if it is not the user's. */
export async function unsubscribe(db: Database, principal: Principal, id: string): Promise<ReportSubscription> {
  const userId = requireUserId(principal)
  if (!isUuid(id)) throw AppError.badRequest(`Invalid subscription id ${JSON.stringify(String(id).slice(0, 80))}: must be a UUID`, { field: 'id' })
  const [row] = await db
    .update(reportSubscriptions)
    .set({ active: false })
    .where(and(eq(reportSubscriptions.id, id), eq(reportSubscriptions.userId, userId)))
    .returning()
  if (!row) throw AppError.notFound('Report subscription', { id })
  return toSubscription(row)
}

/** The user's active subscriptions, oldest first. */
export async function listSubscriptions(db: Database, principal: Principal): Promise<ReportSubscription[]> {
  if (!principal.userId) return []
  const rows = await db
    .select()
    .from(reportSubscriptions)
    .where(and(eq(reportSubscriptions.userId, principal.userId), eq(reportSubscriptions.active, true)))
    .orderBy(asc(reportSubscriptions.createdAt), asc(reportSubscriptions.id))
  return rows.map(toSubscription)
}

function requireUserId(principal: Principal): string {
  if (!principal.userId) {
    throw new AppError('FORBIDDEN', 'Scheduled reports belong to a user: this credential has none', { details: { principal: principal.kind } })
  }
  return principal.userId
}

/** Why an organization holding none of the fuels report's products through downloads cannot have it delivered. */
export const NO_FUELS_DOWNLOADS = `Your organization is entitled to none of ${ENTITLED_PRODUCTS.join(', ')} through downloads: the gas, LNG and environmental report needs one of them`

/** At least one of the fuels report's products through downloads, else FORBIDDEN (NO_FUELS_DOWNLOADS). */
async function requireFuelsProduct(db: Database, principal: Principal): Promise<void> {
  const products = await entitledProducts(db, principal, 'downloads')
  if (products.length === 0) throw new AppError('FORBIDDEN', NO_FUELS_DOWNLOADS, { details: { channel: 'downloads', report: FUELS_REPORT_KIND } })
}

/** The node must be one of the market's hubs with a curve (the catalogue's or one the organization built). */
async function requireCurveHub(db: Database, principal: Principal, market: MarketId, node: string): Promise<void> {
  const { curves } = await listCurves(db, [market], { organizationId: principal.organizationId })
  if (curves.some((curve) => curve.node === node)) return
  const hubs = curves.map((curve) => curve.node).join(', ') || 'none'
  throw AppError.badRequest(`Invalid subscription: params.node ${JSON.stringify(node)} is not a ${market} hub with a curve (hubs: ${hubs})`, {
    field: 'params.node',
    value: node,
  })
}

export function toSubscription(row: SubscriptionRow): ReportSubscription {
  return ReportSubscription.parse({
    id: row.id,
    kind: row.kind,
    params: row.params as SubscriptionParams,
    schedule: row.schedule,
    active: row.active,
    lastReportDate: row.lastReportDate,
    createdAt: row.createdAt.toISOString(),
  })
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/** BAD_REQUEST naming each field, its value and what is wrong. */
export function invalidInput(what: string, error: z.ZodError, input: unknown): AppError {
  const issues = error.issues.map((issue) => {
    const path = issue.path.join('.')
    const value = valueAt(input, issue.path)
    return { path, message: issue.message, value: value === undefined ? undefined : JSON.stringify(value)?.slice(0, 120) }
  })
  const summary = issues.map((i) => `${i.path || '(input)'}${i.value !== undefined ? ` ${i.value}` : ''}: ${i.message}`).join('; ')
  return AppError.badRequest(`Invalid ${what}: ${summary}`, { issues })
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}
