/**
 * EIA-930 (Hourly Electric Grid Monitor) through EIA's Open Data API v2, two routes:
 *
 *   GET {urls.eiaApi}/v2/electricity/rto/region-data/data/?frequency=hourly&data[0]=value
 *       &facets[respondent][]=PACW&start=2026-07-14T01&end=2026-07-15T00
 *       &sort[0][column]=period&sort[0][direction]=asc&sort[1][column]=type&sort[1][direction]=asc
 *       &offset=0&length=5000                                                   eia.930.region_data
 *   GET {urls.eiaApi}/v2/electricity/rto/fuel-type-data/data/?... (sort[1] by fueltype)  eia.930.fuel_type_data
 *
 * plus `api_key`, sent as the request's `secretQuery` (config `eiaKey`; the datasets are
 * unavailable without one): never in the request's URL, file name, events or errors. The query is
 * the one the served answers in fixtures/fundamentals/ were asked with (README there), with every
 * type of region-data (no `facets[type][]`), an explicit `offset`, and a second sort key: with
 * several rows per hour, ordering by period alone leaves the order of an hour's rows to the
 * server, and a page boundary could then repeat one row and skip another.
 *
 * Windows: one request per respondent (config `eia930Respondents`, default
 * {@link EIA930_DEFAULT_RESPONDENTS}) per UTC day of the window, hour-aligned, days outermost (a
 * failure leaves whole earlier days done for every respondent). EIA labels an hour by its END, and
 * `start`/`end` are inclusive: the hours starting in [s, e) are asked as start=label(s + 1 h),
 * end=label(e). The request's `key` is the market the respondent maps to
 * (series/eia930/balancing-authorities.ts); a configured respondent that maps to none is a
 * configuration error, thrown by plan. Files: `eia930_<route>_<RESPONDENT>_<YYYYMMDD>_p<N>.json`
 * (a part of a day: `..._<YYYYMMDDTHHMM>-<YYYYMMDDTHHMM>_p<N>.json`).
 *
 * Paging: EIA returns at most 5,000 rows per answer (`length=5000`); `nextPage` reads the answer's
 * envelope (`readEiaApiEnvelope`: total, offset, rows) and asks from `offset + rows` until `total`
 * is reached, the secret carried along. A day of one respondent is about 100 region-data rows and
 * 250 fuel-type rows, so a window is one page unless EIA pages shorter.
 *
 * Schedule (assumed): EIA's Grid Monitor posts demand every hour for the hour before, and net
 * generation and interchange "with a one-day lag" (EIA, Today in Energy, 2020-04-06). Taken here:
 * an hour is published {@link EIA930_PUBLICATION_LAG_MS} after it ends, and the datasets wait
 * {@link EIA930_PUBLISHED_MARGIN_MS} more: publishedUntil(now) = now - 26 h, down to the hour. Rate
 * group `eia.api` (1 s, spacing.ts); polled every {@link EIA930_CADENCE_MS}. EIA revises values in
 * the days after; the watermark does not go back for them (a backfill of the window does).
 *
 * Not yet published: EIA answers HTTP 200 with `"total":"0"` and no rows for hours it has not
 * posted (no 404). `notPublished` treats a first page with no rows as "not published yet" while
 * the window is recent (ends less than {@link EIA930_EMPTY_FINAL_AFTER_MS} before the fetch); an
 * older empty window is taken as empty (the respondent reported nothing), so it cannot hold the
 * watermark back for ever.
 */
import type { DataKey } from '@carbon/schemas'
import { ParseError } from '../../errors.ts'
import { DAY, fileTime, floorTo, ceilTo, HOUR } from '../../fetch/time.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { balancingAuthority } from '../eia930/balancing-authorities.ts'
import { readEiaApiEnvelope, type EiaApiEnvelope } from '../eia930/envelope.ts'
import {
  EIA930_FUEL_TYPE_DATA_ROUTE,
  EIA930_FUEL_TYPE_DATA_SOURCE,
  EIA930_REGION_DATA_ROUTE,
  EIA930_REGION_DATA_SOURCE,
} from '../eia930/rto.ts'
import { textOf } from '../text.ts'
import { EIA_API_RATE_GROUP } from './spacing.ts'
import type { SeriesDatasetDefinition, SeriesFetchedPayload, SeriesFetchRequest } from './types.ts'

