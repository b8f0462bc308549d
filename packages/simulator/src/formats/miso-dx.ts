/**
 * MISO Data Exchange pricing API pages (`/pricing/v1/{day-ahead|real-time}/{date}/lmp-expost`),
 * in the shape MISO's developer portal documents (see @carbon/connectors parsers/miso-dx.ts for
 * the sources and the assumptions, which this generator shares):
 *
 *   {"data":[{"interval":"1","timeInterval":{"resolution":"hourly","start":"2026-07-14 00:00:00.000",
 *             "end":"2026-07-14 01:00:00.000","value":"1"},"node":"ALTW.WELLS1",
 *             "lmp":21.6,"mcc":0.02,"mec":20.94,"mlc":0.64}, ...],
 *    "page":{"pageNumber":1,"pageSize":1000,"totalElements":62400,"totalPages":63,"lastPage":false}}
 *
 * Records run interval by interval, nodes by name within an interval; `pageNumber` counts from
 * 1. Times are naive EST; real-time records carry `preliminaryFinal` and no `interval`;
 * `timeInterval.value` is the hour ending (hourly) or the start time (5-minute). Numbers are JSON
 * numbers with at most two decimals. Prices are the market reports' and the public API's for the
 * same node and interval: day-ahead = the DA report, 5-minute = GetRealTimeFiveMinExPost,
 * hourly = rt_lmp_prelim (Preliminary) or rt_lmp_final (Final).
 */
import type { FailureMode } from '../failures.ts'
import { type SimNode, withNodes } from '../catalogue.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { HOUR, MINUTE, misoDayStart, misoNaive, type Ymd } from '../time.ts'
import { fixed2 } from './numbers.ts'
import type { GenerateOptions } from './options.ts'

/** Records per page when the simulator is not told otherwise (MISO's own size is fixed and unpublished). */
export const DEFAULT_DX_PAGE_SIZE = 1000

/** What a Data Exchange LMP request selects: day-ahead hourly, real-time 5-minute or real-time hourly. */
export type DxSeries = 'da' | 'rt5' | 'rth'
export type DxState = 'Preliminary' | 'Final'

export type DxPageRequest = {
  series: DxSeries
  date: Ymd
  /** 1-based. */
  pageNumber: number
  pageSize: number
  /** Real-time only: the state of the day's prices (hourly values differ between the two). */
  state?: DxState
}

const STEP: Readonly<Record<DxSeries, number>> = { da: HOUR, rt5: 5 * MINUTE, rth: HOUR }
const RESOLUTION: Readonly<Record<DxSeries, string>> = { da: 'hourly', rt5: '5min', rth: 'hourly' }

/** A whole number of cents as a JSON number: `21.6`, `-0.08`, `0`, `30`. */
export function dxNumber(cents: number): string {
  return fixed2(cents).replace(/\.?0+$/, '')
}

/** `2026-07-14 16:50:00.000`, a naive EST time the way the Data Exchange writes it. */
export function dxTime(ms: number): string {
  return `${misoNaive(ms).replace('T', ' ')}.000`
}

/** The number of records and pages of a day of `series` for `nodeCount` nodes. */
export function dxPaging(series: DxSeries, nodeCount: number, pageSize: number): { totalElements: number; totalPages: number } {
  const totalElements = nodeCount * ((24 * HOUR) / STEP[series])
  return { totalElements, totalPages: Math.ceil(totalElements / pageSize) }
}

/** One page of a market day of `request.series`, for the catalogue's nodes (plus `options.extraNodes`). */
export function misoDxPage(model: PriceModel, request: DxPageRequest, options: GenerateOptions = {}): string {
  const nodes: readonly SimNode[] = options.extraNodes?.length ? withNodes(model.miso.nodes, options.extraNodes) : model.miso.nodes
  const { series, pageNumber, pageSize } = request
  const step = STEP[series]
  const dayStart = misoDayStart(request.date)
  const { totalElements, totalPages } = dxPaging(series, nodes.length, pageSize)
  const first = (pageNumber - 1) * pageSize
  const last = Math.min(first + pageSize, totalElements)
  const c = newComponents()
  const record = (i: number): string => {
    const k = Math.floor(i / nodes.length)
    const node = nodes[i % nodes.length]!
    const start = dayStart + k * step
    if (series === 'da') model.values('MISO', 'DA', node, start, c)
    else if (series === 'rt5') model.values('MISO', 'RT5', node, start, c)
    else model.misoHourly(node, start, request.state === 'Final', c)
    const hourEnding = String(k + 1)
    const time = `{"resolution":"${RESOLUTION[series]}","start":"${dxTime(start)}","end":"${dxTime(start + step)}","value":"${series === 'rt5' ? dxTime(start) : hourEnding}"}`
    const head = series === 'da' ? `"interval":"${hourEnding}","timeInterval":${time}` : `"timeInterval":${time},"preliminaryFinal":"${request.state ?? 'Preliminary'}"`
    const mec = c.lmp - c.congestion - c.loss
    return `{${head},"node":${JSON.stringify(node.name)},"lmp":${dxNumber(c.lmp)},"mcc":${dxNumber(c.congestion)},"mec":${dxNumber(mec)},"mlc":${dxNumber(c.loss)}}`
  }
  const rows: string[] = []
  for (let i = first; i < last; i++) rows.push(record(i))
  // The page's first records once more, same values (a re-sent block).
  if (options.duplicateEdges) for (let i = first; i < Math.min(first + 10, last); i++) rows.push(record(i))
  const page = `{"pageNumber":${pageNumber},"pageSize":${pageSize},"totalElements":${totalElements},"totalPages":${totalPages},"lastPage":${pageNumber >= totalPages}}`
  return `{"data":[${rows.join(',')}],"page":${page}}`
}

/**
 * A page broken the way `mode` says: `truncated` (cut at 60 %), `changed-header` (`mcc` renamed
 * `congestion` in every record), `non-numeric` (the first record's `lmp` is `"N/A"`), `empty`;
 * other modes return it unchanged.
 */
export function breakDxPage(text: string, mode: FailureMode): string {
  if (mode === 'empty') return ''
  if (mode === 'truncated') return text.slice(0, Math.floor(text.length * 0.6))
  if (mode !== 'changed-header' && mode !== 'non-numeric') return text
  const doc = JSON.parse(text) as { data: Record<string, unknown>[] }
  if (mode === 'non-numeric') {
    if (doc.data[0]) doc.data[0].lmp = 'N/A'
  } else
    doc.data = doc.data.map(({ mcc, ...rest }) => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(rest)) {
        out[key] = value
        if (key === 'node') out.congestion = mcc
      }
      return out
    })
  return JSON.stringify(doc)
}
