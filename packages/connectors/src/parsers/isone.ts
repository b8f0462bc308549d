/**
 * ISO New England hourly LMPs, two formats.
 *
 * 1. Web Services v1.1 (`https://webservices.iso-ne.com/api/v1.1/`, HTTP basic auth with an ISO
 *    Express account): `hourlylmp/da/final/day/{YYYYMMDD}/location/{id}.json` (day-ahead) and
 *    `hourlylmp/rt/final/day/{YYYYMMDD}/location/{id}.json` (real-time hourly), the same shape:
 *
 *      {"HourlyLmps":{"HourlyLmp":[{"BeginDate":"2026-09-23T00:00:00.000-04:00",
 *        "Location":{"@LocId":"4000","@LocType":"HUB","$":".H.INTERNAL_HUB"},
 *        "LmpTotal":31.5,"EnergyComponent":31.28,"CongestionComponent":0,"LossComponent":0.22}, ...]}}
 *
 *    BeginDate is the hour beginning in Eastern local time WITH its offset, so the instant is
 *    exact from the string; on the fall-back day 01:00 appears twice, -04:00 then -05:00. The
 *    offset must be Eastern time's real offset at that instant (else a row issue). The answer
 *    is XML turned into JSON, which collapses a one-element list into the element: both are
 *    read. Issues name the 1-based position in `HourlyLmp` as their line.
 *
 * 2. The ISO Express CSV report `https://www.iso-ne.com/static-transform/csv/histRpts/da-lmp/WW_DALMP_ISO_{YYYYMMDD}.csv`:
 *    lines tagged by their first cell, `"C"` comment (the first is the report title), `"H"`
 *    header (field names, then field types), `"D"` data, `"T"` trailer:
 *
 *      "C","Day-Ahead Energy Market Hourly LMP Report"
 *      "H","Date","Hour Ending","Location ID","Location Name","Location Type","Locational Marginal Price","Energy Component","Congestion Component","Marginal Loss Component"
 *      "H","Date","HE","String","String","String","Number","Number","Number","Number"
 *      "D","03/17/2026","01","321","UN.FRNKLNSQ13.810CC","NETWORK NODE",27.93,27.75,0.0,0.18
 *
 *    Hour Ending `01`..`24` in Eastern prevailing time; the spring day has no `03`, the fall-back
 *    day has `02` (01:00-02:00 EDT) and `02X` (01:00-02:00 EST). For a date it lacks the URL
 *    answers HTTP 200 with the text `No data exists for this period.`: a ParseError, not an
 *    empty result. Issues name the physical line.
 *
 * The node is the location name (`.H.INTERNAL_HUB`, `.Z.MAINE`, `UN.FRNKLNSQ13.810CC`), and
 * the location type gives the catalogue: HUB -> hub; LOAD ZONE and DRR AGGREGATION ZONE ->
 * zone; EXT. NODE and INTERFACE -> interface (the external interface nodes); NETWORK NODE ->
 * generator (pricing nodes at units and buses). The energy component is published and taken
 * as is.
 */
