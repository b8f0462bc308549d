/**
 * ERCOT settlement point prices, the CSV inside the zips ERCOT's MIS serves
 * (`https://www.ercot.com/misdownload/servlets/mirDownload?doclookupId={DocID}`, the DocIDs listed by
 * `IceDocListJsonWS?reportTypeId=...`):
 *
 *   NP4-190-CD DAM Settlement Point Prices (report type 12331), one file per delivery day, hourly:
 *     DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag
 *     06/12/2026,01:00,HB_NORTH, 35.06,N
 *
 *   NP6-905-CD Settlement Point Prices at Resource Nodes, Hubs and Load Zones (report type 12301),
 *   one file per 15-minute interval:
 *     DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag
 *     06/11/2026,14,2,HB_NORTH,HU,21.73,N
 *
 * Clock: Central prevailing time (America/Chicago), hour ENDING. HourEnding `01:00`..`24:00`
 * (DAM) or DeliveryHour 1..24 with DeliveryInterval 1..4, the quarter within that hour (RT):
 * hour ending H, quarter Q starts at local (H - 1):00 + 15 (Q - 1) minutes. On the spring day
 * ERCOT leaves hour ending 03 out (23 hours); a row naming it is an issue. On the fall-back day
 * hour ending 02 ([01:00, 02:00) local) happens twice and only DSTFlag tells the two apart:
 *
 *   DSTFlag N  the first occurrence, still daylight time (CDT, UTC-5): 06:00Z-07:00Z
 *   DSTFlag Y  the repeated hour, already standard time (CST, UTC-6): 07:00Z-08:00Z
 *
 * ERCOT's own name for the column is misleading: Y does not mean "daylight time" but "this is the
 * repeated hour" (ERCOT's historical workbooks call the same column "Repeated Hour Flag"), and the
 * repeat is the hour after the clocks went back. Evidence in fixtures/iso/ercot/README.md
 * (MORE-MARKETS.md reads the flag the other way round; see there). A Y on any hour that is not
 * repeated is an issue.
 *
 * ERCOT settlement point prices are totals: energy, congestion and loss are null. The price cell
 * has a leading space in the DAM file (`, 35.06`), read as the number.
 *
 * The RT file lists a load zone twice, once per settlement point type: LZ (the plain load-zone
 * price) and LZEW (the energy-weighted one), likewise DC-tie zones as LZ_DC and LZ_DCEW. A record
 * is keyed by (market, node, run, intervalStart), so the two prices need two node names: the plain
 * type keeps the name (`LZ_WEST`, the name the DAM file prices) and the energy-weighted price is
 * the node `LZ_WEST_EW` (`DC_E_EW`), the convention of gridstatus. Both are kept; nothing is dropped.
 *
 * Large files (26,664 DAM rows a day) are walked line by line with cells read in place; dates,
 * hours and the instants they name are worked out once per distinct value, not per row.
 */
import type { NodeType, PriceRecord } from '@carbon/schemas'
import type { ParseIssue } from '../errors.ts'
import type { CatalogueNode, ParseResult } from '../types.ts'
import { CENTRAL, instantsOfWallClock } from './local-time.ts'
import {
  assertHeader,
  CellRanges,
  CellMemo,
  dataText,
  isBlankAt,
  isoUtcCache,
  LineCursor,
  lookup,
  nodeNameIssue,
  ownCopy,
  rowWidthIssue,
  splitCsvLine,
  wallClockMs,
} from './text.ts'

export const ERCOT_DAM_SPP_HEADER = ['DeliveryDate', 'HourEnding', 'SettlementPoint', 'SettlementPointPrice', 'DSTFlag'] as const
export const ERCOT_RT_SPP_HEADER = [
  'DeliveryDate',
  'DeliveryHour',
  'DeliveryInterval',
  'SettlementPointName',
  'SettlementPointType',
  'SettlementPointPrice',
  'DSTFlag',
] as const

