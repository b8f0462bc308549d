/**
 * MISO Data Exchange pricing API, MISO's keyed successor to the market-report CSVs: an Azure
 * API Management gateway at `https://apim.misoenergy.org/pricing/v1`, key in the header
 * `Ocp-Apim-Subscription-Key` (never in the URL here, although APIM would also read a
 * `subscription-key` query parameter).
 *
 * What this module reads (from MISO's developer-portal operation metadata, as harvested into
 * the public api-evangelist/miso `openapi/miso-data-exchange-pricing-api-openapi.json`, and
 * from gridstatus' `gridstatus/miso_api.py` client):
 *
 *   GET {base}/day-ahead/{yyyy-mm-dd}/lmp-expost?pageNumber=N
 *       "Historical ex-post LMP for the day-ahead energy market, by CPNode in hourly
 *       intervals. Available at 2pm EST the day before."
 *   GET {base}/real-time/{yyyy-mm-dd}/lmp-expost?timeResolution=5min|hourly&preliminaryFinal=Preliminary|Final&pageNumber=N
 *       "... by CPNode in hourly or 5-minute intervals. Available at 7am EST the day after.
 *       It takes on average 3-5 days to finalize preliminary LMPs." timeResolution defaults
 *       to hourly; preliminaryFinal, when set, keeps only data flagged that way.
 *   Optional filters not used here: `interval` ("13" hour ending, "13:05"), `node`.
 *
 *   200 {"data":[{"interval":"1",                                  (day-ahead only: hour ending)
 *                 "timeInterval":{"resolution":"hourly","start":"2023-06-28 00:00:00.000",
 *                                 "end":"2023-06-28 01:00:00.000","value":"1"},
 *                 "preliminaryFinal":"Preliminary",                  (real-time only)
 *                 "node":"ALTW.WELLS1","lmp":21.6,"mcc":0.02,"mec":20.94,"mlc":0.64}, ...],
 *        "page":{"pageNumber":1,"pageSize":N,"totalElements":N,"totalPages":N,"lastPage":false}}
 *   400 bad date, 401 missing/invalid key (APIM: {"statusCode":401,"message":"Access denied due
 *   to missing subscription key..."}), 404 a date with no data (not published yet), 429 over
 *   100 calls a minute, 403 over the daily quota.
 *
 * Assumptions (documented nowhere authoritative; each is one constant or check below, easy to
 * correct once a real answer is recorded):
 * - `pageNumber` counts from 1 (the request parameter's documented default is 1; the portal's
 *   example envelope shows placeholder zeros) and the answer's `page.pageNumber` echoes the
 *   page asked for. Paging ends at `lastPage: true` or `pageNumber >= totalPages`.
 * - `start`/`end` are naive EST wall-clock times, `YYYY-MM-DD HH:MM:SS.mmm` (the schema's
 *   pattern; MISO's 2026-05-06 change note writes `YYYY-MM-DDTHH:MM:SS`, also accepted). A time
 *   that carries an offset (`Z`, `-05:00`) is read with that offset. MISO is fixed EST (UTC-5)
 *   all year: no daylight saving, 24 hours every market day.
 * - `start` is the interval start and `end - start` is the run's interval (60 or 5 minutes).
 *   (MISO's note says 5-minute labels were shifted by one interval before 2026-05-06.)
 * - Numbers are JSON numbers; numeric strings are read too. Energy = `mec` as published (not
 *   derived), congestion = `mcc`, loss = `mlc`; GHG is null (MISO has none).
 * - The envelope carries no publication time, so `publishedAt` is null.
 *
 * A page that is not data at all (empty, HTML, not JSON, no `data` array or `page` object, or
 * records that all lack one of the keys read here, i.e. a renamed field) throws ParseError; a
 * bad record is a ParseIssue whose `line` is its 1-based position in `data`.
 */
