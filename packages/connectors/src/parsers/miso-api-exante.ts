/**
 * MISO public API `MarketPricing/GetExAnteLmp`: the real-time ex-ante LMPs of the hubs for one
 * 5-minute dispatch interval.
 *
 *   {"LMPData":{"RefId":"02-Oct-2026 - Interval 16:50 EST",
 *     "ExAnteLMP":{"HourAndMin":"16:50","Hub":[{"name":"MS.HUB","LMP":"36.06","loss":"0.46","congestion":"2.86"}, ...]}}}
 *
 * Interval: the RefId time is read as the START of the interval, [16:50, 16:55) EST =
 * [21:50, 21:55) UTC. MISO labels its five-minute ex-post prices by interval start
 * (GetRealTimeFiveMinExPost INTERVAL), and the two 2026-10-02 fixtures carry the same
 * "16:50" with near-identical prices for MS.HUB (ex-ante 36.06 = 32.74 + 0.46 + 2.86, ex-post
 * 37.84 = 34.50 + 0.48 + 2.86: same congestion, losses within 0.02), i.e. the same interval.
 * Run is RT5; the source `miso.api.exante` tells these forecasts from the ex-post prices of
 * the same interval. Energy = LMP - loss - congestion, rounded to 1e-6. Issues name the
 * 1-based position of the hub in `Hub` as their line.
 */
import type { PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { ParseResult } from '../types.ts'
import {
  isObject,
  isoUtc,
  MISO_EST_OFFSET_MS,
  nodeNameIssue,
  rawText,
  readJson,
  readNumber,
  residual,
  wallClockMs,
} from './text.ts'

const INTERVAL_MS = 5 * 60_000
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const REF_ID = /^(\d{1,2})-([A-Za-z]{3})-(\d{4}) - Interval ((\d{1,2}):(\d{2})) EST$/

function minuteOfDay(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim())
  return m ? Number(m[1]) * 60 + Number(m[2]) : null
}

/** The interval start (ms since the epoch) a `02-Oct-2026 - Interval 16:50 EST` RefId names, or null. */
export function misoRefIdStartMs(refId: string): number | null {
  const m = REF_ID.exec(refId.trim())
  if (!m) return null
  const month = MONTHS.indexOf((m[2] ?? '').toLowerCase()) + 1
  if (month === 0) return null
  const ms = wallClockMs(Number(m[3]), month, Number(m[1]), Number(m[5]), Number(m[6]))
  return ms === null ? null : ms + MISO_EST_OFFSET_MS
}

export function parseMisoExAnte(text: string, file: string): ParseResult {
  const doc = readJson(text, file)
  const data = isObject(doc) ? doc.LMPData : undefined
  const fail = (field: string, value: unknown, reason: string): never => {
    throw new ParseError({ file, line: 1, field, value: rawText(value).slice(0, 200), reason })
  }
  if (!isObject(data)) return fail('LMPData', doc, 'expected {"LMPData":{...}}')
  const refId = data.RefId
  const start = typeof refId === 'string' ? misoRefIdStartMs(refId) : null
  if (start === null) return fail('LMPData.RefId', refId, 'expected "DD-Mon-YYYY - Interval HH:MM EST"')
  const exAnte = data.ExAnteLMP
  if (!isObject(exAnte)) return fail('LMPData.ExAnteLMP', exAnte, 'missing ExAnteLMP')
  const hourAndMin = exAnte.HourAndMin
  if (hourAndMin !== undefined && minuteOfDay(rawText(hourAndMin)) !== minuteOfDay(REF_ID.exec(String(refId).trim())?.[4] ?? ''))
    fail('LMPData.ExAnteLMP.HourAndMin', hourAndMin, `does not match RefId "${String(refId)}"`)
  // XML-to-JSON answers collapse a one-element list into the element itself.
  const hubs: unknown = Array.isArray(exAnte.Hub) ? exAnte.Hub : isObject(exAnte.Hub) ? [exAnte.Hub] : undefined
  if (!Array.isArray(hubs)) return fail('LMPData.ExAnteLMP.Hub', exAnte.Hub, 'missing Hub list')

  const errors: ParseIssue[] = []
  const records: PriceRecord[] = []
  const seen = new Set<string>()
  hubs.forEach((hub: unknown, index: number) => {
    const line = index + 1
    const issue = (field: string, value: unknown, reason: string) =>
      errors.push({ file, line, field, value: rawText(value), reason })
    if (!isObject(hub)) return issue('Hub', hub, 'not an object')
    const badNode = nodeNameIssue(hub.name, { file, line, field: 'name' })
    if (badNode) return errors.push(badNode)
    const name = hub.name as string
    const lmp = readNumber(hub.LMP)
    const loss = readNumber(hub.loss)
    const congestion = readNumber(hub.congestion)
    if (lmp === null) return issue('LMP', hub.LMP, hub.LMP === undefined ? 'missing' : 'not a number')
    if (loss === null) return issue('loss', hub.loss, hub.loss === undefined ? 'missing' : 'not a number')
    if (congestion === null) return issue('congestion', hub.congestion, hub.congestion === undefined ? 'missing' : 'not a number')
    if (seen.has(name)) return issue('name', name, 'hub listed twice (first kept)')
    seen.add(name)
    records.push({
      market: 'MISO',
      node: name,
      run: 'RT5',
      intervalStart: isoUtc(start),
      intervalEnd: isoUtc(start + INTERVAL_MS),
      lmp,
      energy: residual(lmp, loss, congestion),
      congestion,
      loss,
      ghg: null,
      source: 'miso.api.exante',
      publishedAt: null,
    })
  })
  return { records, errors }
}
