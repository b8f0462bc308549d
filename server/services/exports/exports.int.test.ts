import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import type { PriceRecord } from '@carbon/schemas'
import { DuckDBInstance } from '@duckdb/node-api'
import { TRPCError } from '@trpc/server'
import { and, eq } from 'drizzle-orm'
import express from 'express'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { provisionDemoUser } from '../../../tests/support/demo-users.ts'
import { TOPICS } from '../../adapters/bus/index.ts'
import { auditEvents, exportJobs, organizations } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { localObjectsHandler, OBJECTS_ROUTE } from '../../http/objects.ts'
import type { Platform } from '../../platform.ts'
import { createCaller } from '../../trpc/root.ts'
import type { Context } from '../../trpc/trpc.ts'
import { startExportWorker, type ExportWorker } from '../../workers/export-worker.ts'
import { DEMO_USERS } from '../auth/demo-identities.ts'
import { setEntitlement } from '../auth/entitlements.ts'
import type { Principal } from '../auth/types.ts'
import { requestBuild, waitForBuild } from '../curves/index.ts'
import { HOUSE_ACCESS } from '../scenarios/schemas.ts'
import { requestHouseBaseRun, seedHouseScenarios, waitForRun } from '../scenarios/index.ts'
import { startScenarioWorker } from '../../workers/scenario-worker.ts'
import { insertPrices } from '../prices/index.ts'
import { startCurveSolver } from '../../workers/curve-solver.ts'
import {
  cancelExport,
  cleanupExports,
  createExport,
  estimateExport,
  executeExport,
  getExport,
  listExports,
  type ExportDeps,
  type ExportJob,
  type ExportProgressEvent,
  type ExportRequestInput,
} from './index.ts'

/*
 * The download center against the real stores: a scratch PostgreSQL database, embedded chDB, the
 * in-process bus with the export worker subscribed to exports.run (as `carbon serve` runs it), the
 * local object store, and its signed links served by the objects route of the web server.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let worker: ExportWorker
let server: http.Server
let origin: string
let admin: Principal
let analyst: Principal
let quant: Principal
let scratch: string
const progress: ExportProgressEvent[] = []

const ENV = {
  DOWNLOAD_LINK_SECONDS: 900,
  EXPORT_RETENTION_HOURS: 24,
  EXPORT_MAX_ROWS: 1_000_000,
  EXPORT_MAX_ACTIVE_PER_ORGANIZATION: 3,
  EXPORT_MAX_ROWS_PER_DAY: 10_000_000,
}
const deps = (env: Partial<ExportDeps['env']> = {}): ExportDeps => ({
  db: platform.pg.db,
  ch: platform.ch,
  bus: platform.bus,
  objects: platform.objects,
  env: { ...ENV, ...env },
  log,
})

const DAY0 = Date.UTC(2026, 0, 5)
const NODES = ['INDIANA.HUB', 'ILLINOIS.HUB', '=HYPERLINK("x")']
const HOURS = 72

function prices(): PriceRecord[] {
  const out: PriceRecord[] = []
  for (const [n, node] of NODES.entries()) {
    for (let h = 0; h < HOURS; h++) {
      const start = DAY0 + h * 3_600_000
      out.push({
        market: 'MISO',
        node,
        run: 'DA',
        intervalStart: new Date(start).toISOString(),
        intervalEnd: new Date(start + 3_600_000).toISOString(),
        lmp: Math.round((25 + 10 * Math.sin(h / 4) + n - (h % 24 === 3 ? 60 : 0)) * 100) / 100,
        energy: 24.5,
        congestion: h % 5 === 0 ? null : -0.25 * n,
        loss: 0.1,
        ghg: null,
        source: 'export-int-test',
        publishedAt: null,
      })
    }
  }
  return out
}

const pricesRequest = (over: Partial<Record<string, unknown>> = {}): ExportRequestInput =>
  ({
    dataset: 'prices',
    market: 'MISO',
    nodes: NODES.join(','),
    run: 'DA',
    from: new Date(DAY0).toISOString(),
    to: new Date(DAY0 + HOURS * 3_600_000).toISOString(),
    format: 'csv',
    ...over,
  }) as ExportRequestInput

/** The signed URL pointed at this file's web server (the signature does not cover the origin). */
function local(url: string): string {
  const u = new URL(url)
  return `${origin}${u.pathname}${u.search}`
}