import type { MarketRun, NodeType, PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { CatalogueNode, ParseResult } from '../types.ts'
import { EASTERN, instantsOfWallClock, zoneOffsetMs } from './local-time.ts'
import {
  assertHeader,
  dataText,
  isBlank,
  isObject,
  isoUtc,
  lookup,
  nodeNameIssue,
  rawText,
  readJson,
  readNumber,
  rowWidthIssue,
  splitCsvLine,
  splitLines,
  wallClockMs,
} from './text.ts'

const HOUR_MS = 3_600_000

/** ISO-NE location types and the node type each is catalogued as. */
export const ISONE_LOCATION_TYPES: Readonly<Record<string, NodeType>> = {
  HUB: 'hub',
  'LOAD ZONE': 'zone',
  'DRR AGGREGATION ZONE': 'zone',
  'EXT. NODE': 'interface',
  INTERFACE: 'interface',
  'NETWORK NODE': 'generator',
}

export type IsoneWsMarket = 'da' | 'rt'

const WS_SPECS: Readonly<Record<IsoneWsMarket, { run: MarketRun; source: string }>> = {
  da: { run: 'DA', source: 'isone.ws.da_hourly_lmp' },
  rt: { run: 'RTH', source: 'isone.ws.rt_hourly_lmp' },
}

const BEGIN_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?([+-])(\d{2}):(\d{2})$/

/**
 * The instant of a Web Services BeginDate (`2026-11-01T01:00:00.000-05:00`), or null when it is
 * not such a time or its offset is not Eastern time's at that instant (`-05:00` in July).
 */
export function isoneBeginDateMs(text: string): number | null {
  const m = BEGIN_DATE.exec(text)
  if (!m) return null
  const wall = wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  if (wall === null) return null
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000
  const instant = wall - offset
  return zoneOffsetMs(instant, EASTERN) === offset ? instant : null
}

/** The records, issues and node catalogue of one ISO-NE file. */
class IsoneRows {
  readonly records: PriceRecord[] = []
  readonly errors: ParseIssue[] = []
  private readonly nodes = new Map<string, NodeType>()
  private readonly seen = new Map<string, { record: PriceRecord; line: number }>()

  constructor(
    private readonly file: string,
    private readonly run: MarketRun,
    private readonly source: string
  ) {}

  issue(line: number, field: string, value: unknown, reason: string): void {
    this.errors.push({ file: this.file, line, field, value: rawText(value), reason })
  }

  /** A checked row. A repeat of a node and hour with the same prices is dropped; with others it is an issue. */
  add(line: number, node: string, typeField: string, locType: string, start: number, prices: { lmp: number; energy: number; congestion: number; loss: number }, priceField: string): void {
    const key = `${start}|${node}`
    const first = this.seen.get(key)
    if (first) {
      const r = first.record
      if (r.lmp !== prices.lmp || r.energy !== prices.energy || r.congestion !== prices.congestion || r.loss !== prices.loss)
        this.issue(line, priceField, prices.lmp, `second row for ${node} at ${r.intervalStart} with other prices (line ${first.line} kept)`)
      return
    }
    const record: PriceRecord = {
      market: 'ISONE',
      node,
      run: this.run,
      intervalStart: isoUtc(start),
      intervalEnd: isoUtc(start + HOUR_MS),
      lmp: prices.lmp,
      energy: prices.energy,
      congestion: prices.congestion,
      loss: prices.loss,
      ghg: null,
      source: this.source,
      publishedAt: null,
    }
    this.seen.set(key, { record, line })
    this.records.push(record)
    const type = lookup(ISONE_LOCATION_TYPES, locType)
    if (type === undefined)
      this.issue(line, typeField, locType, `unknown location type (price kept; node not catalogued; known: ${Object.keys(ISONE_LOCATION_TYPES).join(', ')})`)
    else if (!this.nodes.has(node)) this.nodes.set(node, type)
  }

  result(): ParseResult & { nodes: CatalogueNode[] } {
    return { records: this.records, errors: this.errors, nodes: [...this.nodes].map(([name, type]) => ({ name, type })) }
  }
}

/** Web Services `hourlylmp/{da|rt}/final/day/{YYYYMMDD}[/location/{id}]` JSON. */
export function parseIsoneWsHourlyLmp(text: string, file: string, market: IsoneWsMarket): ParseResult & { nodes: CatalogueNode[] } {
  const doc = readJson(text, file)
  const fail = (field: string, value: unknown, reason: string): never => {
    throw new ParseError({ file, line: 1, field, value: rawText(value).slice(0, 200), reason })
  }
  if (!isObject(doc) || !Object.hasOwn(doc, 'HourlyLmps')) return fail('HourlyLmps', doc, 'expected {"HourlyLmps":{"HourlyLmp":[...]}}')
  const lmps = doc.HourlyLmps
  // An empty XML element becomes "" (or an object without the list) in the JSON answer.
  const list = isObject(lmps) ? lmps.HourlyLmp : undefined
  if (lmps === '' || lmps === null || (isObject(lmps) && (list === undefined || list === '' || (Array.isArray(list) && list.length === 0))))
    return fail('HourlyLmps', lmps, 'no hourly LMPs in the answer (no data for this day and location)')
  const rows: unknown = Array.isArray(list) ? list : isObject(list) ? [list] : undefined
  if (!Array.isArray(rows)) return fail('HourlyLmps.HourlyLmp', list ?? lmps, 'expected a list of hourly LMPs')

  const { run, source } = WS_SPECS[market]
  const out = new IsoneRows(file, run, source)
  rows.forEach((row: unknown, index: number) => {
    const line = index + 1
    if (!isObject(row)) return out.issue(line, 'HourlyLmp', row, 'not an object')
    const begin = row.BeginDate
    if (typeof begin !== 'string' || !BEGIN_DATE.test(begin))
      return out.issue(line, 'BeginDate', begin ?? '', begin === undefined ? 'missing' : 'not YYYY-MM-DDTHH:MM:SS.sss-HH:MM')
    const start = isoneBeginDateMs(begin)
    if (start === null) return out.issue(line, 'BeginDate', begin, 'not a real Eastern time (date, or offset not in force then)')
    const location = row.Location
    if (!isObject(location)) return out.issue(line, 'Location', location ?? '', location === undefined ? 'missing' : 'not an object')
    const badNode = nodeNameIssue(location.$, { file, line, field: 'Location.$' })
    if (badNode) return out.errors.push(badNode)
    const prices = { lmp: 0, energy: 0, congestion: 0, loss: 0 }
    for (const [key, field] of [
      ['lmp', 'LmpTotal'],
      ['energy', 'EnergyComponent'],
      ['congestion', 'CongestionComponent'],
      ['loss', 'LossComponent'],
    ] as const) {
      const value = readNumber(row[field])
      if (value === null) return out.issue(line, field, row[field] ?? '', row[field] === undefined ? 'missing' : 'not a number')
      prices[key] = value
    }
    out.add(line, location.$ as string, 'Location.@LocType', rawText(location['@LocType'] ?? ''), start, prices, 'LmpTotal')
  })
  return out.result()
}

export const parseIsoneWsDaHourlyLmp = (text: string, file: string): ParseResult => parseIsoneWsHourlyLmp(text, file, 'da')
export const parseIsoneWsRtHourlyLmp = (text: string, file: string): ParseResult => parseIsoneWsHourlyLmp(text, file, 'rt')

export const ISONE_DA_CSV_TITLE = 'Day-Ahead Energy Market Hourly LMP Report'
export const ISONE_CSV_HEADER = [
  'H',
  'Date',
  'Hour Ending',
  'Location ID',
  'Location Name',
  'Location Type',
  'Locational Marginal Price',
  'Energy Component',
  'Congestion Component',
  'Marginal Loss Component',
] as const

/**
 * The instant an ISO Express CSV Date (`MM/DD/YYYY`) and Hour Ending (`01`-`24`, `02X`) start
 * at, or a reason why there is none.
 */
export function isoneHourEndingStart(date: string, hourEnding: string): number | string {
  const d = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date)
  const day = d ? wallClockMs(Number(d[3]), Number(d[1]), Number(d[2])) : null
  if (day === null) return 'not a MM/DD/YYYY date'
  const h = /^(\d{2})(X?)$/.exec(hourEnding)
  const hour = h ? Number(h[1]) : 0
  if (!h || hour < 1 || hour > 24) return 'not an hour ending 01-24 (or 02X)'
  const instants = instantsOfWallClock(day + (hour - 1) * HOUR_MS, EASTERN)
  if (instants.length === 0) return `hour ending ${hourEnding} does not exist on ${date} (clocks skip 02:00-03:00)`
  if (h[2] === 'X') {
    if (instants.length < 2) return `hour ending ${hourEnding} on ${date}, a day without a repeated hour`
    return instants[1] as number
  }
  return instants[0] as number
}

