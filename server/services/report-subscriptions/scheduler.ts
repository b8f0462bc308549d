import { addDays, dayStartUtc, MARKETS, type MarketId } from '@carbon/schemas'
import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Bus } from '../../adapters/bus/index.ts'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { reportOutputs, reportSubscriptions, users, type Database } from '../../adapters/postgres/schema/index.ts'
import { toClickHouseTime } from '../prices/helpers.ts'
import { candidateReportDates, dueReportDates } from './due.ts'
import { publishReport } from './outbox.ts'
import type { SubscriptionKind, SubscriptionParams } from './schemas.ts'

/**
 * The scheduler's pass (every minute in the report renderer): for each active subscription of an
 * enabled user, the reports now due (due.ts: day D ended on the market's clock, D+1 day-ahead
 * prices stored, at most the 3 latest missed days, never before the subscription's creation day)
 * are inserted as queued report_outputs rows (unique per subscription and date, so a second pass
 * or a second renderer inserts nothing) and published on reports.render (the outbox relay
 * publishes any the bus refused).
 */

export type SchedulerDeps = { db: Database; ch: ClickHouseHandle; bus: Bus; log: Logger }

type DueSubscription = {
  id: string
  organizationId: string
  userId: string
  label: string
  kind: SubscriptionKind
  params: SubscriptionParams
  candidates: string[]
}

/** Inserts and publishes the reports due at `now`; returns the ids of the rows it queued. */
export async function scheduleDueReports(deps: SchedulerDeps, now: Date = new Date()): Promise<{ queued: string[] }> {
  const subscriptions = await activeSubscriptions(deps.db, now)
  const byMarket = new Map<MarketId, DueSubscription[]>()
  for (const s of subscriptions) byMarket.set(s.params.market, [...(byMarket.get(s.params.market) ?? []), s])
  const queued: string[] = []
  for (const [market, group] of byMarket) {
    const days = group.flatMap((s) => s.candidates)
    if (days.length === 0) continue
    const daDays = await dayAheadDays(deps.ch, market, days)
    for (const subscription of group) {
      const due = dueReportDates(subscription.candidates, daDays)
      if (due.length > 0) queued.push(...(await queueReports(deps.db, subscription, due)))
    }
  }
  for (const id of queued) await publishReport(deps, id)
  if (queued.length > 0) deps.log.info({ queued: queued.length }, 'scheduled reports queued')
  return { queued }
}

/** Active subscriptions of enabled users, with their candidate days at `now`. */
async function activeSubscriptions(db: Database, now: Date): Promise<DueSubscription[]> {
  const rows = await db
    .select({ subscription: reportSubscriptions, email: users.email, name: users.name })
    .from(reportSubscriptions)
    .innerJoin(users, eq(users.id, reportSubscriptions.userId))
    .where(and(eq(reportSubscriptions.active, true), isNull(users.disabledAt)))
  const out: DueSubscription[] = []
  for (const { subscription, email, name } of rows) {
    const params = subscription.params as SubscriptionParams
    const market = MARKETS[params.market as MarketId]
    if (!market) continue
    out.push({
      id: subscription.id,
      organizationId: subscription.organizationId,
      userId: subscription.userId,
      label: email ?? name ?? subscription.userId,
      kind: subscription.kind as SubscriptionKind,
      params,
      candidates: candidateReportDates({ now, timeZone: market.timeZone, createdAt: subscription.createdAt, lastReportDate: subscription.lastReportDate }),
    })
  }
  return out
}

/** The market-clock days, among the days after `reportDays`, that have day-ahead prices stored. */
export async function dayAheadDays(ch: ClickHouseHandle, market: MarketId, reportDays: readonly string[]): Promise<Set<string>> {
  const sorted = [...reportDays].sort()
  const timeZone = MARKETS[market].timeZone
  const from = dayStartUtc(addDays(sorted[0]!, 1), timeZone)
  const to = dayStartUtc(addDays(sorted.at(-1)!, 2), timeZone)
  const rows = await queryRows<{ day: string }>(
    ch,
    'report-subscriptions:da-days',
    `SELECT DISTINCT toString(toDate(toTimeZone(interval_start, {tz:String}))) AS day
       FROM prices
      WHERE market = {market:String} AND run = 'DA'
        AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}`,
    { tz: timeZone, market, from: toClickHouseTime(from), to: toClickHouseTime(to) },
  )
  return new Set(rows.map((r) => r.day))
}

/** Inserts the due rows (a row already there is left alone) and moves the subscription's watermark; the ids inserted. */
async function queueReports(db: Database, subscription: DueSubscription, days: readonly string[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(reportOutputs)
      .values(
        days.map((reportDate) => ({
          subscriptionId: subscription.id,
          organizationId: subscription.organizationId,
          kind: subscription.kind,
          params: subscription.params,
          reportDate,
          filename: reportFilename(subscription.kind, subscription.params, reportDate),
          status: 'queued',
          requestedBy: subscription.userId,
          requestedByLabel: subscription.label,
        })),
      )
      .onConflictDoNothing({ target: [reportOutputs.subscriptionId, reportOutputs.reportDate] })
      .returning({ id: reportOutputs.id })
    const latest = [...days].sort().at(-1)!
    await tx
      .update(reportSubscriptions)
      .set({ lastReportDate: sql`greatest(${reportSubscriptions.lastReportDate}, ${latest}::date)` })
      .where(inArray(reportSubscriptions.id, [subscription.id]))
    return inserted.map((r) => r.id)
  })
}

/** e.g. `254carbon-MISO-market-summary-2026-07-14.pdf`, `254carbon-MISO-INDIANA.HUB-curve-2026-07-14.pdf`. */
export function reportFilename(kind: SubscriptionKind, params: SubscriptionParams, reportDate: string): string {
  const node = 'node' in params && params.node ? `-${params.node.replace(/[^A-Za-z0-9._-]+/g, '_')}` : ''
  return `254carbon-${params.market}${node}-${kind}-${reportDate}.pdf`
}
