/**
 * The PJM Data Miner 2 LMP datasets (see parsers/pjm.ts for the answer and its README for the
 * recorded samples): one request per Eastern (EPT) operating day for page 1, then `nextPage`
 * walks `StartRow` while the answer holds a `rel: "next"` link.
 *
 *   GET {urls.pjmDataMiner}/da_hrl_lmps?RowCount=50000&StartRow=1&Order=Asc&IsActiveMetadata=True
 *       &Fields=datetime_beginning_utc,datetime_beginning_ept,pnode_id,...,row_is_current,version_nbr
 *       &datetime_beginning_ept=2026-06-09T00:00to2026-06-09T23:59
 *   header Ocp-Apim-Subscription-Key: <config.pjmKey>
 *
 * The key travels only in the request headers: never in a URL, a file name or an error. Every
 * pnode is asked for (no `pnode_id`/`type` filter); `Fields` names the whole row the parser reads.
 *
 * The range `datetime_beginning_ept=<from>to<to>` is on the Eastern prevailing wall clock,
 * minutes, both ends INCLUSIVE (gridstatus drops the end stamp it gets back). A whole operating
 * day is `DT00:00toDT23:59`, the form of the recorded answers: it holds every interval start of
 * the day whatever its length, 23 hours in spring (02:xx has no row), 25 in autumn (both 01:xx
 * hours match). A part of a day (the unverified five-minute feed, a window starting mid-day) is
 * `<wall clock of its first interval start>to<wall clock of its last>`; when the part holds only
 * one of the two autumn 01:xx hours, the other hour's rows answer too (they are real prices,
 * just outside the window) and, when the part crosses the change, the range runs from its
 * earliest wall clock to its latest.
 *
 * Publication (each a constant below; holidays are not modelled: a verified day due on a
 * weekday holiday is asked for a day early, answers no rows and is asked again):
 *
 * | feed | published (usual schedule) | cadence | why |
 * |---|---|---|---|
 * | `da_hrl_lmps` (DA) | day D at D-1 13:30 EPT | 1 h | the day-ahead market clears D-1 around 13:30 |
 * | `rt_unverified_fivemin_lmps` (RT5) | an interval 3 min after its end; kept 15 days | 5 min | posted as dispatch runs; Data Miner keeps the feed 15 days |
 * | `rt_fivemin_hrl_lmps` (RT5 verified) | day D at noon EPT the next business day | 1 h | settlement-verified prices: Friday's, Saturday's and Sunday's on Monday noon |
 * | `rt_hrl_lmps` (RTH verified) | day D at noon EPT the next business day | 1 h | same |
 *
 * Not published yet: Data Miner 2 answers HTTP 200 with `"items":[]` and `"totalRows":0`, not a
 * 404: `notPublished` reads such a first page as "not published yet" (the ingest records no data
 * and keeps the window for its next cycle instead of moving its watermark past prices that are
 * merely late), and a plan never reaches past `publishedUntil(now)`.
 *
 * Rate limit: a non-member account may make 6 requests a minute: every request shares the rate
 * group `pjm.dataminer`, spaced 10 s ({@link PJM_MIN_SPACING_MS}).
 */
import { ParseError } from '../errors.ts'
import { EASTERN, localInstant, zoneOffsetMs } from '../parsers/local-time.ts'
import { PJM_FEEDS, type PjmFeed, readPjmPage } from '../parsers/pjm.ts'
import { DAY, fileTime, FIVE_MINUTES, floorTo, HOUR, MINUTE } from './time.ts'
import type { ConnectorConfig, DatasetDefinition, FetchedPayload, FetchRequest, Window } from './types.ts'

/** The request header that carries the subscription key. */
export const PJM_KEY_HEADER = 'Ocp-Apim-Subscription-Key'
/** Politeness group of every Data Miner 2 request. */
export const PJM_RATE_GROUP = 'pjm.dataminer'
/** PJM allows non-member accounts 6 requests a minute: one every 10 s. */
export const PJM_MIN_SPACING_MS: Readonly<Record<string, number>> = { [PJM_RATE_GROUP]: 10_000 }
/** Rows per page asked for (Data Miner 2 answers at most 50,000). */
export const PJM_ROW_COUNT = 50_000

