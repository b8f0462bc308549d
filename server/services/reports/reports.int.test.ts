import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import { DEMO_CURVE_HUBS, DEMO_NODES, demoQuotes, generateDemoPrices } from '@carbon/demo-data'
import { addDays, dateIn, dayStartUtc, isOnPeak, type PriceRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startCurveSolver, type CurveSolver } from '../../workers/curve-solver.ts'
import { startScenarioWorker, type ScenarioWorker } from '../../workers/scenario-worker.ts'
import { requestBuild, waitForBuild } from '../curves/index.ts'
import { upsertNodes } from '../nodes/index.ts'
import { insertPrices } from '../prices/index.ts'
import { requestHouseBaseRun, requestRun, saveScenario, seedHouseScenarios, waitForRun } from '../scenarios/index.ts'
import { HOUSE_ACCESS } from '../scenarios/schemas.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { formatChange, formatPrice } from './format.ts'
import { curveReport, marketSummary, renderReportPdf, reportView, scenarioReport, type ReportDeps } from './index.ts'

/*
 * The reports against the real stores (scratch PostgreSQL, embedded chDB, the in-process bus with
 * the curve solver and the scenario worker): the data from the existing services checked against
 * the price records themselves, and each PDF read back with pdftotext.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let solver: CurveSolver
let worker: ScenarioWorker
const records: PriceRecord[] = []
const deps = (): ReportDeps => ({ db: platform.pg.db, ch: platform.ch, log })

/** Three MISO days of demo DA and RT5 prices ending at the start of 2026-11-20 EST (05:00 UTC). */
const END = new Date('2026-11-20T05:00:00Z')
const DAY = '2026-11-19'
const MISO_NODES = DEMO_NODES.filter((n) => n.market === 'MISO')
const MISO_HUBS = MISO_NODES.filter((n) => n.type === 'hub').map((n) => n.name)

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-reports-', log })
  platform = stores.platform
  await upsertNodes(platform.pg.db, MISO_NODES)
  for (const batch of generateDemoPrices({ end: END, days: 3, nodes: MISO_NODES.map((n) => n.name), runs: ['DA', 'RT5'] })) {
    records.push(...batch.filter((r) => r.market === 'MISO'))
  }
  await insertPrices(platform.ch, records)
  solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: false })
  worker = await startScenarioWorker({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: false })
})

afterAll(async () => {
  await solver?.stop()
  await worker?.stop()
  await stores?.close()
})

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

/** The node's records of one run within the MISO day `date` (EST), computed here from the records. */
function dayRecords(node: string, run: string, date: string) {
  const from = dayStartUtc(date, 'Etc/GMT+5').getTime()
  const to = dayStartUtc(addDays(date, 1), 'Etc/GMT+5').getTime()
  return records.filter((r) => r.node === node && r.run === run && Date.parse(r.intervalStart) >= from && Date.parse(r.intervalStart) < to)
}

/** `count` hourly MISO records of one node and run from `start` (ms), priced by hour index. */
function hourlyRecords(node: string, run: PriceRecord['run'], start: number, count: number, lmp: (h: number) => number): PriceRecord[] {
  return Array.from({ length: count }, (_, h) => ({
    market: 'MISO',
    node,
    run,
    intervalStart: new Date(start + h * 3_600_000).toISOString(),
    intervalEnd: new Date(start + (h + 1) * 3_600_000).toISOString(),
    lmp: lmp(h),
    energy: null,
    congestion: null,
    loss: null,
    ghg: null,
    source: 'reports-test',
    publishedAt: null,
  }))
}

