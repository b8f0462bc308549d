/**
 * EIA-930 Hourly Electric Grid Monitor through the EIA Open Data API v2 (JSON, envelope in
 * ./envelope.ts), two routes:
 *
 * - `/v2/electricity/rto/region-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=PACW...`:
 *   rows `{"period":"2023-01-01T00","respondent":"PACW","respondent-name":"PacifiCorp West",
 *   "type":"D","type-name":"Demand","value":"2455","value-units":"megawatthours"}`; type D (demand),
 *   DF (day-ahead demand forecast), NG (net generation), TI (total interchange).
 * - `/v2/electricity/rto/fuel-type-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=PACW...`:
 *   rows with `fueltype` (NG, WND, SUN, WAT, COL, NUC, OIL, OTH, BAT, PS, UNK, ...) instead of `type`.
 *
 * Clock: `period` is `YYYY-MM-DD"T"HH24` in UTC (`frequency` "hourly"; the "local-hourly" answers,
 * with an offset in the period, are refused rather than read twice) and labels the hour by its
 * END: 2023-01-01T00 is the hour 2022-12-31 23:00 to 2023-01-01 00:00 UTC, so periodStart is
 * period - 1 h and periodEnd is period. Values are MWh in the hour (`value-units`
 * "megawatthours"), written as strings; negative values are kept (interchange is negative when the
 * area imports; storage and some plants' net generation is negative when they draw power).
 *
 * Series: `<RESPONDENT>.DEMAND` (D, measure demand), `.DEMAND_FORECAST` (DF, measure demand: a
 * quantity of demand, told apart by its id and `type` attribute), `.NET_GENERATION` (NG, measure
 * net_generation), `.INTERCHANGE` (TI, measure interchange: the net energy leaving the area,
 * neither demand nor generation), and `<RESPONDENT>.<FUELTYPE>`
 * (measure net_generation). Product GRID, market from ./balancing-authorities.ts.
 *
 * A row that cannot be a record is an issue, never skipped: its position in `response.data` as
 * line, and the field and value. That includes a `value` of null, which EIA publishes for an hour
 * a respondent did not report (or whose value it removed): it is a gap the reader must see, and
 * neither a 0 nor a silent hole would say so; a revised answer that fills it is read again. A
 * respondent that maps to no market is an issue naming it, so its rows are dead-lettered until
 * the map says where they belong. The same series and hour twice with one value is kept once;
 * with two values it is an issue (the first is kept). publishedAt is null: the API does not say
 * when a value was published or revised.
 */
