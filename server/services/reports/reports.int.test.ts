import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import { DEMO_CURVE_HUBS, DEMO_NODES, demoQuotes, generateDemoPrices } from '@carbon/demo-data'
import { addDays, dateIn, datePeriod, dayStartUtc, isOnPeak, type PriceRecord, type SeriesRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { isAppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { startCurveSolver, type CurveSolver } from '../../workers/curve-solver.ts'
import { startScenarioWorker, type ScenarioWorker } from '../../workers/scenario-worker.ts'
import { requestBuild, requestFuelBuild, waitForBuild } from '../curves/index.ts'
import { upsertNodes } from '../nodes/index.ts'
import { insertPrices } from '../prices/index.ts'
import { insertSeriesValues } from '../series/store.ts'
import { requestHouseBaseRun, requestRun, saveScenario, seedHouseScenarios, waitForRun } from '../scenarios/index.ts'
import { HOUSE_ACCESS } from '../scenarios/schemas.ts'
import { createTestOrganization, openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { formatChange, formatPrice } from './format.ts'
import { curveReport, fuelsReport, marketSummary, renderReportPdf, renderViewPdf, reportFilename, reportView, scenarioReport, type ReportDeps } from './index.ts'

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

describe('fuels report (gas, LNG and environmental)', () => {
  /*
   * Series written with the series consumer's own writer (insertSeriesValues) into the platform's
   * chDB: Henry Hub daily on weekdays from 2026-08-03 to 2026-11-20 (a Friday) and monthly, Chicago
   * Citygates on the last two days, JKM weekly (weeks ending Wednesday; the week ending 2026-11-25
   * has not ended by 2026-11-20), LCFS weekly and CARB's monthly transfers, two REC series; Henry
   * Hub forward curves built through the solver: a house one as of 2026-11-18 and an organization's
   * own as of 2026-11-19.
   */
  const DATE = '2026-11-20'
  const hhDaily = new Map<string, number>()
  let org = ''
  const gas = (series: string, date: string, frequency: 'day' | 'week' | 'month', value: number, extra: Partial<SeriesRecord> = {}): SeriesRecord => ({
    product: 'GAS',
    market: null,
    series,
    measure: 'price',
    frequency,
    ...datePeriod(date, frequency),
    value,
    unit: '$/MMBtu',
    attributes: {},
    source: 'reports-test',
    publishedAt: null,
    ...extra,
  })
  const HENRY_CSV = ['contract,price', '2027-01,4.35', '2027-02,4.12', '2027-03,3.71', '2027-Q2,3.44', '2027-Q3,3.72', '2027-Q4,3.95', 'Cal-2028,3.88', 'Cal-2029,3.79'].join('\n')

  beforeAll(async () => {
    const records: SeriesRecord[] = []
    for (let date = '2026-08-03', i = 0; date <= DATE; date = addDays(date, 1)) {
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
      if (weekday === 0 || weekday === 6) continue
      const value = Number((2.8 + 0.013 * i++ + (weekday === 5 ? 0.125 : 0)).toFixed(3))
      hhDaily.set(date, value)
      records.push(gas('HENRY_HUB', date, 'day', value))
    }
    records.push(gas('HENRY_HUB', '2026-09-01', 'month', 3.05), gas('HENRY_HUB', '2026-10-01', 'month', 3.275), gas('HENRY_HUB', '2026-11-01', 'month', 9.99))
    // ICE's high of the day is a series of its own: not a hub row.
    records.push(gas('CHICAGO_CITYGATES', '2026-11-19', 'day', 3.6), gas('CHICAGO_CITYGATES', DATE, 'day', 3.41), gas('CHICAGO_CITYGATES.HIGH', DATE, 'day', 3.55))
    records.push(
      gas('JKM', '2026-11-11', 'week', 12.4, { product: 'LNG' }),
      gas('JKM', '2026-11-18', 'week', 12.855, { product: 'LNG' }),
      gas('JKM', '2026-11-25', 'week', 99, { product: 'LNG' }),
    )
    const lcfs = (measure: SeriesRecord['measure'], frequency: 'week' | 'month', date: string, value: number, unit: SeriesRecord['unit'], source: string): SeriesRecord => ({
      ...gas('LCFS_CREDIT', date, frequency, value, { product: 'LCFS', measure, unit, source }),
    })
    records.push(
      lcfs('price', 'week', '2026-11-13', 64.5, '$/MT', 'carb.lcfs.weekly'),
      lcfs('price', 'week', '2026-11-20', 62.25, '$/MT', 'carb.lcfs.weekly'),
      lcfs('volume', 'week', '2026-11-20', 185_000, 'MT', 'carb.lcfs.weekly'),
      lcfs('price', 'month', '2026-09-01', 70, '$/MT', 'carb.lcfs.monthly_transfers'),
      lcfs('price', 'month', '2026-10-01', 66.4, '$/MT', 'carb.lcfs.monthly_transfers'),
      lcfs('volume', 'month', '2026-10-01', 2_100_000, 'MT', 'carb.lcfs.monthly_transfers'),
      lcfs('transfers', 'month', '2026-10-01', 412, 'count', 'carb.lcfs.monthly_transfers'),
    )
    const rec = (series: string, date: string, value: number, vintage: string): SeriesRecord =>
      gas(series, date, 'day', value, { product: 'REC', unit: '$/MWh', attributes: { state: 'NJ', program: 'NJ RPS', class: 'SOLAR', vintage } })
    records.push(rec('REC.NJ.SOLAR.2026', '2026-11-17', 221.5, '2026'), rec('REC.NJ.SOLAR.2026', '2026-11-19', 223.75, '2026'), rec('REC.NJ.SOLAR.2027', '2026-11-02', 230, '2027'))
    await insertSeriesValues(platform.ch, records, { ingestedAt: new Date().toISOString(), rawKey: 'reports-test' })

    org = await createTestOrganization(platform.pg.db, 'reports-fuels-org')
    const builds: [string, string | null][] = [
      ['2026-11-18', null],
      ['2026-11-19', org],
    ]
    for (const [asOf, organizationId] of builds) {
      const csv = organizationId ? HENRY_CSV.replace('Cal-2028,3.88', 'Cal-2028,4.02') : HENRY_CSV
      const queued = await requestFuelBuild(
        { db: platform.pg.db, bus: platform.bus },
        { product: 'GAS', curve: 'HENRY_HUB', asOf, quotesCsv: csv, source: 'api' },
        { userId: null, label: 'reports-int-test', organizationId },
      )
      const done = await waitForBuild(platform.pg.db, queued.id, 90_000)
      expect(done.status, done.error ?? '').toBe('done')
    }
  }, 180_000)

  const ALL = ['GAS', 'LNG', 'LCFS', 'REC'] as const

  it('reports Henry Hub latest and changes, hub and JKM basis, LCFS and RECs as the stored values give them', async () => {
    const report = await fuelsReport(deps(), {}, { organizationId: null, products: ALL })
    expect(report).toMatchObject({ kind: 'fuels', date: DATE, products: [...ALL], leftOut: [], emptyMessage: null })
    const hh = (d: string) => hhDaily.get(d)!
    const r3 = (x: number) => Number(x.toFixed(3))
    expect(report.henryHub!.daily).toEqual({
      date: DATE,
      price: hh(DATE),
      day: { against: '2026-11-19', value: r3(hh(DATE) - hh('2026-11-19')) },
      week: { against: '2026-11-13', value: r3(hh(DATE) - hh('2026-11-13')) },
      month: { against: '2026-10-20', value: r3(hh(DATE) - hh('2026-10-20')) },
    })
    // November has not ended by the 20th: October is the latest month, against September.
    expect(report.henryHub!.monthly).toEqual({ month: '2026-10', price: 3.275, change: { against: '2026-09', value: 0.225 } })
    expect(report.chart).toHaveLength([...hhDaily.keys()].filter((d) => d >= addDays(DATE, -89)).length)
    expect(report.chart.at(-1)).toEqual({ date: DATE, price: hh(DATE) })
    expect(report.hubs).toEqual([
      { series: 'CHICAGO_CITYGATES', name: 'Chicago Citygates', date: DATE, price: 3.41, unit: '$/MMBtu', henryHub: hh(DATE), basis: r3(3.41 - hh(DATE)), note: null },
    ])
    // JKM of the week ending Wednesday 2026-11-18 minus the Henry Hub average of Thursday 12th to Wednesday 18th (5 trading days).
    const week = ['2026-11-12', '2026-11-13', '2026-11-16', '2026-11-17', '2026-11-18'].map(hh)
    const average = week.reduce((a, b) => a + b, 0) / week.length
    expect(report.lng).toHaveLength(1)
    expect(report.lng![0]).toMatchObject({ series: 'JKM', weekEnding: '2026-11-18', price: 12.855, henryHubDays: 5, henryHubAverage: r3(average) })
    expect(report.lng![0]!.basis).toBeCloseTo(12.855 - average, 3)
    expect(report.lcfs).toEqual([
      { cadence: 'week', period: DATE, price: 62.25, priceChange: { against: '2026-11-13', value: -2.25 }, volume: 185000, transfers: null, priceUnit: '$/MT', volumeUnit: 'MT' },
      { cadence: 'month', period: '2026-10', price: 66.4, priceChange: { against: '2026-09', value: -3.6 }, volume: 2100000, transfers: 412, priceUnit: '$/MT', volumeUnit: 'MT' },
    ])
    expect(report.recs).toEqual([
      { series: 'REC.NJ.SOLAR.2026', state: 'NJ', program: 'NJ RPS', class: 'SOLAR', vintage: '2026', date: '2026-11-19', price: 223.75, unit: '$/MWh' },
      { series: 'REC.NJ.SOLAR.2027', state: 'NJ', program: 'NJ RPS', class: 'SOLAR', vintage: '2027', date: '2026-11-02', price: 230, unit: '$/MWh' },
    ])
  })

  it('picks the Henry Hub forward build as the curve report does: the organization’s own before the house’s, on or before the date', async () => {
    const house = await fuelsReport(deps(), { date: DATE }, { organizationId: null, products: ['GAS'] })
    expect(house.forward).toMatchObject({ asOf: '2026-11-18', owner: 'house', unit: 'USD/MMBtu' })
    const rows = house.forward!.rows
    // The curve starts the month after its as-of date: 2026-12 to 2027-11 month by month, the rest of 2027, then calendar years.
    expect(rows.slice(0, 12).map((r) => r.period)).toEqual(['2026-12', ...Array.from({ length: 11 }, (_, i) => `2027-${String(i + 1).padStart(2, '0')}`)])
    expect(rows[0]!.price).toBe(Number(rows[0]!.price.toFixed(3)))
    expect(rows[12]).toMatchObject({ period: '2027-12', first: '2027-12', last: '2027-12' })
    expect(rows[13]).toMatchObject({ period: 'Cal-2028', price: 3.88 })
    expect(rows.at(-1)!.period).toBe('Cal-2050')
    const own = await fuelsReport(deps(), { date: DATE }, { organizationId: org, products: ['GAS'] })
    expect(own.forward).toMatchObject({ asOf: '2026-11-19', owner: 'organization' })
    expect(own.forward!.rows[13]).toMatchObject({ period: 'Cal-2028', price: 4.02 })
    const before = await fuelsReport(deps(), { date: '2026-11-18' }, { organizationId: org, products: ['GAS'] })
    expect(before.forward).toMatchObject({ asOf: '2026-11-18', owner: 'house' })
    const none = await fuelsReport(deps(), { date: '2026-11-17' }, { organizationId: org, products: ['GAS'] })
    expect(none.forward).toBeNull()
    expect(none.forwardMessage).toBe('No Henry Hub forward curve was built on or before 2026-11-17.')
  })

  it('leaves out the products not held and reads well as of a day before any value', async () => {
    const reduced = await fuelsReport(deps(), {}, { organizationId: null, products: ['LCFS', 'REC'] })
    expect(reduced).toMatchObject({ products: ['LCFS', 'REC'], leftOut: ['GAS', 'LNG'], henryHub: null, hubs: null, forward: null, lng: null, chart: [] })
    // The default date comes from the products shown: the latest REC quote.
    expect(reduced.date).toBe('2026-11-19')
    const view = reportView(reduced)
    expect(view.sections.map((s) => s.title)).toEqual(['LCFS credits', 'REC quotes (latest per series)', 'Not in this report'])
    // A later date: each section shows its latest value however old, with its date; the chart ends at Henry Hub's last day.
    const later = await fuelsReport(deps(), { date: '2027-03-01' }, { organizationId: null, products: ALL })
    expect(later.henryHub!.daily).toMatchObject({ date: DATE, price: hhDaily.get(DATE) })
    expect(later.henryHub!.monthly?.month).toBe('2026-11')
    expect(later.chart.at(-1)?.date).toBe(DATE)
    expect(later.lng![0]).toMatchObject({ series: 'JKM', weekEnding: '2026-11-25', price: 99 })
    expect(later.recs!.map((r) => r.date)).toEqual(['2026-11-19', '2026-11-02'])
    const early = await fuelsReport(deps(), { date: '2025-01-01' }, { organizationId: null, products: ALL })
    expect(early.emptyMessage).toBe('No GAS, LNG, LCFS, REC value is stored on or before 2025-01-01.')
    expect(reportView(early).message).toBe(early.emptyMessage)
    const bad = await fuelsReport(deps(), { date: '2026-02-30' }, { organizationId: null, products: ALL }).catch((e: unknown) => e)
    expect(isAppError(bad) && bad.code === 'BAD_REQUEST' && bad.message).toMatch(/^date: .*"2026-02-30"/)
  })

  it('renders the PDF with the page’s strings: Henry Hub, the hub basis, JKM and the forward curve', async () => {
    const report = await fuelsReport(deps(), { date: DATE }, { organizationId: null, products: ALL })
    const view = reportView(report)
    const pdf = await renderViewPdf(view)
    expect(reportFilename(report)).toBe(`254carbon-fuels-${DATE}.pdf`)
    const text = pdfText(pdf)
    expect(text).toContain('Gas, LNG and environmental')
    const table = (title: string) => {
      const section = view.sections.find((s) => s.title.startsWith(title))
      return section?.kind === 'table' ? section.rows : []
    }
    const lines = text.split('\n').map((l) => l.trim())
    const rows = [...table('Henry Hub ('), ...table('Gas hubs'), ...table('LNG'), ...table('Henry Hub forward').slice(0, 15), ...table('REC quotes')]
    expect(rows).toHaveLength(2 + 1 + 1 + 15 + 2)
    for (const row of rows) {
      const line = lines.find((l) => l.startsWith(`${row[0]} `) && l.includes(row[1]!))
      expect(line, row.join(' | ')).toBeDefined()
      for (const cell of row.slice(2)) expect(line, row[0]).toContain(cell)
    }
    // The Henry Hub chart is drawn as vectors.
    expect(contentStreams(pdf)).toMatch(/[\d.]+ [\d.]+ m\s+[\d.]+ [\d.]+ l/)
  })
})
