import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { and, eq, sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { TOPICS } from '../../adapters/bus/index.ts'
import { auditEvents, deadLetters, reportOutputs, reportSubscriptions } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startReportRenderer, type ReportRenderer } from '../../workers/report-renderer.ts'
import { localObjectsHandler, OBJECTS_ROUTE } from '../../http/objects.ts'
import type { Principal } from '../auth/types.ts'
import { upsertNodes } from '../nodes/index.ts'
import { insertPrices } from '../prices/index.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { cleanupReportOutputs, listReportOutputs, reportOutputLink, scheduleDueReports, subscribe } from './index.ts'
import { dayAheadRecords, grant, testUser } from './testing.ts'

/*
 * The report renderer end to end on the in-process bus, as `carbon export-worker` and the embedded
 * web process run it: a subscription, the scheduler's pass, reports.render, renderReportPdf, the
 * PDF in the local object store, the row done, and a signed link to it.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let renderer: ReportRenderer
let downloads: { origin: string; close(): Promise<void> }
let user: Principal
let organizationId: string
const hubs = ['RPT.HUB.A', 'RPT.HUB.B']

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-report-renderer-', log })
  platform = stores.platform
  organizationId = await createTestOrganization(platform.pg.db, 'renderer-org')
  await grant(platform.pg.db, organizationId, 'MISO', ['hub', 'downloads'])
  user = await testUser(platform.pg.db, organizationId, 'reader@renderer-org.test')
  await upsertNodes(platform.pg.db, hubs.map((name) => ({ market: 'MISO', name, type: 'hub' })))
  await insertPrices(platform.ch, dayAheadRecords('MISO', hubs, '2026-06-08', '2026-06-11'))
  renderer = await startReportRenderer({ ...platform, db: platform.pg.db, relay: false, scheduleEveryMs: false })
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

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const outputOf = (subscriptionId: string, reportDate: string) =>
  waitFor(async () => {
    const [row] = await platform.pg.db
      .select()
      .from(reportOutputs)
      .where(and(eq(reportOutputs.subscriptionId, subscriptionId), eq(reportOutputs.reportDate, reportDate)))
    return row && (row.status === 'done' || row.status === 'failed') ? row : undefined
  }, `the ${reportDate} report`)

describe('report renderer', () => {
  let subscriptionId: string

  it('renders a due report: queued -> done, a PDF stored under reports/<org>/<kind>/<date>/, a signed link to it', async () => {
    const { subscription } = await subscribe(platform.pg.db, user, { kind: 'market-summary', params: { market: 'MISO' } })
    subscriptionId = subscription.id
    await platform.pg.db.update(reportSubscriptions).set({ createdAt: new Date('2026-06-09T12:00:00Z') }).where(eq(reportSubscriptions.id, subscriptionId))
    const started = performance.now()
    // 2026-06-10 06:00Z is 01:00 EST on the 10th: day 9 has ended, day-ahead prices of the 10th are stored.
    const { queued } = await scheduleDueReports({ db: platform.pg.db, ch: platform.ch, bus: platform.bus, log }, new Date('2026-06-10T06:00:00Z'))
    expect(queued).toHaveLength(1)
    const row = await outputOf(subscriptionId, '2026-06-09')
    expect(row.status, row.error ?? '').toBe('done')
    console.log(`report rendered in ${Math.round(performance.now() - started)} ms, ${row.bytes} bytes`)
    expect(row.objectKey).toBe(`reports/${organizationId}/market-summary/2026-06-09/${row.filename}`)
    expect(row.filename).toMatch(/^254carbon-MISO-.*2026-06-09\.pdf$/)
    expect(row.expiresAt!.getTime() - row.finishedAt!.getTime()).toBe(platform.env.EXPORT_RETENTION_HOURS * 3_600_000)

    const pdf = await platform.objects.getBuffer(row.objectKey!)
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(pdf.length).toBe(row.bytes)
    expect((await platform.objects.head(row.objectKey!))?.contentType).toBe('application/pdf')
    if (existsSync('/usr/bin/pdftotext')) {
      const text = execFileSync('/usr/bin/pdftotext', ['-', '-'], { input: pdf }).toString('utf8')
      expect(text).toContain('RPT.HUB.A')
    }

    const link = await reportOutputLink({ db: platform.pg.db, objects: platform.objects, env: platform.env }, user, row.id, { requestId: 'renderer-link' })
    const url = new URL(link.url)
    expect(url.pathname).toBe(`/objects/${row.objectKey!.split('/').map(encodeURIComponent).join('/')}`)
    expect(url.searchParams.get('filename')).toBe(row.filename)
    expect(Number(url.searchParams.get('expires')) - Date.now() / 1000).toBeLessThanOrEqual(platform.env.DOWNLOAD_LINK_SECONDS + 1)
    expect(url.searchParams.get('sig')).toBeTruthy()
    const response = await fetch(`${downloads.origin}${url.pathname}${url.search}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/pdf')
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${row.filename}"`)
    expect(Buffer.from(await response.arrayBuffer()).equals(pdf)).toBe(true)
    url.searchParams.set('filename', 'other.pdf')
    expect((await fetch(`${downloads.origin}${url.pathname}${url.search}`)).status, 'a changed link is refused').toBe(403)
    const [listed] = await listReportOutputs(platform.pg.db, user, { limit: 1 })
    expect(listed).toMatchObject({ id: row.id, status: 'done', bytes: row.bytes })
    const [audit] = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, 'renderer-link'))
    expect(audit).toMatchObject({ procedure: 'reports.link', outcome: 'allowed', status: 200, channel: 'downloads', market: 'MISO' })
  })

  it('fails a report whose organization lost the downloads entitlement, and refuses its links with 403', async () => {
    await grant(platform.pg.db, organizationId, 'MISO', ['downloads'], false)
    try {
      const { queued } = await scheduleDueReports({ db: platform.pg.db, ch: platform.ch, bus: platform.bus, log }, new Date('2026-06-11T06:00:00Z'))
      expect(queued).toHaveLength(1)
      const row = await outputOf(subscriptionId, '2026-06-10')
      expect(row).toMatchObject({ status: 'failed', error: 'The organization is no longer entitled to MISO through downloads', objectKey: null })
      const [done] = await listReportOutputs(platform.pg.db, user, { limit: 2 }).then((rows) => rows.filter((r) => r.status === 'done'))
      const error = await reportOutputLink({ db: platform.pg.db, objects: platform.objects, env: platform.env }, user, done!.id, { requestId: 'renderer-link-revoked' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).status).toBe(403)
      const [audit] = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, 'renderer-link-revoked'))
      expect(audit).toMatchObject({ outcome: 'denied', status: 403, market: 'MISO' })
    } finally {
      await grant(platform.pg.db, organizationId, 'MISO', ['downloads'])
    }
  })

  it('fails a curve report when no curve of the hub was built as of the report day or before, naming both', async () => {
    const { subscription } = await subscribe(platform.pg.db, user, { kind: 'curve', params: { market: 'MISO', node: 'INDIANA.HUB' } })
    await platform.pg.db.update(reportSubscriptions).set({ createdAt: new Date('2026-06-09T12:00:00Z') }).where(eq(reportSubscriptions.id, subscription.id))
    const { queued } = await scheduleDueReports({ db: platform.pg.db, ch: platform.ch, bus: platform.bus, log }, new Date('2026-06-10T06:00:00Z'))
    expect(queued).toHaveLength(1)
    const row = await outputOf(subscription.id, '2026-06-09')
    expect(row).toMatchObject({ status: 'failed', error: 'No MISO INDIANA.HUB curve was built as of 2026-06-09 or before', filename: '254carbon-MISO-INDIANA.HUB-curve-2026-06-09.pdf' })
  })

  it('dead-letters a request for an unknown report with the reason', async () => {
    const id = randomUUID()
    await platform.bus.publish(TOPICS.reportsRender, [{ key: id, value: JSON.stringify({ id }) }])
    const letter = await waitFor(async () => {
      const [row] = await platform.pg.db
        .select()
        .from(deadLetters)
        .where(and(eq(deadLetters.topic, TOPICS.reportsDlq), sql`${deadLetters.reason} like ${`%${id}%`}`))
      return row
    }, 'the dead letter')
    expect(letter.reason).toBe(`unknown report ${id}: no report_outputs row has this id`)
  })

  it('removes a PDF past its retention and marks the report expired; its link is refused', async () => {
    const [done] = await platform.pg.db.select().from(reportOutputs).where(eq(reportOutputs.status, 'done'))
    await platform.pg.db.update(reportOutputs).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(reportOutputs.id, done!.id))
    expect(await cleanupReportOutputs({ ...platform, db: platform.pg.db })).toEqual({ expired: 1, deleted: 0 })
    expect(await platform.objects.head(done!.objectKey!)).toBeNull()
    const error = await reportOutputLink({ db: platform.pg.db, objects: platform.objects, env: platform.env }, user, done!.id).catch((e: unknown) => e)
    expect((error as AppError).status).toBe(409)
    expect((error as AppError).message).toContain('it has expired')
    // A retention later the row goes, with the failed ones as old.
    const later = new Date(Date.now() + platform.env.EXPORT_RETENTION_HOURS * 3_600_000 + 60_000)
    const failed = await platform.pg.db.select().from(reportOutputs).where(eq(reportOutputs.status, 'failed'))
    expect(await cleanupReportOutputs({ ...platform, db: platform.pg.db }, later)).toEqual({ expired: 0, deleted: 1 + failed.length })
  })
})