import { SeriesId, type SeriesMeasure, type SeriesRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../../errors.ts'
import { isObject, isoUtc, rawText, readNumber, wallClockMs } from '../../parsers/text.ts'
import { textOf } from '../text.ts'
import type { SeriesParseResult } from '../types.ts'
import { balancingAuthority } from './balancing-authorities.ts'
import { readEiaApiAnswer, type EiaApiAnswer } from './envelope.ts'

export const EIA930_REGION_DATA_SOURCE = 'eia.930.region_data'
export const EIA930_FUEL_TYPE_DATA_SOURCE = 'eia.930.fuel_type_data'
export const EIA930_REGION_DATA_ROUTE = '/v2/electricity/rto/region-data/data/'
export const EIA930_FUEL_TYPE_DATA_ROUTE = '/v2/electricity/rto/fuel-type-data/data/'

/** The `dateFormat` and `frequency` of UTC hourly answers, the only ones read. */
export const EIA930_DATE_FORMAT = 'YYYY-MM-DD"T"HH24'
export const EIA930_FREQUENCY = 'hourly'
export const EIA930_VALUE_UNITS = 'megawatthours'

/** Region-data `type` codes: the series suffix and measure each becomes. */
export const EIA930_REGION_TYPES: Readonly<Record<string, { series: string; measure: SeriesMeasure }>> = {
  D: { series: 'DEMAND', measure: 'demand' },
  DF: { series: 'DEMAND_FORECAST', measure: 'demand' },
  NG: { series: 'NET_GENERATION', measure: 'net_generation' },
  TI: { series: 'INTERCHANGE', measure: 'interchange' },
}

const HOUR_MS = 3_600_000
const PERIOD = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/
/** One part of a series id: a respondent or fuel code. */
const ID_PART = /^[A-Z0-9][A-Z0-9_-]*$/
const MAX_ATTRIBUTE_CHARS = 128

/** What one route contributes: which key holds the code, and the series and measure of a code. */
type Route = {
  source: string
  command: string
  codeField: 'type' | 'fueltype'
  /** Series suffix and measure of a code, or the reason it is refused. */
  series: (code: string) => { series: string; measure: SeriesMeasure } | string
}

const REGION_DATA: Route = {
  source: EIA930_REGION_DATA_SOURCE,
  command: EIA930_REGION_DATA_ROUTE,
  codeField: 'type',
  series: (code) =>
    Object.hasOwn(EIA930_REGION_TYPES, code)
      ? (EIA930_REGION_TYPES[code] as { series: string; measure: SeriesMeasure })
      : `unknown region-data type (expected ${Object.keys(EIA930_REGION_TYPES).join(', ')})`,
}

const FUEL_TYPE_DATA: Route = {
  source: EIA930_FUEL_TYPE_DATA_SOURCE,
  command: EIA930_FUEL_TYPE_DATA_ROUTE,
  codeField: 'fueltype',
  series: (code) => (ID_PART.test(code) ? { series: code, measure: 'net_generation' } : 'not an energy source code (upper-case letters and digits)'),
}

function fail(file: string, field: string, value: string, reason: string): never {
  throw new ParseError({ file, line: 1, field, value, reason })
}

/** The answer, refused as a whole when it is another route's, or not UTC hourly. */
function checkedAnswer(bytes: Uint8Array, file: string, route: Route): EiaApiAnswer {
  const answer = readEiaApiAnswer(textOf(bytes), file)
  const command = answer.command === null ? null : `/${answer.command.replace(/^\/+|\/+$/g, '')}/`
  if (command !== null && command !== route.command) fail(file, 'request.command', answer.command ?? '', `another route's answer (expected ${route.command})`)
  if (answer.frequency !== EIA930_FREQUENCY)
    fail(file, 'response.frequency', answer.frequency, `expected "${EIA930_FREQUENCY}" (UTC hours; request frequency=hourly)`)
  if (answer.dateFormat !== EIA930_DATE_FORMAT) fail(file, 'response.dateFormat', answer.dateFormat, `expected ${EIA930_DATE_FORMAT}`)
  return answer
}

/** The UTC instant a `period` names (the END of its hour), or null. */
export function eia930PeriodEndMs(period: string): number | null {
  const m = PERIOD.exec(period)
  return m ? wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])) : null
}

type RowIssue = { field: string; value: unknown; reason: string }
const issue = (field: string, value: unknown, reason: string): RowIssue => ({ field, value, reason })