/** The records of an ERCOT price file plus the node catalogue it implies. */
export type ErcotResult = ParseResult & { nodes: CatalogueNode[] }

/**
 * ERCOT's settlement point types (NP6-905-CD `SettlementPointType`) as node types, and the suffix
 * the node name takes so that a load zone's energy-weighted price does not collide with its plain one.
 */
export const ERCOT_SETTLEMENT_POINT_TYPES: Readonly<Record<string, { type: NodeType; suffix: string }>> = {
  HU: { type: 'hub', suffix: '' }, // trading hub (HB_NORTH, HB_SOUTH, HB_WEST, HB_HOUSTON, HB_PAN)
  AH: { type: 'hub', suffix: '' }, // hub average (HB_HUBAVG)
  SH: { type: 'hub', suffix: '' }, // 345 kV bus average (HB_BUSAVG)
  LZ: { type: 'zone', suffix: '' }, // load zone
  LZEW: { type: 'zone', suffix: '_EW' }, // load zone, energy weighted
  LZ_DC: { type: 'zone', suffix: '' }, // DC-tie load zone (DC_E, DC_L, DC_N, DC_R)
  LZ_DCEW: { type: 'zone', suffix: '_EW' }, // DC-tie load zone, energy weighted
  RN: { type: 'generator', suffix: '' }, // resource node
  PCCRN: { type: 'generator', suffix: '' }, // physical resource node of a combined-cycle plant
  LCCRN: { type: 'generator', suffix: '' }, // logical resource node of a combined-cycle plant
  PUN: { type: 'generator', suffix: '' }, // private use network resource node
}

/**
 * The node type of a DAM settlement point, which the DAM file does not state: HB_* hubs, LZ_* load
 * zones and the DC-tie load zones DC_E/DC_L/DC_N/DC_R/DC_S 'zone' (the types the RT file gives the
 * same names: HU/AH/SH, LZ and LZ_DC), every other name a resource node, 'generator'.
 */
export function ercotDamNodeType(name: string): NodeType {
  if (name.startsWith('HB_')) return 'hub'
  if (name.startsWith('LZ_') || (name.length === 4 && name.startsWith('DC_'))) return 'zone'
  return 'generator'
}

const HOUR_MS = 3_600_000
const QUARTER_MS = 15 * 60_000

/** `MM/DD/YYYY` as its midnight read as UTC (see wallClockMs), or null. */
function readDate(text: string): number | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text)
  return m ? wallClockMs(Number(m[3]), Number(m[1]), Number(m[2])) : null
}

/** A DAM HourEnding `01:00`..`24:00` as 1..24, or null. */
function readHourEnding(text: string): number | null {
  const m = /^(\d{2}):00$/.exec(text)
  const hour = m ? Number(m[1]) : 0
  return hour >= 1 && hour <= 24 ? hour : null
}

/** An integer cell from `low` to `high` (RT DeliveryHour 1..24, DeliveryInterval 1..4), or null. */
function integerIn(low: number, high: number): (text: string) => number | null {
  return (text) => {
    if (!/^\d{1,2}$/.test(text)) return null
    const value = Number(text)
    return value >= low && value <= high ? value : null
  }
}

/** `YYYY-MM-DD HH:MM` of a wall-clock ms, for issue text. */
function wallText(wall: number): string {
  return new Date(wall).toISOString().slice(0, 16).replace('T', ' ')
}

/** One distinct interval of a file: its start, its slot in each node's list, its ISO texts. */
type Slot = { start: number; index: number; startIso: string; endIso: string }
/** Why a (date, hour, quarter, flag) names no interval, and which cell is at fault. */
type NoSlot = { field: 'hour' | 'flag'; reason: string }

/**
 * ERCOT's clock: the interval a local start (date + hour ending + quarter, read as UTC) and a
 * DSTFlag name, worked out once per distinct (start, flag) of a file.
 */
class ErcotClock {
  private readonly known = new Map<number, Slot | NoSlot>()
  private readonly byStart = new Map<number, Slot>()
  private readonly iso = isoUtcCache()

