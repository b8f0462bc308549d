/**
 * CAISO OASIS price CSV (the file inside a `SingleZip?resultformat=6` answer) and the OASIS
 * error document.
 *
 *   PRC_LMP v12       DAM  hourly     OPR_HR `1`, OPR_INTERVAL 0, price column MW
 *   PRC_INTVL_LMP v3  RTM  5-minute   OPR_HR `01`, OPR_INTERVAL 1..12, price column VALUE
 *   PRC_RTPD_LMP v3   RTPD 15-minute  OPR_HR `01`, OPR_INTERVAL 1..4, price column PRC
 *
 * The header is the connectors' own (CAISO_QUERIES), so a change there shows up here. Five rows
 * per node and interval, one per LMP_TYPE (LMP = MCE + MCC + MCL + MGHG exactly). Rows are
 * unsorted the way OASIS's are: nodes in a shuffled order, each node's rows grouped by LMP_TYPE.
 * Times are GMT (`2026-07-14T07:00:00-00:00`); OPR_DT is the Pacific trade date and OPR_HR the
 * hour of the trade date counted from 1 (1..23 on the spring change day, 1..25 in the autumn).
 * LF line ends with a final LF, as recorded.
 */
import { CAISO_QUERIES, type CaisoQuery } from '@carbon/connectors'
import { type SimNode, withNodes } from '../catalogue.ts'
import { newComponents, type PriceModel, RUN_STEP_MS, type SimRun } from '../prices.ts'
import { hash32 } from '../random.ts'
import { HOUR, isoDate, oasisGmt, pacificDayOf, pacificDayStart } from '../time.ts'
import { caisoNumber } from './numbers.ts'
import type { GenerateOptions } from './options.ts'

export type OasisQuerySpec = {
  query: CaisoQuery
  run: SimRun
  marketRunId: 'DAM' | 'RTM' | 'RTPD'
  version: string
  header: readonly string[]
}

export const OASIS_QUERIES: Readonly<Record<CaisoQuery, OasisQuerySpec>> = {
  PRC_LMP: { query: 'PRC_LMP', run: 'DA', marketRunId: 'DAM', version: '12', header: CAISO_QUERIES.PRC_LMP.header },
  PRC_INTVL_LMP: {
    query: 'PRC_INTVL_LMP',
    run: 'RT5',
    marketRunId: 'RTM',
    version: '3',
    header: CAISO_QUERIES.PRC_INTVL_LMP.header,
  },
  PRC_RTPD_LMP: {
    query: 'PRC_RTPD_LMP',
    run: 'RT15',
    marketRunId: 'RTPD',
    version: '3',
    header: CAISO_QUERIES.PRC_RTPD_LMP.header,
  },
}

const LMP_TYPES = [
  ['LMP', 'LMP_PRC', 'lmp'],
  ['MCC', 'LMP_CONG_PRC', 'congestion'],
  ['MCE', 'LMP_ENE_PRC', 'energy'],
  ['MCL', 'LMP_LOSS_PRC', 'loss'],
  ['MGHG', 'LMP_GHG_PRC', 'ghg'],
] as const

/** Rows per yielded chunk (about 200 bytes each). */
const CHUNK_ROWS = 5000

/** The interval starts of `run` in [start, end) that are also before `until` (publication). */
export function oasisIntervals(run: SimRun, start: number, end: number, until = Number.POSITIVE_INFINITY): number[] {
  const step = RUN_STEP_MS[run]
  const out: number[] = []
  for (let s = Math.ceil(start / step) * step; s < end && s < until; s += step) out.push(s)
  return out
}

type IntervalText = { start: string; end: string; oprDt: string; oprHr: string; oprInterval: string }

function intervalTexts(spec: OasisQuerySpec, starts: readonly number[]): IntervalText[] {
  const step = RUN_STEP_MS[spec.run]
  return starts.map((s) => {
    const date = pacificDayOf(s)
    const offset = s - pacificDayStart(date)
    const hour = Math.floor(offset / HOUR) + 1
    const dam = spec.marketRunId === 'DAM'
    return {
      start: oasisGmt(s),
      end: oasisGmt(s + step),
      oprDt: isoDate(date),
      oprHr: dam ? String(hour) : String(hour).padStart(2, '0'),
      oprInterval: dam ? '0' : String(Math.floor((offset % HOUR) / step) + 1),
    }
  })
}

/** A deterministic shuffle of `nodes` (OASIS answers are not in node order). */
function shuffled(nodes: readonly SimNode[], seed: number): SimNode[] {
  const out = [...nodes]
  for (let i = out.length - 1; i > 0; i--) {
    const j = hash32(seed, i) % (i + 1)
    const t = out[i]!
    out[i] = out[j]!
    out[j] = t
  }
  return out
}

