/**
 * The MISO Data Exchange pricing datasets (see parsers/miso-dx.ts for the API, its envelope and
 * what is assumed about it): one request per EST market day for page 1, then `nextPage` walks
 * `pageNumber` until the answer says it was the last page.
 *
 *   GET {urls.misoDataExchange}/day-ahead/2026-07-14/lmp-expost?pageNumber=1
 *   GET {urls.misoDataExchange}/real-time/2026-07-14/lmp-expost?timeResolution=5min&pageNumber=1
 *   GET {urls.misoDataExchange}/real-time/2026-07-14/lmp-expost?timeResolution=hourly&preliminaryFinal=Final&pageNumber=1
 *   header Ocp-Apim-Subscription-Key: <config.misoDataExchangeKey>
 *
 * The key travels only in the request headers: never in a URL, a file name or an error.
 *
 * Publication (MISO's operation descriptions; each is one constant in PUBLISHED_AFTER_DAY_START_MS):
 * - day-ahead ex post of market day D: "available at 2pm EST the day before" -> D-1 14:00 EST;
 * - real-time ex post (5-minute and hourly) of D: "available at 7am EST the day after" -> D+1 07:00 EST.
 *   The Data Exchange is historical: the current day's five-minute prices stay with the public
 *   API (miso.api.rt5_expost), so these poll hourly, not every five minutes;
 * - final hourly real-time prices: "3-5 days to finalize" -> D+6 06:00 EST, when the
 *   `rt_lmp_final` market report is due as well.
 * Rate limits (MISO): 100 calls a minute and 24,000 a day per key: requests share the rate group
 * `miso.dx` (a client should space them by at least 600 ms).
 */
import { ParseError } from '../errors.ts'
import { MISO_DX_ENDPOINTS, type MisoDxDataset, readMisoDxPage } from '../parsers/miso-dx.ts'
import { MISO_EST_OFFSET_MS } from '../parsers/text.ts'
import type { ConnectorConfig, DatasetDefinition, FetchedPayload, FetchRequest, Window } from './types.ts'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/** The request header that carries the subscription key. */
export const MISO_DX_KEY_HEADER = 'Ocp-Apim-Subscription-Key'
/** Politeness group of every Data Exchange request (MISO allows 100 calls a minute per key). */
export const MISO_DX_RATE_GROUP = 'miso.dx'

/** When market day D of each dataset is published: ms after D 00:00 EST (negative: before D). */
export const PUBLISHED_AFTER_DAY_START_MS: Readonly<Record<MisoDxDataset, number>> = {
  da_expost_lmp: -10 * HOUR_MS,
  rt_expost_lmp_5min: 31 * HOUR_MS,
  rt_expost_lmp_final: 150 * HOUR_MS,
}

export type MisoDxSourceId = (typeof MISO_DX_ENDPOINTS)[MisoDxDataset]['source']

/** Start (00:00 EST, in ms) of the MISO market day `ms` falls in. */
const misoDayStart = (ms: number) => Math.floor((ms - MISO_EST_OFFSET_MS) / DAY_MS) * DAY_MS + MISO_EST_OFFSET_MS
/** `2026-07-14` for the market day starting at `dayStart`. */
const isoDate = (dayStart: number) => new Date(dayStart - MISO_EST_OFFSET_MS).toISOString().slice(0, 10)

function fileName(dayStart: number, dataset: MisoDxDataset, page: number): string {
  return `${isoDate(dayStart).replaceAll('-', '')}_dx_${dataset}_p${page}.json`
}

function pageUrl(base: string, dataset: MisoDxDataset, dayStart: number, page: number): string {
  const endpoint = MISO_DX_ENDPOINTS[dataset]
  const params = new URLSearchParams({ ...endpoint.query, pageNumber: String(page) })
  return `${base.replace(/\/+$/, '')}/${endpoint.market}/${isoDate(dayStart)}/lmp-expost?${params}`
}

