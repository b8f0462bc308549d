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
  dataText,
  isBlank,
  isoUtc,
  lookup,
  nodeNameIssue,
  readNumber,
  rowWidthIssue,
  splitCsvLine,
  splitLines,
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

type Interval = {
  node: string
  start: number
  end: number
  line: number
  values: Partial<Record<Component, { value: number; line: number }>>
}

/** Parses one OASIS price CSV of the given query. A changed header throws a {@link ParseError}. */
export function parseCaisoOasis(text: string, file: string, query: CaisoQuery): ParseResult {
  const spec = CAISO_QUERIES[query]
  const lines = splitLines(dataText(text, file))
  assertHeader(splitCsvLine(lines[0] ?? ''), spec.header, file, 1, `${query} columns`)
  const col = (name: string) => spec.header.indexOf(name)
  const START = col('INTERVALSTARTTIME_GMT')
  const END = col('INTERVALENDTIME_GMT')
  const NODE = col('NODE')
  const RUN = col('MARKET_RUN_ID')
  const TYPE = col('LMP_TYPE')
  const PRICE = col(spec.price)
  const intervalMs = spec.minutes * 60_000

  const errors: ParseIssue[] = []
  const intervals = new Map<string, Interval>()
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? ''
    if (isBlank(raw)) continue
    const line = i + 1
    const cells = splitCsvLine(raw)
    const issue = (field: string, value: string, reason: string) => errors.push({ file, line, field, value, reason })
    const cell = (index: number) => cells[index] ?? ''

    const badWidth = rowWidthIssue(cells, spec.header, file, line)
    if (badWidth) {
      errors.push(badWidth)
      continue
    }
    const start = gmtMs(cell(START))
    if (start === null) {
      issue('INTERVALSTARTTIME_GMT', cell(START), 'not an ISO 8601 time with offset')
      continue
    }
    const end = gmtMs(cell(END))
    if (end === null || end - start !== intervalMs) {
      const reason =
        end === null ? 'not an ISO 8601 time with offset' : `interval is ${(end - start) / 60_000} min, expected ${spec.minutes}`
      issue('INTERVALENDTIME_GMT', cell(END), reason)
      continue
    }
    const node = cell(NODE)
    const badNode = nodeNameIssue(node, { file, line, field: 'NODE' })
    if (badNode) {
      errors.push(badNode)
      continue
    }
    if (cell(RUN) !== spec.marketRunId) {
      issue('MARKET_RUN_ID', cell(RUN), `expected ${spec.marketRunId} in a ${query} file`)
      continue
    }
    const component: Component | undefined = lookup(LMP_TYPES, cell(TYPE))
    if (!component) {
      issue('LMP_TYPE', cell(TYPE), `unknown LMP_TYPE (expected ${Object.keys(LMP_TYPES).join(', ')})`)
      continue
    }
    const value = readNumber(cell(PRICE))
    if (value === null) {
      issue(spec.price, cell(PRICE), 'not a number')
      continue
    }

    const key = `${node}\u0000${start}`
    let interval = intervals.get(key)
    if (!interval) {
      interval = { node, start, end, line, values: {} }
      intervals.set(key, interval)
    }
    const first = interval.values[component]
    if (!first) interval.values[component] = { value, line }
    else if (first.value !== value)
      issue(
        spec.price,
        cell(PRICE),
        `repeats ${cell(TYPE)} of ${node} at ${cell(START)} with another value (line ${first.line}: ${first.value} kept)`
      )
  }

  const records: PriceRecord[] = []
  const sorted = [...intervals.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.start - b.start))
  for (const { node, start, end, line, values } of sorted) {
    if (!values.lmp) {
      errors.push({ file, line, field: 'LMP_TYPE', value: '', reason: `no LMP row for ${node} at ${isoUtc(start)}` })
      continue
    }
    records.push({
      market: 'CAISO',
      node,
      run: spec.run,
      intervalStart: isoUtc(start),
      intervalEnd: isoUtc(end),
      lmp: values.lmp.value,
      energy: values.energy?.value ?? null,
      congestion: values.congestion?.value ?? null,
      loss: values.loss?.value ?? null,
      ghg: values.ghg?.value ?? null,
      source: spec.source,
      publishedAt: null,
    })
  }
  return { records, errors }
}

export const parseCaisoPrcLmp = (text: string, file: string): ParseResult => parseCaisoOasis(text, file, 'PRC_LMP')
export const parseCaisoPrcIntvlLmp = (text: string, file: string): ParseResult => parseCaisoOasis(text, file, 'PRC_INTVL_LMP')
export const parseCaisoPrcRtpdLmp = (text: string, file: string): ParseResult => parseCaisoOasis(text, file, 'PRC_RTPD_LMP')
