/**
 * IESO (Ontario) public reports, `https://reports-public.ieso.ca/public/...`: the Ontario Zonal
 * Price, one price for the whole province since Market Renewal (2025-05-01), read as node
 * {@link IESO_NODE}.
 *
 * Day-ahead, `DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice_{YYYYMMDD}.xml`:
 *
 *   <Document docID="DAHourlyOntarioZonalPrice" xmlns="http://www.ieso.ca/schema" ...>
 *     <DocHeader><DocTitle>Day Ahead Hourly Ontario Zonal Energy Price Report</DocTitle>
 *       <DocRevision>1</DocRevision><DocConfidentiality>...</DocConfidentiality>
 *       <CreatedAt>2026-05-27T12:31:16</CreatedAt></DocHeader>
 *     <DocBody><DeliveryDate>2026-05-28</DeliveryDate>
 *       <HourlyPriceComponents><PricingHour>1</PricingHour><ZonalPrice>17.76</ZonalPrice>
 *         <LossPriceCapped>0.02</LossPriceCapped><CongestionPriceCapped>-0.26</CongestionPriceCapped>
 *         <Flag>DSO-RD</Flag></HourlyPriceComponents> ... x24
 *
 * Real-time, `RealtimeOntarioZonalPrice/PUB_RealtimeOntarioZonalPrice_{YYYYMMDD}{HH}.xml`, one
 * file per delivery hour HH (1-24), twelve five-minute intervals. Two layouts:
 * - schema r2 (current): `DocBody{DeliveryDate (YYYY-MM-DD), DeliveryHour, ZonalPrice{Interval,
 *   Flag, LmpCap, LossPriceCap, CongPriceCap} x12, AveragePrice{...}}`;
 * - schema r1 (2025): `DocBody{DeliveryDate ("For 2025-04-23 - Hour 12"),
 *   RealTimePriceComponents{OntarioZonalPrice (the component: "Zonal Price", "Energy Loss
 *   Price" or "Energy Congestion Price"), OntarioZonalPriceInterval1{Interval1}, ...
 *   OntarioZonalPriceInterval12{Interval12}, ...} x3}` (as gridstatus' ieso.py reads it).
 * AveragePrice (r2) is the hour's average, not a price of its own interval: it is not read.
 *
 * Clock: IESO market time is Eastern STANDARD time all year (UTC-5): no daylight saving, every
 * delivery date has exactly 24 hours, hour N (hour ending) covers [N-1, N) EST. A day-ahead
 * report with other than 24 hours is a ParseError. CreatedAt carries no zone; it is read in the
 * same market time, EST, as gridstatus reads it. Evidence beyond that convention: a public
 * source-discovery note records a served real-time file for 2026-08-25 DeliveryHour 18 with 9 of
 * 12 intervals filled, CreatedAt 2026-08-25T17:37:57, fetched at 22:43:50Z. Read as EST that is
 * 22:37:57Z, inside hour 18 (17:00-18:00 EST) and 6 minutes before the fetch; read as EDT
 * (21:37:57Z = 16:37 EST) hour 18 would not have started. The DA fixture's 12:31:16 on the eve of
 * delivery fits either reading.
 *
 * Energy = price - loss - congestion, rounded to 1e-6 (IESO publishes the price and the two
 * capped components). Issues name the 1-based position of the price element (the hour's
 * `HourlyPriceComponents`, the interval's `ZonalPrice`, or the interval number in r1) as their
 * line; ParseErrors about the document name the physical line of the element at fault.
 */
