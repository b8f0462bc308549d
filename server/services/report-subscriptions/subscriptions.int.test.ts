import { and, eq, inArray } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { auditEvents, reportOutputs, reportSubscriptions } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import type { Principal } from '../auth/types.ts'
import { insertPrices } from '../prices/index.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { listReportOutputs, listSubscriptions, reportOutputLink, scheduleDueReports, subscribe, unsubscribe } from './index.ts'
import { dayAheadRecords, grant, testUser } from './testing.ts'

/*
 * Subscriptions and the scheduler against the real stores (scratch PostgreSQL database, embedded
 * chDB, the in-process bus). No renderer listens here: the queued rows are checked as the
 * scheduler leaves them (renderer.int.test.ts renders).
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let entitled: Principal
let hubOnly: Principal
let organizationId: string

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-report-subs-', log })
  platform = stores.platform
  organizationId = await createTestOrganization(platform.pg.db, 'reports-entitled')
  await grant(platform.pg.db, organizationId, 'MISO', ['hub', 'downloads'])
  await grant(platform.pg.db, organizationId, 'CAISO', ['hub', 'downloads'])
  entitled = await testUser(platform.pg.db, organizationId, 'reader@reports-entitled.test')
  const other = await createTestOrganization(platform.pg.db, 'reports-hub-only')
  await grant(platform.pg.db, other, 'MISO', ['hub'])
  hubOnly = await testUser(platform.pg.db, other, 'viewer@reports-hub-only.test')
})

afterAll(async () => {
  await stores?.close()
})

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('subscribe', () => {
  it('refuses an organization without the market downloads entitlement with 403, storing nothing', async () => {
    const error = await refusal(subscribe(platform.pg.db, hubOnly, { kind: 'market-summary', params: { market: 'MISO' } }))
    expect(error.status).toBe(403)
    expect(error.userMessage).toBe('Your organization is not entitled to MISO through downloads')
    expect(await platform.pg.db.select().from(reportSubscriptions).where(eq(reportSubscriptions.userId, hubOnly.userId!))).toEqual([])
  })

  it('names the field and value of bad input', async () => {
    const market = await refusal(subscribe(platform.pg.db, entitled, { kind: 'market-summary', params: { market: 'ENTSOE' as 'MISO' } }))
    expect(market.status).toBe(400)
    expect(market.message).toContain('params.market "ENTSOE"')
    const node = await refusal(subscribe(platform.pg.db, entitled, { kind: 'curve', params: { market: 'MISO', node: 'NOT.A.HUB' } }))
    expect(node.status).toBe(400)
    expect(node.message).toMatch(/params\.node "NOT\.A\.HUB" is not a MISO hub with a curve \(hubs: .*INDIANA\.HUB/)
    const extra = await refusal(subscribe(platform.pg.db, entitled, { kind: 'market-summary', params: { market: 'MISO', date: '2026-01-01' } as { market: 'MISO' } }))
    expect(extra.message).toContain('params')
    expect(extra.message).toContain('date')
  })

  it('is idempotent per user, kind and parameters; unsubscribing switches it off, subscribing again on', async () => {
    const first = await subscribe(platform.pg.db, entitled, { kind: 'curve', params: { market: 'MISO', node: 'INDIANA.HUB' } })
    expect(first.created).toBe(true)
    const again = await subscribe(platform.pg.db, entitled, { kind: 'curve', params: { node: 'INDIANA.HUB', market: 'MISO' } })
    expect(again).toEqual({ subscription: first.subscription, created: false })
    expect((await listSubscriptions(platform.pg.db, entitled)).map((s) => s.id)).toEqual([first.subscription.id])

    expect((await unsubscribe(platform.pg.db, entitled, first.subscription.id)).active).toBe(false)
    expect(await listSubscriptions(platform.pg.db, entitled)).toEqual([])
    expect((await refusal(unsubscribe(platform.pg.db, hubOnly, first.subscription.id))).status).toBe(404)
    expect((await refusal(unsubscribe(platform.pg.db, entitled, 'nope'))).message).toContain('"nope"')

    const back = await subscribe(platform.pg.db, entitled, { kind: 'curve', params: { market: 'MISO', node: 'INDIANA.HUB' } })
    expect(back.subscription.id).toBe(first.subscription.id)
    expect(back.subscription.active).toBe(true)
    await unsubscribe(platform.pg.db, entitled, first.subscription.id)
  })
})

describe('scheduleDueReports: the report of day D once D has ended on the market clock and D+1 day-ahead prices are stored', () => {
  /** A fresh MISO market-summary subscription of its own user, created at `createdAt`; every other one switched off. */
  async function only(name: string, createdAt: string) {
    await platform.pg.db.update(reportSubscriptions).set({ active: false })
    const user = await testUser(platform.pg.db, organizationId, `${name}@reports-entitled.test`)
    const { subscription } = await subscribe(platform.pg.db, user, { kind: 'market-summary', params: { market: 'MISO' } })
    await platform.pg.db.update(reportSubscriptions).set({ createdAt: new Date(createdAt) }).where(eq(reportSubscriptions.id, subscription.id))
    return subscription.id
  }
  async function pass(now: string) {
    const { queued } = await scheduleDueReports({ db: platform.pg.db, ch: platform.ch, bus: platform.bus, log }, new Date(now))
    if (queued.length === 0) return []
    const rows = await platform.pg.db.select().from(reportOutputs).where(inArray(reportOutputs.id, queued)).orderBy(reportOutputs.reportDate)
    for (const row of rows) expect(row).toMatchObject({ status: 'queued', kind: 'market-summary', organizationId })
    return rows.map((r) => r.reportDate)
  }
  const hubs = ['TEST.HUB.A', 'TEST.HUB.B']

  // MISO's clock is EST all year (UTC-5): day D ends at D+1 05:00Z.
  it.each([
    {
      case: 'day not ended yet',
      createdAt: '2026-03-10T12:00:00Z',
      da: ['2026-03-10', '2026-03-11'],
      passes: [
        ['2026-03-11T04:59:00Z', []],
        ['2026-03-11T05:00:00Z', ['2026-03-10']],
        ['2026-03-11T09:00:00Z', []],
      ],
    },
    {
      case: 'D+1 day-ahead prices missing, then stored',
      createdAt: '2026-04-01T12:00:00Z',
      da: ['2026-04-08', '2026-04-10'],
      later: ['2026-04-11', '2026-04-11'],
      passes: [
        ['2026-04-11T06:00:00Z', ['2026-04-08', '2026-04-09']],
        ['2026-04-11T06:01:00Z', ['2026-04-10']],
      ],
    },
    {
      case: 'missed days capped at the 3 latest',
      createdAt: '2026-05-01T12:00:00Z',
      da: ['2026-05-01', '2026-05-21'],
      passes: [['2026-05-21T06:00:00Z', ['2026-05-18', '2026-05-19', '2026-05-20']]],
    },
  ])('$case', async ({ case: name, createdAt, da, later, passes }) => {
    const id = await only(name.replace(/\W+/g, '-'), createdAt)
    await insertPrices(platform.ch, dayAheadRecords('MISO', hubs, da[0]!, da[1]!))
    for (const [index, [now, expected]] of passes.entries()) {
      if (later && index === passes.length - 1) await insertPrices(platform.ch, dayAheadRecords('MISO', hubs, later[0]!, later[1]!))
      expect(await pass(now as string), `pass at ${String(now)}`).toEqual(expected)
    }
    const all = await platform.pg.db.select({ date: reportOutputs.reportDate }).from(reportOutputs).where(eq(reportOutputs.subscriptionId, id))
    expect(new Set(all.map((r) => r.date)).size).toBe(all.length)
  })

  it('lists the organization reports newest first, only to that organization', async () => {
    const outputs = await listReportOutputs(platform.pg.db, entitled, { limit: 3 })
    expect(outputs.map((o) => o.reportDate)).toEqual(['2026-05-20', '2026-05-19', '2026-05-18'])
    expect(outputs[0]).toMatchObject({ status: 'queued', filename: '254carbon-MISO-market-summary-2026-05-20.pdf', bytes: null })
    expect(await listReportOutputs(platform.pg.db, hubOnly, {})).toEqual([])
    expect((await refusal(listReportOutputs(platform.pg.db, entitled, { limit: 0 }))).message).toContain('limit 0')
  })

  it('refuses a link to a report not rendered yet or of another organization, and audits each attempt as reports.link', async () => {
    const [queued] = await listReportOutputs(platform.pg.db, entitled, { limit: 1 })
    const deps = { db: platform.pg.db, objects: platform.objects, env: platform.env }
    const notYet = await refusal(reportOutputLink(deps, entitled, queued!.id, { requestId: 'link-not-yet' }))
    expect(notYet.status).toBe(409)
    expect(notYet.message).toContain('it is queued, not rendered yet')
    expect((await refusal(reportOutputLink(deps, hubOnly, queued!.id, { requestId: 'link-other-org' }))).status).toBe(404)
    const rows = await platform.pg.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.procedure, 'reports.link'), inArray(auditEvents.requestId, ['link-not-yet', 'link-other-org'])))
      .orderBy(auditEvents.id)
    expect(rows.map((r) => [r.requestId, r.outcome, r.status, r.channel, r.market])).toEqual([
      ['link-not-yet', 'denied', 409, 'downloads', 'MISO'],
      ['link-other-org', 'denied', 404, 'downloads', null],
    ])
  })
})
