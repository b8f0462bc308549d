import { execFileSync } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import { and, eq, inArray } from 'drizzle-orm'
import express from 'express'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { auditEvents, reportOutputs, reportSubscriptions } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { localObjectsHandler, OBJECTS_ROUTE } from '../../http/objects.ts'
import type { Platform } from '../../platform.ts'
import { startReportRenderer, type ReportRenderer } from '../../workers/report-renderer.ts'
import type { Principal } from '../auth/types.ts'
import { insertSeriesValues } from '../series/store.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { listReportOutputs, listSubscriptions, reportOutputLink, scheduleDueReports, subscribe } from './index.ts'
import { NO_FUELS_DOWNLOADS } from './subscriptions.ts'
import { grant, testUser } from './testing.ts'

/*
 * The gas, LNG and environmental (fuels) report as a scheduled delivery, end to end on the real
 * stores and the in-process bus as `carbon export-worker` runs it: a subscription, the scheduler's
 * pass on the products' clock (Pacific time, no day-ahead prices awaited), reports.render, the
 * fuels report rendered with the products the organization may download at that moment, the PDF in
 * the local object store, its signed link checked and audited per product, and the refusal, with
 * its reason on the row, once the organization has lost every product.
 *
 * The organization holds GAS, LNG and REC through downloads and LCFS in the hub only, so a delivery
 * shows GAS, LNG and REC and names LCFS as left out. A second organization holds every product in
 * the hub only: it cannot subscribe.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let renderer: ReportRenderer
let downloads: { origin: string; close(): Promise<void> }
let organizationId: string
let reader: Principal
let hubOnly: Principal
let subscriptionId: string

/** Henry Hub daily prices; the 20th's is far from the others so a report as of the 19th visibly leaves it out. */
const HENRY_HUB: Record<string, number> = { '2026-11-16': 3.004, '2026-11-17': 3.052, '2026-11-18': 3.087, '2026-11-19': 3.111, '2026-11-20': 9.999 }
const LCFS_PRICE = 62.25
const JKM_PRICE = 12.855
const REC_PRICE = 223.75

function record(product: SeriesRecord['product'], series: string, date: string, frequency: 'day' | 'week', value: number, extra: Partial<SeriesRecord> = {}): SeriesRecord {
  return {
    product,
    market: null,
    series,
    measure: 'price',
    frequency,
    ...datePeriod(date, frequency),
    value,
    unit: '$/MMBtu',
    attributes: {},
    source: 'fuels-subscription-test',
    publishedAt: null,
    ...extra,
  }
}

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-fuels-subscription-', log })
  platform = stores.platform
  const db = platform.pg.db
  organizationId = await createTestOrganization(db, 'fuels-subscriber')
  await grant(db, organizationId, 'MISO', ['hub', 'downloads'])
  for (const product of ['GAS', 'LNG', 'REC'] as const) await grant(db, organizationId, product, ['hub', 'downloads'])
  await grant(db, organizationId, 'LCFS', ['hub'])
  reader = await testUser(db, organizationId, 'reader@fuels-subscriber.test')
  const other = await createTestOrganization(db, 'fuels-hub-only')
  for (const product of ['GAS', 'LNG', 'LCFS', 'REC'] as const) await grant(db, other, product, ['hub'])
  hubOnly = await testUser(db, other, 'viewer@fuels-hub-only.test')

  await insertSeriesValues(
    platform.ch,
    [
      ...Object.entries(HENRY_HUB).map(([date, value]) => record('GAS', 'HENRY_HUB', date, 'day', value)),
      record('LNG', 'JKM', '2026-11-18', 'week', JKM_PRICE),
      record('LCFS', 'LCFS_CREDIT', '2026-11-13', 'week', LCFS_PRICE, { unit: '$/MT', source: 'carb.lcfs.weekly' }),
      record('REC', 'REC.NJ.SOLAR.2026', '2026-11-17', 'day', REC_PRICE, { unit: '$/MWh', attributes: { state: 'NJ', program: 'NJ RPS', class: 'SOLAR', vintage: '2026' } }),
    ],
    { ingestedAt: new Date().toISOString(), rawKey: 'fuels-subscription-test' },
  )
  renderer = await startReportRenderer({ ...platform, db, relay: false, scheduleEveryMs: false })
  downloads = await serveObjects()
})

