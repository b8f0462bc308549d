/**
 * CAISO OASIS price CSV (`SingleZip?resultformat=6`, the CSV inside the zip):
 *
 *   PRC_LMP v12       DAM, hourly     price column MW
 *   PRC_INTVL_LMP v3  RTM, 5-minute   price column VALUE
 *   PRC_RTPD_LMP      RTPD, 15-minute price column PRC
 *
 * One row per node, interval and LMP_TYPE (LMP, MCE energy, MCC congestion, MCL loss, MGHG
 * greenhouse gas), in no particular order; they are merged into one record per node and
 * interval, sorted by node and time. Times come from the `*_GMT` columns, which are UTC
 * (`2026-07-14T07:00:00-00:00`); OPR_DT/OPR_HR (the Pacific trade date and hour, 23 or 25 hours
 * on DST-change days) are not needed. A component the file does not carry is null (a file of
 * LMP rows only gives energy, congestion, loss and ghg null). A repeated row (same node,
 * interval and LMP_TYPE) with the same value is dropped silently (OASIS repeats rows on window
 * boundaries); with another value it is an issue and the first value is kept.
 */
import type { MarketRun, PriceRecord } from '@carbon/schemas'
import type { ParseIssue } from '../errors.ts'
import type { ParseResult } from '../types.ts'
import {
  assertHeader,
  cellAt,
  CellMemo,
  cellIs,
  dataText,
  isBlankAt,
  isoUtcCache,
  LineCursor,
  lookup,
  nodeNameIssue,
  numberAt,
  ownCopy,
  readNumber,
  rowWidthIssue,
  splitCsvLine,
} from './text.ts'

export type CaisoQuery = 'PRC_LMP' | 'PRC_INTVL_LMP' | 'PRC_RTPD_LMP'

type QuerySpec = { header: string[]; price: string; run: MarketRun; minutes: number; marketRunId: string; source: string }

const RT_COLUMNS = (price: string) =>
  `INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,${price},OPR_INTERVAL,GROUP`.split(
    ','
  )

export const CAISO_QUERIES: Readonly<Record<CaisoQuery, QuerySpec>> = {
  PRC_LMP: {
    header:
      'INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,OPR_INTERVAL,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,MW,GROUP'.split(
        ','
      ),
    price: 'MW',
    run: 'DA',
    minutes: 60,
    marketRunId: 'DAM',
    source: 'caiso.oasis.prc_lmp',
  },
  PRC_INTVL_LMP: {
    header: RT_COLUMNS('VALUE'),
    price: 'VALUE',
    run: 'RT5',
    minutes: 5,
    marketRunId: 'RTM',
    source: 'caiso.oasis.prc_intvl_lmp',
  },
  PRC_RTPD_LMP: {
    header: RT_COLUMNS('PRC'),
    price: 'PRC',
    run: 'RT15',
    minutes: 15,
    marketRunId: 'RTPD',
    source: 'caiso.oasis.prc_rtpd_lmp',
  },
}

const LMP_TYPES = { LMP: 'lmp', MCE: 'energy', MCC: 'congestion', MCL: 'loss', MGHG: 'ghg' } as const
type Component = (typeof LMP_TYPES)[keyof typeof LMP_TYPES]

const GMT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/

function gmtMs(text: string): number | null {
  if (!GMT_TIME.test(text)) return null
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? null : ms
}

/** One node and interval: each component's value and the line it came from (NaN and 0: none yet). */
type Interval = {
  line: number
  values: number[]
  lines: number[]
}

/** The components in LMP_TYPES order, by index. */
const COMPONENTS: Component[] = Object.values(LMP_TYPES)
const COMPONENT_TYPES = Object.keys(LMP_TYPES)

/** A distinct interval start of the file: its time, its slot in each node's intervals, its ISO texts. */
type Slot = { start: number; index: number; startIso: string; endIso: string }

/** The cells one row needs, read from a line in place (fast) or from its split cells (quoted rows). */
type Row = {
  line: number
  start: string
  startMs: number | null
  end: string
  endMs: number | null
  node: string
  run: string
  type: number
  typeText: string
  price: number | null
  /** The price cell is `priceIn[priceFrom, priceTo)`, trimmed (read only for an issue). */
  priceIn: string
  priceFrom: number
  priceTo: number
}

/**
 * Parses one OASIS price CSV of the given query. A changed header throws a {@link ParseError}.
 * Lines are read in place (a line cursor, cells between commas) rather than split: a one-hour
 * all-APnode file is 40 MB and 240,000 rows. Quoted or odd-width rows take the slow path
 * ({@link splitCsvLine}, as every row once did), with the same checks and issues.
 */