/** ISO Express `WW_DALMP_ISO_{YYYYMMDD}.csv` (day-ahead hourly LMPs of every location). */
export function parseIsoneDaLmpCsv(text: string, file: string): ParseResult & { nodes: CatalogueNode[] } {
  const body = dataText(text, file)
  const lines = splitLines(body)
  const first = lines.findIndex((line) => !isBlank(line))
  if (/^No data exists for this period\.?$/i.test(body.trim()))
    throw new ParseError({
      file,
      line: first + 1,
      field: '(file)',
      value: body.trim(),
      reason: 'no data for this period (ISO-NE answers HTTP 200 with this text for a date it lacks)',
    })
  const title = splitCsvLine(lines[first] ?? '')
  if (title[0] !== 'C' || title[1] !== ISONE_DA_CSV_TITLE)
    throw new ParseError({ file, line: first + 1, field: 'C', value: lines[first] ?? '', reason: `another report: expected "C","${ISONE_DA_CSV_TITLE}" first` })

  const out = new IsoneRows(file, 'DA', 'isone.csv.da_lmp')
  let header = false
  lines.forEach((raw, index) => {
    const line = index + 1
    if (index <= first || isBlank(raw)) return
    const cells = splitCsvLine(raw)
    switch (cells[0]) {
      case 'C':
      case 'T':
        return
      case 'H':
        // The first H line names the fields (checked); the second gives their types.
        if (!header) assertHeader(cells, ISONE_CSV_HEADER, file, line, 'ISO-NE hourly LMP fields')
        header = true
        return
      case 'D':
        break
      default:
        return out.issue(line, 'record type', cells[0] ?? '', 'unknown record type (expected C, H, D or T)')
    }
    if (!header) throw new ParseError({ file, line, field: 'H', value: raw, reason: 'data before the "H" header line' })
    const badWidth = rowWidthIssue(cells, ISONE_CSV_HEADER, file, line)
    if (badWidth) return out.errors.push(badWidth)
    const [, date, hourEnding, , name, locType, lmpCell, energyCell, congestionCell, lossCell] = cells as string[]
    const start = isoneHourEndingStart(date as string, hourEnding as string)
    if (typeof start === 'string') return out.issue(line, start.startsWith('not a MM') ? 'Date' : 'Hour Ending', start.startsWith('not a MM') ? date : hourEnding, start)
    const badNode = nodeNameIssue(name, { file, line, field: 'Location Name' })
    if (badNode) return out.errors.push(badNode)
    const prices = { lmp: 0, energy: 0, congestion: 0, loss: 0 }
    for (const [key, field, cell] of [
      ['lmp', 'Locational Marginal Price', lmpCell],
      ['energy', 'Energy Component', energyCell],
      ['congestion', 'Congestion Component', congestionCell],
      ['loss', 'Marginal Loss Component', lossCell],
    ] as const) {
      const value = readNumber(cell)
      if (value === null) return out.issue(line, field, cell ?? '', 'not a number')
      prices[key] = value
    }
    out.add(line, name as string, 'Location Type', locType as string, start, prices, 'Locational Marginal Price')
  })
  if (!header) throw new ParseError({ file, line: first + 1, field: 'H', value: '', reason: 'no "H" header line' })
  return out.result()
}
