/**
 * SPP LMP by settlement location, the CSVs of SPP's Marketplace portal file browser
 * (`https://portal.spp.org/file-browser-api/download/{product}?path=...`):
 *
 *   da-lmp-by-settlement-location  `/YYYY/MM/By_Day/DA-LMP-SL-YYYYMMDD0100.csv`, one day, hourly
 *   rtbm-lmp-by-location           `/YYYY/MM/By_Interval/DD/RTBM-LMP-SL-YYYYMMDDHHMM.csv`, one 5-minute interval
 *
 * Two layouts, told apart by the header (anything else is a ParseError):
 *
 *   Interval,GMTIntervalEnd,Settlement Location,Pnode,LMP,MLC,MCC,MEC       8 columns, files up to 2026-03-08
 *   Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC   9 columns, later DA files (BAA
 *                                                                          SPP or SWPW, the western market)
 *
 * Clock: `Interval` is the interval END in Central prevailing time, `GMTIntervalEnd` the same end
 * in UTC, both `MM/DD/YYYY HH:MM:SS`. The instant comes from GMTIntervalEnd, which is unambiguous
 * on the fall-back day (SPP's label there is `02:00:00` for both the 07:00Z and the 08:00Z end);
 * the interval starts one interval length (60 or 5 minutes) before it. Interval must agree with
 * it, else the row is an issue: the label is the Central wall-clock reading of the GMT end, read
 * with the offset in force at that instant or just before it. Those differ only at the instant a
 * clock change happens, and SPP's files use both: the hour ending 07:00Z on the fall-back day is
 * labelled 02:00:00 (daylight reading; standard would be 01:00), the hour ending 08:00Z on the
 * spring day 03:00:00 (daylight reading; standard would be 02:00).
 *
 * Components: energy = MEC, congestion = MCC, loss = MLC; LMP = MEC + MCC + MLC to the 4
 * decimals SPP prints (checked on both fixtures). Node = Settlement Location (Pnode is the
 * pricing node behind it and is not kept); BAA is not kept either (the record has no place for
 * it; a name listed in two BAAs for the same interval would be a repeated-node issue).
 * Node types: a name ending `_HUB` is a hub (SPPNORTH_HUB, SPPSOUTH_HUB and the participant hubs
 * such as CSWS_HUB, GRDA_HUB); every other settlement location (resources, load and the
 * settlement areas of SPP's members, interfaces) is 'generator', since the file does not say
 * which is which.
 */
import type { MarketRun, NodeType, PriceRecord } from '@carbon/schemas'
import type { ParseIssue } from '../errors.ts'
import type { CatalogueNode, ParseResult } from '../types.ts'
import { CENTRAL, zoneOffsetMs } from './local-time.ts'
import {
  assertHeader,
  CellRanges,
  CellMemo,
  dataText,
  isBlankAt,
  isoUtcCache,
  LineCursor,
  nodeNameIssue,
  ownCopy,
  rowWidthIssue,
  splitCsvLine,
  wallClockMs,
} from './text.ts'

export const SPP_LMP_SL_HEADER_8 = ['Interval', 'GMTIntervalEnd', 'Settlement Location', 'Pnode', 'LMP', 'MLC', 'MCC', 'MEC'] as const
export const SPP_LMP_SL_HEADER_9 = ['Interval', 'GMTIntervalEnd', 'BAA', 'Settlement Location', 'Pnode', 'LMP', 'MLC', 'MCC', 'MEC'] as const

export type SppProduct = 'da_lmp_sl' | 'rtbm_lmp_sl'

/** Each product: its run and interval, and whether a file holds one interval only (RTBM: one file per interval). */
export const SPP_PRODUCTS: Readonly<Record<SppProduct, { run: MarketRun; minutes: number; oneInterval: boolean; source: string; what: string }>> = {
  da_lmp_sl: { run: 'DA', minutes: 60, oneInterval: false, source: 'spp.da_lmp_sl', what: 'DA LMP by settlement location' },
  rtbm_lmp_sl: { run: 'RT5', minutes: 5, oneInterval: true, source: 'spp.rtbm_lmp_sl', what: 'RTBM LMP by settlement location' },
}

/** The records of an SPP file plus the node catalogue it implies. */
export type SppResult = ParseResult & { nodes: CatalogueNode[] }

/** The node type of a settlement location: `*_HUB` a hub, anything else 'generator' (see the module comment). */
export function sppNodeType(name: string): NodeType {
  return name.endsWith('_HUB') ? 'hub' : 'generator'
}

const TIME = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/

/** `MM/DD/YYYY HH:MM:SS` as ms with the wall clock read as UTC, or null. */
function readTime(text: string): number | null {
  const m = TIME.exec(text)
  return m ? wallClockMs(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) : null
}

/** A wall-clock ms as SPP writes it, `MM/DD/YYYY HH:MM:SS`. */
function sppTime(wall: number): string {
  const d = new Date(wall)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
}

/** One distinct interval end of a file: its slot in each node's list, its ISO texts, the Central labels it may carry. */
type Slot = { end: number; index: number; startIso: string; endIso: string; label: number; otherLabel: number }

/** One settlement location: its name, type, record per slot and the line of each. */
type NodeEntry = { name: string; type: NodeType; records: PriceRecord[]; lines: number[] }

/**
 * Parses an SPP LMP-by-settlement-location CSV of either layout. A bad row is an issue and the
 * rest is read; an empty body, an HTML page or a header of neither layout throws a ParseError.
 */