/** Day-ahead prices of day D are posted at D-1 13:30 EPT. */
export const PJM_DA_PUBLISHED = { daysBefore: 1, hour: 13, minute: 30 } as const
/** An unverified five-minute interval is posted this long after it ends. */
export const PJM_RT5_UNVERIFIED_DELAY_MS = 3 * MINUTE
/** The unverified five-minute feed keeps this many EPT days: today and the 14 before. */
export const PJM_UNVERIFIED_KEPT_DAYS = 15
/** Verified real-time prices of day D are posted at this EPT hour of the next business day. */
export const PJM_VERIFIED_PUBLISHED_HOUR = 12

export type PjmSourceId = (typeof PJM_FEEDS)[PjmFeed]['source']

// ---------------------------------------------------------------- Eastern prevailing time

/** `ms` on the Eastern wall clock, read as if UTC. */
const easternWall = (ms: number) => ms + zoneOffsetMs(ms, EASTERN)

/** The instant of an Eastern wall clock (the first occurrence in the repeated autumn hour; midnights and noons always exist). */
function easternInstant(wall: number): number {
  const at = localInstant(wall, EASTERN, 'first')
  if (at === null) throw new RangeError(`no such Eastern time ${new Date(wall).toISOString()}`)
  return at
}

/** Start (local midnight, EST or EDT) of the EPT operating day holding `ms`. */
export function easternDayStart(ms: number): number {
  return easternInstant(floorTo(easternWall(ms), DAY))
}

/** Start of the EPT day after the one holding `ms` (days last 23 to 25 hours). */
export const nextEasternDayStart = (ms: number) => easternDayStart(easternDayStart(ms) + 26 * HOUR)

/** Start of the EPT day before the one holding `ms`. */
export const previousEasternDayStart = (ms: number) => easternDayStart(easternDayStart(ms) - HOUR)

/** `20260609` for the EPT day holding `ms`. */
export const easternDate = (ms: number) => new Date(floorTo(easternWall(ms), DAY)).toISOString().slice(0, 10).replaceAll('-', '')

/** `2026-06-09T14:40`, the Eastern wall clock of `ms` to the minute, as Data Miner 2 filters take it. */
export const easternMinute = (ms: number) => new Date(easternWall(ms)).toISOString().slice(0, 16)

/** The instant of `hour:minute` EPT, `days` days after the EPT day holding `dayStart`. */
export function easternAt(dayStart: number, days: number, hour: number, minute = 0): number {
  return easternInstant(floorTo(easternWall(dayStart), DAY) + days * DAY + hour * HOUR + minute * MINUTE)
}

// ---------------------------------------------------------------- publication

/** When the day-ahead prices of the EPT day starting at `dayStart` are posted. */
export const pjmDaPublishedAt = (dayStart: number) =>
  easternAt(dayStart, -PJM_DA_PUBLISHED.daysBefore, PJM_DA_PUBLISHED.hour, PJM_DA_PUBLISHED.minute)

/** When the verified real-time prices of the EPT day starting at `dayStart` are posted: noon of the next business day. */
export function pjmVerifiedPublishedAt(dayStart: number): number {
  const weekday = new Date(floorTo(easternWall(dayStart), DAY)).getUTCDay()
  const days = weekday === 5 ? 3 : weekday === 6 ? 2 : 1
  return easternAt(dayStart, days, PJM_VERIFIED_PUBLISHED_HOUR)
}

/** The first interval start the unverified five-minute feed still holds at `now`. */
export function pjmUnverifiedKeptFrom(now: number): number {
  let day = easternDayStart(now)
  for (let i = 1; i < PJM_UNVERIFIED_KEPT_DAYS; i++) day = previousEasternDayStart(day)
  return day
}

/** The end of the latest EPT day posted by `now`, given each day's posting time. */
function dailyPublishedUntil(now: number, publishedAt: (dayStart: number) => number): number {
  let day = nextEasternDayStart(now)
  for (let i = 0; i < 10; i++) {
    if (publishedAt(day) <= now) return nextEasternDayStart(day)
    day = previousEasternDayStart(day)
  }
  return day
}

const PUBLISHED_UNTIL: Readonly<Record<PjmFeed, (now: number) => number>> = {
  da_hrl_lmps: (now) => dailyPublishedUntil(now, pjmDaPublishedAt),
  rt_unverified_fivemin_lmps: (now) => floorTo(now - PJM_RT5_UNVERIFIED_DELAY_MS, FIVE_MINUTES),
  rt_fivemin_hrl_lmps: (now) => dailyPublishedUntil(now, pjmVerifiedPublishedAt),
  rt_hrl_lmps: (now) => dailyPublishedUntil(now, pjmVerifiedPublishedAt),
}