import type { MarketRun, PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { ParseResult } from '../types.ts'
import { isObject, isoUtc, MISO_EST_OFFSET_MS, nodeNameIssue, rawText, readJson, readNumber, wallClockMs } from './text.ts'

/** The Data Exchange pricing datasets this package reads. */
export type MisoDxDataset = 'da_expost_lmp' | 'rt_expost_lmp_5min' | 'rt_expost_lmp_final'

export type MisoDxEndpoint = {
  /** The connectors' source id of the records. */
  source: `miso.dx.${MisoDxDataset}`
  run: MarketRun
  /** Path segment after the base: `day-ahead` or `real-time` (then `/{date}/lmp-expost`). */
  market: 'day-ahead' | 'real-time'
  /** Query parameters every request of the dataset carries (besides pageNumber). */
  query: Readonly<Record<string, string>>
  /** `timeInterval.resolution` of its records. */
  resolution: '5min' | 'hourly'
  intervalMs: number
}

const HOUR_MS = 3_600_000

/** Where each dataset lives and what its records look like. */
export const MISO_DX_ENDPOINTS: Readonly<Record<MisoDxDataset, MisoDxEndpoint>> = {
  da_expost_lmp: {
    source: 'miso.dx.da_expost_lmp',
    run: 'DA',
    market: 'day-ahead',
    query: {},
    resolution: 'hourly',
    intervalMs: HOUR_MS,
  },
  rt_expost_lmp_5min: {
    source: 'miso.dx.rt_expost_lmp_5min',
    run: 'RT5',
    market: 'real-time',
    query: { timeResolution: '5min' },
    resolution: '5min',
    intervalMs: 5 * 60_000,
  },
  rt_expost_lmp_final: {
    source: 'miso.dx.rt_expost_lmp_final',
    run: 'RTH',
    market: 'real-time',
    query: { timeResolution: 'hourly', preliminaryFinal: 'Final' },
    resolution: 'hourly',
    intervalMs: HOUR_MS,
  },
}

/** The `page` object of a Data Exchange answer. */
export type MisoDxPageInfo = {
  pageNumber: number
  pageSize: number
  totalElements: number
  totalPages: number
  lastPage: boolean
}

/** One Data Exchange page: its records (unread) and its paging metadata. */
export type MisoDxPage = { data: unknown[]; page: MisoDxPageInfo }

const PAGE_COUNTS = ['pageNumber', 'pageSize', 'totalElements', 'totalPages'] as const
/** Keys every record must have; a page whose records all lack one has changed format. */
const RECORD_KEYS = ['timeInterval', 'node', 'lmp', 'mcc', 'mec', 'mlc'] as const
const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * A Data Exchange time in ms since the epoch, or null: naive times are EST (UTC-5, all year);
 * a time with an offset (`Z`, `-05:00`, `-0500`) is read with it.
 */
export function misoDxTimeMs(text: string): number | null {
  const m = TIME.exec(text.trim())
  if (!m) return null
  const wall = wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0))
  if (wall === null) return null
  const zone = m[7]
  if (zone === undefined) return wall + MISO_EST_OFFSET_MS
  if (zone === 'Z') return wall
  const digits = zone.replace(':', '')
  const hours = Number(digits.slice(1, 3))
  const minutes = Number(digits.slice(3, 5))
  if (hours > 23 || minutes > 59) return null
  const offset = (hours * 60 + minutes) * 60_000
  return zone.startsWith('-') ? wall + offset : wall - offset
}

const envelopeError = (file: string, field: string, value: unknown, reason: string) =>
  new ParseError({ file, line: 1, field, value: rawText(value).slice(0, 200), reason })

/**
 * The `data` array and `page` metadata of a Data Exchange answer, or a thrown ParseError when
 * the body is not such a page (empty, HTML, broken JSON, an APIM error document, a changed envelope).
 */
export function readMisoDxPage(text: string, file: string): MisoDxPage {
  const doc = readJson(text, file)
  if (!isObject(doc)) throw envelopeError(file, '(json)', doc, 'expected {"data":[...],"page":{...}}')
  if (!Array.isArray(doc.data)) {
    const message = typeof doc.message === 'string' ? `: publisher says "${doc.message}"` : ''
    throw envelopeError(file, 'data', doc.data ?? doc, `expected a "data" array${message}`)
  }
  const page = doc.page
  if (!isObject(page)) throw envelopeError(file, 'page', page ?? '', 'expected a "page" object with the paging metadata')
  for (const key of PAGE_COUNTS) {
    const value = page[key]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw envelopeError(file, `page.${key}`, value ?? '', 'expected a whole number >= 0')
  }
  if (typeof page.lastPage !== 'boolean') throw envelopeError(file, 'page.lastPage', page.lastPage ?? '', 'expected true or false')
  return {
    data: doc.data,
    page: {
      pageNumber: page.pageNumber as number,
      pageSize: page.pageSize as number,
      totalElements: page.totalElements as number,
      totalPages: page.totalPages as number,
      lastPage: page.lastPage,
    },
  }
}