async function waitDone(principal: Principal, id: string, env: Partial<ExportDeps['env']> = {}): Promise<ExportJob> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const job = await getExport(deps(env), principal, 'hub', id)
    if (job.status !== 'queued' && job.status !== 'running') return job
    if (Date.now() > deadline) throw new Error(`export ${id} still ${job.status}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function expectAppError(promise: Promise<unknown>, status: number, text?: string): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, 'expected a refusal').toBeInstanceOf(AppError)
  expect((error as AppError).status, (error as AppError).message).toBe(status)
  if (text) expect((error as AppError).message).toContain(text)
  return error as AppError
}

async function auditOf(procedure: string, organizationId?: string) {
  const rows = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.procedure, procedure))
  return organizationId ? rows.filter((r) => r.organizationId === organizationId) : rows
}

/** A queued job as createExport stores it, marked published so that nothing delivers it: the worker never starts it. */
async function insertQueued(principal: Principal, filename: string) {
  const [row] = await platform.pg.db
    .insert(exportJobs)
    .values({
      organizationId: principal.organizationId,
      dataset: 'prices',
      format: 'csv',
      channel: 'hub',
      markets: ['MISO'],
      params: { ...pricesRequest(), nodes: NODES, run: ['DA'], resolution: 'raw' },
      filename,
      estimatedRows: NODES.length * HOURS,
      estimatedBytes: 10_000,
      status: 'queued',
      requestedBy: principal.userId,
      requestedByLabel: principal.label,
      publishedAt: new Date(),
    })
    .returning()
  return row!
}

/** Jobs of an organization that are not finished would count against its active limit: cancel them. */
async function settle(principal: Principal) {
  for (const job of await listExports(deps(), principal, { limit: 200 })) {
    if (job.status === 'queued' || job.status === 'running') await cancelExport(deps(), principal, job.id)
  }
}

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-exports-', log })
  platform = stores.platform
  scratch = await mkdtemp(path.join(os.tmpdir(), 'carbon-exports-files-'))
  const user = (name: string) => provisionDemoUser(platform.pg.db, DEMO_USERS.find((u) => u.username === name)!).then((r) => r.principal)
  admin = await user('admin')
  analyst = await user('analyst')
  quant = await user('quant')
  await insertPrices(platform.ch, prices())
  await platform.bus.subscribe({
    topic: TOPICS.jobsProgress,
    groupId: 'exports-int-progress',
    fromBeginning: true,
    handler: async (batch) => {
      for (const m of batch.messages) {
        const event = JSON.parse(m.value.toString('utf8')) as ExportProgressEvent
        if (event.kind === 'export') progress.push(event)
      }
    },
  })
  worker = await startExportWorker({ ...deps(), relay: false, cleanupIntervalMs: false, rowGroupRows: 50 })
  const app = express()
  app.get(OBJECTS_ROUTE, localObjectsHandler({ log, platform: async () => platform }))
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}, 60_000)

afterAll(async () => {
  await worker?.stop()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)))
  await stores?.close()
  await rm(scratch, { recursive: true, force: true })
})

describe('estimate', () => {
  it('counts rows per resolution, names the file, estimates bytes per format', async () => {
    const raw = await estimateExport(deps(), admin, 'hub', pricesRequest())
    expect(raw).toMatchObject({ markets: ['MISO'], rows: NODES.length * HOURS, filename: '254carbon-MISO-prices-DA-20260105-20260108.csv', withinLimits: true, limitReason: null })
    expect(raw.bytes).toBeGreaterThan(NODES.length * HOURS * 60)
    const parquet = await estimateExport(deps(), admin, 'hub', pricesRequest({ format: 'parquet' }))
    expect(parquet.filename).toMatch(/\.parquet$/)
    expect(parquet.bytes).toBeLessThan(raw.bytes)
    // MISO's clock is UTC-5: 72 UTC hours from midnight UTC touch 4 local days.
    expect((await estimateExport(deps(), admin, 'hub', pricesRequest({ resolution: 'daily' }))).rows).toBe(NODES.length * 4)
    expect((await estimateExport(deps(), admin, 'hub', pricesRequest({ resolution: 'hourly' }))).rows).toBe(NODES.length * HOURS)
    const over = await estimateExport(deps({ EXPORT_MAX_ROWS: 100 }), admin, 'hub', pricesRequest())
    expect(over.withinLimits).toBe(false)
    expect(over.limitReason).toContain('EXPORT_MAX_ROWS')
    const nothing = await estimateExport(deps(), admin, 'hub', pricesRequest({ nodes: 'NO.SUCH.NODE' }))
    expect(nothing).toMatchObject({ rows: 0, withinLimits: false })
  })

  it('refuses bad input naming the field, and a market without downloads (and CAISO through the API)', async () => {
    await expectAppError(estimateExport(deps(), admin, 'hub', pricesRequest({ from: '2026-01-09T00:00:00Z' })), 400, 'to: must be after from')
    await expectAppError(estimateExport(deps(), admin, 'hub', pricesRequest({ run: 'XX' })), 400, 'run')
    await expectAppError(estimateExport(deps(), analyst, 'hub', pricesRequest()), 403, 'MISO through downloads')
    await expectAppError(estimateExport(deps(), admin, 'api', pricesRequest({ market: 'CAISO', nodes: 'TH_SP15_GEN-APND' })), 403, 'CAISO data is not available through the API')
    // CAISO works through the hub (pilot: downloads on).
    expect((await estimateExport(deps(), admin, 'hub', pricesRequest({ market: 'CAISO', nodes: 'TH_SP15_GEN-APND' }))).rows).toBe(0)
  })
})

describe('a CSV export through the worker, downloaded through its signed local link', () => {
  let job: ExportJob
  let url: string

  beforeAll(async () => {
    const queued = await createExport(deps(), admin, 'hub', pricesRequest())
    expect(queued).toMatchObject({ status: 'queued', estimatedRows: NODES.length * HOURS, url: null, filename: '254carbon-MISO-prices-DA-20260105-20260108.csv' })
    job = await waitDone(admin, queued.id)
    url = local(job.url!)
  })

  it('is done with rows, bytes, sha256, expiry and a fresh link of at most DOWNLOAD_LINK_SECONDS; progress went out', async () => {
    expect(job.status, job.error ?? '').toBe('done')
    expect(job).toMatchObject({ rows: NODES.length * HOURS, progress: 1 })
    expect(job.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(Date.parse(job.expiresAt!) - Date.parse(job.finishedAt!)).toBeCloseTo(24 * 3_600_000, -4)
    expect(Date.parse(job.urlExpiresAt!) - Date.now()).toBeLessThanOrEqual(900_000)
    expect(Date.parse(job.urlExpiresAt!) - Date.now()).toBeGreaterThan(890_000)
    const events = progress.filter((e) => e.id === job.id).map((e) => e.status)
    expect(events[0]).toBe('running')
    expect(events.at(-1)).toBe('done')
    const listed = await listExports(deps(), admin)
    expect(listed[0]).toMatchObject({ id: job.id, status: 'done', url: null })
  })

  it('downloads the file: CSV with the header, quoted and neutralized cells, UTC instants; audited', async () => {
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${job.filename}"`)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const text = await response.text()
    expect(Buffer.byteLength(text)).toBe(job.bytes)
    const lines = text.split('\r\n')
    expect(lines[0]).toBe('market,node,run,interval_start,interval_end,lmp,energy,congestion,loss')
    expect(lines).toHaveLength(1 + NODES.length * HOURS + 1)
    expect(lines.at(-1)).toBe('')
    // Nodes in name order: '=HYPERLINK("x")' first, neutralized and quoted.
    expect(lines[1]).toBe(`MISO,"'=HYPERLINK(""x"")",DA,2026-01-05T00:00:00Z,2026-01-05T01:00:00Z,27,24.5,,0.1`)
    // A negative price is a number, not neutralized text.
    expect(lines.some((l) => /^MISO,INDIANA\.HUB,DA,2026-01-05T03:00:00Z,[^,]+,-\d/.test(l))).toBe(true)
    const downloads = await auditOf('exports.download', admin.organizationId)
    expect(downloads.some((r) => r.outcome === 'allowed' && r.status === 200 && r.market === 'MISO' && r.principalId === admin.userId)).toBe(true)
    const links = await auditOf('exports.link', admin.organizationId)
    expect(links.some((r) => r.outcome === 'allowed' && r.channel === 'downloads' && (r.details as { exportId?: string }).exportId === job.id)).toBe(true)
  })

  it('refuses with 403 the same URL with one changed character, another key, a changed name; 403 once expired; all audited', async () => {
    const changed = new URL(url)
    const sig = changed.searchParams.get('sig')!
    changed.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1))
    for (const bad of [
      changed.toString(),
      url.replace('.csv?', '.csx?'),
      url.replace(`/${job.id}/`, `/${job.id.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}/`),
      url.replace(/filename=[^&]+/, 'filename=other.csv'),
    ]) {
      const response = await fetch(bad)
      expect(response.status, bad).toBe(403)
      expect(await response.text()).not.toContain('INDIANA.HUB')
    }
    const short = await getExport(deps({ DOWNLOAD_LINK_SECONDS: 1 }), admin, 'hub', job.id)
    expect((await fetch(local(short.url!))).status).toBe(200)
    await new Promise((r) => setTimeout(r, 2_200))
    expect((await fetch(local(short.url!))).status).toBe(403)
    const denied = (await auditOf('exports.download')).filter((r) => r.outcome === 'denied' && r.status === 403)
    expect(denied.length).toBeGreaterThanOrEqual(5)
  })

  it('issues no link once downloads are withdrawn (403, audited), and again once granted', async () => {
    await setEntitlement(platform.pg.db, { organizationId: admin.organizationId, market: 'MISO', channel: 'downloads', enabled: false, grantedBy: 'test' })
    try {
      await expectAppError(getExport(deps(), admin, 'hub', job.id), 403, 'MISO through downloads')
      const denied = (await auditOf('exports.link', admin.organizationId)).filter((r) => r.outcome === 'denied')
      expect(denied.some((r) => r.market === 'MISO' && (r.details as { exportId?: string }).exportId === job.id)).toBe(true)
      await expectAppError(createExport(deps(), admin, 'hub', pricesRequest()), 403, 'MISO through downloads')
    } finally {
      await setEntitlement(platform.pg.db, { organizationId: admin.organizationId, market: 'MISO', channel: 'downloads', enabled: true, grantedBy: 'test' })
    }
    expect((await getExport(deps(), admin, 'hub', job.id)).url).toMatch(/\/objects\/exports\//)
  })

  it('is not found for another organization', async () => {
    await expectAppError(getExport(deps(), quant, 'hub', job.id), 404)
    await expectAppError(cancelExport(deps(), quant, job.id), 404)
    expect((await listExports(deps(), quant)).map((j) => j.id)).not.toContain(job.id)
  })
})

