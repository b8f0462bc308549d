/**
 * The publisher simulator: a plain `node:http` server answering on the publishers' own URL
 * shapes, from recorded files where it has them and generated full-size files otherwise.
 *
 *   GET /marketreports/{YYYYMMDD}_{da_expost_lmp|rt_lmp_final|rt_lmp_prelim}.csv     MISO market reports (404 until published)
 *   GET /api/MarketPricing/GetRealTimeFiveMinExPost/{Current|Rolling|Previous}        MISO public API, five-minute ex post
 *   GET /api/MarketPricing/GetExAnteLmp                                               MISO public API, ex ante (hubs)
 *   GET /oasisapi/SingleZip?queryname=..&startdatetime=..&enddatetime=..&market_run_id=..&version=..&resultformat=6&grp_type=ALL_APNODES|node=A,B
 *   GET /eia/..., /eia-api/v2/electricity/rto/..., /carb/...                          the series publishers (series/: EIA's
 *       files from the connectors' fixtures, EIA's API v2 EIA-930 answers generated, CARB's LCFS page and workbook)
 *   GET /dx/pricing/v1/{day-ahead|real-time}/{YYYY-MM-DD}/lmp-expost?pageNumber=N[&timeResolution=5min|hourly][&preliminaryFinal=Preliminary|Final]
 *       MISO Data Exchange pricing API (https://apim.misoenergy.org/pricing/v1), header Ocp-Apim-Subscription-Key
 *       (401 JSON without it; the `subscription-key` query form APIM also reads is not served). Paged
 *       (formats/miso-dx.ts); a day answers 404 until published: day-ahead with the DA report
 *       (misoDaExPost), real time from misoRtPrelim flagged Preliminary, from misoRtFinal Final.
 *
 * Time is `now()` (or what `setNow` fixed): it decides what is published (see schedule.ts).
 * OASIS answers stream: the CSV is generated node by node and deflated into the zip as the
 * response drains, so memory stays flat whatever the window. Windows are bounded the way
 * OASIS bounds them: 31 days for a node list, and for grp_type=ALL_APNODES one trade day
 * (PRC_LMP, up to 25 hours) or one hour (PRC_RTPD_LMP, PRC_INTVL_LMP); over that the zip holds
 * an ERR_CODE 1004 document.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FIXTURE_DIR, type CaisoQuery, type MisoReport } from '@carbon/connectors'
import { DEFAULT_DEMO_SEED } from '@carbon/demo-data'
import {
  breakText,
  breakZip,
  type FailureMode,
  FailurePlan,
  type FailureRule,
  type FeedId,
  htmlPage,
  type TextKind,
  unknownNode,
} from './failures.ts'
import { OASIS_ERRORS, OASIS_QUERIES, oasisCsv, oasisErrorXml, oasisFileStem, oasisIntervals } from './formats/caiso-oasis.ts'
import { misoExAnteJson, misoRt5Json } from './formats/miso-api.ts'
import { breakDxPage, DEFAULT_DX_PAGE_SIZE, type DxSeries, type DxState, misoDxPage } from './formats/miso-dx.ts'
import { misoReportCsv } from './formats/miso-report.ts'
import type { GenerateOptions } from './formats/options.ts'
import { PriceModel, RUN_STEP_MS } from './prices.ts'
import { MARKET_ROUTES } from './markets/index.ts'
import type { MarketRoute, SimAnswer } from './markets/types.ts'
import { createSeriesRoutes, type SeriesRoute } from './series/index.ts'
import { emptyRecorded, loadRecorded, type Recorded } from './recorded.ts'
import {
  caisoPublishedUntil,
  DEFAULT_SCHEDULE,
  misoCurrentInterval,
  misoLatestRt5,
  misoReportAvailable,
  misoReportPublishedAt,
  type PublicationSchedule,
} from './schedule.ts'
import { DAY, HOUR, misoDayOf, misoDayStart, parseOasisTime, parseYmd, type Ymd } from './time.ts'
import { type ByteSink, writeZip, zipBytes } from './zip.ts'

/**
 * How OASIS answers a client that asks again within `minIntervalMs` (default 5 s): `http-429`,
 * `html-200` (HTTP 200 with an HTML page), `alternate` (429, then HTML, then 429, ...), or `off`.
 * Clients are told apart by address plus an optional `x-simulator-client` header. `clock` (default
 * Date.now) measures the spacing: wall time, not the simulated `now`.
 */
