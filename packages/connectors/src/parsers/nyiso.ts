/**
 * NYISO MIS zonal LBMP CSVs (http://mis.nyiso.com/public/csv/...):
 *
 *   damlbmp/{YYYYMMDD}damlbmp_zone.csv    day-ahead, hourly                 DA
 *     Time Stamp,Name,PTID,LBMP ($/MWHr),Marginal Cost Losses ($/MWHr),Marginal Cost Congestion ($/MWHr)
 *     09/23/2026 00:00,CAPITL,61757,34.97,1.15,0.00
 *   realtime/{YYYYMMDD}realtime_zone.csv  real-time dispatch, 5-minute      RT5
 *     "Time Stamp","Name","PTID","LBMP ($/MWHr)","Marginal Cost Losses ($/MWHr)","Marginal Cost Congestion ($/MWHr)"
 *     "09/23/2026 00:05:00","CAPITL",61757,34.51,1.10,0.00
 *
 * CRLF lines; the real-time file quotes the header and the text cells (quoting is read either
 * way). One row per zone and interval: the 11 NYCA zones and the 4 external proxy buses.
 *
 * Clock: Eastern prevailing time (America/New_York), no zone in the file.
 * - Day-ahead `Time Stamp` (`MM/DD/YYYY HH:MM`) is the hour BEGINNING: [t, t + 1 h).
 * - Real-time `Time Stamp` (`MM/DD/YYYY HH:MM:SS`) is the interval END: [t - 5 min, t); a
 *   day's file runs from 00:05 to 00:00 of the next day.
 * - Fall-back day: the wall-clock times of the repeated hour appear twice per zone with nothing
 *   to tell them apart but row order: a zone's first row at such a time is daylight time
 *   (EDT), its second standard time (EST); a third is an issue.
 * - Spring day: a time in the skipped hour (02:00-02:59) never happened; such a row is an issue.
 *
 * Sign convention: NYISO publishes the congestion component with the opposite sign to the
 * other ISOs, LBMP = energy + losses - congestion. In the 2026-09-23 day-ahead file,
 * LBMP - losses + MCC is the same for every zone of an hour (within 0.01 of rounding, all 24
 * hours), while LBMP - losses - MCC spreads by up to $19 (e.g. 18:00: WEST 42.45 - (-4.73) +
 * 2.08 = 49.26, CAPITL 50.99 - 1.72 + 0 = 49.27). Records carry the canonical sign, as every
 * market here (LMP = energy + congestion + loss): congestion = -MCC, loss = MCL, energy =
 * LBMP - loss - congestion (NYISO does not publish it; rounded to 1e-6, see `residual`).
 *
 * A changed header, an empty file or an HTML page throws ParseError; a bad row (wrong width,
 * bad time, non-number, a PTID that is not a number or changes for a zone) is a ParseIssue with
 * its physical line. A second row for the same zone and interval is dropped when it repeats the
 * prices, else an issue (the first is kept).
 */
import type { MarketRun, NodeType, PriceRecord } from '@carbon/schemas'
import type { ParseIssue } from '../errors.ts'
import type { CatalogueNode, ParseResult } from '../types.ts'
import { EASTERN, instantsOfWallClock } from './local-time.ts'
import {
  assertHeader,
  dataText,
  isBlank,
  isoUtcCache,
  LineCursor,
  lookup,
  nodeNameIssue,
  ownCopy,
  readNumber,
  residual,
  rowWidthIssue,
  splitCsvLine,
  wallClockMs,
} from './text.ts'

export type NyisoZoneFile = 'damlbmp_zone' | 'realtime_zone'

export type NyisoFileSpec = {
  source: `nyiso.${NyisoZoneFile}`
  run: MarketRun
  intervalMs: number
  /** Whether `Time Stamp` is the interval end (real-time) rather than its start (day-ahead). */
  stampIsEnd: boolean
}

const HOUR_MS = 3_600_000
const FIVE_MINUTES_MS = 5 * 60_000

export const NYISO_FILES: Readonly<Record<NyisoZoneFile, NyisoFileSpec>> = {
  damlbmp_zone: { source: 'nyiso.damlbmp_zone', run: 'DA', intervalMs: HOUR_MS, stampIsEnd: false },
  realtime_zone: { source: 'nyiso.realtime_zone', run: 'RT5', intervalMs: FIVE_MINUTES_MS, stampIsEnd: true },
}

export const NYISO_ZONE_HEADER = [
  'Time Stamp',
  'Name',
  'PTID',
  'LBMP ($/MWHr)',
  'Marginal Cost Losses ($/MWHr)',
  'Marginal Cost Congestion ($/MWHr)',
] as const

/**
 * The names of the zonal files: the 11 NYCA load zones (A WEST .. K LONGIL) and the external
 * proxy buses priced with them (Hydro-Quebec, ISO-NE, Ontario, PJM), which are interfaces.
 * A name not listed still gives records but no catalogue entry.
 */
export const NYISO_NODE_TYPES: Readonly<Record<string, NodeType>> = {
  WEST: 'zone',
  GENESE: 'zone',
  CENTRL: 'zone',
  NORTH: 'zone',
  'MHK VL': 'zone',
  CAPITL: 'zone',
  'HUD VL': 'zone',
  MILLWD: 'zone',
  DUNWOD: 'zone',
  'N.Y.C.': 'zone',
  LONGIL: 'zone',
  'H Q': 'interface',
  NPX: 'interface',
  'O H': 'interface',
  PJM: 'interface',
}

const STAMP = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/

/**
 * A time stamp read as if UTC (the wall clock, see `wallClockMs`), or null: `MM/DD/YYYY HH:MM`
 * (day-ahead) or, with `seconds`, `MM/DD/YYYY HH:MM:SS` (real-time).
 */