describe('Parquet and hourly exports', () => {
  it('writes the same rows as the CSV, typed, read back by DuckDB', async () => {
    const csvJob = await waitDone(admin, (await createExport(deps(), admin, 'hub', pricesRequest({ resolution: 'hourly' }))).id)
    const pqJob = await waitDone(admin, (await createExport(deps(), admin, 'hub', pricesRequest({ resolution: 'hourly', format: 'parquet' }))).id)
    expect([csvJob.status, pqJob.status]).toEqual(['done', 'done'])
    expect(pqJob.filename).toBe('254carbon-MISO-prices-DA-hourly-20260105-20260108.parquet')
    const pq = Buffer.from(await (await fetch(local(pqJob.url!))).arrayBuffer())
    const csv = await (await fetch(local(csvJob.url!))).text()
    await writeFile(path.join(scratch, 'h.parquet'), pq)
    await writeFile(path.join(scratch, 'h.csv'), csv)
    const duck = await (await DuckDBInstance.create(':memory:')).connect()
    try {
      const types = await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path.join(scratch, 'h.parquet')}')`)
      expect(Object.fromEntries((await types.getRowObjectsJson()).map((r) => [r.column_name, r.column_type]))).toEqual({
        market: 'VARCHAR',
        node: 'VARCHAR',
        run: 'VARCHAR',
        interval_start: 'TIMESTAMP WITH TIME ZONE',
        interval_end: 'TIMESTAMP WITH TIME ZONE',
        lmp: 'DOUBLE',
        energy: 'DOUBLE',
        congestion: 'DOUBLE',
        loss: 'DOUBLE',
        lmp_min: 'DOUBLE',
        lmp_max: 'DOUBLE',
        onpeak_lmp: 'DOUBLE',
        offpeak_lmp: 'DOUBLE',
        samples: 'INTEGER',
      })
      // The CSV's neutralized node reads back with its apostrophe: compare the other nodes' rows.
      const select = (source: string) =>
        `SELECT node, epoch_ms(interval_start) AS s, lmp, congestion, onpeak_lmp, samples::INTEGER AS samples FROM ${source} WHERE node NOT LIKE '%HYPERLINK%' ORDER BY node, s`
      const a = await (await duck.runAndReadAll(select(`read_parquet('${path.join(scratch, 'h.parquet')}')`))).getRowsJson()
      const b = await (await duck.runAndReadAll(select(`read_csv('${path.join(scratch, 'h.csv')}')`))).getRowsJson()
      expect(a).toHaveLength(2 * HOURS)
      expect(a).toEqual(b)
    } finally {
      duck.closeSync()
    }
  })
})