/** The text pdftotext -layout reads from PDF bytes. */
function pdfText(pdf: Uint8Array): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'carbon-report-pdf-'))
  try {
    const file = path.join(dir, 'report.pdf')
    writeFileSync(file, pdf)
    return execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The decompressed content streams of a PDF (react-pdf writes FlateDecode streams). */
function contentStreams(pdf: Uint8Array): string {
  const bytes = Buffer.from(pdf)
  const out: string[] = []
  let at = 0
  for (;;) {
    const start = bytes.indexOf('stream\n', at)
    if (start < 0) break
    const end = bytes.indexOf('\nendstream', start)
    const body = bytes.subarray(start + 7, end)
    try {
      out.push(inflateSync(body).toString('latin1'))
    } catch {
      out.push(body.toString('latin1'))
    }
    at = end + 10
  }
  return out.join('\n')
}

describe('market summary', () => {
  it('takes the latest day with DA prices and computes each average as the records give it', async () => {
    const report = await marketSummary(deps(), { market: 'MISO' })
    expect(report).toMatchObject({ market: 'MISO', date: DAY, previousDate: '2026-11-18', rtRun: 'RT5', emptyMessage: null })
    expect(report.nodes.map((n) => n.node).sort()).toEqual(MISO_NODES.filter((n) => n.type !== 'interface').map((n) => n.name).sort())
    for (const row of report.nodes) {
      const da = dayRecords(row.node, 'DA', DAY)
      const rt = dayRecords(row.node, 'RT5', DAY)
      const previous = dayRecords(row.node, 'DA', '2026-11-18')
      expect(da).toHaveLength(24)
      const daAvg = mean(da.map((r) => r.lmp))
      const on = da.filter((r) => isOnPeak('MISO', new Date(r.intervalStart))).map((r) => r.lmp)
      const off = da.filter((r) => !isOnPeak('MISO', new Date(r.intervalStart))).map((r) => r.lmp)
      expect(row.da, row.node).toBeCloseTo(daAvg, 2)
      expect(row.rt, row.node).toBeCloseTo(mean(rt.map((r) => r.lmp)), 2)
      expect(row.onPeak, row.node).toBeCloseTo(mean(on), 2)
      expect(row.offPeak, row.node).toBeCloseTo(mean(off), 2)
      expect(row.spread, row.node).toBeCloseTo(daAvg - mean(rt.map((r) => r.lmp)), 2)
      expect(row.change, row.node).toBeCloseTo(daAvg - mean(previous.map((r) => r.lmp)), 2)
      // Rounded once, to cents.
      expect(Math.round(row.da! * 100) / 100).toBe(row.da)
    }
    expect(report.movers).toHaveLength(5)
    const changes = report.movers.map((m) => Math.abs(m.change!))
    expect(changes).toEqual([...changes].sort((a, b) => b - a))
    expect(Math.abs(report.movers[0]!.change!)).toBe(Math.max(...report.nodes.map((n) => Math.abs(n.change!))))
    expect(report.chart.map((c) => c.node).sort()).toEqual([...MISO_HUBS].sort())
    expect(report.chart[0]!.points.map((p) => p.hour)).toEqual(Array.from({ length: 24 }, (_, h) => h))
    expect(report.health.map((h) => h.run).sort()).toEqual(['DA', 'RT5'])
    expect(report.health.every((h) => h.completeness === 100)).toBe(true)
  })

  it('reports an earlier day when asked, and a day without prices as an empty state', async () => {
    const earlier = await marketSummary(deps(), { market: 'MISO', date: '2026-11-18' })
    expect(earlier.nodes.find((n) => n.node === 'INDIANA.HUB')!.da).toBeCloseTo(mean(dayRecords('INDIANA.HUB', 'DA', '2026-11-18').map((r) => r.lmp)), 2)
    const none = await marketSummary(deps(), { market: 'MISO', date: '2025-01-01' })
    expect(none.nodes).toEqual([])
    expect(none.emptyMessage).toBe('MISO has no day-ahead prices for 2025-01-01.')
    const caiso = await marketSummary(deps(), { market: 'CAISO' })
    expect(caiso.emptyMessage).toBe('No day-ahead prices are stored for CAISO yet.')
    const pdf = await renderReportPdf(deps(), { kind: 'market-summary', params: { market: 'CAISO' } })
    expect(pdfText(pdf.pdf)).toContain('No day-ahead prices are stored for CAISO yet.')
  })

  it('refuses a bad parameter naming it and its value', async () => {
    const error = await marketSummary(deps(), { market: 'MISO', date: '2026-13-45' }).catch((e: unknown) => e)
    expect(isAppError(error) && error.code).toBe('BAD_REQUEST')
    expect((error as Error).message).toMatch(/^date: .*\(got "2026-13-45"\)/)
    const market = await renderReportPdf(deps(), { kind: 'market-summary', params: { market: 'ENTSOE' as 'MISO' } }).catch((e: unknown) => e)
    expect(isAppError(market) && market.code).toBe('BAD_REQUEST')
    expect((market as Error).message).toMatch(/^params\.market: /)
  })

  it('renders a PDF whose text has every hub and the same DA and on-peak averages, drawn as vectors', async () => {
    const report = await marketSummary(deps(), { market: 'MISO' })
    const rendered = await renderReportPdf(deps(), { kind: 'market-summary', params: { market: 'MISO' } })
    expect(rendered).toMatchObject({ filename: `254carbon-MISO-market-summary-${DAY}.pdf`, reportDate: DAY, markets: ['MISO'] })
    expect(Buffer.from(rendered.pdf.subarray(0, 5)).toString()).toBe('%PDF-')
    const text = pdfText(rendered.pdf)
    for (const row of report.nodes) {
      const line = text.split('\n').find((l) => l.trim().startsWith(`${row.node} `))
      expect(line, row.node).toBeDefined()
      const cells = line!.trim().split(/\s{2,}|\s(?=[-+\d])/).filter(Boolean)
      expect(cells.slice(1, 7), row.node).toEqual([formatPrice(row.da), formatPrice(row.rt), formatPrice(row.onPeak), formatPrice(row.offPeak), formatChange(row.spread), formatChange(row.change)])
    }
    expect(text).toContain('Data health of 2026-11-19')
    // Vector chart: path operators in the content streams, no image XObject.
    const streams = contentStreams(rendered.pdf)
    expect(streams).toMatch(/[\d.]+ [\d.]+ m\s+[\d.]+ [\d.]+ l/)
    expect(Buffer.from(rendered.pdf).toString('latin1')).not.toContain('/Subtype /Image')
    // The same view drives the HTML page: its hub table rows are the PDF's strings.
    const view = reportView(report)
    const hubs = view.sections.find((s) => s.kind === 'table' && s.title.startsWith('Hubs'))
    expect(hubs?.kind === 'table' && hubs.rows.map((r) => r[0])).toEqual(report.nodes.filter((n) => n.type === 'hub').map((n) => n.node))
  })
  it('takes the day before when the latest day of DA prices is not complete yet', async () => {
    const start = Date.parse('2026-11-20T05:00:00Z')
    const partial: PriceRecord[] = hourlyRecords('INDIANA.HUB', 'DA', start, 6, (h) => 40 + h)
    await insertPrices(platform.ch, partial)
    expect((await marketSummary(deps(), { market: 'MISO' })).date).toBe(DAY)
    const asked = await marketSummary(deps(), { market: 'MISO', date: '2026-11-20' })
    expect(asked.nodes.map((n) => [n.node, n.da])).toEqual([['INDIANA.HUB', 42.5]])
  })

  it('takes the real-time run that covers the most nodes that day, even when the first node has another one', async () => {
    // 2026-11-17 has DA and RT5 at every node; add hourly RT (RTH) at the first listed node only.
    const first = (await marketSummary(deps(), { market: 'MISO', date: '2026-11-17' })).nodes[0]!.node
    const start = dayStartUtc('2026-11-17', 'Etc/GMT+5').getTime()
    const hourly: PriceRecord[] = hourlyRecords(first, 'RTH', start, 24, () => 99)
    // The first node's RT5 prices of that day are gone (a feed outage): only RTH is left there.
    await platform.ch.client.command({
      query: "ALTER TABLE prices DELETE WHERE market = 'MISO' AND node = {node:String} AND run = 'RT5' AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}",
      query_params: { node: first, from: new Date(start).toISOString().replace('T', ' ').replace('Z', ''), to: new Date(start + 86_400_000).toISOString().replace('T', ' ').replace('Z', '') },
      clickhouse_settings: { mutations_sync: '2' },
    })
    await insertPrices(platform.ch, hourly)
    const report = await marketSummary(deps(), { market: 'MISO', date: '2026-11-17' })
    expect(report.rtRun).toBe('RT5')
    expect(report.nodes.find((n) => n.node === first)!.rt).toBeNull()
  })

  it('never defaults to today: its day-ahead prices are complete, its real-time prices are not', async () => {
    const today = dateIn(new Date(), 'Etc/GMT+5')
    const start = dayStartUtc(today, 'Etc/GMT+5').getTime()
    const wholeDay: PriceRecord[] = hourlyRecords('INDIANA.HUB', 'DA', start, 24, () => 30)
    await insertPrices(platform.ch, wholeDay)
    expect((await marketSummary(deps(), { market: 'MISO' })).date).toBe(addDays(today, -1))
  })
})

describe('curve report', () => {
  const indiana = DEMO_CURVE_HUBS.find((h) => h.node === 'INDIANA.HUB')!
  const requester = { userId: null, label: 'reports-int-test', organizationId: null }

  beforeAll(async () => {
    await seedHouseScenarios(platform.pg.db)
    for (const asOf of ['2026-10-29', '2026-10-30']) {
      const queued = await requestBuild({ db: platform.pg.db, bus: platform.bus }, { market: 'MISO', node: 'INDIANA.HUB', asOf, quotes: demoQuotes(indiana, asOf), source: 'api' }, requester)
      const done = await waitForBuild(platform.pg.db, queued.id, 90_000)
      expect(done.status, done.error ?? '').toBe('done')
    }
  })

  it('shows the curve to Cal-2050 with the change against the as-of date before, and renders it', async () => {
    const report = await curveReport(deps(), { market: 'MISO', node: 'INDIANA.HUB' })
    expect(report).toMatchObject({ asOf: '2026-10-30', compareTo: '2026-10-29', compareMessage: null, owner: 'house' })
    expect(report.rows[0]!.period).toMatch(/^2026-Q4$/)
    expect(report.rows.at(-1)!.period).toBe('Cal-2050')
    const withChange = report.rows.filter((r) => r.change !== null)
    expect(withChange.length).toBeGreaterThan(40)
    for (const row of withChange) expect(row.change!.atc).toBeCloseTo(row.atc! - row.compared!.atc, 1)
    const first = await curveReport(deps(), { market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-10-29' })
    expect(first.compareTo).toBeNull()
    expect(first.compareMessage).toBe('No curve was built before 2026-10-29 to compare with.')
    const missing = await curveReport(deps(), { market: 'MISO', node: 'INDIANA.HUB', compareTo: '2020-01-01' }).catch((e: unknown) => e)
    expect(isAppError(missing) && missing.code).toBe('NOT_FOUND')

    const rendered = await renderReportPdf(deps(), { kind: 'curve', params: { market: 'MISO', node: 'INDIANA.HUB' } })
    expect(rendered).toMatchObject({ filename: '254carbon-MISO-INDIANA.HUB-curve-2026-10-30.pdf', reportDate: '2026-10-30', markets: ['MISO'] })
    const text = pdfText(rendered.pdf)
    expect(text).toContain('Cal-2050')
    const cal = report.rows.at(-1)!
    expect(text).toMatch(new RegExp(`Cal-2050\\s+${formatPrice(cal.onpeak).replace('.', '\\.')}\\s+${formatPrice(cal.offpeak).replace('.', '\\.')}\\s+${formatPrice(cal.atc).replace('.', '\\.')}`))
  })
})

describe('scenario report', () => {
  let baseRunId = ''
  let orgRunId = ''
  let orgA = ''
  let orgB = ''

  beforeAll(async () => {
    await seedHouseScenarios(platform.pg.db)
    baseRunId = (await requestHouseBaseRun({ db: platform.pg.db, bus: platform.bus, log })).runId
    expect((await waitForRun(platform.pg.db, HOUSE_ACCESS, baseRunId, 120_000)).status).toBe('done')
    orgA = await createTestOrganization(platform.pg.db, 'reports-org-a')
    orgB = await createTestOrganization(platform.pg.db, 'reports-org-b')
    const access = { organizationId: orgA, userId: null, label: 'ann@org-a.example' }
    const saved = await saveScenario(platform.pg.db, access, { text: 'scenario "Cheap gas" extends "base"\nset fuel.gas = 2.5 $/MMBtu from 2027-01\n' })
    const queued = await requestRun({ db: platform.pg.db, bus: platform.bus, log }, access, { scenarioId: saved.id, mode: 'montecarlo', draws: 20, seed: 3 })
    orgRunId = queued.runId
    expect((await waitForRun(platform.pg.db, access, orgRunId, 120_000)).status).toBe('done')
  })

  it('shows assumptions, yearly prices with bands, mix and lineage of a Monte Carlo run', async () => {
    const report = await scenarioReport(deps(), { runId: orgRunId }, { organizationId: orgA }, ['MISO'])
    expect(report).toMatchObject({ runId: orgRunId, owner: 'organization', mode: 'montecarlo', bands: true, markets: ['MISO'] })
    expect(report.text).toContain('Cheap gas')
    expect(report.lineage.chain.map((l) => l.name)).toEqual(['Cheap gas', 'base'])
    expect(report.prices.length).toBeGreaterThan(0)
    expect(report.prices.every((p) => p.market === 'MISO' && p.onpeakP10 <= p.onpeakP90)).toBe(true)
    expect(report.prices.some((p) => p.year === 2050)).toBe(true)
    expect(report.mixYears).toContain(2050)
    expect(report.mix.length).toBeGreaterThan(0)
    const rendered = await renderReportPdf(deps(), { kind: 'scenario', params: { runId: orgRunId } }, { organizationId: orgA })
    expect(rendered.markets.sort()).toEqual(['CAISO', 'MISO'])
    const text = pdfText(rendered.pdf)
    expect(text).toContain(orgRunId.slice(0, 16))
    expect(text).toContain('Monte Carlo bands')
    const p2050 = report.prices.find((p) => p.year === 2050)!
    expect(text).toMatch(new RegExp(`${p2050.hub}\\s+2050\\s+${formatPrice(p2050.onpeak).replace('.', '\\.')}\\s+${formatPrice(p2050.offpeak).replace('.', '\\.')}`))
  })

  it('does not show another organization its run, and shows everyone a house run', async () => {
    const hidden = await renderReportPdf(deps(), { kind: 'scenario', params: { runId: orgRunId } }, { organizationId: orgB }).catch((e: unknown) => e)
    expect(isAppError(hidden) && hidden.code).toBe('NOT_FOUND')
    const house = await scenarioReport(deps(), { runId: baseRunId }, { organizationId: orgB })
    expect(house).toMatchObject({ owner: 'house', mode: 'deterministic', bands: false })
  })
})
