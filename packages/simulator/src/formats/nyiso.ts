/**
 * NYISO MIS zonal LBMP files (http://mis.nyiso.com/public/csv/...), as the recorded day-ahead
 * file writes them (packages/connectors/fixtures/iso/nyiso, parser parsers/nyiso.ts):
 *
 *   damlbmp/{YYYYMMDD}damlbmp_zone.csv     not quoted, `MM/DD/YYYY HH:MM` = hour BEGINNING
 *     Time Stamp,Name,PTID,LBMP ($/MWHr),Marginal Cost Losses ($/MWHr),Marginal Cost Congestion ($/MWHr)
 *     09/23/2026 00:00,CAPITL,61757,34.97,1.15,0.00
 *   realtime/{YYYYMMDD}realtime_zone.csv   header and text cells quoted, `MM/DD/YYYY HH:MM:SS` = interval END
 *     "Time Stamp","Name","PTID","LBMP ($/MWHr)","Marginal Cost Losses ($/MWHr)","Marginal Cost Congestion ($/MWHr)"
 *     "09/23/2026 00:05:00","CAPITL",61757,34.51,1.10,0.00
 *   {folder}/{YYYYMM}01{file}_csv.zip      the month's daily CSVs, one entry each
 *
 * CRLF line endings, the last line ended too. Rows run interval by interval, the 15 names in
 * byte order within an interval (the recorded file's order). Times are the Eastern prevailing
 * wall clock: on the autumn day the repeated hour's stamps come twice per name, daylight first;
 * on the spring day 02:xx never appears. Numbers have two decimals.
 *
 * Sign: NYISO's congestion column is the opposite of the canonical component (LBMP = energy +
 * losses - MCC), so the writer puts MCC = -congestion and the parser's records (congestion =
 * -MCC, energy = LBMP - losses - congestion) equal the model's values.
 */
import { NYISO_ZONE_HEADER } from '@carbon/connectors'
import type { FailureMode } from '../failures.ts'
import type { SimNode } from '../catalogue.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { HOUR, MINUTE } from '../time.ts'
import { type ZipEntry, zipBytes } from '../zip.ts'
import { fixed2 } from './numbers.ts'
import { easternWall } from './pjm.ts'

export type NyisoFile = 'damlbmp_zone' | 'realtime_zone'

/** The zonal files' header, as the parser expects it. */
export const NYISO_HEADER = NYISO_ZONE_HEADER

/** The names of the zonal files (11 NYCA zones, 4 external proxy buses) and their PTIDs, as recorded. */
export const NYISO_ZONES: readonly (readonly [string, number, 'zone' | 'interface'])[] = [
  ['CAPITL', 61757, 'zone'],
  ['CENTRL', 61754, 'zone'],
  ['DUNWOD', 61760, 'zone'],
  ['GENESE', 61753, 'zone'],
  ['H Q', 61844, 'interface'],
  ['HUD VL', 61758, 'zone'],
  ['LONGIL', 61762, 'zone'],
  ['MHK VL', 61756, 'zone'],
  ['MILLWD', 61759, 'zone'],
  ['N.Y.C.', 61761, 'zone'],
  ['NORTH', 61755, 'zone'],
  ['NPX', 61845, 'interface'],
  ['O H', 61846, 'interface'],
  ['PJM', 61847, 'interface'],
  ['WEST', 61752, 'zone'],
]

export type NyisoZone = { name: string; ptid: number; node: SimNode }

export const NYISO_SPECS: Readonly<Record<NyisoFile, { step: number; stampIsEnd: boolean; quoted: boolean; folder: string }>> = {
  damlbmp_zone: { step: HOUR, stampIsEnd: false, quoted: false, folder: 'damlbmp' },
  realtime_zone: { step: 5 * MINUTE, stampIsEnd: true, quoted: true, folder: 'realtime' },
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** `09/23/2026 00:00` (or with `:SS`) on the Eastern wall clock of `ms`. */
export function nyisoStamp(ms: number, seconds: boolean): string {
  const t = new Date(easternWall(ms))
  const text = `${pad2(t.getUTCMonth() + 1)}/${pad2(t.getUTCDate())}/${t.getUTCFullYear()} ${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}`
  return seconds ? `${text}:00` : text
}

/** The CSV of `file` for the intervals starting in [start, end) (on the file's grid), every zone. */
export function nyisoCsv(model: PriceModel, file: NyisoFile, zones: readonly NyisoZone[], start: number, end: number): string {
  const { step, stampIsEnd, quoted } = NYISO_SPECS[file]
  const run = file === 'damlbmp_zone' ? 'DA' : 'RT5'
  const q = (text: string) => (quoted ? `"${text}"` : text)
  const lines = [NYISO_HEADER.map(q).join(',')]
  const c = newComponents()
  for (let t = start; t < end; t += step) {
    const stamp = q(nyisoStamp(stampIsEnd ? t + step : t, stampIsEnd))
    for (const zone of zones) {
      model.values('NYISO', run, zone.node, t, c)
      lines.push(`${stamp},${q(zone.name)},${zone.ptid},${fixed2(c.lmp)},${fixed2(c.loss)},${fixed2(0 - c.congestion)}`)
    }
  }
  return `${lines.join('\r\n')}\r\n`
}

/** A monthly zip: one entry `{YYYYMMDD}{file}.csv` per day given. */
export function nyisoMonthZip(model: PriceModel, file: NyisoFile, zones: readonly NyisoZone[], days: readonly { date: string; start: number; end: number }[], mtime: Date): Promise<Uint8Array> {
  const entries: ZipEntry[] = days.map((day) => ({ name: `${day.date}${file}.csv`, chunks: [nyisoCsv(model, file, zones, day.start, day.end)] }))
  return zipBytes(entries, { mtime })
}

/**
 * A CSV broken the way `mode` says: `changed-header` (the last header cell cut to
 * `Marginal Cost Congestion ($/MWH`, the pre-2016 header), `non-numeric` (the first row's LBMP is
 * `N/A`), `duplicate-edges` (the first and last interval's rows repeated, same values); null for
 * the other modes.
 */
export function breakNyisoCsv(text: string, mode: FailureMode): string | null {
  const lines = text.split('\r\n')
  if (lines.length < 3) return null
  if (mode === 'changed-header') {
    lines[0] = lines[0]!.replace('Marginal Cost Congestion ($/MWHr)', 'Marginal Cost Congestion ($/MWH')
    return lines.join('\r\n')
  }
  if (mode === 'non-numeric') {
    const cells = lines[1]!.split(',')
    cells[3] = 'N/A'
    lines[1] = cells.join(',')
    return lines.join('\r\n')
  }
  if (mode === 'duplicate-edges') {
    const rows = lines.slice(1, -1)
    const stampOf = (row: string) => row.slice(0, row.indexOf(','))
    const firstStamp = stampOf(rows[0]!)
    const lastStamp = stampOf(rows[rows.length - 1]!)
    const head = rows.filter((r) => stampOf(r) === firstStamp)
    const tail = rows.filter((r) => stampOf(r) === lastStamp)
    return [lines[0], ...head, ...rows, ...tail, ''].join('\r\n')
  }
  return null
}