/** Exclusive bound on the interval starts of `dataset` published by `now`: the end of the last published market day. */
function publishedUntil(dataset: MisoDxDataset, now: number): number {
  return misoDayStart(now - PUBLISHED_AFTER_DAY_START_MS[dataset]) + DAY_MS
}

/** The page-1 request of every market day overlapping `window` and published by `now`. */
function plan(dataset: MisoDxDataset, window: Window, config: ConnectorConfig, now: number): FetchRequest[] {
  const key = config.misoDataExchangeKey
  const source = MISO_DX_ENDPOINTS[dataset].source
  if (!key) throw new Error(`${source}: no MISO Data Exchange subscription key configured`)
  const until = Math.min(window.end, publishedUntil(dataset, now))
  const requests: FetchRequest[] = []
  for (let day = misoDayStart(window.start); day < until; day += DAY_MS)
    requests.push({
      dataset: source,
      url: pageUrl(config.urls.misoDataExchange, dataset, day, 1),
      headers: { [MISO_DX_KEY_HEADER]: key },
      window: { start: day, end: day + DAY_MS },
      file: fileName(day, dataset, 1),
      rateGroup: MISO_DX_RATE_GROUP,
      // A date without data answers 404 ("Resource not found"): not published yet.
      notFoundMeansNotPublished: true,
    })
  return requests
}

/**
 * The request for the page after `payload`, or null when it was the last. Throws the parser's
 * ParseError when the body is not a Data Exchange page, and a ParseError on `page.pageNumber`
 * when the answer is not the page asked for (a publisher ignoring `pageNumber` would otherwise
 * be walked forever).
 */
function nextPage(payload: FetchedPayload): FetchRequest | null {
  const { request } = payload
  const { page } = readMisoDxPage(new TextDecoder('utf-8').decode(payload.bytes), request.file)
  const url = new URL(request.url)
  const asked = Number(url.searchParams.get('pageNumber') ?? '1')
  if (page.pageNumber !== asked)
    throw new ParseError({
      file: request.file,
      line: 1,
      field: 'page.pageNumber',
      value: String(page.pageNumber),
      reason: `the answer is page ${page.pageNumber}, the request asked for page ${asked}`,
    })
  if (page.lastPage || page.pageNumber >= page.totalPages) return null
  return pageAt(request, asked + 1)
}

/** Page `page` of the request `first` (any page of the same market day and dataset). */
function pageAt(first: FetchRequest, page: number): FetchRequest {
  if (!Number.isSafeInteger(page) || page < 1) throw new RangeError(`page must be a whole number >= 1, got ${page}`)
  const url = new URL(first.url)
  url.searchParams.set('pageNumber', String(page))
  return {
    ...first,
    url: url.toString(),
    headers: { ...first.headers },
    file: first.file.replace(/_p\d+\.json$/, `_p${page}.json`),
  }
}

function dataset(id: MisoDxDataset, cadenceMs: number): DatasetDefinition {
  const endpoint = MISO_DX_ENDPOINTS[id]
  return {
    id: endpoint.source,
    market: 'MISO',
    run: endpoint.run,
    cadenceMs,
    intervalMs: endpoint.intervalMs,
    available: (config) => Boolean(config.misoDataExchangeKey),
    publishedUntil: (now) => publishedUntil(id, now),
    plan: (window, config, now) => plan(id, window, config, now),
    backfill: true,
    nextPage,
    pageAt,
  }
}

/** The Data Exchange datasets by source id. */
export const MISO_DX_DATASETS: Readonly<Record<MisoDxSourceId, DatasetDefinition>> = {
  'miso.dx.da_expost_lmp': dataset('da_expost_lmp', HOUR_MS),
  'miso.dx.rt_expost_lmp_5min': dataset('rt_expost_lmp_5min', HOUR_MS),
  'miso.dx.rt_expost_lmp_final': dataset('rt_expost_lmp_final', HOUR_MS),
}