export function parseCaisoOasis(text: string, file: string, query: CaisoQuery): ParseResult {
  const spec = CAISO_QUERIES[query]
  const lines = new LineCursor(dataText(text, file))
  lines.next()
  assertHeader(splitCsvLine(lines.line()), spec.header, file, 1, `${query} columns`)
  const reader = new OasisReader(spec, query, file)
  const commas = new Int32Array(spec.header.length)
  while (lines.next()) {
    const { text: body, start, end, number } = lines
    if (isBlankAt(body, start, end)) continue
    if (lines.commas(spec.header.length, commas)) reader.readInPlace(body, start, commas, number)
    else reader.readCells(splitCsvLine(lines.line()), number)
  }
  return reader.result()
}

/** Column positions of a query's header. */
function columnsOf(spec: QuerySpec) {
  const col = (name: string) => spec.header.indexOf(name)
  return {
    START: col('INTERVALSTARTTIME_GMT'),
    END: col('INTERVALENDTIME_GMT'),
    NODE: col('NODE'),
    RUN: col('MARKET_RUN_ID'),
    TYPE: col('LMP_TYPE'),
    PRICE: col(spec.price),
  }
}

/** The LMP_TYPE cell `text[start, end)` as an index into COMPONENTS, or -1. */
function componentAt(text: string, start: number, end: number): number {
  for (let i = 0; i < COMPONENT_TYPES.length; i++) {
    const type = COMPONENT_TYPES[i] as string
    if (end - start === type.length && text.startsWith(type, start)) return i
  }
  return COMPONENT_TYPES.indexOf(cellAt(text, start, end))
}

/** Where cell `i` of a line starting at `lineStart` begins, given the line's commas. */
function cellStart(lineStart: number, commas: Int32Array, i: number): number {
  return i === 0 ? lineStart : (commas[i - 1] as number) + 1
}

/** The state of one parse: rows in, intervals gathered per node and slot, issues. */
class OasisReader {
  private readonly errors: ParseIssue[] = []
  private readonly columns: ReturnType<typeof columnsOf>
  private readonly intervalMs: number
  /** Interval start or end text to its time (null: not a time), read once per distinct text. */
  private readonly times = new CellMemo(gmtMs)
  /** The previous row's node: rows of a node mostly follow each other. */
  private lastNode = ''
  private readonly slots = new Map<number, Slot>()
  private readonly nodes = new Map<string, Interval[]>()
  private readonly iso = isoUtcCache()
  private readonly row: Row = {
    line: 0,
    start: '',
    startMs: null,
    end: '',
    endMs: null,
    node: '',
    run: '',
    type: -1,
    typeText: '',
    price: null,
    priceIn: '',
    priceFrom: 0,
    priceTo: 0,
  }

  constructor(
    private readonly spec: QuerySpec,
    private readonly query: CaisoQuery,
    private readonly file: string
  ) {
    this.columns = columnsOf(spec)
    this.intervalMs = spec.minutes * 60_000
  }

  /** A row of exactly the header's width and no quotes, its cells read between `commas`. */
  readInPlace(text: string, lineStart: number, commas: Int32Array, line: number): void {
    const { START, END, NODE, RUN, TYPE, PRICE } = this.columns
    const { marketRunId } = this.spec
    const row = this.row
    row.line = line
    row.startMs = this.times.get(text, cellStart(lineStart, commas, START), commas[START] as number)
    row.start = this.times.text()
    row.endMs = this.times.get(text, cellStart(lineStart, commas, END), commas[END] as number)
    row.end = this.times.text()
    row.node = this.nodeAt(text, cellStart(lineStart, commas, NODE), commas[NODE] as number)
    const runFrom = cellStart(lineStart, commas, RUN)
    const runTo = commas[RUN] as number
    row.run = cellIs(text, runFrom, runTo, marketRunId) ? marketRunId : cellAt(text, runFrom, runTo)
    const typeFrom = cellStart(lineStart, commas, TYPE)
    row.type = componentAt(text, typeFrom, commas[TYPE] as number)
    row.typeText = row.type >= 0 ? (COMPONENT_TYPES[row.type] as string) : cellAt(text, typeFrom, commas[TYPE] as number)
    row.priceIn = text
    row.priceFrom = cellStart(lineStart, commas, PRICE)
    row.priceTo = commas[PRICE] as number
    row.price = numberAt(text, row.priceFrom, row.priceTo)
    this.add(row)
  }

  /** A row split into cells (quoted cells, or a width other than the header's). */
  readCells(cells: string[], line: number): void {
    const badWidth = rowWidthIssue(cells, this.spec.header, this.file, line)
    if (badWidth) {
      this.errors.push(badWidth)
      return
    }
    const { START, END, NODE, RUN, TYPE, PRICE } = this.columns
    const cell = (index: number) => cells[index] ?? ''
    const row = this.row
    row.line = line
    row.start = cell(START)
    row.startMs = this.times.get(row.start, 0, row.start.length)
    row.end = cell(END)
    row.endMs = this.times.get(row.end, 0, row.end.length)
    row.node = cell(NODE)
    row.run = cell(RUN)
    row.typeText = cell(TYPE)
    const component = lookup(LMP_TYPES, row.typeText)
    row.type = component ? COMPONENTS.indexOf(component) : -1
    row.priceIn = cell(PRICE)
    row.priceFrom = 0
    row.priceTo = row.priceIn.length
    row.price = readNumber(row.priceIn)
    this.add(row)
  }

