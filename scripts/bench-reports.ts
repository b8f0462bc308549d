/**
 * `npm run bench:reports`: the delivery channel's speed on the embedded default (PGlite + chDB, a
 * local object store), each side against a peer measured in the same run. The last line is one
 * JSON object.
 *
 * 1. Market summary PDF (MISO, the latest complete day of 7 demo days): the report's data (the
 *    service queries), the PDF render (@react-pdf/renderer, vector charts) and the whole
 *    renderReportPdf, first call and warm (median and p95 of BENCH_REPORT_RUNS). Peer: Chromium
 *    (Debian's, through playwright-core, browser already running) printing the same report's HTML
 *    page to PDF with page.pdf(): the usual way to make a PDF from a web page. Goal: under 500 ms.
 * 2. Export of one year of 5-minute prices for 100 nodes (10,512,000 rows, generated inside chDB by
 *    INSERT ... SELECT FROM numbers()) to CSV and to Parquet by the export worker's own function
 *    (executeExport: reads through the prices service, writes the file, uploads it to the object
 *    store). Peer: ClickHouse itself writing the same rows (SELECT ... FROM prices FINAL, the same
 *    columns and order) as CSVWithNames and as Parquet into a file (INTO OUTFILE). Reported: rows/s,
 *    bytes, bytes per row, and our rows/s over ClickHouse's.
 *
 * BENCH_EXPORT_NODES (default 100) and BENCH_EXPORT_DAYS (default 365) shrink the export for a
 * quick look; the JSON says what was run.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { chromium } from 'playwright-core'
import { pino } from 'pino'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { ReportBody } from '../app/components/reports/report-view.tsx'
import { createProgress } from '../server/cli/progress.ts'
import { parseEnv } from '../server/env.ts'
import { openPlatform, type Platform } from '../server/platform.ts'
import { DEMO_USERS } from '../server/services/auth/demo-identities.ts'
import { seedDemo } from '../server/services/demo/index.ts'
import { createExport, executeExport, type ExportDeps } from '../server/services/exports/index.ts'
import { renderReportPdf, renderViewPdf, reportData, reportView, type ReportRequest } from '../server/services/reports/index.ts'
import { provisionDemoUser } from '../tests/support/demo-users.ts'

const REPORT_RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 10)
const EXPORT_NODES = Number(process.env.BENCH_EXPORT_NODES ?? 100)
const EXPORT_DAYS = Number(process.env.BENCH_EXPORT_DAYS ?? 365)
const INTERVALS_PER_DAY = 288
const END = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000)
const EXPORT_FROM = new Date(END.getTime() - EXPORT_DAYS * 86_400_000)

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * 0.95) - 1)]!

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now()
  const value = await work()
  return { ms: performance.now() - started, value }
}

async function benchMarketSummary(platform: Platform) {
  const deps = { db: platform.pg.db, ch: platform.ch, log: platform.log }
  const request: ReportRequest = { kind: 'market-summary', params: { market: 'MISO' } }
  const first = await timed(() => renderReportPdf(deps, request))
  const data: number[] = []
  const render: number[] = []
  const whole: number[] = []
  let html = ''
  for (let i = 0; i < REPORT_RUNS; i++) {
    const loaded = await timed(() => reportData(deps, request))
    const view = reportView(loaded.value)
    const rendered = await timed(() => renderViewPdf(view))
    data.push(loaded.ms)
    render.push(rendered.ms)
    whole.push((await timed(() => renderReportPdf(deps, request))).ms)
    html = reportHtml(view)
  }
  const chromiumMs = await chromiumPrint(html)
  return {
    what: 'MISO market summary PDF of its default day (the latest that has ended) over 7 demo days: data = the service queries; render = @react-pdf/renderer on the finished view; whole = renderReportPdf',
    day: first.value.reportDate,
    pdfBytes: first.value.pdf.byteLength,
    firstMs: round(first.ms),
    dataMedianMs: round(median(data)),
    renderMedianMs: round(median(render)),
    renderP95Ms: round(p95(render)),
    wholeMedianMs: round(median(whole)),
    wholeP95Ms: round(p95(whole)),
    goalMs: 500,
    peer: {
      what: "Chromium (warm browser, playwright-core page.setContent + page.pdf) printing the same report's HTML page",
      medianMs: round(median(chromiumMs)),
    },
    renderSpeedupOverChromium: round(median(chromiumMs) / median(render), 2),
  }
}

/** The report's HTML page as the hub serves it (its body and the report stylesheet), for Chromium to print. */
function reportHtml(view: ReturnType<typeof reportView>): string {
  const css = fs.readFileSync(path.join(import.meta.dirname, '../app/styles/reports.css'), 'utf8')
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>${css}</style></head><body>${renderToStaticMarkup(createElement(ReportBody, { view }))}</body></html>`
}

async function chromiumPrint(html: string): Promise<number[]> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await browser.newPage()
    await page.setContent(html) // first load: fonts and layout caches
    await page.pdf({ format: 'Letter' })
    const times: number[] = []
    for (let i = 0; i < REPORT_RUNS; i++) {
      times.push(
        (
          await timed(async () => {
            await page.setContent(html)
            return page.pdf({ format: 'Letter', printBackground: true })
          })
        ).ms,
      )
    }
    return times
  } finally {
    await browser.close()
  }
}

function benchNodes(): string[] {
  return Array.from({ length: EXPORT_NODES }, (_, i) => `BENCH.NODE.${String(i + 1).padStart(3, '0')}`)
}

/** One year of RT5 prices for the bench nodes, generated inside chDB (a smooth daily shape plus noise). */
async function seedExportPrices(platform: Platform): Promise<number> {
  const rows = EXPORT_NODES * EXPORT_DAYS * INTERVALS_PER_DAY
  process.stderr.write(`Generating ${rows.toLocaleString('en-US')} five-minute prices in chDB...\n`)
  await platform.ch.client.command({
    query: `
      INSERT INTO prices (market, node, run, interval_start, interval_end, interval_minutes, lmp, energy, congestion, loss, ghg, source, published_at, ingested_at)
      SELECT
        'MISO',
        concat('BENCH.NODE.', leftPad(toString(intDiv(number, {per:UInt64}) + 1), 3, '0')),
        'RT5',
        toDateTime64({from:DateTime64(3, 'UTC')}, 3, 'UTC') + toIntervalMinute(5 * (number % {per:UInt64})),
        toDateTime64({from:DateTime64(3, 'UTC')}, 3, 'UTC') + toIntervalMinute(5 * (number % {per:UInt64}) + 5),
        5,
        round(30 + 12 * sin((number % 288) / 288 * 2 * pi()) + (cityHash64(number) % 2000) / 100 - 10, 2) AS lmp,
        round(lmp - 1.5, 2),
        round(1 + (cityHash64(number, 1) % 300) / 100, 2),
        0.5,
        NULL,
        'bench.generated',
        NULL,
        now64(3)
      FROM numbers({rows:UInt64})`,
    query_params: { per: EXPORT_DAYS * INTERVALS_PER_DAY, from: EXPORT_FROM.toISOString().replace('T', ' ').replace('Z', ''), rows },
  })
  return rows
}

async function benchExport(platform: Platform, format: 'csv' | 'parquet', admin: Awaited<ReturnType<typeof provisionDemoUser>>['principal']) {
  const deps: ExportDeps = { db: platform.pg.db, ch: platform.ch, bus: platform.bus, objects: platform.objects, env: platform.env, log: platform.log }
  const job = await createExport(deps, admin, 'hub', {
    dataset: 'prices',
    market: 'MISO',
    nodes: benchNodes(),
    run: 'RT5',
    from: EXPORT_FROM.toISOString(),
    to: END.toISOString(),
    resolution: 'raw',
    format,
  })
  const progress = createProgress(`Exporting ${format}`, 1000)
  let shown = 0
  const timer = setInterval(() => {
    void platform.pg.db.query.exportJobs.findFirst({ where: (t, { eq }) => eq(t.id, job.id) }).then((row) => {
      const now = Math.round((row?.progress ?? 0) * 1000)
      if (now > shown) progress.tick(now - shown)
      shown = Math.max(shown, now)
    })
  }, 1000)
  const run = await timed(() => executeExport(deps, job.id)).finally(() => clearInterval(timer))
  progress.finish()
  const row = run.value
  if (!row || row.status !== 'done') throw new Error(`export ${format} did not finish: ${row?.status} ${row?.error ?? ''}`)
  const rows = row.rows ?? 0
  const bytes = row.bytes ?? 0
  return { rows, bytes, seconds: round(run.ms / 1000, 2), rowsPerSecond: Math.round(rows / (run.ms / 1000)), bytesPerRow: round(bytes / rows, 2), estimatedBytes: job.estimatedBytes }
}

/** ClickHouse writing the same rows and columns into a file: the engine's own CSV and Parquet writers. */
async function clickHousePeer(platform: Platform, format: 'csv' | 'parquet', dir: string) {
  const file = path.join(dir, `peer.${format}`)
  // INTO OUTFILE takes a literal, not a parameter: the path is our own temporary folder's, checked to be plain.
  if (!/^[\w./-]+$/.test(file)) throw new Error(`unexpected temporary path ${file}`)
  const started = performance.now()
  await platform.ch.client.command({
    query: `
      SELECT market, node, run, interval_start, interval_end, lmp, energy, congestion, loss
      FROM prices FINAL
      WHERE market = 'MISO' AND run = 'RT5' AND node IN {nodes:Array(String)}
        AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}
      ORDER BY node, interval_start
      INTO OUTFILE '${file}' TRUNCATE
      FORMAT ${format === 'csv' ? 'CSVWithNames' : 'Parquet'}`,
    query_params: {
      nodes: benchNodes(),
      from: EXPORT_FROM.toISOString().replace('T', ' ').replace('Z', ''),
      to: END.toISOString().replace('T', ' ').replace('Z', ''),
    },
  })
  const seconds = (performance.now() - started) / 1000
  const bytes = fs.statSync(file).size
  fs.rmSync(file)
  return { bytes, seconds: round(seconds, 2) }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-reports-'))
  const platform = await openPlatform(parseEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), pino({ level: 'warn' }))
  try {
    await seedDemo(platform, { days: 7, end: END, progress: (total) => createProgress('Seeding 7 demo days', total) })
    const report = await benchMarketSummary(platform)
    process.stderr.write(`market summary PDF: render ${report.renderMedianMs} ms (Chromium ${report.peer.medianMs} ms)\n`)

    const generatedRows = await seedExportPrices(platform)
    const admin = (await provisionDemoUser(platform.pg.db, DEMO_USERS.find((u) => u.username === 'admin')!)).principal
    const exports: Record<string, unknown> = {}
    for (const format of ['csv', 'parquet'] as const) {
      const ours = await benchExport(platform, format, admin)
      const peer = await clickHousePeer(platform, format, dataDir)
      const peerRowsPerSecond = Math.round(ours.rows / peer.seconds)
      exports[format] = { ...ours, peer: { what: `ClickHouse (chDB) SELECT ... FINAL ORDER BY node, time INTO OUTFILE FORMAT ${format === 'csv' ? 'CSVWithNames' : 'Parquet'}`, ...peer, rowsPerSecond: peerRowsPerSecond }, ratioToClickHouse: round(ours.rowsPerSecond / peerRowsPerSecond, 3) }
      process.stderr.write(`export ${format}: ${ours.rowsPerSecond.toLocaleString('en-US')} rows/s, ${ours.bytes.toLocaleString('en-US')} bytes (ClickHouse ${peerRowsPerSecond.toLocaleString('en-US')} rows/s)\n`)
    }
    const result = {
      bench: 'reports',
      machine: { cpus: os.cpus().length, node: process.version },
      marketSummaryPdf: report,
      export: { what: `prices, ${EXPORT_NODES} nodes x ${EXPORT_DAYS} days of RT5 five-minute intervals, raw resolution, by the export worker's executeExport into the local object store`, generatedRows, ...exports },
    }
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    await platform.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
