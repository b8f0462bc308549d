/**
 * MISO public API `MarketPricing/GetRealTimeFiveMinExPost/{Current|Rolling|Previous}`:
 *
 *   {"headers":["INTERVAL","CPNODE","LMP","MLC","MCC"],
 *    "data":[["2026-10-02T16:50:00","MS.HUB","37.84","0.48","2.86"], ...]}
 *
 * Every value is a string. INTERVAL is the start of the 5-minute interval as a naive MISO
 * market time (fixed EST, UTC-5). The energy component is not published: LMP - MLC - MCC,
 * rounded to 1e-6. Issues name the 1-based position of the row in `data` as their line.
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

const HEADERS = ['INTERVAL', 'CPNODE', 'LMP', 'MLC', 'MCC'] as const
const INTERVAL_MS = 5 * 60_000
const NAIVE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.0+)?)?$/

/** A naive MISO market time (`2026-10-02T16:50:00`, fixed EST) in ms since the epoch, or null. */
export function misoNaiveTimeMs(text: string): number | null {
  const m = NAIVE_TIME.exec(text)
  if (!m) return null
  const ms = wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0))
  return ms === null ? null : ms + MISO_EST_OFFSET_MS
}

export function parseMisoRt5ExPost(text: string, file: string): ParseResult {
  const doc = readJson(text, file)
  if (!isObject(doc) || !Array.isArray(doc.headers) || !Array.isArray(doc.data))
    throw new ParseError({
      file,
      line: 1,
      field: 'headers',
      value: rawText(doc).slice(0, 200),
      reason: 'expected {"headers":[...],"data":[...]}',
    })
  const headers = doc.headers.map(rawText)
  if (headers.length !== HEADERS.length || HEADERS.some((name, i) => headers[i] !== name))
    throw new ParseError({
      file,
      line: 1,
      field: 'headers',
      value: JSON.stringify(headers),
      reason: `headers changed: expected ${JSON.stringify(HEADERS)}`,
    })

  const errors: ParseIssue[] = []
  const records: PriceRecord[] = []
  const seen = new Map<string, { line: number; record: PriceRecord }>()
  doc.data.forEach((row: unknown, index: number) => {
    const line = index + 1
    const issue = (field: string, value: unknown, reason: string) =>
      errors.push({ file, line, field, value: rawText(value), reason })
    if (!Array.isArray(row)) return issue('data', row, 'row is not an array')
    if (row.length < HEADERS.length)
      return issue(HEADERS[row.length] ?? '', '', `row has ${row.length} of ${HEADERS.length} values`)
    if (row.length > HEADERS.length) return issue('data', row, `row has more than ${HEADERS.length} values`)
    const [interval, node, lmpRaw, mlcRaw, mccRaw] = row as unknown[]

    const start = typeof interval === 'string' ? misoNaiveTimeMs(interval) : null
    if (start === null) return issue('INTERVAL', interval, 'not a YYYY-MM-DDTHH:MM:SS market time')
    const badNode = nodeNameIssue(node, { file, line, field: 'CPNODE' })
    if (badNode) return errors.push(badNode)
    const lmp = readNumber(lmpRaw)
    const loss = readNumber(mlcRaw)
    const congestion = readNumber(mccRaw)
    if (lmp === null) return issue('LMP', lmpRaw, 'not a number')
    if (loss === null) return issue('MLC', mlcRaw, 'not a number')
    if (congestion === null) return issue('MCC', mccRaw, 'not a number')

    const record: PriceRecord = {
      market: 'MISO',
      node: node as string,
      run: 'RT5',
      intervalStart: isoUtc(start),
      intervalEnd: isoUtc(start + INTERVAL_MS),
      lmp,
      energy: residual(lmp, loss, congestion),
      congestion,
      loss,
      ghg: null,
      source: 'miso.api.rt5_expost',
      publishedAt: null,
    }
    const key = `${record.node}\u0000${start}`
    const first = seen.get(key)
    if (!first) {
      seen.set(key, { line, record })
      records.push(record)
    } else if (first.record.lmp !== lmp || first.record.loss !== loss || first.record.congestion !== congestion) {
      issue('CPNODE', node, `second row for this node and interval with other prices (row ${first.line} kept)`)
    }
  })
  return { records, errors }
}
