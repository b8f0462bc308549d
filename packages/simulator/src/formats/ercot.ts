/**
 * ERCOT MIS bytes: the settlement point price CSVs inside the zips `mirDownload` serves, and the
 * `IceDocListJsonWS` document list, as the real files have them (fixtures/iso/ercot):
 *
 *   NP4-190-CD (report 12331), one delivery day:
 *     DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag
 *     06/12/2026,01:00,7RNCHSLR_ALL, 35.06,N
 *   hour by hour, points sorted by name (byte order); the price has a leading space; HourEnding
 *   `01:00`..`24:00`.
 *
 *   NP6-905-CD (report 12301), one 15-minute interval:
 *     DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag
 *     06/11/2026,14,2,HB_NORTH,HU,21.73,N
 *   points sorted by name; a load zone (LZ) and a DC tie (LZ_DC) twice, with its energy-weighted
 *   price as LZEW / LZ_DCEW (the two rows in either order, as in the real file).
 *
 * Both: LF line ends, a final LF, no quotes; prices in dollars with up to two decimals and
 * trailing zeros dropped (`35.1`, `35`, `-0.98`). Clock: Central prevailing time, hour ending.
 * On the fall-back day hour ending 02 appears twice, DSTFlag N for the first (daylight) hour and
 * Y for the repeated (standard-time) one; on the spring day hour ending 03 is left out.
 *
 * Prices: the DAM price of a point is the model's day-ahead LMP (cents); the RT price the model's
 * fifteen-minute LMP; the energy-weighted price of a load zone is its plain RT price moved by a
 * cent or three in about one interval in seven (the real file: LZ_LCRA 22.65 plain, 22.66 LZEW).
 */
import { zonedParts } from '@carbon/schemas'
import type { SimNode } from '../catalogue.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { hash32, uniformOf } from '../random.ts'
import { DAY, HOUR, MINUTE } from '../time.ts'

export const ERCOT_DAM_HEADER = 'DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag'
export const ERCOT_RT_HEADER =
  'DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag'

/** ERCOT's settlement point types (NP6-905-CD `SettlementPointType`) of a point's plain price. */
export type ErcotPointCode = 'HU' | 'AH' | 'SH' | 'LZ' | 'LZ_DC' | 'RN' | 'PCCRN' | 'LCCRN' | 'PUN'

/** A settlement point: its name, type, catalogue node, and (load zones, DC ties) the node of its energy-weighted price. */
export type ErcotPoint = { name: string; code: ErcotPointCode; node: SimNode; ew: SimNode | null }

const QUARTER = 15 * MINUTE

// ---------------------------------------------------------------- Central clock

const CENTRAL = 'America/Chicago'
const offsets = new Map<number, number>()

/** Central's offset from UTC at `ms` (local minus UTC): -5 h (CDT) or -6 h (CST). */
export function centralOffset(ms: number): number {
  const key = Math.floor(ms / MINUTE)
  let offset = offsets.get(key)
  if (offset === undefined) {
    const p = zonedParts(new Date(key * MINUTE), CENTRAL)
    offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - key * MINUTE
    if (offsets.size > 50_000) offsets.clear()
    offsets.set(key, offset)
  }
  return offset
}

/** The Central wall clock of `ms`, read as UTC. */
export const centralWall = (ms: number): number => ms + centralOffset(ms)

/** The instants a Central wall-clock time names, earliest first: none in the spring gap, two in the repeated hour. */
export function centralInstants(wall: number): number[] {
  const found: number[] = []
  for (const offset of [-5 * HOUR, -6 * HOUR]) {
    const instant = wall - offset
    if (centralOffset(instant) === offset) found.push(instant)
  }
  return found.sort((a, b) => a - b)
}

/** Local midnight of the Central day whose wall midnight (read as UTC) is `dayWall`. */
export const centralMidnight = (dayWall: number): number => centralInstants(dayWall)[0] as number

/** The wall midnight (read as UTC) of the Central day holding `ms`. */
export const centralDayOf = (ms: number): number => Math.floor(centralWall(ms) / DAY) * DAY