// ---------------------------------------------------------------- requests

/** The whole row of a feed, every field the parser reads, in Data Miner's order. */
export function pjmFields(feed: PjmFeed): string[] {
  const s = PJM_FEEDS[feed].suffix
  return [
    'datetime_beginning_utc',
    'datetime_beginning_ept',
    'pnode_id',
    'pnode_name',
    'voltage',
    'equipment',
    'type',
    'zone',
    `system_energy_price_${s}`,
    `total_lmp_${s}`,
    `congestion_price_${s}`,
    `marginal_loss_price_${s}`,
    'row_is_current',
    'version_nbr',
  ]
}

/**
 * The inclusive `datetime_beginning_ept` range of the interval starts in [start, end) (on the
 * feed's grid, within one EPT day): `DT00:00toDT23:59` for the whole day, else from the earliest
 * wall clock of an interval start to the latest (they differ from the ends only across the
 * autumn change).
 */
export function pjmEptRange(start: number, end: number, step: number): string {
  const dayStart = easternDayStart(start)
  if (start === dayStart && end === nextEasternDayStart(start)) {
    const day = easternMinute(dayStart).slice(0, 10)
    return `${day}T00:00to${day}T23:59`
  }
  let low = Infinity
  let high = -Infinity
  for (let t = start; t < end; t += step) {
    const wall = easternWall(t)
    low = Math.min(low, wall)
    high = Math.max(high, wall)
  }
  const minute = (wall: number) => new Date(wall).toISOString().slice(0, 16)
  return `${minute(low)}to${minute(high)}`
}

function pageUrl(base: string, feed: PjmFeed, range: string, page: number): string {
  const fields = encodeURIComponent(pjmFields(feed).join(','))
  return (
    `${base.replace(/\/+$/, '')}/${feed}?RowCount=${PJM_ROW_COUNT}&StartRow=${(page - 1) * PJM_ROW_COUNT + 1}` +
    `&Order=Asc&IsActiveMetadata=True&Fields=${fields}&datetime_beginning_ept=${encodeURIComponent(range)}`
  )
}

/** `pjm_da_hrl_lmps_20260609_p1.json` for a whole EPT day, `pjm_..._20260610T1840_20260610T1915_p1.json` (UTC) for a part. */
function fileName(feed: PjmFeed, window: Window, whole: boolean, page: number): string {
  const span = whole ? easternDate(window.start) : `${fileTime(window.start)}_${fileTime(window.end)}`
  return `pjm_${feed}_${span}_p${page}.json`
}

function plan(feed: PjmFeed, window: Window, config: ConnectorConfig, now: number): FetchRequest[] {
  const spec = PJM_FEEDS[feed]
  const key = config.pjmKey
  if (!key) throw new Error(`${spec.source}: no PJM Data Miner 2 subscription key configured`)
  if (!(window.end > window.start)) return []
  const step = spec.intervalMs
  let start = floorTo(window.start, step)
  if (feed === 'rt_unverified_fivemin_lmps') start = Math.max(start, pjmUnverifiedKeptFrom(now))
  const until = Math.min(Math.ceil(window.end / step) * step, PUBLISHED_UNTIL[feed](now))
  const requests: FetchRequest[] = []
  for (let day = easternDayStart(start); day < until; day = nextEasternDayStart(day)) {
    const dayEnd = nextEasternDayStart(day)
    const part = { start: Math.max(day, start), end: Math.min(dayEnd, until) }
    if (!(part.end > part.start)) continue
    const whole = part.start === day && part.end === dayEnd
    requests.push({
      dataset: spec.source,
      url: pageUrl(config.urls.pjmDataMiner, feed, pjmEptRange(part.start, part.end, step), 1),
      headers: { [PJM_KEY_HEADER]: key, Accept: 'application/json' },
      window: part,
      file: fileName(feed, part, whole, 1),
      rateGroup: PJM_RATE_GROUP,
    })
  }
  return requests
}

/** 1-based page number of a request, from its `StartRow` and `RowCount`. */
function pageOf(request: FetchRequest): { page: number; startRow: number; rowCount: number } {
  const params = new URL(request.url).searchParams
  const rowCount = Number(params.get('RowCount') ?? PJM_ROW_COUNT)
  const startRow = Number(params.get('StartRow') ?? '1')
  return { page: Math.floor((startRow - 1) / rowCount) + 1, startRow, rowCount }
}