  constructor(private readonly intervalMs: number) {}

  /** The interval starting at local `wallStart`; `repeated` is DSTFlag Y. */
  slot(wallStart: number, repeated: boolean): Slot | NoSlot {
    const key = wallStart * 2 + (repeated ? 1 : 0)
    let found = this.known.get(key)
    if (found === undefined) {
      found = this.resolve(wallStart, repeated)
      this.known.set(key, found)
    }
    return found
  }

  /** Every interval met, by start. */
  slots(): Slot[] {
    return [...this.byStart.values()].sort((a, b) => a.start - b.start)
  }

  private resolve(wallStart: number, repeated: boolean): Slot | NoSlot {
    const instants = instantsOfWallClock(wallStart, CENTRAL)
    const local = `${wallText(wallStart)} Central`
    if (instants.length === 0)
      return { field: 'hour', reason: `names an interval starting ${local}, which does not exist (spring-forward gap)` }
    if (repeated && instants.length < 2)
      return { field: 'flag', reason: `DSTFlag Y marks the repeated hour of the fall-back day, but ${local} is not repeated` }
    // N: the only occurrence, or the first (daylight) one; Y: the repeat (standard time).
    const start = (repeated ? instants[1] : instants[0]) as number
    let slot = this.byStart.get(start)
    if (!slot) {
      slot = { start, index: this.byStart.size, startIso: this.iso(start), endIso: this.iso(start + this.intervalMs) }
      this.byStart.set(start, slot)
    }
    return slot
  }
}

/** DSTFlag cell `i`: 0 for N, 1 for Y, -1 for anything else. */
function dstFlag(cells: CellRanges, i: number): number {
  const cell = cells.cell(i)
  return cell === 'N' ? 0 : cell === 'Y' ? 1 : -1
}

/**
 * {@link CellMemo} with the previous cell's answer first: ERCOT files repeat the same date on
 * every row and the same hour on a thousand rows in a row, and comparing with the last text is
 * cheaper than hashing it.
 */
class Memo<T> {
  private readonly memo: CellMemo<T>
  private last = ''
  private lastValue: T | undefined

  constructor(compute: (text: string) => T) {
    this.memo = new CellMemo(compute)
  }

  get(text: string, start: number, end: number): T {
    const last = this.last
    if (end - start === last.length && last.length > 0 && text.startsWith(last, start)) return this.lastValue as T
    const value = this.memo.get(text, start, end)
    const cell = this.memo.text()
    // Only an untrimmed cell can be recognised in place next time.
    this.last = cell.length === end - start ? cell : ''
    this.lastValue = value
    return value
  }

  /** The trimmed text of the cell last looked up. */
  text(): string {
    return this.last || this.memo.text()
  }
}

/** One node: its name, type, ERCOT type code (RT), its record per slot and the line of each. */
type NodeEntry = { name: string; type: NodeType; code: string; line: number; records: PriceRecord[]; lines: number[] }

/** The records of one file by node and interval: a repeated (node, interval) is an issue, the first kept. */
class RecordTable {
  private readonly nodes = new Map<string, NodeEntry>()

  constructor(
    private readonly file: string,
    private readonly run: 'DA' | 'RT15',
    private readonly source: string,
    private readonly errors: ParseIssue[]
  ) {}

  /** The node named `name`, made on first sight (null, and an issue, for a bad name). */
  node(name: string, type: NodeType, code: string, line: number, field: string): NodeEntry | null {
    const entry = this.nodes.get(name)
    if (entry) return entry
    const bad = nodeNameIssue(name, { file: this.file, line, field })
    if (bad) {
      this.errors.push(bad)
      return null
    }
    const own = ownCopy(name)
    const made: NodeEntry = { name: own, type, code, line, records: [], lines: [] }
    this.nodes.set(own, made)
    return made
  }