const pad2 = (n: number) => String(n).padStart(2, '0')
/** `MM/DD/YYYY` of a wall clock read as UTC. */
export function mdy(wall: number): string {
  const d = new Date(wall)
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()}`
}
/** `YYYYMMDD` of a wall clock read as UTC. */
export const ymdText = (wall: number): string => new Date(wall).toISOString().slice(0, 10).replaceAll('-', '')
/** `HHMMSS` of a wall clock read as UTC. */
export const hmsText = (wall: number): string => new Date(wall).toISOString().slice(11, 19).replaceAll(':', '')

/** Whether the interval starting at `start` is the repeat of the fall-back hour (DSTFlag Y). */
function repeated(start: number): boolean {
  const instants = centralInstants(centralWall(start))
  return instants.length === 2 && instants[1] === start
}

// ---------------------------------------------------------------- prices

/** ERCOT's price text: cents as dollars with up to two decimals, trailing zeros dropped (`35.1`, `35`, `-0.98`, `0`). */
export function ercotPrice(cents: number): string {
  if (cents === 0) return '0'
  const abs = Math.abs(cents)
  const whole = Math.floor(abs / 100)
  const frac = abs % 100
  const sign = cents < 0 ? '-' : ''
  if (frac === 0) return `${sign}${whole}`
  const digits = String(frac).padStart(2, '0')
  return `${sign}${whole}.${digits.endsWith('0') ? digits[0] : digits}`
}

const scratch = newComponents()

/** The DAM price of a point for the hour starting at `start`, in cents. */
export function ercotDamPrice(model: PriceModel, point: ErcotPoint, start: number): number {
  return model.values('ERCOT', 'DA', point.node, start, scratch).lmp
}

/** The RT price of a point for the quarter starting at `start`, in cents: plain, or (`energyWeighted`) the LZEW price. */
export function ercotRtPrice(model: PriceModel, point: ErcotPoint, start: number, energyWeighted = false): number {
  const plain = model.values('ERCOT', 'RT15', point.node, start, scratch).lmp
  if (!energyWeighted || !point.ew) return plain
  const h = hash32(model.seed, point.ew.key, 0x45, Math.floor(start / QUARTER))
  const u = uniformOf(h)
  if (u < 0.86) return plain
  const step = 1 + (h % 3)
  return plain + (u < 0.93 ? step : -step)
}

// ---------------------------------------------------------------- CSVs

const EW_CODE: Partial<Record<ErcotPointCode, string>> = { LZ: 'LZEW', LZ_DC: 'LZ_DCEW' }

/** The hour starts of the Central delivery day `dayWall`: 23, 24 or 25. */
export function ercotDayHours(dayWall: number): number[] {
  const hours: number[] = []
  const end = centralMidnight(dayWall + DAY)
  for (let at = centralMidnight(dayWall); at < end; at += HOUR) hours.push(at)
  return hours
}

/** The NP4-190-CD CSV of delivery day `dayWall` for `points` (sorted by name; energy-weighted nodes are not DAM points). */
export function ercotDamCsv(model: PriceModel, points: readonly ErcotPoint[], dayWall: number): string {
  const parts: string[] = [`${ERCOT_DAM_HEADER}\n`]
  const date = mdy(dayWall)
  for (const start of ercotDayHours(dayWall)) {
    const wall = centralWall(start)
    const prefix = `${date},${pad2(new Date(wall).getUTCHours() + 1)}:00,`
    const flag = repeated(start) ? 'Y' : 'N'
    const rows: string[] = []
    for (const point of points) rows.push(`${prefix}${point.name}, ${ercotPrice(ercotDamPrice(model, point, start))},${flag}\n`)
    parts.push(rows.join(''))
  }
  return parts.join('')
}

/** Whether a zone's energy-weighted row comes first in the RT file (the real file has both orders). */
const ewFirst = (point: ErcotPoint) => ((point.node.key >>> 3) & 1) === 1

/** The NP6-905-CD CSV of the quarter starting at `start` for `points` (sorted by name). */
export function ercotRtCsv(model: PriceModel, points: readonly ErcotPoint[], start: number): string {
  const wall = centralWall(start)
  const t = new Date(wall)
  const prefix = `${mdy(wall)},${t.getUTCHours() + 1},${Math.floor(t.getUTCMinutes() / 15) + 1},`
  const flag = repeated(start) ? 'Y' : 'N'
  const rows: string[] = [`${ERCOT_RT_HEADER}\n`]
  for (const point of points) {
    const plain = `${prefix}${point.name},${point.code},${ercotPrice(ercotRtPrice(model, point, start))},${flag}\n`
    const ewCode = EW_CODE[point.code]
    if (!ewCode || !point.ew) {
      rows.push(plain)
      continue
    }
    const weighted = `${prefix}${point.name},${ewCode},${ercotPrice(ercotRtPrice(model, point, start, true))},${flag}\n`
    if (ewFirst(point)) rows.push(weighted, plain)
    else rows.push(plain, weighted)
  }
  return rows.join('')
}

// ---------------------------------------------------------------- names and the document list

export type ErcotReport = 'dam' | 'rt'

/** What MIS names a report's files after. */
export const ERCOT_REPORTS: Readonly<
  Record<ErcotReport, { typeId: number; stem: string; reportName: string }>
> = {
  dam: { typeId: 12331, stem: 'DAMSPNP4190', reportName: 'DAM Settlement Point Prices' },
  rt: { typeId: 12301, stem: 'SPPHLZNP6905', reportName: 'Settlement Point Prices at Resource Nodes, Hubs and Load Zones' },
}

/** One document of a simulated MIS list. */
export type ErcotDoc = {
  report: ErcotReport
  docId: string
  xml: boolean
  /** The delivery window: the day (DAM) or the quarter (RT). */
  start: number
  end: number
  publishedAt: number
  expiresAt: number
  /** Rows of the CSV (for the size MIS states). */
  rows: number
}

const prefix = (report: ErcotReport) => `cdr.${String(ERCOT_REPORTS[report].typeId).padStart(8, '0')}.0000000000000000`

/** `SPPHLZNP6905_20260611_1330` for an RT interval ending at `end` (its Central wall clock; midnight is the next date's 0000). */
function rtStamp(end: number): string {
  const wall = centralWall(end)
  return `${ERCOT_REPORTS.rt.stem}_${ymdText(wall)}_${hmsText(wall).slice(0, 4)}`
}

/** The name of the CSV inside a document's zip: `cdr.00012331.0000000000000000.20260611.125132.DAMSPNP4190.csv`. */
export function ercotCsvName(doc: ErcotDoc): string {
  const wall = centralWall(doc.publishedAt)
  const stem = doc.report === 'dam' ? ERCOT_REPORTS.dam.stem : rtStamp(doc.end)
  return `${prefix(doc.report)}.${ymdText(wall)}.${hmsText(wall)}.${stem}.csv`
}

/** A document's FriendlyName: `DAMSPNP4190_csv`, `SPPHLZNP6905_20260611_1330_csv`. */
export function ercotFriendlyName(doc: ErcotDoc): string {
  const stem = doc.report === 'dam' ? ERCOT_REPORTS.dam.stem : rtStamp(doc.end)
  return `${stem}_${doc.xml ? 'xml' : 'csv'}`
}

/** A document's ConstructedName: `cdr.00012331.0000000000000000.20260611.125133362.DAMSPNP4190_csv.zip` (posted about a second after the CSV was written). */
export function ercotConstructedName(doc: ErcotDoc): string {
  const wall = centralWall(doc.publishedAt) + 1000
  const millis = String(Number(doc.docId) % 1000).padStart(3, '0')
  return `${prefix(doc.report)}.${ymdText(wall)}.${hmsText(wall)}${millis}.${ercotFriendlyName(doc)}.zip`
}

/** An instant as MIS writes it, with the Central offset: `2026-06-11T12:51:32-05:00`. */
export function misTime(ms: number): string {
  const offset = centralOffset(ms)
  const wall = new Date(ms + offset).toISOString().slice(0, 19)
  const hours = Math.abs(offset) / HOUR
  return `${wall}${offset < 0 ? '-' : '+'}${pad2(hours)}:00`
}

/** A zip's size as MIS states it: estimated from the rows (the real zips hold 6.5 to 7.5 bytes a row), not measured. */
function contentSize(doc: ErcotDoc): number {
  const perRow = doc.report === 'dam' ? 6.45 : 7.5
  return Math.round(doc.rows * perRow * (doc.xml ? 1.17 : 1)) + 300
}

/** The `IceDocListJsonWS` answer listing `docs` in the given order (MIS lists the newest first). */
export function ercotDocListJson(docs: readonly ErcotDoc[]): string {
  return JSON.stringify({
    ListDocsByRptTypeRes: {
      DocumentList: docs.map((doc) => ({
        Document: {
          ExpiredDate: misTime(doc.expiresAt),
          ILMStatus: 'EXT',
          SecurityStatus: 'P',
          ContentSize: String(contentSize(doc)),
          Extension: 'zip',
          ReportTypeID: String(ERCOT_REPORTS[doc.report].typeId),
          Prefix: 'cdr',
          FriendlyName: ercotFriendlyName(doc),
          ConstructedName: ercotConstructedName(doc),
          DocID: doc.docId,
          PublishDate: misTime(doc.publishedAt),
          ReportName: ERCOT_REPORTS[doc.report].reportName,
          DUNS: '0000000000000000',
          DocCount: '0',
        },
      })),
    },
  })
}