/** The seven ISO/RTO balancing authorities, and PacifiCorp West (the served fixtures' respondent, a WEIM member). */
export const EIA930_DEFAULT_RESPONDENTS: readonly string[] = ['CISO', 'MISO', 'PJM', 'ERCO', 'SWPP', 'NYIS', 'ISNE', 'PACW']
/** EIA's documented lag for hourly generation and interchange (one day); the simulator posts hours this long after they end. */
export const EIA930_PUBLICATION_LAG_MS = 24 * HOUR
/** What the datasets wait beyond the lag before taking an hour as published. */
export const EIA930_PUBLISHED_MARGIN_MS = 2 * HOUR
/** An empty answer for a window that ended this long before the fetch is final, not "not yet". */
export const EIA930_EMPTY_FINAL_AFTER_MS = 7 * DAY
export const EIA930_CADENCE_MS = 3 * HOUR
/** Rows per answer: EIA's maximum for JSON. */
export const EIA930_PAGE_ROWS = 5000
/** The API key's query parameter (a secret). */
export const EIA_API_KEY_PARAM = 'api_key'

type Eia930Source = typeof EIA930_REGION_DATA_SOURCE | typeof EIA930_FUEL_TYPE_DATA_SOURCE

/** What differs between the two routes. */
const ROUTES: Record<Eia930Source, { route: string; name: string; codeField: 'type' | 'fueltype' }> = {
  [EIA930_REGION_DATA_SOURCE]: { route: EIA930_REGION_DATA_ROUTE, name: 'region-data', codeField: 'type' },
  [EIA930_FUEL_TYPE_DATA_SOURCE]: { route: EIA930_FUEL_TYPE_DATA_ROUTE, name: 'fuel-type-data', codeField: 'fueltype' },
}

const RESPONDENT = /^[A-Z0-9]+$/

/** Exclusive bound on the hour starts EIA has posted by `now` (as assumed: lag plus margin). */
export function eia930PublishedUntil(now: number): number {
  return floorTo(now - EIA930_PUBLICATION_LAG_MS - EIA930_PUBLISHED_MARGIN_MS, HOUR)
}

/** An hour's label as EIA writes `period`, `start` and `end` (UTC, hour ending): `2026-07-14T01`. */
export function eiaHourLabel(hourEnd: number): string {
  return new Date(hourEnd).toISOString().slice(0, 13)
}

/** The market a respondent's series are ingested under; throws for one that maps to none. */
export function respondentKey(respondent: string): DataKey {
  if (!RESPONDENT.test(respondent)) throw new Error(`EIA-930 respondent ${JSON.stringify(respondent)}: not a respondent code (upper-case letters and digits)`)
  const ba = balancingAuthority(respondent)
  if (!ba) throw new Error(`EIA-930 respondent ${respondent} maps to no market (series/eia930/balancing-authorities.ts): remove it from eia930Respondents or map it`)
  return ba.market
}

/** The query of one page: the fixtures' parameters, a second sort key, `offset` and `length`. */
function query(source: Eia930Source, respondent: string, hours: Window, offset: number): string {
  const { codeField } = ROUTES[source]
  return [
    'frequency=hourly',
    'data[0]=value',
    `facets[respondent][]=${respondent}`,
    `start=${eiaHourLabel(hours.start + HOUR)}`,
    `end=${eiaHourLabel(hours.end)}`,
    'sort[0][column]=period',
    'sort[0][direction]=asc',
    `sort[1][column]=${codeField}`,
    'sort[1][direction]=asc',
    `offset=${offset}`,
    `length=${EIA930_PAGE_ROWS}`,
  ].join('&')
}

function fileName(source: Eia930Source, respondent: string, part: Window, page: number): string {
  const whole = part.start % DAY === 0 && part.end - part.start === DAY
  const span = whole ? new Date(part.start).toISOString().slice(0, 10).replaceAll('-', '') : `${fileTime(part.start)}-${fileTime(part.end)}`
  return `eia930_${ROUTES[source].name}_${respondent}_${span}_p${page}.json`
}