afterAll(async () => {
  await downloads?.close()
  await renderer?.stop()
  await stores?.close()
})

/** The web server's local download route (server/http/objects.ts) on a port of its own, serving this platform's store. */
async function serveObjects(): Promise<{ origin: string; close(): Promise<void> }> {
  const app = express()
  app.get(OBJECTS_ROUTE, localObjectsHandler({ log, platform: async () => platform }))
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

/** One scheduler pass at `now`: the rows it queued, by date. */
async function pass(now: string) {
  const { queued } = await scheduleDueReports({ db: platform.pg.db, ch: platform.ch, bus: platform.bus, log }, new Date(now))
  if (queued.length === 0) return []
  return platform.pg.db.select().from(reportOutputs).where(inArray(reportOutputs.id, queued)).orderBy(reportOutputs.reportDate)
}

/** The subscription's report of `reportDate` once the renderer has finished with it. */
async function rendered(reportDate: string) {
  const deadline = Date.now() + 60_000
  for (;;) {
    const [row] = await platform.pg.db
      .select()
      .from(reportOutputs)
      .where(and(eq(reportOutputs.subscriptionId, subscriptionId), eq(reportOutputs.reportDate, reportDate)))
    if (row && (row.status === 'done' || row.status === 'failed')) return row
    if (Date.now() > deadline) throw new Error(`timed out waiting for the ${reportDate} fuels report (${row?.status ?? 'no row'})`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The stored PDF's text (pdftotext, layout kept). */
async function pdfText(objectKey: string): Promise<string> {
  const pdf = await platform.objects.getBuffer(objectKey)
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  return execFileSync('/usr/bin/pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8')
}

async function linkAudit(requestId: string) {
  const rows = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId)).orderBy(auditEvents.id)
  return rows.map((r) => [r.procedure, r.channel, r.market, r.outcome, r.status])
}

const linkDeps = () => ({ db: platform.pg.db, objects: platform.objects, env: platform.env })

describe('subscribing to the fuels report', () => {
  it('subscribes a user whose organization downloads at least one of its products: no market, one subscription per user', async () => {
    const first = await subscribe(platform.pg.db, reader, { kind: 'fuels', params: {} })
    expect(first.created).toBe(true)
    expect(first.subscription).toMatchObject({ kind: 'fuels', params: {}, schedule: 'daily', active: true, lastReportDate: null })
    subscriptionId = first.subscription.id
    // The parameters may be left out: there are none.
    const again = await subscribe(platform.pg.db, reader, { kind: 'fuels' } as { kind: 'fuels'; params: Record<string, never> })
    expect(again).toEqual({ subscription: first.subscription, created: false })
    expect((await listSubscriptions(platform.pg.db, reader)).map((s) => [s.kind, s.id])).toEqual([['fuels', subscriptionId]])
    // Reports from the 18th on (Pacific time): the scheduler never reports a day before the subscription.
    await platform.pg.db.update(reportSubscriptions).set({ createdAt: new Date('2026-11-18T20:00:00Z') }).where(eq(reportSubscriptions.id, subscriptionId))
  })

  it('names a parameter it does not take, with its value', async () => {
    const error = await refusal(subscribe(platform.pg.db, reader, { kind: 'fuels', params: { market: 'MISO' } as unknown as Record<string, never> }))
    expect(error.status).toBe(400)
    expect(error.message).toContain('params')
    expect(error.message).toContain('"market"')
  })

  it('refuses an organization that holds its products in the hub only with 403, storing nothing', async () => {
    const error = await refusal(subscribe(platform.pg.db, hubOnly, { kind: 'fuels', params: {} }))
    expect(error.status).toBe(403)
    expect(error.userMessage).toBe(NO_FUELS_DOWNLOADS)
    expect(error.userMessage).toBe('Your organization is entitled to none of GAS, LNG, LCFS, REC through downloads: the gas, LNG and environmental report needs one of them')
    expect(await platform.pg.db.select().from(reportSubscriptions).where(eq(reportSubscriptions.userId, hubOnly.userId!))).toEqual([])
  })
})

describe('delivering the fuels report', () => {
  it('queues day D once D has ended in Pacific time, without waiting for day-ahead prices (a MISO summary beside it waits)', async () => {
    const power = await testUser(platform.pg.db, organizationId, 'power@fuels-subscriber.test')
    const summary = await subscribe(platform.pg.db, power, { kind: 'market-summary', params: { market: 'MISO' } })
    await platform.pg.db.update(reportSubscriptions).set({ createdAt: new Date('2026-11-18T20:00:00Z') }).where(eq(reportSubscriptions.id, summary.subscription.id))
    // 07:59Z on the 20th is 23:59 on the 19th in Los Angeles (PST): the 19th has ended in New York and Chicago, not there.
    const before = await pass('2026-11-20T07:59:00Z')
    expect(before.map((r) => [r.kind, r.reportDate, r.filename, r.status])).toEqual([['fuels', '2026-11-18', '254carbon-fuels-2026-11-18.pdf', 'queued']])
    const after = await pass('2026-11-20T08:00:00Z')
    expect(after.map((r) => [r.kind, r.reportDate, r.params])).toEqual([['fuels', '2026-11-19', {}]])
    expect(after[0]).toMatchObject({ subscriptionId, organizationId, requestedBy: reader.userId, requestedByLabel: 'reader@fuels-subscriber.test' })
    expect(await pass('2026-11-20T09:00:00Z'), 'a second pass queues nothing').toEqual([])
    const [watermark] = await platform.pg.db.select().from(reportSubscriptions).where(eq(reportSubscriptions.id, subscriptionId))
    expect(watermark!.lastReportDate).toBe('2026-11-19')
  })

  it('renders the report as of the day with the products the organization downloads, LCFS named as left out', async () => {
    const row = await rendered('2026-11-19')
    expect(row.status, row.error ?? '').toBe('done')
    expect(row).toMatchObject({
      filename: '254carbon-fuels-2026-11-19.pdf',
      objectKey: `reports/${organizationId}/fuels/2026-11-19/254carbon-fuels-2026-11-19.pdf`,
      params: { products: ['GAS', 'LNG', 'REC'] },
    })
    expect((await platform.objects.head(row.objectKey!))?.contentType).toBe('application/pdf')
    const text = await pdfText(row.objectKey!)
    expect(text).toContain('Gas, LNG and environmental')
    expect(text).toMatch(/As of: 2026-11-19/)
    expect(text).toMatch(/Products: GAS, LNG, REC\s/)
    expect(text).toMatch(/Left out: LCFS\s/)
    expect(text).toContain('3.111 $/MMBtu on 2026-11-19')
    expect(text, 'the 20th is after the report date').not.toContain('9.999')
    expect(text).toMatch(/JKM\s+2026-11-18\s+12\.855/)
    expect(text).toMatch(/REC\.NJ\.SOLAR\.2026\s+NJ\s+SOLAR\s+2026\s+2026-11-17\s+223\.75/)
    expect(text).toContain('LCFS credits (LCFS)')
    expect(text, 'no LCFS value leaves the platform').not.toContain('62.25')

    const earlier = await rendered('2026-11-18')
    expect(earlier.status, earlier.error ?? '').toBe('done')
    expect(await pdfText(earlier.objectKey!)).toContain('3.087 $/MMBtu on 2026-11-18')

    const listed = (await listReportOutputs(platform.pg.db, reader, { limit: 10 })).filter((o) => o.kind === 'fuels')
    expect(listed.map((o) => [o.reportDate, o.status, o.params])).toEqual([
      ['2026-11-19', 'done', { products: ['GAS', 'LNG', 'REC'] }],
      ['2026-11-18', 'done', { products: ['GAS', 'LNG', 'REC'] }],
    ])
  })

  it('signs a link to it, checked and audited on each product it holds, and serves the PDF through it', async () => {
    const row = await rendered('2026-11-19')
    const link = await reportOutputLink(linkDeps(), reader, row.id, { requestId: 'fuels-link' })
    expect(link.filename).toBe(row.filename)
    expect(await linkAudit('fuels-link')).toEqual([
      ['reports.link', 'downloads', 'GAS', 'allowed', 200],
      ['reports.link', 'downloads', 'LNG', 'allowed', 200],
      ['reports.link', 'downloads', 'REC', 'allowed', 200],
    ])
    const url = new URL(link.url)
    const response = await fetch(`${downloads.origin}${url.pathname}${url.search}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${row.filename}"`)
    expect(Buffer.from(await response.arrayBuffer()).equals(await platform.objects.getBuffer(row.objectKey!))).toBe(true)
    expect((await refusal(reportOutputLink(linkDeps(), hubOnly, row.id, { requestId: 'fuels-link-other-org' }))).status).toBe(404)
  })

  it('shows only the products still downloadable when one is withdrawn, and refuses links to a report holding it', async () => {
    await grant(platform.pg.db, organizationId, 'LNG', ['downloads'], false)
    const queued = await pass('2026-11-21T08:00:00Z')
    expect(queued.map((r) => [r.kind, r.reportDate])).toEqual([['fuels', '2026-11-20']])
    const row = await rendered('2026-11-20')
    expect(row.status, row.error ?? '').toBe('done')
    expect(row.params).toEqual({ products: ['GAS', 'REC'] })
    const text = await pdfText(row.objectKey!)
    expect(text).toMatch(/Products: GAS, REC\s/)
    expect(text).toMatch(/Left out: LNG, LCFS\s/)
    expect(text).toContain('9.999 $/MMBtu on 2026-11-20')
    expect(text).not.toContain(String(JKM_PRICE))
    // Its own link still works: it holds no LNG.
    await reportOutputLink(linkDeps(), reader, row.id, { requestId: 'fuels-link-reduced' })
    expect((await linkAudit('fuels-link-reduced')).map((r) => r[2])).toEqual(['GAS', 'REC'])

    const holdsLng = await rendered('2026-11-19')
    const error = await refusal(reportOutputLink(linkDeps(), reader, holdsLng.id, { requestId: 'fuels-link-lng-withdrawn' }))
    expect(error.status).toBe(403)
    expect(error.userMessage).toBe('Your organization is not entitled to LNG through downloads')
    expect(await linkAudit('fuels-link-lng-withdrawn')).toEqual([
      ['reports.link', 'downloads', 'GAS', 'denied', 403],
      ['reports.link', 'downloads', 'LNG', 'denied', 403],
      ['reports.link', 'downloads', 'REC', 'denied', 403],
    ])
  })

  it('refuses the delivery, with the reason on the row, once the organization has lost every product', async () => {
    for (const product of ['GAS', 'REC'] as const) await grant(platform.pg.db, organizationId, product, ['downloads'], false)
    const queued = await pass('2026-11-22T08:00:00Z')
    expect(queued.map((r) => [r.kind, r.reportDate])).toEqual([['fuels', '2026-11-21']])
    const row = await rendered('2026-11-21')
    expect(row).toMatchObject({
      status: 'failed',
      error: 'The organization is no longer entitled to any of GAS, LNG, LCFS, REC through downloads',
      objectKey: null,
      bytes: null,
      params: {},
    })
    expect(await platform.objects.head(`reports/${organizationId}/fuels/2026-11-21/254carbon-fuels-2026-11-21.pdf`)).toBeNull()
    const [listed] = await listReportOutputs(platform.pg.db, reader, { limit: 1 })
    expect(listed).toMatchObject({ kind: 'fuels', reportDate: '2026-11-21', status: 'failed', error: row.error, params: {} })
    const link = await refusal(reportOutputLink(linkDeps(), reader, row.id, { requestId: 'fuels-link-failed' }))
    expect(link.status).toBe(409)
    expect(link.userMessage).toContain(`it failed: ${row.error}`)
    // The organization still downloads MISO: the refusal is the report's, not the channel's.
    expect(await linkAudit('fuels-link-failed')).toEqual([['reports.link', 'downloads', null, 'denied', 409]])
    expect((await refusal(subscribe(platform.pg.db, reader, { kind: 'fuels', params: {} }))).userMessage).toBe(NO_FUELS_DOWNLOADS)
  })
})