export function parseSppLmpSl(text: string, file: string, product: SppProduct): SppResult {
  const spec = SPP_PRODUCTS[product]
  const cursor = new LineCursor(dataText(text, file))
  cursor.next()
  const headerCells = splitCsvLine(cursor.line())
  // The third column says which layout this claims to be; assertHeader then checks all of it.
  const header = headerCells[2] === 'BAA' ? SPP_LMP_SL_HEADER_9 : SPP_LMP_SL_HEADER_8
  const layout = header.length === 9 ? '9-column (with BAA)' : '8-column'
  assertHeader(headerCells, header, file, cursor.number, `SPP ${spec.what} ${layout} columns`)
  const at = header.length - 8 // 1 when BAA is there: the columns from Settlement Location on move right
  const NODE = 2 + at
  const [LMP, MLC, MCC, MEC] = [4 + at, 5 + at, 6 + at, 7 + at]

  const intervalMs = spec.minutes * 60_000
  const errors: ParseIssue[] = []
  const nodes = new Map<string, NodeEntry>()
  const slots = new Map<number, Slot>()
  const iso = isoUtcCache()
  const times = new CellMemo(readTime)
  const cells = new CellRanges(header.length)
  let line = 0
  const bad = (field: string, column: number, reason: string): void => {
    errors.push({ file, line, field, value: cells.cell(column), reason })
  }
  const slotOf = (end: number): Slot => {
    let slot = slots.get(end)
    if (!slot) {
      // The Central reading of the end with the offset in force at it, and just before it.
      const label = end + zoneOffsetMs(end, CENTRAL)
      const otherLabel = end + zoneOffsetMs(end - 60_000, CENTRAL)
      slot = { end, index: slots.size, startIso: iso(end - intervalMs), endIso: iso(end), label, otherLabel }
      slots.set(end, slot)
    }
    return slot
  }

  while (cursor.next()) {
    line = cursor.number
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

    const label = cells.memo(times, 0)
    if (label === null) {
      bad('Interval', 0, 'not a MM/DD/YYYY HH:MM:SS time')
      continue
    }
    const end = cells.memo(times, 1)
    if (end === null) {
      bad('GMTIntervalEnd', 1, 'not a MM/DD/YYYY HH:MM:SS time')
      continue
    }
    if (end % intervalMs !== 0) {
      bad('GMTIntervalEnd', 1, `not the end of a ${spec.minutes}-minute interval`)
      continue
    }
    const first = slots.values().next().value
    if (spec.oneInterval && first !== undefined && first.end !== end) {
      bad('GMTIntervalEnd', 1, `a second interval in a one-interval ${spec.what} file (the first ends ${sppTime(first.end)} UTC)`)
      continue
    }
    const slot = slotOf(end)
    if (label !== slot.label && label !== slot.otherLabel) {
      const central = slot.label === slot.otherLabel ? sppTime(slot.label) : `${sppTime(slot.otherLabel)} or ${sppTime(slot.label)}`
      bad('Interval', 0, `does not match GMTIntervalEnd ${sppTime(end)} (UTC), which is ${central} Central`)
      continue
    }

    const name = cells.cell(NODE)
    let entry = nodes.get(name)
    if (!entry) {
      const badName = nodeNameIssue(name, { file, line, field: 'Settlement Location' })
      if (badName) {
        errors.push(badName)
        continue
      }
      entry = { name: ownCopy(name), type: sppNodeType(name), records: [], lines: [] }
      nodes.set(entry.name, entry)
    }
    const lmp = cells.number(LMP)
    if (lmp === null) {
      bad('LMP', LMP, 'not a number')
      continue
    }
    const loss = cells.number(MLC)
    if (loss === null) {
      bad('MLC', MLC, 'not a number')
      continue
    }
    const congestion = cells.number(MCC)
    if (congestion === null) {
      bad('MCC', MCC, 'not a number')
      continue
    }
    const energy = cells.number(MEC)
    if (energy === null) {
      bad('MEC', MEC, 'not a number')
      continue
    }

    const index = slot.index
    const { records, lines } = entry
    if (index < lines.length && lines[index] !== undefined) {
      const kept = records[index] as PriceRecord
      bad('Settlement Location', NODE, `second price for ${entry.name} at ${slot.startIso} (line ${lines[index]}: LMP ${kept.lmp} kept)`)
      continue
    }
    lines[index] = line
    records[index] = {
      market: 'SPP',
      node: entry.name,
      run: spec.run,
      intervalStart: slot.startIso,
      intervalEnd: slot.endIso,
      lmp,
      energy,
      congestion,
      loss,
      ghg: null,
      source: spec.source,
      publishedAt: null,
    }
  }

  const ordered = [...slots.values()].sort((a, b) => a.end - b.end)
  const names = [...nodes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const records: PriceRecord[] = []
  const catalogue: CatalogueNode[] = []
  for (const name of names) {
    const entry = nodes.get(name) as NodeEntry
    catalogue.push({ name, type: entry.type })
    for (const slot of ordered) {
      const record = entry.records[slot.index]
      if (record) records.push(record)
    }
  }
  return { records, errors, nodes: catalogue }
}

/** `spp.da_lmp_sl`: SPP day-ahead LMP by settlement location (hourly). */
export const parseSppDaLmpSl = (text: string, file: string): SppResult => parseSppLmpSl(text, file, 'da_lmp_sl')
/** `spp.rtbm_lmp_sl`: SPP real-time balancing market LMP by settlement location (5-minute). */
export const parseSppRtbmLmpSl = (text: string, file: string): SppResult => parseSppLmpSl(text, file, 'rtbm_lmp_sl')