function plan(source: Eia930Source, window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[] {
  const apiKey = config.eiaKey
  if (!apiKey) throw new Error(`${source}: no EIA API key configured (eiaKey)`)
  const respondents = config.eia930Respondents ?? EIA930_DEFAULT_RESPONDENTS
  const keys = respondents.map((respondent) => [respondent, respondentKey(respondent)] as const)
  const start = floorTo(window.start, HOUR)
  const until = Math.min(ceilTo(window.end, HOUR), eia930PublishedUntil(now))
  const base = config.urls.eiaApi.replace(/\/+$/, '')
  const requests: SeriesFetchRequest[] = []
  for (let day = floorTo(start, DAY); day < until; day += DAY) {
    const part = { start: Math.max(day, start), end: Math.min(day + DAY, until) }
    if (!(part.end > part.start)) continue
    for (const [respondent, key] of keys) {
      requests.push({
        dataset: source,
        key,
        url: `${base}${ROUTES[source].route}?${query(source, respondent, part, 0)}`,
        headers: { Accept: 'application/json' },
        secretQuery: { [EIA_API_KEY_PARAM]: apiKey },
        window: part,
        file: fileName(source, respondent, part, 1),
        rateGroup: EIA_API_RATE_GROUP,
      })
    }
  }
  return requests
}

const OFFSET = /([?&])offset=(\d+)(?=&|$)/
const PAGE = /_p(\d+)\.json$/

/** The `offset` a request asked from (0 when it sent none) and its page number (from its file name). */
function askedOf(request: SeriesFetchRequest): { offset: number; page: number } {
  const offset = OFFSET.exec(request.url)
  const page = PAGE.exec(request.file)
  return { offset: offset ? Number(offset[2]) : 0, page: page ? Number(page[1]) : 1 }
}

/** The request of the page from `offset`, numbered `page`, the secret carried along. */
function pageFrom(request: SeriesFetchRequest, offset: number, page: number): SeriesFetchRequest {
  const url = OFFSET.test(request.url) ? request.url.replace(OFFSET, `$1offset=${offset}`) : `${request.url}&offset=${offset}`
  // The outcome's request holds its secret as a hidden property (fetch/http.ts): named here, not spread.
  const secretQuery = request.secretQuery
  return {
    ...request,
    url,
    file: request.file.replace(PAGE, `_p${page}.json`),
    ...(request.headers ? { headers: { ...request.headers } } : {}),
    ...(secretQuery ? { secretQuery: { ...secretQuery } } : {}),
  }
}

function envelopeOf(payload: SeriesFetchedPayload): EiaApiEnvelope {
  return readEiaApiEnvelope(textOf(payload.bytes), payload.request.file)
}

/**
 * The request for the page after `payload`, or null when it was the last (`offset + rows` reached
 * `total`). Throws the envelope's ParseError when the answer is not an EIA data answer (an error
 * document), and a ParseError when the answer is not the page asked for (EIA ignoring `offset`
 * would be walked for ever) or holds no rows while more are said to follow.
 */
export function eia930NextPage(payload: SeriesFetchedPayload): SeriesFetchRequest | null {
  const { request } = payload
  const envelope = envelopeOf(payload)
  const asked = askedOf(request)
  const fail = (field: string, value: string, reason: string) => new ParseError({ file: request.file, line: 1, field, value, reason })
  if (envelope.offset !== undefined && envelope.offset !== asked.offset)
    throw fail('request.params.offset', String(envelope.offset), `the answer starts at row ${envelope.offset}, the request asked from row ${asked.offset}`)
  const next = asked.offset + envelope.rows
  if (next >= envelope.total) return null
  if (envelope.rows === 0) throw fail('response.data', '[]', `no rows from offset ${asked.offset} although the query matches ${envelope.total}`)
  return pageFrom(request, next, asked.page + 1)
}

/** Why a first page with no rows is "not published yet" (null for any other answer, and for an old window). */
export function eia930NotPublished(payload: SeriesFetchedPayload): string | null {
  const { request } = payload
  let envelope: EiaApiEnvelope
  try {
    envelope = envelopeOf(payload)
  } catch (error) {
    if (error instanceof ParseError) return null
    throw error
  }
  if (envelope.total !== 0 || askedOf(request).offset !== 0) return null
  if (payload.fetchedAt - request.window.end >= EIA930_EMPTY_FINAL_AFTER_MS) return null
  return `no rows yet: EIA answers an empty result ("total":"0"), not a 404, for hours it has not posted (window ${eiaHourLabel(request.window.start + HOUR)}..${eiaHourLabel(request.window.end)})`
}

function dataset(source: Eia930Source): SeriesDatasetDefinition {
  return {
    id: source,
    cadenceMs: EIA930_CADENCE_MS,
    lookbackMs: 7 * DAY,
    available: (config) => Boolean(config.eiaKey),
    publishedUntil: eia930PublishedUntil,
    plan: (window, config, now) => plan(source, window, config, now),
    nextPage: eia930NextPage,
    notPublished: eia930NotPublished,
  }
}

export const EIA930_DATASETS = {
  [EIA930_REGION_DATA_SOURCE]: dataset(EIA930_REGION_DATA_SOURCE),
  [EIA930_FUEL_TYPE_DATA_SOURCE]: dataset(EIA930_FUEL_TYPE_DATA_SOURCE),
} as const satisfies Record<Eia930Source, SeriesDatasetDefinition>