  /**
   * Files the price of `entry` at `slot`; false, with the record kept in its place untouched,
   * when the node already has a price there (the caller reports the row).
   */
  add(entry: NodeEntry, slot: Slot, lmp: number, line: number): boolean {
    const { lines, records } = entry
    const index = slot.index
    if (index < lines.length && lines[index] !== undefined) return false
    lines[index] = line
    records[index] = {
      market: 'ERCOT',
      node: entry.name,
      run: this.run,
      intervalStart: slot.startIso,
      intervalEnd: slot.endIso,
      lmp,
      energy: null,
      congestion: null,
      loss: null,
      ghg: null,
      source: this.source,
      publishedAt: null,
    }
    return true
  }

  /** The reason a second price for `entry` at `slot` is refused. */
  repeated(entry: NodeEntry, slot: Slot): string {
    const kept = entry.records[slot.index] as PriceRecord
    return `second price for ${entry.name} at ${slot.startIso} (line ${entry.lines[slot.index]}: ${kept.lmp} kept)`
  }

  /** Records by node name, then time; the node catalogue in the same order. */
  result(slots: Slot[]): ErcotResult {
    const names = [...this.nodes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const records: PriceRecord[] = []
    const nodes: CatalogueNode[] = []
    for (const name of names) {
      const entry = this.nodes.get(name) as NodeEntry
      nodes.push({ name, type: entry.type })
      for (const slot of slots) {
        const record = entry.records[slot.index]
        if (record) records.push(record)
      }
    }
    return { records, errors: this.errors, nodes }
  }
}

function issue(file: string, line: number, field: string, value: string, reason: string): ParseIssue {
  return { file, line, field, value, reason }
}

/** The data lines of a CSV after its header: `row` gets each line's cells (issues for odd widths are filed here). */
function eachRow(cursor: LineCursor, cells: CellRanges, header: readonly string[], file: string, errors: ParseIssue[], row: (line: number) => void): void {
  while (cursor.next()) {
    const line = cursor.number
    if (isBlankAt(cursor.text, cursor.start, cursor.end)) continue
    if (!cells.readLine(cursor)) {
      const split = splitCsvLine(cursor.line())
      const badWidth = rowWidthIssue(split, header, file, line)
      if (badWidth) {
        errors.push(badWidth)
        continue
      }
      cells.readCells(split)
    }
    row(line)
  }
}

/**
 * Parses an NP4-190-CD DAM Settlement Point Prices CSV (source `ercot.dam_spp`, run DA). A bad row
 * is an issue and the rest is read; an empty body, an HTML page or a changed header throws a ParseError.
 */
export function parseErcotDamSpp(text: string, file: string): ErcotResult {
  const cursor = new LineCursor(dataText(text, file))
  cursor.next()
  assertHeader(splitCsvLine(cursor.line()), ERCOT_DAM_SPP_HEADER, file, cursor.number, 'NP4-190-CD DAM settlement point price columns')

  const errors: ParseIssue[] = []
  const table = new RecordTable(file, 'DA', 'ercot.dam_spp', errors)
  const clock = new ErcotClock(HOUR_MS)
  const dates = new Memo(readDate)
  const hours = new Memo(readHourEnding)
  const cells = new CellRanges(ERCOT_DAM_SPP_HEADER.length)
  let line = 0
  const bad = (field: (typeof ERCOT_DAM_SPP_HEADER)[number], column: number, reason: string): void => {
    errors.push(issue(file, line, field, cells.cell(column), reason))
  }
  eachRow(cursor, cells, ERCOT_DAM_SPP_HEADER, file, errors, (at) => {
    line = at
    const day = cells.memo(dates, 0)
    if (day === null) return bad('DeliveryDate', 0, 'not a MM/DD/YYYY date')
    const hour = cells.memo(hours, 1)
    if (hour === null) return bad('HourEnding', 1, 'not an hour ending 01:00..24:00')
    const flag = dstFlag(cells, 4)
    if (flag < 0) return bad('DSTFlag', 4, 'expected N or Y')
    const name = cells.cell(2)
    const node = table.node(name, ercotDamNodeType(name), '', line, 'SettlementPoint')
    if (!node) return
    const price = cells.number(3)
    if (price === null) return bad('SettlementPointPrice', 3, 'not a number')
    const slot = clock.slot(day + (hour - 1) * HOUR_MS, flag === 1)
    if (!('start' in slot)) return slot.field === 'hour' ? bad('HourEnding', 1, slot.reason) : bad('DSTFlag', 4, slot.reason)
    if (!table.add(node, slot, price, line)) bad('SettlementPointPrice', 3, table.repeated(node, slot))
  })
  return table.result(clock.slots())
}

/**
 * Parses an NP6-905-CD real-time Settlement Point Prices CSV (source `ercot.rt_spp`, run RT15).
 * LZEW and LZ_DCEW prices become the nodes `<name>_EW` (see the module comment). A bad row, an
 * unknown SettlementPointType included, is an issue and the rest is read.
 */
export function parseErcotRtSpp(text: string, file: string): ErcotResult {
  const cursor = new LineCursor(dataText(text, file))
  cursor.next()
  assertHeader(splitCsvLine(cursor.line()), ERCOT_RT_SPP_HEADER, file, cursor.number, 'NP6-905-CD real-time settlement point price columns')

  const errors: ParseIssue[] = []
  const table = new RecordTable(file, 'RT15', 'ercot.rt_spp', errors)
  const clock = new ErcotClock(QUARTER_MS)
  const dates = new Memo(readDate)
  const hours = new Memo(integerIn(1, 24))
  const quarters = new Memo(integerIn(1, 4))
  const types = new Memo((code) => lookup(ERCOT_SETTLEMENT_POINT_TYPES, code) ?? null)
  const cells = new CellRanges(ERCOT_RT_SPP_HEADER.length)
  const typeNames = Object.keys(ERCOT_SETTLEMENT_POINT_TYPES).join(', ')
  let line = 0
  const bad = (field: (typeof ERCOT_RT_SPP_HEADER)[number], column: number, reason: string): void => {
    errors.push(issue(file, line, field, cells.cell(column), reason))
  }
  eachRow(cursor, cells, ERCOT_RT_SPP_HEADER, file, errors, (at) => {
    line = at
    const day = cells.memo(dates, 0)
    if (day === null) return bad('DeliveryDate', 0, 'not a MM/DD/YYYY date')
    const hour = cells.memo(hours, 1)
    if (hour === null) return bad('DeliveryHour', 1, 'not an hour ending 1..24')
    const quarter = cells.memo(quarters, 2)
    if (quarter === null) return bad('DeliveryInterval', 2, 'not a quarter 1..4')
    const flag = dstFlag(cells, 6)
    if (flag < 0) return bad('DSTFlag', 6, 'expected N or Y')
    const kind = cells.memo(types, 4)
    if (kind === null) return bad('SettlementPointType', 4, `unknown settlement point type (expected ${typeNames})`)
    const code = types.text()
    const plain = cells.cell(3)
    // An empty name stays empty (and is reported), not `_EW`.
    const name = kind.suffix && plain ? plain + kind.suffix : plain
    const node = table.node(name, kind.type, code, line, 'SettlementPointName')
    if (!node) return
    if (node.code !== code) return bad('SettlementPointType', 4, `${name} was listed as ${node.code} on line ${node.line}`)
    const price = cells.number(5)
    if (price === null) return bad('SettlementPointPrice', 5, 'not a number')
    const slot = clock.slot(day + (hour - 1) * HOUR_MS + (quarter - 1) * QUARTER_MS, flag === 1)
    if (!('start' in slot)) return slot.field === 'hour' ? bad('DeliveryHour', 1, slot.reason) : bad('DSTFlag', 6, slot.reason)
    if (!table.add(node, slot, price, line)) bad('SettlementPointPrice', 5, table.repeated(node, slot))
  })
  return table.result(clock.slots())
}