export type ThrottleMode = 'off' | 'http-429' | 'html-200' | 'alternate'
export type ThrottleOptions = { mode?: ThrottleMode; minIntervalMs?: number; clock?: () => number }

export type OasisOptions = {
  /** Longest window per query for grp_type=ALL_APNODES; null lifts it (31 days still apply). */
  allNodesMaxWindowMs?: Partial<Record<CaisoQuery, number>> | null
  /** Deflate level of the zips (default 6). */
  zipLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
}

export type RequestLogEntry = {
  method: string
  path: string
  status: number
  feed: FeedId | null
  failure: FailureMode | null
  ms: number
}

export type PublisherSimulatorOptions = {
  /** Port to listen on (default 0: an ephemeral port). */
  port?: number
  /** Host to bind (default 127.0.0.1). */
  host?: string
  /** Seed of the catalogues and the price model (default the demo's, 254). */
  seed?: number
  /** The simulated clock (default the wall clock). */
  now?: () => Date
  /** Folder of recorded files (default the connectors' fixtures; null: none). */
  fixturesDir?: string | URL | null
  /** Failures to inject (see failures.ts). */
  failureModes?: readonly FailureRule[]
  /** Publication offsets (see schedule.ts). */
  schedule?: Partial<PublicationSchedule>
  throttle?: ThrottleOptions
  oasis?: OasisOptions
  /** Catalogue sizes (defaults 2,600 MISO, 4,000 CAISO). */
  nodes?: { miso?: number; caiso?: number }
  /** Called once per answered request. */
  onRequest?: (entry: RequestLogEntry) => void
  /**
   * The Data Exchange subscription key the simulator accepts (header Ocp-Apim-Subscription-Key);
   * default: any non-empty key.
   */
  dataExchangeKey?: string
  /** Records per Data Exchange page (default 1,000). */
  dataExchangePageSize?: number
  /** The routes of the markets added after the pilot (default every market's, markets/index.ts). */
  marketRoutes?: readonly MarketRoute[]
  /** The routes of the series publishers (default series/index.ts createSeriesRoutes(), any EIA API key accepted). */
  seriesRoutes?: readonly SeriesRoute[]
}

export type PublisherSimulator = {
  /** Base URL, `http://127.0.0.1:PORT`. */
  url: string
  /** The catalogues and prices behind the answers. */
  model: PriceModel
  /** Fixes the simulated clock at `d`. */
  setNow(d: Date): void
  /** Replaces the failure rules. */
  setFailureModes(rules: readonly FailureRule[]): void
  close(): Promise<void>
}

/** OASIS's limits for grp_type=ALL_APNODES (one trade day, at most 25 hours; one hour). */
export const OASIS_ALL_NODES_MAX_WINDOW_MS: Readonly<Record<CaisoQuery, number>> = {
  PRC_LMP: 25 * HOUR,
  PRC_RTPD_LMP: HOUR,
  PRC_INTVL_LMP: HOUR,
}
export const OASIS_MAX_WINDOW_MS = 31 * DAY

const CSV = 'text/csv'
const JSON_TYPE = 'application/json; charset=utf-8'
const HTML = 'text/html; charset=utf-8'
const ZIP = 'application/x-zip-compressed'
const TEXT_BREAKING = new Set<FailureMode>(['truncated', 'changed-header', 'non-numeric'])
/** Failures of an OASIS answer that change the zip or the CSV inside it. */
const ZIP_BREAKING = new Set<FailureMode>(['truncated', 'corrupt-zip', 'changed-header', 'non-numeric', 'empty'])