import type { MarketRun, PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { ParseResult } from '../types.ts'
import { childrenNamed, onlyChild, readXml, type XmlElement } from './ieso-xml.ts'
import { EASTERN_STANDARD, localInstant } from './local-time.ts'
import { isoUtc, readNumber, residual, wallClockMs } from './text.ts'

/** The node of the Ontario Zonal Price (one price for the province). */
export const IESO_NODE = 'ONTARIO'
export const IESO_NAMESPACE = 'http://www.ieso.ca/schema'
export const IESO_DA_TITLE = 'Day Ahead Hourly Ontario Zonal Energy Price Report'

const HOUR_MS = 3_600_000
const FIVE_MINUTES_MS = 5 * 60_000

/** An IESO report read far enough to know it is the expected one. */
type Report = { header: XmlElement; body: XmlElement; publishedAt: string }

/**
 * The document of an IESO XML report, or a thrown ParseError for what is not one: an empty
 * body, an HTML page, text that is not XML, XML that is not well-formed, or another document
 * (root not `Document` in the IESO namespace, another `docID`). Unlike text.ts' dataText, which
 * refuses any body starting with `<`, markup is expected here.
 */
export function readIesoDocument(text: string, file: string, docId: string): Report {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const at = body.search(/\S/)
  if (at < 0) throw new ParseError({ file, line: 1, field: '(file)', value: body, reason: 'empty file' })
  const line = body.slice(0, at).split('\n').length
  const head = body.slice(at, at + 4000)
  if (/<!doctype\s+html|<html[\s>]/i.test(head))
    throw new ParseError({ file, line, field: '(file)', value: head, reason: 'an HTML page instead of data (throttled or an error page)' })
  if (body[at] !== '<') throw new ParseError({ file, line, field: '(file)', value: head, reason: 'not an XML document' })
  const root = readXml(body, file)
  const fail = (element: XmlElement, field: string, value: string, reason: string): never => {
    throw new ParseError({ file, line: element.line, field, value, reason })
  }
  if (root.name !== 'Document' || root.ns !== IESO_NAMESPACE)
    fail(root, 'Document', `{${root.ns}}${root.name}`, `expected an IESO report, <Document xmlns="${IESO_NAMESPACE}">`)
  const found = root.attributes.docID
  if (found !== undefined && found !== docId) fail(root, 'Document/@docID', found, `another report: expected docID "${docId}"`)
  const header = onlyChild(root, 'DocHeader') ?? fail(root, 'DocHeader', '', 'expected one DocHeader')
  const docBody = onlyChild(root, 'DocBody') ?? fail(root, 'DocBody', '', 'expected one DocBody')
  const created = onlyChild(header, 'CreatedAt') ?? fail(header, 'DocHeader/CreatedAt', '', 'expected one CreatedAt')
  const createdMs = estDateTimeMs(created.text.trim())
  if (createdMs === null) fail(created, 'DocHeader/CreatedAt', created.text, 'expected YYYY-MM-DDTHH:MM:SS (IESO market time, EST)')
  return { header, body: docBody, publishedAt: isoUtc(createdMs as number) }
}

/** A `YYYY-MM-DDTHH:MM:SS` IESO time (EST, no zone in the text) in ms since the epoch, or null. */
export function estDateTimeMs(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(text)
  if (!m) return null
  const wall = wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0))
  return wall === null ? null : localInstant(wall, EASTERN_STANDARD)
}

/** The wall-clock midnight (see `wallClockMs`) of a `YYYY-MM-DD` date, or null. */
function dateWall(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  return m ? wallClockMs(Number(m[1]), Number(m[2]), Number(m[3])) : null
}

/** The start (ms) of hour ending `hour` (1-24) of the delivery date `dayWall`, in EST. */
function estHourStart(dayWall: number, hour: number): number {
  return localInstant(dayWall + (hour - 1) * HOUR_MS, EASTERN_STANDARD) as number
}

/** The integer 1..max written in `text`, or null. */
function position(text: string, max: number): number | null {
  if (!/^\d{1,2}$/.test(text)) return null
  const n = Number(text)
  return n >= 1 && n <= max ? n : null
}

/** The text of the one child `name` of `parent`, trimmed; undefined when missing or repeated. */
function leaf(parent: XmlElement, name: string): string | undefined {
  return onlyChild(parent, name)?.text.trim()
}

/**
 * Reads a price and its two components, or reports the issue (null); 'pending' when all three are
 * empty, the way IESO lists an interval it has not run yet. `fields` names them in the file.
 */
function readPrices(
  values: [string | undefined, string | undefined, string | undefined],
  fields: [string, string, string],
  issue: (field: string, value: string, reason: string) => void
): [number, number, number] | null | 'pending' {
  if (values.every((value) => value === '')) return 'pending'
  const out: number[] = []
  for (let i = 0; i < 3; i++) {
    const value = values[i]
    const field = fields[i] as string
    if (value === undefined) {
      issue(field, '', 'missing')
      return null
    }
    const number = readNumber(value)
    if (number === null) {
      issue(field, value, value === '' ? 'empty' : 'not a number')
      return null
    }
    out.push(number)
  }
  return out as [number, number, number]
}

function record(run: MarketRun, source: string, start: number, minutes: number, prices: [number, number, number], publishedAt: string): PriceRecord {
  const [lmp, loss, congestion] = prices
  return {
    market: 'IESO',
    node: IESO_NODE,
    run,
    intervalStart: isoUtc(start),
    intervalEnd: isoUtc(start + minutes * 60_000),
    lmp,
    energy: residual(lmp, loss, congestion),
    congestion,
    loss,
    ghg: null,
    source,
    publishedAt,
  }
}