  private issue(line: number, field: string, value: string, reason: string): void {
    this.errors.push({ file: this.file, line, field, value, reason })
  }

  /** The node cell, the previous row's string when it is the same node. */
  private nodeAt(text: string, start: number, end: number): string {
    const last = this.lastNode
    if (end - start === last.length && last.length > 0 && text.startsWith(last, start)) return last
    this.lastNode = cellAt(text, start, end)
    return this.lastNode
  }

  private slotOf(start: number): Slot {
    let slot = this.slots.get(start)
    if (!slot) {
      slot = { start, index: this.slots.size, startIso: this.iso(start), endIso: this.iso(start + this.intervalMs) }
      this.slots.set(start, slot)
    }
    return slot
  }

  /** Checks one row and merges it into its node's interval (the checks and issues of every row). */
  private add(row: Row): void {
    const { spec, query } = this
    const { line } = row
    const start = row.startMs
    if (start === null) return this.issue(line, 'INTERVALSTARTTIME_GMT', row.start, 'not an ISO 8601 time with offset')
    const end = row.endMs
    if (end === null || end - start !== this.intervalMs) {
      const reason =
        end === null ? 'not an ISO 8601 time with offset' : `interval is ${(end - start) / 60_000} min, expected ${spec.minutes}`
      return this.issue(line, 'INTERVALENDTIME_GMT', row.end, reason)
    }
    const badNode = nodeNameIssue(row.node, { file: this.file, line, field: 'NODE' })
    if (badNode) {
      this.errors.push(badNode)
      return
    }
    if (row.run !== spec.marketRunId) return this.issue(line, 'MARKET_RUN_ID', row.run, `expected ${spec.marketRunId} in a ${query} file`)
    if (row.type < 0)
      return this.issue(line, 'LMP_TYPE', row.typeText, `unknown LMP_TYPE (expected ${COMPONENT_TYPES.join(', ')})`)
    const value = row.price
    if (value === null) return this.issue(line, spec.price, cellAt(row.priceIn, row.priceFrom, row.priceTo), 'not a number')

    const slot = this.slotOf(start)
    let intervals = this.nodes.get(row.node)
    if (!intervals) {
      intervals = []
      this.nodes.set(ownCopy(row.node), intervals)
    }
    let interval = intervals[slot.index]
    if (!interval) {
      interval = { line, values: [NaN, NaN, NaN, NaN, NaN], lines: [0, 0, 0, 0, 0] }
      intervals[slot.index] = interval
    }
    const first = interval.values[row.type] as number
    if (Number.isNaN(first)) {
      interval.values[row.type] = value
      interval.lines[row.type] = line
    } else if (first !== value)
      this.issue(
        line,
        spec.price,
        cellAt(row.priceIn, row.priceFrom, row.priceTo),
        `repeats ${row.typeText} of ${row.node} at ${row.start} with another value (line ${interval.lines[row.type]}: ${first} kept)`
      )
  }

  /** One record per node and interval, by node then time; an interval without an LMP is an issue. */
  result(): ParseResult {
    const { spec, errors } = this
    const slots = [...this.slots.values()].sort((a, b) => a.start - b.start)
    const names = [...this.nodes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const records: PriceRecord[] = []
    const component = (values: number[], index: number) => {
      const value = values[index] as number
      return Number.isNaN(value) ? null : value
    }
    for (const node of names) {
      const intervals = this.nodes.get(node) as Interval[]
      for (const slot of slots) {
        const interval = intervals[slot.index]
        if (!interval) continue
        const { values, line } = interval
        const lmp = values[0] as number
        if (Number.isNaN(lmp)) {
          errors.push({ file: this.file, line, field: 'LMP_TYPE', value: '', reason: `no LMP row for ${node} at ${slot.startIso}` })
          continue
        }
        records.push({
          market: 'CAISO',
          node,
          run: spec.run,
          intervalStart: slot.startIso,
          intervalEnd: slot.endIso,
          lmp,
          energy: component(values, 1),
          congestion: component(values, 2),
          loss: component(values, 3),
          ghg: component(values, 4),
          source: spec.source,
          publishedAt: null,
        })
      }
    }
    return { records, errors }
  }
}

export const parseCaisoPrcLmp = (text: string, file: string): ParseResult => parseCaisoOasis(text, file, 'PRC_LMP')
export const parseCaisoPrcIntvlLmp = (text: string, file: string): ParseResult => parseCaisoOasis(text, file, 'PRC_INTVL_LMP')
export const parseCaisoPrcRtpdLmp = (text: string, file: string): ParseResult => parseCaisoOasis(text, file, 'PRC_RTPD_LMP')