/** Throws when no record of a non-empty page has one of the keys read here (a renamed field). */
function assertRecordKeys(data: readonly unknown[], file: string): void {
  const records = data.filter(isObject)
  if (records.length === 0) return
  const missing = RECORD_KEYS.find((key) => records.every((record) => !Object.hasOwn(record, key)))
  if (missing === undefined) return
  throw new ParseError({
    file,
    line: 1,
    field: missing,
    value: JSON.stringify(Object.keys(records[0]!)),
    reason: `records changed: none has "${missing}" (expected keys ${RECORD_KEYS.join(', ')})`,
  })
}

type Issue = (field: string, value: unknown, reason: string) => void

/** [start, end) of a record's timeInterval, or null after reporting why not. */
function readInterval(raw: unknown, endpoint: MisoDxEndpoint, issue: Issue): { start: number; end: number } | null {
  if (!isObject(raw)) {
    issue('timeInterval', raw ?? '', 'missing or not an object')
    return null
  }
  if (raw.resolution !== undefined && raw.resolution !== endpoint.resolution) {
    issue('timeInterval.resolution', raw.resolution, `expected "${endpoint.resolution}"`)
    return null
  }
  const start = typeof raw.start === 'string' ? misoDxTimeMs(raw.start) : null
  if (start === null) {
    issue('timeInterval.start', raw.start ?? '', 'not a YYYY-MM-DD HH:MM:SS.mmm time (EST)')
    return null
  }
  const end = typeof raw.end === 'string' ? misoDxTimeMs(raw.end) : null
  if (end === null) {
    issue('timeInterval.end', raw.end ?? '', 'not a YYYY-MM-DD HH:MM:SS.mmm time (EST)')
    return null
  }
  if (end - start !== endpoint.intervalMs) {
    issue('timeInterval.end', raw.end, `interval is ${(end - start) / 60_000} minutes, expected ${endpoint.intervalMs / 60_000}`)
    return null
  }
  return { start, end }
}

const PRICE_FIELDS = ['lmp', 'mcc', 'mec', 'mlc'] as const
type PriceField = (typeof PRICE_FIELDS)[number]
/** The record field each published price becomes. */
const FIELD_OF = { lmp: 'lmp', mcc: 'congestion', mec: 'energy', mlc: 'loss' } as const satisfies Record<PriceField, keyof PriceRecord>

/** The four prices of a record, or null after reporting the first that is missing or not a number. */
function readPrices(record: Record<string, unknown>, issue: Issue): Record<PriceField, number> | null {
  const out = {} as Record<PriceField, number>
  for (const field of PRICE_FIELDS) {
    const raw = record[field]
    const value = readNumber(raw)
    if (value === null) {
      issue(field, raw ?? '', raw === undefined || raw === null ? 'missing' : 'not a number')
      return null
    }
    out[field] = value
  }
  return out
}

/** Records of one Data Exchange LMP page of `dataset`. */
export function parseMisoDx(text: string, file: string, dataset: MisoDxDataset): ParseResult {
  const endpoint = MISO_DX_ENDPOINTS[dataset]
  const { data } = readMisoDxPage(text, file)
  assertRecordKeys(data, file)

  const errors: ParseIssue[] = []
  const records: PriceRecord[] = []
  const seen = new Map<string, { line: number; record: PriceRecord }>()
  data.forEach((raw, index) => {
    const line = index + 1
    const issue: Issue = (field, value, reason) => errors.push({ file, line, field, value: rawText(value), reason })
    if (!isObject(raw)) return issue('data', raw, 'record is not an object')
    const interval = readInterval(raw.timeInterval, endpoint, issue)
    if (!interval) return
    const badNode = nodeNameIssue(raw.node, { file, line, field: 'node' })
    if (badNode) return errors.push(badNode)
    const prices = readPrices(raw, issue)
    if (!prices) return

    const record: PriceRecord = {
      market: 'MISO',
      node: raw.node as string,
      run: endpoint.run,
      intervalStart: isoUtc(interval.start),
      intervalEnd: isoUtc(interval.end),
      lmp: prices.lmp,
      energy: prices.mec,
      congestion: prices.mcc,
      loss: prices.mlc,
      ghg: null,
      source: endpoint.source,
      publishedAt: null,
    }
    const key = `${record.node}\u0000${interval.start}`
    const first = seen.get(key)
    if (!first) {
      seen.set(key, { line, record })
      records.push(record)
    } else if (PRICE_FIELDS.some((field) => record[FIELD_OF[field]] !== first.record[FIELD_OF[field]])) {
      issue('node', raw.node, `second record for this node and interval with other prices (record ${first.line} kept)`)
    }
  })
  return { records, errors }
}