/** An optional descriptive text of a row (`respondent-name`, `type-name`) as an attribute value. */
function nameOf(row: Record<string, unknown>, field: string): string | RowIssue | undefined {
  const value = row[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') return issue(field, value, 'not a string')
  return value.length > MAX_ATTRIBUTE_CHARS ? issue(field, value, `longer than ${MAX_ATTRIBUTE_CHARS} characters`) : value
}

/** The value in MWh, or the issue: missing, null (not reported), not a number, or another unit. */
function valueOf(row: Record<string, unknown>): number | RowIssue {
  const units = row['value-units']
  if (units !== undefined && units !== EIA930_VALUE_UNITS) return issue('value-units', units, `expected "${EIA930_VALUE_UNITS}"`)
  if (!Object.hasOwn(row, 'value')) return issue('value', '', 'missing')
  if (row.value === null) return issue('value', null, 'no value for this hour (null: not reported by the respondent, or removed by EIA)')
  const value = readNumber(row.value)
  return value ?? issue('value', row.value, 'not a number')
}

/** One row as a record, or the issue that keeps it from being one. */
function rowRecord(row: unknown, route: Route): SeriesRecord | RowIssue {
  if (!isObject(row)) return issue('data', row, 'not an object')
  const period = row.period
  const end = typeof period === 'string' ? eia930PeriodEndMs(period) : null
  if (end === null) return issue('period', period ?? '', period === undefined ? 'missing' : 'not YYYY-MM-DDTHH (UTC, hour ending)')
  const respondent = row.respondent
  if (typeof respondent !== 'string' || !ID_PART.test(respondent)) return issue('respondent', respondent ?? '', 'not a respondent code')
  const ba = balancingAuthority(respondent)
  if (!ba) return issue('respondent', respondent, `respondent ${respondent} maps to no market (series/eia930/balancing-authorities.ts)`)
  const code = row[route.codeField]
  if (typeof code !== 'string') return issue(route.codeField, code ?? '', 'missing')
  const kind = route.series(code)
  if (typeof kind === 'string') return issue(route.codeField, code, kind)
  const series = `${respondent}.${kind.series}`
  if (!SeriesId.safeParse(series).success) return issue(route.codeField, code, `makes no valid series id (${series})`)
  const value = valueOf(row)
  if (typeof value !== 'number') return value
  const respondentName = nameOf(row, 'respondent-name')
  if (typeof respondentName === 'object') return respondentName
  const name = nameOf(row, 'type-name')
  if (typeof name === 'object') return name
  const attributes: Record<string, string> = { respondent, [route.codeField]: code }
  if (name !== undefined) attributes.name = name
  if (respondentName !== undefined) attributes.respondentName = respondentName
  if (ba.via) attributes.via = ba.via
  return {
    product: 'GRID',
    market: ba.market,
    series,
    measure: kind.measure,
    frequency: 'hour',
    periodStart: isoUtc(end - HOUR_MS),
    periodEnd: isoUtc(end),
    value,
    unit: 'MWh',
    attributes,
    source: route.source,
    publishedAt: null,
  }
}

/** Every row read; issues for the rows that could not be, and for a series-hour given two values. */
function readRows(answer: EiaApiAnswer, file: string, route: Route): SeriesParseResult {
  const records: SeriesRecord[] = []
  const errors: ParseIssue[] = []
  const seen = new Map<string, { value: number; line: number }>()
  answer.data.forEach((row, index) => {
    const line = index + 1
    const record = rowRecord(row, route)
    if (!('product' in record)) {
      errors.push({ file, line, field: record.field, value: rawText(record.value), reason: record.reason })
      return
    }
    const key = `${record.series} ${record.periodEnd}`
    const first = seen.get(key)
    if (first) {
      if (first.value !== record.value) {
        errors.push({ file, line, field: 'value', value: String(record.value), reason: `${record.series} at ${rawText((row as Record<string, unknown>).period)} given twice (line ${first.line}: ${first.value} kept)` })
      }
      return
    }
    seen.set(key, { value: record.value, line })
    records.push(record)
  })
  return { records, errors }
}

/** `eia.930.region_data`: demand, demand forecast, net generation and interchange per respondent and hour. */
export function parseEia930RegionData(bytes: Uint8Array, file: string): SeriesParseResult {
  return readRows(checkedAnswer(bytes, file, REGION_DATA), file, REGION_DATA)
}

/** `eia.930.fuel_type_data`: net generation per respondent, energy source and hour. */
export function parseEia930FuelTypeData(bytes: Uint8Array, file: string): SeriesParseResult {
  return readRows(checkedAnswer(bytes, file, FUEL_TYPE_DATA), file, FUEL_TYPE_DATA)
}