/** `ieso.da_ontario_zonal`: PUB_DAHourlyOntarioZonalPrice_{YYYYMMDD}.xml, 24 hourly DA records. */
export function parseIesoDaOntarioZonal(text: string, file: string): ParseResult {
  const { header, body, publishedAt } = readIesoDocument(text, file, 'DAHourlyOntarioZonalPrice')
  const fail = (element: XmlElement, field: string, value: string, reason: string): never => {
    throw new ParseError({ file, line: element.line, field, value, reason })
  }
  const title = onlyChild(header, 'DocTitle') ?? fail(header, 'DocHeader/DocTitle', '', 'expected one DocTitle')
  if (title.text.trim() !== IESO_DA_TITLE) fail(title, 'DocHeader/DocTitle', title.text.trim(), `another report: expected "${IESO_DA_TITLE}"`)
  const delivery = onlyChild(body, 'DeliveryDate') ?? fail(body, 'DocBody/DeliveryDate', '', 'expected one DeliveryDate')
  const day = dateWall(delivery.text.trim())
  if (day === null) return fail(delivery, 'DocBody/DeliveryDate', delivery.text.trim(), 'expected YYYY-MM-DD')
  const hours = childrenNamed(body, 'HourlyPriceComponents')
  if (hours.length !== 24)
    fail(
      hours[24] ?? body,
      'HourlyPriceComponents',
      String(hours.length),
      `expected 24 hourly prices (IESO market time is EST all year: no 23- or 25-hour day), found ${hours.length}`
    )

  const records: PriceRecord[] = []
  const errors: ParseIssue[] = []
  const seen = new Map<number, number>()
  hours.forEach((row, index) => {
    const line = index + 1
    const issue = (field: string, value: string, reason: string) => errors.push({ file, line, field, value, reason })
    const hourText = leaf(row, 'PricingHour')
    if (hourText === undefined) return issue('PricingHour', '', 'missing')
    const hour = position(hourText, 24)
    if (hour === null) return issue('PricingHour', hourText, 'not an hour ending 1-24')
    const first = seen.get(hour)
    if (first !== undefined) return issue('PricingHour', hourText, `hour ${hour} listed twice (element ${first} kept)`)
    seen.set(hour, line)
    const prices = readPrices(
      [leaf(row, 'ZonalPrice'), leaf(row, 'LossPriceCapped'), leaf(row, 'CongestionPriceCapped')],
      ['ZonalPrice', 'LossPriceCapped', 'CongestionPriceCapped'],
      issue
    )
    // The day-ahead report is published whole: an hour without prices there is a bad row.
    if (prices === 'pending') return issue('ZonalPrice', '', 'empty (the day-ahead report prices every hour)')
    if (prices) records.push(record('DA', 'ieso.da_ontario_zonal', estHourStart(day, hour), 60, prices, publishedAt))
  })
  return { records, errors }
}

/** `ieso.rt_ontario_zonal`: PUB_RealtimeOntarioZonalPrice_{YYYYMMDD}{HH}.xml (schema r2 or r1), up to 12 RT5 records. */
export function parseIesoRtOntarioZonal(text: string, file: string): ParseResult {
  const report = readIesoDocument(text, file, 'RealtimeOntarioZonalPrice')
  const { body } = report
  if (childrenNamed(body, 'ZonalPrice').length > 0) return readRtR2(report, file)
  if (childrenNamed(body, 'RealTimePriceComponents').length > 0) return readRtR1(report, file)
  throw new ParseError({
    file,
    line: body.line,
    field: 'DocBody',
    value: body.children.map((child) => child.name).join(','),
    reason: 'expected ZonalPrice elements (schema r2) or RealTimePriceComponents (schema r1)',
  })
}

const RT_FIELDS: [string, string, string] = ['LmpCap', 'LossPriceCap', 'CongPriceCap']