/** Page `page` of the request `first` (any page of the same day and feed): `StartRow` = (page - 1) x RowCount + 1. */
function pageAt(first: FetchRequest, page: number): FetchRequest {
  if (!Number.isSafeInteger(page) || page < 1) throw new RangeError(`page must be a whole number >= 1, got ${page}`)
  const url = new URL(first.url)
  const rowCount = Number(url.searchParams.get('RowCount') ?? PJM_ROW_COUNT)
  url.searchParams.set('StartRow', String((page - 1) * rowCount + 1))
  return {
    ...first,
    url: url.toString(),
    headers: { ...first.headers },
    file: first.file.replace(/_p\d+\.json$/, `_p${page}.json`),
  }
}

/**
 * The request for the page after `payload`, or null when it was the last (no `next` link, or
 * every row read). Throws the parser's ParseError when the body is not a Data Miner page, and a
 * ParseError when the answer is not the page asked for (a publisher ignoring `StartRow` would
 * otherwise be walked forever), when a page is shorter than asked while rows remain (pages of
 * another size: rows would be skipped), or when the first page is empty: Data Miner answers "no
 * rows", not a 404, for prices not posted yet.
 */
function nextPage(payload: FetchedPayload): FetchRequest | null {
  const { request } = payload
  const answer = readPjmPage(new TextDecoder('utf-8').decode(payload.bytes), request.file)
  const asked = pageOf(request)
  const fail = (field: string, value: string, reason: string) => new ParseError({ file: request.file, line: 1, field, value, reason })
  if (answer.startRow !== undefined && answer.startRow !== asked.startRow)
    throw fail('searchSpecification.startRow', String(answer.startRow), `the answer starts at row ${answer.startRow}, the request asked for row ${asked.startRow}`)
  if (answer.totalRows === 0 && asked.page === 1)
    throw fail('totalRows', '0', 'no rows: the window is not published yet (Data Miner 2 answers an empty result, not a 404)')
  if (answer.next === undefined || asked.startRow - 1 + answer.rows.length >= answer.totalRows) return null
  // A page shorter than asked with rows still to come: the publisher pages by another size, and
  // page N would no longer start at row (N - 1) x RowCount + 1 (rows would be skipped).
  if (answer.rows.length < asked.rowCount)
    throw fail('items', String(answer.rows.length), `page ${asked.page} holds ${answer.rows.length} of the ${asked.rowCount} rows asked for and more follow (${answer.totalRows} in all)`)
  return pageAt(request, asked.page + 1)
}

/** Why a first page with no rows at all is "not published yet" (null for any other answer; the parser judges those). */
function notPublished(payload: FetchedPayload): string | null {
  let answer: ReturnType<typeof readPjmPage>
  try {
    answer = readPjmPage(new TextDecoder('utf-8').decode(payload.bytes), payload.request.file)
  } catch (error) {
    if (error instanceof ParseError) return null
    throw error
  }
  if (answer.totalRows !== 0 || pageOf(payload.request).page !== 1) return null
  return 'no rows yet: Data Miner 2 answers an empty result (totalRows 0), not a 404, before the prices are posted'
}

function dataset(feed: PjmFeed, cadenceMs: number, backfill: boolean): DatasetDefinition {
  const spec = PJM_FEEDS[feed]
  return {
    id: spec.source,
    market: 'PJM',
    run: spec.run,
    cadenceMs,
    intervalMs: spec.intervalMs,
    available: (config) => Boolean(config.pjmKey),
    publishedUntil: PUBLISHED_UNTIL[feed],
    plan: (window, config, now) => plan(feed, window, config, now),
    backfill,
    nextPage,
    pageAt,
    notPublished,
  }
}

/** The Data Miner 2 LMP datasets by source id. The unverified feed is live (15 days kept): the verified feeds hold the past. */
export const PJM_DATASETS: Readonly<Record<PjmSourceId, DatasetDefinition>> = {
  'pjm.da_hrl_lmps': dataset('da_hrl_lmps', HOUR, true),
  'pjm.rt_unverified_fivemin_lmps': dataset('rt_unverified_fivemin_lmps', FIVE_MINUTES, false),
  'pjm.rt_fivemin_hrl_lmps': dataset('rt_fivemin_hrl_lmps', HOUR, true),
  'pjm.rt_hrl_lmps': dataset('rt_hrl_lmps', HOUR, true),
}