describe('curves', () => {
  it('exports the house curve of a hub as of a date: a row per month, typed dates and hours', async () => {
    const solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
    try {
      const hub = DEMO_CURVE_HUBS.find((h) => h.node === 'INDIANA.HUB')!
      const queued = await requestBuild({ db: platform.pg.db, bus: platform.bus }, { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-10-30', quotes: demoQuotes(hub, '2026-10-30'), source: 'api' }, { userId: null, label: 'exports-int-test', organizationId: null })
      const build = await waitForBuild(platform.pg.db, queued.id, 60_000)
      expect(build.status, build.error ?? '').toBe('done')
    } finally {
      await solver.stop()
    }
    const request = { dataset: 'curves', market: 'MISO', nodes: 'INDIANA.HUB', asOf: '2026-10-30', format: 'csv' } as const
    const estimate = await estimateExport(deps(), admin, 'hub', request)
    const months = (2050 - 2026) * 12 + 2
    expect(estimate).toMatchObject({ rows: months, filename: '254carbon-MISO-curves-20261030.csv', withinLimits: true })
    const job = await waitDone(admin, (await createExport(deps(), admin, 'hub', request)).id)
    expect(job.status, job.error ?? '').toBe('done')
    const lines = (await (await fetch(local(job.url!))).text()).split('\r\n')
    expect(lines[0]).toBe('market,node,as_of,month,onpeak,offpeak,atc,hours')
    // November 2026 in MISO: 30 days and the hour DST gives back.
    expect(lines[1]).toMatch(/^MISO,INDIANA\.HUB,2026-10-30,2026-11-01,\d+(\.\d+)?,\d+(\.\d+)?,\d+(\.\d+)?,721$/)
    expect(lines).toHaveLength(months + 2)
    await expectAppError(estimateExport(deps(), admin, 'hub', { ...request, asOf: '2026-10-29' }), 404, 'as of 2026-10-29')
    await expectAppError(estimateExport(deps(), admin, 'hub', { ...request, nodes: 'NO.SUCH.HUB' }), 404)
  }, 90_000)
})

describe('scenario results', () => {
  it("exports a done run's prices for the markets the caller may download; each market decided and audited", async () => {
    await seedHouseScenarios(platform.pg.db)
    const scenarios = await startScenarioWorker({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: false })
    let runId: string
    try {
      runId = (await requestHouseBaseRun({ db: platform.pg.db, bus: platform.bus, log })).runId
      const run = await waitForRun(platform.pg.db, HOUSE_ACCESS, runId, 120_000)
      expect(run.status, run.error ?? '').toBe('done')
    } finally {
      await scenarios.stop()
    }
    // 254Carbon downloads both markets; Lakeshore Quant MISO only; Prairie Trading none.
    const all = await estimateExport(deps(), admin, 'hub', { dataset: 'scenario', runId })
    expect(all.markets).toEqual(['CAISO', 'MISO'])
    expect(all.filename).toBe(`254carbon-scenario-${runId.slice(0, 12)}-prices.csv`)
    const misoOnly = await estimateExport(deps(), quant, 'api', { dataset: 'scenario', runId })
    expect(misoOnly.markets).toEqual(['MISO'])
    expect(misoOnly.rows * 2).toBe(all.rows)
    await expectAppError(estimateExport(deps(), quant, 'api', { dataset: 'scenario', runId, markets: ['MISO', 'CAISO'] }), 403, 'CAISO through downloads')
    await expectAppError(createExport(deps(), analyst, 'hub', { dataset: 'scenario', runId, markets: ['MISO'] }), 403, 'MISO through downloads')
    const denied = (await auditOf('exports.create', analyst.organizationId)).filter((r) => r.outcome === 'denied' && r.market === 'MISO')
    expect(denied).toHaveLength(1)
    await expectAppError(createExport(deps(), analyst, 'hub', { dataset: 'scenario', runId }), 403, 'may download none of its markets')

    await settle(admin)
    const job = await waitDone(admin, (await createExport(deps(), admin, 'hub', { dataset: 'scenario', runId, table: 'mix', format: 'parquet' })).id)
    expect(job.status, job.error ?? '').toBe('done')
    expect(job.markets).toEqual(['CAISO', 'MISO'])
    const created = (await auditOf('exports.create', admin.organizationId)).filter((r) => r.outcome === 'allowed')
    expect(new Set(created.map((r) => r.market))).toEqual(new Set(['CAISO', 'MISO']))
    const links = (await auditOf('exports.link', admin.organizationId)).filter((r) => (r.details as { exportId?: string }).exportId === job.id)
    expect(new Set(links.map((r) => r.market))).toEqual(new Set(['CAISO', 'MISO']))
    const parquet = Buffer.from(await (await fetch(local(job.url!))).arrayBuffer())
    await writeFile(path.join(scratch, 'mix.parquet'), parquet)
    const duck = await (await DuckDBInstance.create(':memory:')).connect()
    try {
      const result = await duck.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT market) AS markets, count(*) FILTER (WHERE technology = 'system' AND load_mwh > 0) AS system FROM read_parquet('${path.join(scratch, 'mix.parquet')}')`)
      const [row] = (await result.getRowObjectsJson()) as { n: string; markets: string; system: string }[]
      expect(Number(row!.n)).toBe(job.rows)
      expect(Number(row!.markets)).toBe(2)
      expect(Number(row!.system)).toBeGreaterThan(0)
    } finally {
      duck.closeSync()
    }
  }, 180_000)
})

describe('limits', () => {
  it('refuses over the per-export rows (400), the active jobs (429) and the daily rows (429), naming the limit', async () => {
    await settle(quant)
    await expectAppError(createExport(deps({ EXPORT_MAX_ROWS: 100 }), quant, 'api', pricesRequest()), 400, 'EXPORT_MAX_ROWS')
    await expectAppError(createExport(deps(), quant, 'api', pricesRequest({ nodes: 'NO.SUCH.NODE' })), 400, 'nothing to export')
    // A job queued and not yet taken (inserted, not published): it holds the one active slot.
    const held = await insertQueued(quant, 'held.csv')
    await expectAppError(createExport(deps({ EXPORT_MAX_ACTIVE_PER_ORGANIZATION: 1 }), quant, 'api', pricesRequest()), 429, 'EXPORT_MAX_ACTIVE_PER_ORGANIZATION')
    await cancelExport(deps(), quant, held.id)
    const first = await createExport(deps({ EXPORT_MAX_ACTIVE_PER_ORGANIZATION: 1 }), quant, 'api', pricesRequest({ nodes: 'INDIANA.HUB' }))
    await waitDone(quant, first.id)
    await expectAppError(createExport(deps({ EXPORT_MAX_ROWS_PER_DAY: HOURS + 10 }), quant, 'api', pricesRequest({ nodes: 'ILLINOIS.HUB' })), 429, 'EXPORT_MAX_ROWS_PER_DAY')
    const estimate = await estimateExport(deps({ EXPORT_MAX_ROWS_PER_DAY: HOURS + 10 }), quant, 'api', pricesRequest({ nodes: 'ILLINOIS.HUB' }))
    expect(estimate).toMatchObject({ withinLimits: false })
  })
})

describe('cancel, the worker on a cancelled job, and the clean-up', () => {
  it('cancels a queued job; the worker then writes nothing; a finished job is a 409', async () => {
    await settle(admin)
    // Inserted as the service would, but not published: the worker cannot have started it.
    const row = await insertQueued(admin, 'cancel-me.csv')
    const cancelled = await cancelExport(deps(), admin, row!.id)
    expect(cancelled).toMatchObject({ status: 'cancelled' })
    const after = await executeExport(deps(), row!.id)
    expect(after?.status).toBe('cancelled')
    expect(await platform.objects.head(`exports/${admin.organizationId}/${row!.id}/cancel-me.csv`)).toBeNull()
    await expectAppError(cancelExport(deps(), admin, row!.id), 409, 'cancelled')
  })

  it('stops a running job at its next progress check when cancelled, and removes the partial file', async () => {
    await settle(admin)
    // ClickHouse answering slowly (300 ms a query): the job is still on its first node when it is cancelled.
    const client = platform.ch.client
    const slowClient = new Proxy(client, {
      get(target, property) {
        if (property !== 'query') return Reflect.get(target, property)
        return async (...args: Parameters<typeof client.query>) => {
          await new Promise((r) => setTimeout(r, 300))
          return target.query(...args)
        }
      },
    })
    const row = await insertQueued(admin, 'running.csv')
    const running = executeExport({ ...deps(), ch: { ...platform.ch, client: slowClient } }, row.id)
    const deadline = Date.now() + 5_000
    while ((await getExport(deps(), admin, 'hub', row.id)).status !== 'running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    await cancelExport(deps(), admin, row.id)
    const after = await running
    expect(after?.status).toBe('cancelled')
    expect(after?.rows).toBeNull()
    expect(await platform.objects.head(`exports/${admin.organizationId}/${row.id}/running.csv`)).toBeNull()
    expect((await platform.objects.list(`exports/${admin.organizationId}/${row.id}/`)).keys).toEqual([])
  })

  it('expires done files past their expiry (file gone, link 404) and deletes old rows', async () => {
    const job = await waitDone(admin, (await createExport(deps(), admin, 'hub', pricesRequest({ nodes: 'INDIANA.HUB' }))).id)
    const link = local(job.url!)
    expect((await fetch(link)).status).toBe(200)
    const key = (await platform.pg.db.select().from(exportJobs).where(eq(exportJobs.id, job.id)))[0]!.objectKey!
    const later = new Date(Date.parse(job.expiresAt!) + 1_000)
    const first = await cleanupExports(deps(), later)
    expect(first.expired).toBeGreaterThanOrEqual(1)
    expect(await platform.objects.head(key)).toBeNull()
    expect((await getExport(deps(), admin, 'hub', job.id)).status).toBe('expired')
    expect((await getExport(deps(), admin, 'hub', job.id)).url).toBeNull()
    expect((await fetch(link)).status).toBe(404)
    const muchLater = new Date(later.getTime() + 25 * 3_600_000)
    const second = await cleanupExports(deps(), muchLater)
    expect(second.deleted).toBeGreaterThanOrEqual(1)
    expect(await platform.pg.db.select().from(exportJobs).where(and(eq(exportJobs.id, job.id)))).toHaveLength(0)
  })
})

describe('through tRPC (the gate) and REST semantics', () => {
  let requests = 0
  function caller(principal: Principal, channel: 'hub' | 'api') {
    const ctx: Context = {
      platform,
      log,
      requestId: `exports-int-${++requests}`,
      auth: { principal, channel, failure: null },
      client: { address: '127.0.0.1', userAgent: 'vitest' },
      responseHeaders: new Headers(),
    }
    return { requestId: ctx.requestId, call: createCaller(ctx) }
  }

  it('creates for an entitled caller; a caller without downloads gets 403 on create and on estimate, each audited', async () => {
    await settle(quant)
    const ok = caller(quant, 'api')
    const created = await ok.call.exports.create({ dataset: 'prices', market: 'MISO', nodes: 'INDIANA.HUB', run: 'DA', from: new Date(DAY0).toISOString(), to: new Date(DAY0 + 86_400_000).toISOString(), format: 'csv' })
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/)
    const [allowed] = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, ok.requestId))
    expect(allowed).toMatchObject({ procedure: 'exports.create', outcome: 'allowed', market: 'MISO', channel: 'api' })
    await waitDone(quant, created.id)

    for (const procedure of ['create', 'estimate'] as const) {
      const refused = caller(analyst, 'hub')
      const error = await refused.call.exports[procedure]({ dataset: 'prices', market: 'MISO', nodes: 'INDIANA.HUB', run: 'DA', from: new Date(DAY0).toISOString(), to: new Date(DAY0 + 86_400_000).toISOString() }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(TRPCError)
      expect((error as TRPCError).code).toBe('FORBIDDEN')
      expect((error as TRPCError).message).toContain('MISO through downloads')
      const [row] = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, refused.requestId))
      expect(row).toMatchObject({ procedure: `exports.${procedure}`, outcome: 'denied', status: 403, market: 'MISO', organizationId: analyst.organizationId })
    }
    const [org] = await platform.pg.db.select().from(organizations).where(eq(organizations.id, analyst.organizationId))
    expect(org!.slug).toBe('prairie-trading')
  })

  it('names the field of a bad request (400) and lists and cancels through the router', async () => {
    const error = await caller(admin, 'hub')
      .call.exports.create({ dataset: 'prices', market: 'MISO', nodes: 'INDIANA.HUB', run: 'DA', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect((error as TRPCError).code).toBe('BAD_REQUEST')
    expect((error as TRPCError).message).toContain('to: must be after from')
    const listed = await caller(admin, 'hub').call.exports.list({ limit: 2 })
    expect(listed.exports.length).toBeLessThanOrEqual(2)
  })
})