function readRtR2({ body, publishedAt }: Report, file: string): ParseResult {
  const fail = (element: XmlElement, field: string, value: string, reason: string): never => {
    throw new ParseError({ file, line: element.line, field, value, reason })
  }
  const delivery = onlyChild(body, 'DeliveryDate') ?? fail(body, 'DocBody/DeliveryDate', '', 'expected one DeliveryDate')
  const day = dateWall(delivery.text.trim())
  if (day === null) return fail(delivery, 'DocBody/DeliveryDate', delivery.text.trim(), 'expected YYYY-MM-DD')
  const hourElement = onlyChild(body, 'DeliveryHour') ?? fail(body, 'DocBody/DeliveryHour', '', 'expected one DeliveryHour')
  const hour = position(hourElement.text.trim(), 24)
  if (hour === null) return fail(hourElement, 'DocBody/DeliveryHour', hourElement.text.trim(), 'expected an hour ending 1-24 (EST)')
  const intervals = childrenNamed(body, 'ZonalPrice')
  if (intervals.length > 12)
    fail(intervals[12] as XmlElement, 'ZonalPrice', String(intervals.length), `expected at most 12 five-minute intervals, found ${intervals.length}`)

  const hourStart = estHourStart(day, hour)
  const records: PriceRecord[] = []
  const errors: ParseIssue[] = []
  const seen = new Map<number, number>()
  let pending = 0
  intervals.forEach((row, index) => {
    const line = index + 1
    const issue = (field: string, value: string, reason: string) => errors.push({ file, line, field, value, reason })
    const intervalText = leaf(row, 'Interval')
    if (intervalText === undefined) return issue('Interval', '', 'missing')
    const interval = position(intervalText, 12)
    if (interval === null) return issue('Interval', intervalText, 'not an interval 1-12')
    const first = seen.get(interval)
    if (first !== undefined) return issue('Interval', intervalText, `interval ${interval} listed twice (element ${first} kept)`)
    seen.set(interval, line)
    const prices = readPrices([leaf(row, 'LmpCap'), leaf(row, 'LossPriceCap'), leaf(row, 'CongPriceCap')], RT_FIELDS, issue)
    if (prices === 'pending') pending++
    else if (prices) records.push(record('RT5', 'ieso.rt_ontario_zonal', hourStart + (interval - 1) * FIVE_MINUTES_MS, 5, prices, publishedAt))
  })
  return { records, errors, pending }
}

/** The r1 component blocks by their `OntarioZonalPrice` label. */
const R1_COMPONENTS = ['Zonal Price', 'Energy Loss Price', 'Energy Congestion Price'] as const

function readRtR1({ body, publishedAt }: Report, file: string): ParseResult {
  const fail = (element: XmlElement, field: string, value: string, reason: string): never => {
    throw new ParseError({ file, line: element.line, field, value, reason })
  }
  const delivery = onlyChild(body, 'DeliveryDate') ?? fail(body, 'DocBody/DeliveryDate', '', 'expected one DeliveryDate')
  const m = /^For (\d{4}-\d{2}-\d{2}) - Hour (\d{1,2})$/.exec(delivery.text.trim())
  const day = m ? dateWall(m[1] as string) : null
  const hour = m ? position(m[2] as string, 24) : null
  if (day === null || hour === null)
    return fail(delivery, 'DocBody/DeliveryDate', delivery.text.trim(), 'expected "For YYYY-MM-DD - Hour H" (schema r1, H 1-24 EST)')

  const blocks = new Map<string, XmlElement>()
  for (const block of childrenNamed(body, 'RealTimePriceComponents')) {
    const label = leaf(block, 'OntarioZonalPrice') ?? fail(block, 'RealTimePriceComponents/OntarioZonalPrice', '', 'expected one OntarioZonalPrice label')
    if (blocks.has(label)) fail(block, 'RealTimePriceComponents/OntarioZonalPrice', label, 'component given twice')
    blocks.set(label, block) // other components, if any, are not prices of this record
  }
  const [price, loss, congestion] = R1_COMPONENTS.map(
    (label) => blocks.get(label) ?? fail(body, 'RealTimePriceComponents/OntarioZonalPrice', label, `no "${label}" component`)
  ) as [XmlElement, XmlElement, XmlElement]
  const intervalValue = (block: XmlElement, i: number): string | undefined => {
    const slot = onlyChild(block, `OntarioZonalPriceInterval${i}`)
    return slot ? leaf(slot, `Interval${i}`) : undefined
  }

  const hourStart = estHourStart(day, hour)
  const records: PriceRecord[] = []
  const errors: ParseIssue[] = []
  let pending = 0
  for (let i = 1; i <= 12; i++) {
    const issue = (field: string, value: string, reason: string) => errors.push({ file, line: i, field, value, reason })
    const prices = readPrices(
      [intervalValue(price, i), intervalValue(loss, i), intervalValue(congestion, i)],
      R1_COMPONENTS.map((label) => `${label}/Interval${i}`) as [string, string, string],
      issue
    )
    if (prices === 'pending') pending++
    else if (prices) records.push(record('RT5', 'ieso.rt_ontario_zonal', hourStart + (i - 1) * FIVE_MINUTES_MS, 5, prices, publishedAt))
  }
  return { records, errors, pending }
}
