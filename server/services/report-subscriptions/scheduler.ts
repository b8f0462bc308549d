import { addDays, dayStartUtc, MARKETS, type MarketId } from '@carbon/schemas'
import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Bus } from '../../adapters/bus/index.ts'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { reportOutputs, reportSubscriptions, users, type Database } from '../../adapters/postgres/schema/index.ts'
import { toClickHouseTime } from '../prices/helpers.ts'
import { FUELS_REPORT_KIND } from '../reports/types.ts'
import { candidateReportDates, dueReportDates, FUELS_TIME_ZONE } from './due.ts'
import { publishReport } from './outbox.ts'
import type { SubscriptionKind, SubscriptionParams } from './schemas.ts'

/**
 * The scheduler's pass (every minute in the report renderer): for each active subscription of an
 * enabled user, the reports now due (due.ts: day D ended on the market's clock, D+1 day-ahead
 * prices stored, at most the 3 latest missed days, never before the subscription's creation day;
 * a fuels report once D has ended on its products' clock, no data awaited) are inserted as queued
 * report_outputs rows (unique per subscription and date, so a second pass or a second renderer
 * inserts nothing) and published on reports.render (the outbox relay publishes any the bus
 * refused).
 */

export type SchedulerDeps = { db: Database; ch: ClickHouseHandle; bus: Bus; log: Logger }

type DueSubscription = {
  id: string
  organizationId: string
  userId: string
  label: string
  kind: SubscriptionKind
  params: SubscriptionParams
  /** The market whose day-ahead prices make a day due; null for the fuels report (no data awaited). */
  market: MarketId | null
  candidates: string[]
}

/** Inserts and publishes the reports due at `now`; returns the ids of the rows it queued. */
export async function scheduleDueReports(deps: SchedulerDeps, now: Date = new Date()): Promise<{ queued: string[] }> {
  const subscriptions = await activeSubscriptions(deps.db, now)
  const byMarket = new Map<MarketId, DueSubscription[]>()
  const queued: string[] = []
  for (const s of subscriptions) {
    if (s.market !== null) byMarket.set(s.market, [...(byMarket.get(s.market) ?? []), s])
    else if (s.candidates.length > 0) queued.push(...(await queueReports(deps.db, s, s.candidates)))
  }
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
    const kind = subscription.kind as SubscriptionKind
    const params = subscription.params as SubscriptionParams
    const clock = reportClock(kind, params)
    if (!clock) continue
    out.push({
      id: subscription.id,
      organizationId: subscription.organizationId,
      userId: subscription.userId,
      label: email ?? name ?? subscription.userId,
      kind,
      params,
      market: clock.market,
      candidates: candidateReportDates({ now, timeZone: clock.timeZone, createdAt: subscription.createdAt, lastReportDate: subscription.lastReportDate }),
    })
  }
  return out
}

/** The clock a subscription's days end on and the market it waits for (none for the fuels report); null for a market no longer known. */
function reportClock(kind: SubscriptionKind, params: SubscriptionParams): { timeZone: string; market: MarketId | null } | null {
  if (kind === FUELS_REPORT_KIND) return { timeZone: FUELS_TIME_ZONE, market: null }
  const market = 'market' in params ? (params.market as MarketId) : undefined
  const definition = market ? MARKETS[market] : undefined
  return market && definition ? { timeZone: definition.timeZone, market } : null
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

/**
 * e.g. `254carbon-MISO-market-summary-2026-07-14.pdf`, `254carbon-MISO-INDIANA.HUB-curve-2026-07-14.pdf`,
 * `254carbon-fuels-2026-07-14.pdf` (the names the report pages' PDFs have).
 */
export function reportFilename(kind: SubscriptionKind, params: SubscriptionParams, reportDate: string): string {
  if (!('market' in params)) return `254carbon-${kind}-${reportDate}.pdf`
  const node = 'node' in params && params.node ? `-${params.node.replace(/[^A-Za-z0-9._-]+/g, '_')}` : ''
  return `254carbon-${params.market}${node}-${kind}-${reportDate}.pdf`
}