export function nyisoWallClockMs(text: string, seconds = false): number | null {
  const m = STAMP.exec(text)
  if (!m || (m[6] !== undefined) !== seconds) return null
  return wallClockMs(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0))
}

/** A distinct time stamp of the file: its wall clock and the instants it can name (0, 1 or 2). */
type Stamp = { wall: number; instants: number[] } | null

type Kept = { index: number; line: number }

/** Records of one NYISO zonal LBMP file, and the zones and proxy buses it names. */
export function parseNyisoZone(text: string, file: string, kind: NyisoZoneFile): ParseResult {
  const spec = NYISO_FILES[kind]
  const header = NYISO_ZONE_HEADER
  const lines = new LineCursor(dataText(text, file))
  lines.next()
  assertHeader(splitCsvLine(lines.line()), header, file, lines.number, `${kind} columns`)

  const iso = isoUtcCache()
  const errors: ParseIssue[] = []
  const records: PriceRecord[] = []
  const stamps = new Map<string, Stamp>()
  /** Per zone and wall clock of the repeated hour: how many rows so far. */
  const repeats = new Map<string, number>()
  const kept = new Map<string, Kept>()
  /** Per zone: its PTID, the line that gave it, and the name string the records share. */
  const zones = new Map<string, { ptid: string; line: number; name: string }>()
  const catalogue = new Map<string, NodeType>()
  const offGrid = spec.stampIsEnd ? 'not on a 5-minute boundary (stamps are interval ending)' : 'not on the hour (stamps are hour beginning)'

  while (lines.next()) {
    const line = lines.number
    const row = lines.line()
    if (isBlank(row)) continue
    const cells = splitCsvLine(row)
    const badWidth = rowWidthIssue(cells, header, file, line)
    if (badWidth) {
      errors.push(badWidth)
      continue
    }
    const issue = (column: number, reason: string) => {
      errors.push({ file, line, field: header[column] as string, value: cells[column] ?? '', reason })
    }
    const [stampText, name, ptid, lbmpText, lossText, mccText] = cells as [string, string, string, string, string, string]

    let stamp = stamps.get(stampText)
    if (stamp === undefined) {
      const wall = nyisoWallClockMs(stampText, spec.stampIsEnd)
      stamp = wall === null ? null : { wall, instants: instantsOfWallClock(wall, EASTERN) }
      stamps.set(stampText, stamp)
    }
    if (stamp === null) {
      issue(0, `not a MM/DD/YYYY HH:MM${spec.stampIsEnd ? ':SS' : ''} time`)
      continue
    }
    if (stamp.wall % spec.intervalMs !== 0) {
      issue(0, offGrid)
      continue
    }
    if (stamp.instants.length === 0) {
      issue(0, 'no such time in Eastern prevailing time (the hour skipped when clocks spring forward)')
      continue
    }

    const badNode = nodeNameIssue(name, { file, line, field: 'Name' })
    if (badNode) {
      errors.push(badNode)
      continue
    }
    if (!/^\d+$/.test(ptid)) {
      issue(2, 'not a point id (digits)')
      continue
    }
    let zone = zones.get(name)
    if (zone && zone.ptid !== ptid) {
      issue(2, `${name} has PTID ${zone.ptid} on line ${zone.line}`)
      continue
    }
    const lmp = readNumber(lbmpText)
    if (lmp === null) {
      issue(3, 'not a number')
      continue
    }
    const loss = readNumber(lossText)
    if (loss === null) {
      issue(4, 'not a number')
      continue
    }
    const mcc = readNumber(mccText)
    if (mcc === null) {
      issue(5, 'not a number')
      continue
    }

    let stampMs = stamp.instants[0] as number
    if (stamp.instants.length > 1) {
      // The repeated hour of the fall-back day: the zone's first row is EDT, its second EST.
      const key = `${name}\u0000${stamp.wall}`
      const seen = repeats.get(key) ?? 0
      if (seen >= stamp.instants.length) {
        issue(0, `third row for ${name} at this time of the repeated hour (only its daylight and standard occurrences exist)`)
        continue
      }
      repeats.set(key, seen + 1)
      stampMs = stamp.instants[seen] as number
    }
    const start = spec.stampIsEnd ? stampMs - spec.intervalMs : stampMs
    if (!zone) {
      zone = { ptid, line, name: ownCopy(name) }
      zones.set(zone.name, zone)
      const type = lookup(NYISO_NODE_TYPES, zone.name)
      if (type) catalogue.set(zone.name, type)
    }
    const congestion = 0 - mcc
    const record: PriceRecord = {
      market: 'NYISO',
      node: zone.name,
      run: spec.run,
      intervalStart: iso(start),
      intervalEnd: iso(start + spec.intervalMs),
      lmp,
      energy: residual(lmp, loss, congestion),
      congestion,
      loss,
      ghg: null,
      source: spec.source,
      publishedAt: null,
    }
    const key = `${name}\u0000${start}`
    const first = kept.get(key)
    if (first) {
      const earlier = records[first.index] as PriceRecord
      if (earlier.lmp !== lmp || earlier.loss !== loss || earlier.congestion !== congestion)
        issue(1, `second row for this zone and interval with other prices (line ${first.line} kept)`)
      continue
    }
    kept.set(key, { index: records.length, line })
    records.push(record)
  }
  return { records, errors, nodes: [...catalogue].map(([name, type]): CatalogueNode => ({ name, type })) }
}

export const parseNyisoDamLbmpZone = (text: string, file: string): ParseResult => parseNyisoZone(text, file, 'damlbmp_zone')
export const parseNyisoRealtimeZone = (text: string, file: string): ParseResult => parseNyisoZone(text, file, 'realtime_zone')