const REPORT_SOURCE: Record<MisoReport, FeedId> = {
  da_expost_lmp: 'miso.da_expost_lmp',
  rt_lmp_final: 'miso.rt_lmp_final',
  rt_lmp_prelim: 'miso.rt_lmp_prelim',
}
const OASIS_SOURCE: Record<CaisoQuery, FeedId> = {
  PRC_LMP: 'caiso.oasis.prc_lmp',
  PRC_INTVL_LMP: 'caiso.oasis.prc_intvl_lmp',
  PRC_RTPD_LMP: 'caiso.oasis.prc_rtpd_lmp',
}
/** The feed of each Data Exchange series (real-time hourly is one feed, preliminary or final). */
const DX_SOURCE: Record<DxSeries, FeedId> = {
  da: 'miso.dx.da_expost_lmp',
  rt5: 'miso.dx.rt_expost_lmp_5min',
  rth: 'miso.dx.rt_expost_lmp_final',
}
/** Failures of a Data Exchange answer that change the page's text. */
const DX_BREAKING = new Set<FailureMode>(['truncated', 'changed-header', 'non-numeric', 'empty'])
const DX_KEY_HEADER = 'ocp-apim-subscription-key'
const DX_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

class ClientGone extends Error {}

/** A sink writing to a response, waiting for 'drain' when the socket is full. */
function responseSink(res: ServerResponse): ByteSink {
  return (chunk) => {
    if (res.destroyed) throw new ClientGone()
    if (res.write(chunk)) return
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done)
        res.off('close', done)
        resolve()
      }
      res.on('drain', done)
      res.on('close', done)
    })
  }
}

type Answer = { feed: FeedId | null; failure: FailureMode | null }

