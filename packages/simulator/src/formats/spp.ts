/**
 * SPP Marketplace portal bytes: the LMP-by-settlement-location CSVs of the file browser, in the
 * current 9-column layout (fixtures/iso/spp, `spp_da_lmp_sl_20260923_9col_REDUCED_hubs.csv`):
 *
 *   Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC
 *   09/23/2026 01:00:00,09/23/2026 06:00:00,SPP,SPPNORTH_HUB,SPPNORTH_H,15.8983,-1.1890,-1.4197,18.5070
 *
 * LF line ends, a final LF, no quotes; prices with exactly four decimals (`0.0000`, `-0.0023`);
 * LMP = MEC + MCC + MLC exactly (the model's components, in 1e-4 $/MWh). Rows by interval end,
 * then settlement location in byte order (whatever the BAA), as in the real files.
 *
 * Times: `Interval` is the interval END on the Central wall clock, `GMTIntervalEnd` the same end
 * in UTC, both `MM/DD/YYYY HH:MM:SS`. At the clock changes SPP's labels read the end as daylight
 * time whenever either reading is: on the fall-back day the hour ending 07:00Z is `02:00:00`
 * (not 01:00) and the one ending 08:00Z `02:00:00` again; on the spring day the hour ending 08:00Z
 * is `03:00:00` (fixtures README, after SPP's own files of those days). The parser accepts either.
 *
 * The DA file of operating day D holds its 23, 24 or 25 hours (hour ending 01:00 of D .. hour
 * ending 24:00, labelled D+1 00:00:00); an RTBM file one five-minute interval.
 */
import type { SimNode } from '../catalogue.ts'
import { newComponents, type PriceModel, type SimRun } from '../prices.ts'
import { DAY, HOUR, MINUTE } from '../time.ts'
import { centralDayOf, centralMidnight, centralOffset, ymdText } from './ercot.ts'

export const SPP_HEADER = 'Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC'

/** A settlement location: its name, the pricing node behind it, its balancing authority area, its catalogue node. */
export type SppLocation = { name: string; pnode: string; baa: 'SPP' | 'SWPW'; node: SimNode }

const FIVE_MINUTES = 5 * MINUTE
const pad2 = (n: number) => String(n).padStart(2, '0')

/** Four decimals from 1e-4 units: `15.8983`, `-0.0023`, `0.0000`. */
export function sppNumber(units: number): string {
  const abs = Math.abs(units)
  return `${units < 0 ? '-' : ''}${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, '0')}`
}

/** A wall clock (read as UTC) as SPP writes it: `MM/DD/YYYY HH:MM:SS`. */
export function sppTime(wall: number): string {
  const d = new Date(wall)
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
}

/** The `Interval` label of an interval ending at `end`: daylight time whenever the end or the instant before it is in it. */
export function sppIntervalLabel(end: number): number {
  return end + Math.max(centralOffset(end), centralOffset(end - MINUTE))
}

/** The hour ends of DA operating day `dayWall` (wall midnight, read as UTC): 23, 24 or 25. */
export function sppDaEnds(dayWall: number): number[] {
  const ends: number[] = []
  const last = centralMidnight(dayWall + DAY)
  for (let start = centralMidnight(dayWall); start < last; start += HOUR) ends.push(start + HOUR)
  return ends
}

/**
 * The name stamp of the RTBM interval ending at `end`: the end on the Central wall clock read with
 * the interval's own offset (in force just before the end), `d` added when an interval an hour
 * earlier has the same stamp (the repeated fall-back hour). Matches the connector's `sppRtbmStamp`.
 */
export function sppRtbmStamp(end: number): string {
  const label = end + centralOffset(end - MINUTE)
  const earlier = end - HOUR
  const repeat = earlier + centralOffset(earlier - MINUTE) === label
  return `${ymdText(label)}${new Date(label).toISOString().slice(11, 16).replace(':', '')}${repeat ? 'd' : ''}`
}

/** The file-browser `path` of the RTBM file of the interval ending at `end` (folder: the operating day). */
export function sppRtbmPath(end: number): string {
  const day = ymdText(centralDayOf(end - FIVE_MINUTES))
  return `/${day.slice(0, 4)}/${day.slice(4, 6)}/By_Interval/${day.slice(6, 8)}/RTBM-LMP-SL-${sppRtbmStamp(end)}.csv`
}

/** The file-browser `path` of the DA file of operating day `dayWall`. */
export function sppDaPath(dayWall: number): string {
  const day = ymdText(dayWall)
  return `/${day.slice(0, 4)}/${day.slice(4, 6)}/By_Day/DA-LMP-SL-${day}0100.csv`
}

/** The interval ending at the RTBM stamp `YYYYMMDDHHmm` (+ `d`), or null when no interval has that name. */
export function sppRtbmEndOf(stamp: string, repeat: boolean): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp)
  if (!m) return null
  const label = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]))
  if (ymdText(label) !== `${m[1]}${m[2]}${m[3]}` || Number(m[4]) > 23 || Number(m[5]) > 59) return null
  for (const offset of [-5 * HOUR, -6 * HOUR]) {
    const end = label - offset
    if (end % FIVE_MINUTES === 0 && sppRtbmStamp(end) === `${stamp}${repeat ? 'd' : ''}`) return end
  }
  return null
}

/** The price-bearing rows of one interval end for `locations` (sorted by name). */
function rows(model: PriceModel, locations: readonly SppLocation[], run: SimRun, end: number, out: string[]): void {
  const step = run === 'DA' ? HOUR : FIVE_MINUTES
  const prefix = `${sppTime(sppIntervalLabel(end))},${sppTime(end)},`
  const v = newComponents()
  for (const location of locations) {
    model.values('SPP', run, location.node, end - step, v)
    out.push(
      `${prefix}${location.baa},${location.name},${location.pnode},${sppNumber(v.lmp)},${sppNumber(v.loss)},${sppNumber(v.congestion)},${sppNumber(v.energy)}\n`
    )
  }
}

/** An LMP-by-settlement-location CSV (9 columns) of `locations` for the interval ends `ends`. */
export function sppCsv(model: PriceModel, locations: readonly SppLocation[], run: 'DA' | 'RT5', ends: readonly number[]): string {
  const out: string[] = [`${SPP_HEADER}\n`]
  for (const end of ends) rows(model, locations, run, end, out)
  return out.join('')
}