export type OasisCsvRequest = {
  query: CaisoQuery
  /** Interval starts to write (see {@link oasisIntervals}). */
  intervals: readonly number[]
  nodes: readonly SimNode[]
  grpType?: string
}

/** The OASIS CSV in chunks of text (header first), generated lazily node by node. */
export function* oasisCsv(model: PriceModel, request: OasisCsvRequest, options: GenerateOptions = {}): Generator<string> {
  const spec = OASIS_QUERIES[request.query]
  const dam = spec.marketRunId === 'DAM'
  const texts = intervalTexts(spec, request.intervals)
  const nodes = shuffled(
    options.extraNodes?.length ? withNodes(request.nodes, options.extraNodes) : request.nodes,
    hash32(model.seed, request.intervals[0] ?? 0, request.intervals.length)
  )
  const edges = options.duplicateEdges && texts.length > 0 ? [0, texts.length - 1] : []
  const grp = request.grpType ?? 'ALL_APNODES'
  const c = newComponents()
  yield `${spec.header.join(',')}\n`
  let rows: string[] = []
  // One node's values, interval by interval, in LMP_TYPES order.
  const values = new Float64Array(texts.length * LMP_TYPES.length)
  for (const node of nodes) {
    for (let i = 0; i < texts.length; i++) {
      model.values('CAISO', spec.run, node, request.intervals[i]!, c)
      LMP_TYPES.forEach(([, , key], k) => (values[i * LMP_TYPES.length + k] = c[key]))
    }
    const name = node.name
    const line = (i: number, type: string, item: string, price: string) => {
      const t = texts[i]!
      return dam
        ? `${t.start},${t.end},${t.oprDt},${t.oprHr},0,${name},${name},${name},DAM,${type},${item},${name},${grp},0,${price},1`
        : `${t.start},${t.end},${t.oprDt},${t.oprHr},${name},${name},${name},${spec.marketRunId},${type},${item},${name},${grp},0,${price},${t.oprInterval},1`
    }
    // Grouped by LMP_TYPE within the node, as OASIS groups them.
    const price = (i: number, k: number) => caisoNumber(values[i * LMP_TYPES.length + k]!)
    LMP_TYPES.forEach(([type, item], k) => {
      for (let i = 0; i < texts.length; i++) rows.push(line(i, type, item, price(i, k)))
    })
    // The first and last interval once more, same values: OASIS repeats rows on window boundaries.
    for (const i of edges) LMP_TYPES.forEach(([type, item], k) => rows.push(line(i, type, item, price(i, k))))
    if (rows.length >= CHUNK_ROWS) {
      yield `${rows.join('\n')}\n`
      rows = []
    }
  }
  if (rows.length > 0) yield `${rows.join('\n')}\n`
}

/** OASIS error codes the simulator answers with. 1000 and 1004 are OASIS's; 1002 is this simulator's choice. */
export const OASIS_ERRORS = {
  noData: { code: 1000, description: 'No data returned for the specified selection' },
  invalid: { code: 1002, description: 'Invalid request' },
  window: { code: 1004, description: 'The date range of the request exceeds the allowed maximum' },
} as const

/** The XML error document OASIS puts in the zip instead of the CSV. */
export function oasisErrorXml(code: number, description: string, now: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<m:OASISReport xmlns:m="http://www.caiso.com/soa/OASISReport_v1.xsd">' +
    `<m:MessageHeader><m:TimeDate>${oasisGmt(now)}</m:TimeDate><m:Source>OASIS</m:Source><m:Version>v20131201</m:Version></m:MessageHeader>` +
    '<m:MessagePayload><m:RTO><m:name>CAISO</m:name><m:ERROR>' +
    `<m:ERR_CODE>${code}</m:ERR_CODE><m:ERR_DESC>${escapeXml(description)}</m:ERR_DESC>` +
    '</m:ERROR></m:RTO></m:MessagePayload></m:OASISReport>\n'
  )
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/** The file name OASIS gives the CSV: `20260714_20260715_PRC_LMP_DAM_20260713_20_05_00_v12.csv`. */
export function oasisFileStem(query: CaisoQuery, start: number, end: number, now: number): string {
  const spec = OASIS_QUERIES[query]
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_')
  return `${day(start)}_${day(end)}_${query}_${spec.marketRunId}_${stamp.slice(0, 8)}_${stamp.slice(9, 11)}_${stamp.slice(11, 13)}_${stamp.slice(13, 15)}_v${spec.version}`
}