export async function createPublisherSimulator(options: PublisherSimulatorOptions = {}): Promise<PublisherSimulator> {
  const model = new PriceModel({ seed: options.seed ?? DEFAULT_DEMO_SEED, misoNodes: options.nodes?.miso, caisoNodes: options.nodes?.caiso })
  const schedule: PublicationSchedule = { ...DEFAULT_SCHEDULE, ...options.schedule }
  const fixtures = options.fixturesDir === undefined ? FIXTURE_DIR : options.fixturesDir
  const recorded: Recorded = fixtures === null ? emptyRecorded() : loadRecorded(fixtures)
  const plan = new FailurePlan(options.failureModes)
  const throttleMode = options.throttle?.mode ?? 'off'
  const throttleGap = options.throttle?.minIntervalMs ?? 5000
  const wallClock = options.throttle?.clock ?? Date.now
  const lastSeen = new Map<string, number>()
  let throttled = 0
  const groupLimits = options.oasis?.allNodesMaxWindowMs === null ? null : { ...OASIS_ALL_NODES_MAX_WINDOW_MS, ...options.oasis?.allNodesMaxWindowMs }
  const zipLevel = options.oasis?.zipLevel ?? 6
  const dxPageSize = options.dataExchangePageSize ?? DEFAULT_DX_PAGE_SIZE
  if (!Number.isSafeInteger(dxPageSize) || dxPageSize < 1) throw new RangeError('dataExchangePageSize must be a whole number >= 1')
  let fixedNow: Date | null = null
  const nowMs = () => (fixedNow ?? options.now?.() ?? new Date()).getTime()

  const isHead = (req: IncomingMessage) => req.method === 'HEAD'

  function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(bytes.length), ...headers })
    res.end(isHead(req) ? undefined : bytes)
  }

  async function stream(req: IncomingMessage, res: ServerResponse, type: string, chunks: Iterable<string>, headers: Record<string, string> = {}) {
    res.writeHead(200, { 'Content-Type': type, ...headers })
    if (!isHead(req)) {
      const sink = responseSink(res)
      for (const chunk of chunks) await sink(Buffer.from(chunk, 'utf8'))
    }
    res.end()
  }

  const notFound = (req: IncomingMessage, res: ServerResponse) =>
    send(req, res, 404, HTML, htmlPage('404 - File or directory not found.', 'The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.'))

  /** Answers a text feed: recorded bytes, or generated text; with the failure the plan holds for it. */
  async function answerText(
    req: IncomingMessage,
    res: ServerResponse,
    feed: FeedId,
    kind: TextKind,
    type: string,
    recordedBody: Buffer | undefined,
    generate: (gen: GenerateOptions) => Iterable<string>,
    headers: Record<string, string> = {}
  ): Promise<Answer> {
    const failure = plan.take(feed)
    const answer = { feed, failure }
    if (failure === 'server-error') {
      send(req, res, 503, HTML, htmlPage('503 Service Unavailable', 'The service is temporarily unavailable.'))
      return answer
    }
    if (failure === 'html') {
      send(req, res, 200, HTML, htmlPage('Site Maintenance', 'We are performing scheduled maintenance. Please try again later.'))
      return answer
    }
    if (failure === 'empty') {
      send(req, res, 200, type, '', headers)
      return answer
    }
    if (recordedBody) {
      const body = failure && TEXT_BREAKING.has(failure) ? breakText(recordedBody.toString('utf8'), kind, failure) : recordedBody
      send(req, res, 200, type, body, headers)
      return answer
    }
    const market = feed.startsWith('miso') ? 'MISO' : 'CAISO'
    const gen: GenerateOptions = {
      extraNodes: failure === 'unknown-node' ? [unknownNode(market, model.seed, kind === 'exante-json')] : undefined,
      duplicateEdges: failure === 'duplicate-edges',
    }
    if (failure && TEXT_BREAKING.has(failure)) send(req, res, 200, type, breakText([...generate(gen)].join(''), kind, failure), headers)
    else await stream(req, res, type, generate(gen), headers)
    return answer
  }

  async function misoReport(req: IncomingMessage, res: ServerResponse, dateText: string, report: MisoReport): Promise<Answer> {
    const feed = REPORT_SOURCE[report]
    const date = parseYmd(dateText)
    if (!date || !misoReportAvailable(schedule, report, date, nowMs())) {
      notFound(req, res)
      return { feed, failure: null }
    }
    const lastModified = new Date(misoReportPublishedAt(schedule, report, date)).toUTCString()
    return answerText(
      req,
      res,
      feed,
      'miso-csv',
      CSV,
      recorded.reports.get(`${report}|${dateText}`)?.body,
      (gen) => [misoReportCsv(model, report, date, gen)],
      { 'Last-Modified': lastModified }
    )
  }

  async function misoRt5(req: IncomingMessage, res: ServerResponse, which: string): Promise<Answer> {
    const now = nowMs()
    const latest = misoLatestRt5(schedule, now)
    let intervals: number[]
    const step = 5 * 60_000
    if (which === 'current') intervals = [latest]
    else {
      // Rolling: the market day (EST) of `now` so far; Previous: the whole market day before.
      const today = misoDayStart(misoDayOf(now))
      const from = which === 'rolling' ? today : today - DAY
      const to = which === 'rolling' ? latest + step : today
      intervals = []
      for (let s = from; s < to; s += step) intervals.push(s)
    }
    const recordedBody = which === 'current' ? recorded.rt5Current.get(latest)?.body : undefined
    return answerText(req, res, 'miso.api.rt5_expost', 'rt5-json', JSON_TYPE, recordedBody, (gen) => misoRt5Json(model, intervals, gen))
  }

  async function misoExAnte(req: IncomingMessage, res: ServerResponse): Promise<Answer> {
    const start = misoCurrentInterval(nowMs())
    return answerText(req, res, 'miso.api.exante', 'exante-json', JSON_TYPE, recorded.exAnte.get(start)?.body, (gen) => [
      misoExAnteJson(model, start, gen),
    ])
  }

  /** Whether this OASIS request comes too soon after the client's previous one; answers it if so. */
  function throttle(req: IncomingMessage, res: ServerResponse): boolean {
    if (throttleMode === 'off') return false
    const client = `${req.socket.remoteAddress ?? ''}|${String(req.headers['x-simulator-client'] ?? '')}`
    const at = wallClock()
    const last = lastSeen.get(client)
    lastSeen.set(client, at)
    if (last === undefined || at - last >= throttleGap) return false
    const asHtml = throttleMode === 'html-200' || (throttleMode === 'alternate' && throttled % 2 === 1)
    throttled++
    if (asHtml)
      send(req, res, 200, HTML, htmlPage('OASIS - Request Rejected', 'Too many requests. Please wait at least 5 seconds between requests.'))
    else send(req, res, 429, 'text/plain; charset=utf-8', 'Too Many Requests\n', { 'Retry-After': String(Math.ceil(throttleGap / 1000)) })
    return true
  }

  async function oasisError(req: IncomingMessage, res: ServerResponse, error: { code: number; description: string }, detail?: string) {
    const description = detail ? `${error.description}: ${detail}` : error.description
    const zip = await zipBytes([{ name: 'INVALID_REQUEST.xml', chunks: [oasisErrorXml(error.code, description, nowMs())] }], {
      level: zipLevel,
      mtime: new Date(nowMs()),
    })
    send(req, res, 200, ZIP, zip, { 'Content-Disposition': 'inline; filename=INVALID_REQUEST.zip' })
  }

  async function oasis(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<Answer> {
    const queryName = params.get('queryname') ?? ''
    const spec = Object.hasOwn(OASIS_QUERIES, queryName) ? OASIS_QUERIES[queryName as CaisoQuery] : undefined
    const feed = spec ? OASIS_SOURCE[spec.query] : null
    const answer: Answer = { feed, failure: null }
    if (throttle(req, res)) return answer
    const invalid = (detail: string) => oasisError(req, res, OASIS_ERRORS.invalid, detail).then(() => answer)
    if (!spec) return invalid(`queryname ${JSON.stringify(queryName)} is not served`)
    if (params.get('resultformat') !== '6') return invalid('resultformat must be 6 (CSV)')
    if (params.get('market_run_id') !== spec.marketRunId) return invalid(`market_run_id must be ${spec.marketRunId} for ${spec.query}`)
    if (params.get('version') !== spec.version) return invalid(`version must be ${spec.version} for ${spec.query}`)
    const start = parseOasisTime(params.get('startdatetime') ?? '')
    const end = parseOasisTime(params.get('enddatetime') ?? '')
    if (start === null || end === null) return invalid('startdatetime and enddatetime must read YYYYMMDDTHH:MM-0000')
    if (end <= start) return invalid('enddatetime must be after startdatetime')
    if (end - start > OASIS_MAX_WINDOW_MS) {
      await oasisError(req, res, OASIS_ERRORS.window, 'at most 31 days')
      return answer
    }
    const grpType = params.get('grp_type')
    const nodeParam = params.get('node')
    if (grpType !== null && grpType !== 'ALL_APNODES') return invalid('grp_type must be ALL_APNODES')
    if (grpType === null && !nodeParam) return invalid('give node or grp_type=ALL_APNODES')
    const limit = groupLimits?.[spec.query]
    if (grpType !== null && limit !== undefined && end - start > limit) {
      await oasisError(req, res, OASIS_ERRORS.window, `at most ${limit / HOUR} hours with grp_type=ALL_APNODES`)
      return answer
    }
    const now = nowMs()
    const intervals = oasisIntervals(spec.run, start, end, caisoPublishedUntil(schedule, spec.run, now))
    const names = grpType !== null ? null : [...new Set(nodeParam!.split(',').map((n) => n.trim()))].sort()
    const nodes = names ? names.flatMap((n) => model.caiso.byName.get(n) ?? []) : model.caiso.nodes

    const stem = oasisFileStem(spec.query, start, end, now)
    const csvName = `${stem}.csv`
    const headers = { 'Content-Disposition': `inline; filename=${stem}.zip` }
    const zipOptions = { level: zipLevel, mtime: new Date(now) }
    const until = caisoPublishedUntil(schedule, spec.run, now)
    // A recorded file answers a request for exactly its nodes and window, once its last interval is published.
    const rec = names
      ? recorded.oasis.find(
          (r) =>
            r.query === spec.query &&
            r.start === start &&
            r.end === end &&
            r.nodes.join(',') === names.join(',') &&
            r.end - RUN_STEP_MS[spec.run] < until
        )
      : undefined
    if (!rec && (intervals.length === 0 || nodes.length === 0)) {
      await oasisError(req, res, OASIS_ERRORS.noData)
      return answer
    }
    const failure = plan.take(OASIS_SOURCE[spec.query])
    answer.failure = failure
    if (failure === 'server-error') {
      send(req, res, 503, HTML, htmlPage('503 Service Unavailable', 'The service is temporarily unavailable.'))
      return answer
    }
    if (failure === 'html') {
      send(req, res, 200, HTML, htmlPage('OASIS - Request Rejected', 'The system is busy. Please try again later.'))
      return answer
    }
    const gen: GenerateOptions = {
      extraNodes: failure === 'unknown-node' ? [unknownNode('CAISO', model.seed)] : undefined,
      duplicateEdges: failure === 'duplicate-edges',
    }
    const csv = (): Iterable<string | Uint8Array> =>
      rec ? [rec.body] : oasisCsv(model, { query: spec.query, intervals, nodes, grpType: grpType ?? undefined }, gen)
    if (failure && ZIP_BREAKING.has(failure)) {
      // Broken answers are built whole (windows are bounded, see OASIS_ALL_NODES_MAX_WINDOW_MS).
      const whole = () => [...csv()].map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('')
      const content: Iterable<string | Uint8Array> =
        failure === 'empty' ? [''] : TEXT_BREAKING.has(failure) && failure !== 'truncated' ? [breakText(whole(), 'oasis-csv', failure)] : csv()
      send(req, res, 200, ZIP, breakZip(await zipBytes([{ name: csvName, chunks: content }], zipOptions), failure), headers)
      return answer
    }
    res.writeHead(200, { 'Content-Type': ZIP, ...headers })
    if (!isHead(req)) await writeZip([{ name: csvName, chunks: csv() }], responseSink(res), zipOptions)
    res.end()
    return answer
  }

  /** An Azure API Management style JSON error: `{"statusCode":401,"message":"..."}`. */
  function apimError(req: IncomingMessage, res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
    send(req, res, status, JSON_TYPE, JSON.stringify({ statusCode: status, message }), headers)
  }

  /** Whether the request carries an accepted subscription key; answers 401 as APIM does if not. */
  function dxAuthorized(req: IncomingMessage, res: ServerResponse): boolean {
    const raw = req.headers[DX_KEY_HEADER]
    const key = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? ''
    const challenge = { 'WWW-Authenticate': 'AzureApiManagementKey realm="simulator",name="Ocp-Apim-Subscription-Key",type="header"' }
    if (key === '') {
      apimError(req, res, 401, 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.', challenge)
      return false
    }
    if (options.dataExchangeKey !== undefined && key !== options.dataExchangeKey) {
      apimError(req, res, 401, 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.', challenge)
      return false
    }
    return true
  }

  /** The state of the real-time prices of market day `date` at `now`, or null before they are published. */
  function dxRealTimeState(date: Ymd, now: number): DxState | null {
    if (misoReportPublishedAt(schedule, 'rt_lmp_prelim', date) > now) return null
    return misoReportPublishedAt(schedule, 'rt_lmp_final', date) > now ? 'Preliminary' : 'Final'
  }

  /** Data Exchange `{day-ahead|real-time}/{date}/lmp-expost`: key, parameters, publication, then the page. */
  async function dataExchange(req: IncomingMessage, res: ServerResponse, market: string, dateText: string, params: URLSearchParams): Promise<Answer> {
    const none: Answer = { feed: null, failure: null }
    if (!dxAuthorized(req, res)) return none
    const m = DX_DATE.exec(dateText)
    const date = m ? parseYmd(`${m[1]}${m[2]}${m[3]}`) : null
    if (!date) {
      apimError(req, res, 400, 'Invalid date format')
      return none
    }
    const pageText = params.get('pageNumber') ?? '1'
    const pageNumber = /^\d{1,9}$/.test(pageText) ? Number(pageText) : 0
    if (pageNumber < 1) {
      apimError(req, res, 400, 'pageNumber must be a whole number >= 1')
      return none
    }
    let series: DxSeries = 'da'
    let state: DxState | undefined
    const now = nowMs()
    if (market === 'real-time') {
      const resolution = params.get('timeResolution') ?? 'hourly'
      if (resolution !== '5min' && resolution !== 'hourly') {
        apimError(req, res, 400, 'timeResolution must be 5min or hourly')
        return none
      }
      const wanted = params.get('preliminaryFinal')
      if (wanted !== null && wanted !== 'Preliminary' && wanted !== 'Final') {
        apimError(req, res, 400, 'preliminaryFinal must be Preliminary or Final')
        return none
      }
      series = resolution === '5min' ? 'rt5' : 'rth'
      const published = dxRealTimeState(date, now)
      // A date with no data (not yet published, or none in the state asked for) answers 404.
      if (published === null || (wanted !== null && wanted !== published)) {
        apimError(req, res, 404, 'Date not found')
        return { feed: DX_SOURCE[series], failure: null }
      }
      state = published
    } else if (!misoReportAvailable(schedule, 'da_expost_lmp', date, now)) {
      apimError(req, res, 404, 'Date not found')
      return { feed: DX_SOURCE.da, failure: null }
    }
    const feed = DX_SOURCE[series]
    const failure = plan.take(feed, pageNumber)
    const answer: Answer = { feed, failure }
    if (failure === 'not-published') {
      apimError(req, res, 404, 'Date not found')
      return answer
    }
    if (failure === 'server-error') {
      send(req, res, 503, HTML, htmlPage('503 Service Unavailable', 'The service is temporarily unavailable.'))
      return answer
    }
    if (failure === 'html') {
      send(req, res, 200, HTML, htmlPage('Site Maintenance', 'We are performing scheduled maintenance. Please try again later.'))
      return answer
    }
    const gen: GenerateOptions = {
      extraNodes: failure === 'unknown-node' ? [unknownNode('MISO', model.seed)] : undefined,
      duplicateEdges: failure === 'duplicate-edges',
    }
    const page = misoDxPage(model, { series, date, pageNumber, pageSize: dxPageSize, state }, gen)
    send(req, res, 200, JSON_TYPE, failure && DX_BREAKING.has(failure) ? breakDxPage(page, failure) : page)
    return answer
  }

  /** Failure modes the server applies to any market route's answer, whatever its format. */
  const GENERIC_FAILURES = new Set<FailureMode>(['server-error', 'html', 'empty', 'not-published', 'truncated', 'corrupt-zip'])
  const marketRoutes = options.marketRoutes ?? MARKET_ROUTES
  const seriesRoutes = options.seriesRoutes ?? createSeriesRoutes()

  /** A market route's answer with the failure its feed's plan holds (modes the route cannot apply: served as is, logged as none). */
  function answerMarketRoute(req: IncomingMessage, res: ServerResponse, route: MarketRoute, answer: SimAnswer & { published: boolean }): Answer {
    const feed = route.feed
    const mode = answer.published && answer.status === 200 ? plan.take(feed) : null
    const isZip = answer.type === ZIP || answer.type === 'application/zip'
    let failure: FailureMode | null = mode
    let broken: SimAnswer = answer
    if (mode === 'server-error') broken = { status: 503, type: HTML, body: htmlPage('503 Service Unavailable', 'The service is temporarily unavailable.') }
    else if (mode === 'html') broken = { status: 200, type: HTML, body: htmlPage('Site Maintenance', 'We are performing scheduled maintenance. Please try again later.') }
    else if (mode === 'not-published') broken = { status: 404, type: HTML, body: htmlPage('404 - File or directory not found.', 'The resource you are looking for might have been removed.') }
    else if (mode === 'empty') broken = { ...answer, body: '' }
    else if (mode === 'truncated' || mode === 'corrupt-zip') {
      const bytes = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body
      if (isZip) broken = { ...answer, body: breakZip(bytes, mode) }
      else if (mode === 'truncated') broken = { ...answer, body: bytes.subarray(0, Math.floor(bytes.length * 0.6)) }
      else failure = null
    } else if (mode !== null && !GENERIC_FAILURES.has(mode)) {
      const custom = route.breakAnswer?.(answer, mode, { model, now: nowMs(), seed: model.seed }) ?? null
      if (custom) broken = custom
      else failure = null
    }
    send(req, res, broken.status, broken.type, broken.body, broken.headers)
    return { feed, failure }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://simulator')
    const path = url.pathname
    const none: Answer = { feed: null, failure: null }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', { Allow: 'GET, HEAD' })
      return none
    }
    const report = /^\/marketreports\/(\d{8})_(da_expost_lmp|rt_lmp_final|rt_lmp_prelim)\.csv$/.exec(path)
    if (report) return misoReport(req, res, report[1]!, report[2] as MisoReport)
    const rt5 = /^\/api\/MarketPricing\/GetRealTimeFiveMinExPost\/(Current|Rolling|Previous)$/i.exec(path)
    if (rt5) return misoRt5(req, res, rt5[1]!.toLowerCase())
    if (/^\/api\/MarketPricing\/GetExAnteLmp$/i.test(path)) return misoExAnte(req, res)
    if (/^\/oasisapi\/SingleZip$/i.test(path)) return oasis(req, res, url.searchParams)
    const dx = /^\/dx\/pricing\/v1\/(day-ahead|real-time)\/([^/]+)\/lmp-expost$/.exec(path)
    if (dx) return dataExchange(req, res, dx[1]!, decodeURIComponent(dx[2]!), url.searchParams)
    if (path.startsWith('/dx/')) {
      apimError(req, res, 404, 'Resource not found')
      return none
    }
    if (path === '/') {
      send(req, res, 200, 'text/plain; charset=utf-8', indexText(new Date(nowMs()), seriesRoutes))
      return none
    }
    const request = { path, params: url.searchParams, headers: req.headers }
    for (const marketRoute of marketRoutes) {
      const answer = await marketRoute.answer(request, { model, now: nowMs(), seed: model.seed })
      if (answer) return answerMarketRoute(req, res, marketRoute, answer)
    }
    for (const seriesRoute of seriesRoutes) {
      const answer = seriesRoute.answer(request, { model, now: nowMs(), seed: model.seed })
      if (!answer) continue
      send(req, res, answer.status, answer.type, answer.body, answer.headers)
      return none
    }
    notFound(req, res)
    return none
  }

  const server = createServer((req, res) => {
    const started = performance.now()
    const closed = new Promise<void>((resolve) => res.once('close', resolve))
    route(req, res)
      .catch((error: unknown): Answer => {
        if (!(error instanceof ClientGone) && !res.destroyed) {
          if (res.headersSent) res.destroy(error instanceof Error ? error : undefined)
          else send(req, res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n')
        }
        return { feed: null, failure: null }
      })
      .then(async (answer) => {
        if (!options.onRequest) return
        await closed
        options.onRequest({
          method: req.method ?? '',
          path: req.url ?? '',
          status: res.statusCode,
          feed: answer.feed,
          failure: answer.failure,
          ms: performance.now() - started,
        })
      })
      .catch(() => {})
  })
  // Generating a full-size answer (a whole CAISO trade date, all APnodes) blocks this process for
  // seconds. With Node's 5 s keep-alive, idle client sockets expire during such a block, and the
  // server closes them just as a client reuses one (ECONNRESET). Idle sockets live 30 s instead,
  // longer than any generation, and still under the 60 s headers timeout.
  server.keepAliveTimeout = 30_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  return {
    url: `http://${host}:${address.port}`,
    model,
    setNow(d: Date) {
      if (Number.isNaN(d.getTime())) throw new RangeError('setNow: invalid Date')
      fixedNow = new Date(d.getTime())
    },
    setFailureModes(rules) {
      plan.set(rules)
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}

function indexText(now: Date, seriesRoutes: readonly SeriesRoute[]): string {
  return [
    'publisher simulator (MISO, CAISO)',
    `now: ${now.toISOString()}`,
    '',
    'GET /marketreports/{YYYYMMDD}_{da_expost_lmp|rt_lmp_final|rt_lmp_prelim}.csv',
    'GET /api/MarketPricing/GetRealTimeFiveMinExPost/{Current|Rolling|Previous}',
    'GET /api/MarketPricing/GetExAnteLmp',
    'GET /oasisapi/SingleZip?queryname={PRC_LMP|PRC_INTVL_LMP|PRC_RTPD_LMP}&startdatetime=YYYYMMDDTHH:MM-0000&enddatetime=...&market_run_id={DAM|RTM|RTPD}&version={12|3|3}&resultformat=6&grp_type=ALL_APNODES (or node=A,B)',
    'GET /dx/pricing/v1/{day-ahead|real-time}/{YYYY-MM-DD}/lmp-expost?pageNumber=N&timeResolution={5min|hourly}&preliminaryFinal={Preliminary|Final}  (header Ocp-Apim-Subscription-Key)',
    ...seriesRoutes.flatMap((route) => route.shapes),
    '',
  ].join('\n')
}
