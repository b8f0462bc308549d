/**
 * Where each MISO and CAISO dataset lives and how a delivery window becomes requests.
 *
 * | dataset | request | published (usual schedule) | cadence |
 * |---|---|---|---|
 * | MISO `{D}_da_expost_lmp.csv` | one per market day (EST) | D-1 14:00 EST | 1 h |
 * | MISO `{D}_rt_lmp_prelim.csv` | one per market day | D+1 06:00 EST | 1 h |
 * | MISO `{D}_rt_lmp_final.csv` | one per market day | D+6 06:00 EST | 1 h |
 * | MISO API GetRealTimeFiveMinExPost | Current / Rolling (today) / Previous (yesterday) | an interval once ended | 5 min |
 * | MISO API GetExAnteLmp | the interval in progress only | the interval in progress | 5 min |
 * | CAISO OASIS PRC_LMP v12 DAM | <= 31 days per node list; one trade day with ALL_APNODES | trade date D at D-1 13:00 Pacific | 1 h |
 * | CAISO OASIS PRC_RTPD_LMP v3 RTPD | <= 31 days per node list; one hour with ALL_APNODES | an interval at its start | 15 min |
 * | CAISO OASIS PRC_INTVL_LMP v3 RTM | <= 31 days per node list; one hour with ALL_APNODES | an interval at its end | 5 min |
 *
 * The publication offsets mirror the simulator's defaults (packages/simulator/src/schedule.ts);
 * a request made early is harmless: a MISO 404 or an OASIS ERR_CODE 1000 is "not published yet".
 */
import { CAISO_QUERIES, type CaisoQuery } from '../parsers/caiso-oasis.ts'
import type { MisoReport } from '../parsers/miso-market-report.ts'
import { SOURCES } from '../sources.ts'
import {
  ceilTo,
  DAY,
  FIVE_MINUTES,
  fileTime,
  floorTo,
  HOUR,
  MINUTE,
  misoDate,
  misoDayStart,
  nextPacificDayStart,
  oasisTime,
} from './time.ts'
import type { ConnectorConfig, DatasetDefinition, FetchRequest, Window } from './types.ts'

export const FETCH_DATASET_IDS = [
  'miso.da_expost_lmp',
  'miso.rt_lmp_final',
  'miso.rt_lmp_prelim',
  'miso.api.rt5_expost',
  'miso.api.exante',
  'caiso.oasis.prc_lmp',
  'caiso.oasis.prc_intvl_lmp',
  'caiso.oasis.prc_rtpd_lmp',
] as const
export type FetchDatasetId = (typeof FETCH_DATASET_IDS)[number]

/** MISO market report of day D: published this long after D 00:00 EST (negative: before D). */
export const MISO_REPORT_PUBLISHED_AFTER: Readonly<Record<MisoReport, number>> = {
  da_expost_lmp: -10 * HOUR,
  rt_lmp_prelim: 30 * HOUR,
  rt_lmp_final: 150 * HOUR,
}
/** CAISO DAM trade date D: published at D-1 13:00 Pacific, 11 hours before D starts. */
export const CAISO_DAM_PUBLISHED_BEFORE_MS = 11 * HOUR

/** The OASIS versions and market runs the datasets ask for. */
export const OASIS_VERSIONS: Readonly<Record<CaisoQuery, string>> = { PRC_LMP: '12', PRC_INTVL_LMP: '3', PRC_RTPD_LMP: '3' }
/** Longest window of one OASIS query with a node list. */
export const OASIS_NODE_LIST_MAX_MS = 31 * DAY
/** Longest OASIS URL this client makes (node lists are split to stay under it). */
export const OASIS_MAX_URL_CHARS = 2000

const ACCEPT = {
  csv: 'text/csv, text/plain;q=0.9, */*;q=0.1',
  json: 'application/json, */*;q=0.1',
  zip: 'application/zip, application/x-zip-compressed, application/octet-stream;q=0.9, */*;q=0.1',
}

const always = () => true
const isEmpty = (w: Window) => !(w.end > w.start)

/** [max(starts), min(ends)) of a window and a range, or null when they do not overlap. */
function clip(window: Window, start: number, end: number): Window | null {
  const out = { start: Math.max(window.start, start), end: Math.min(window.end, end) }
  return isEmpty(out) ? null : out
}

/** `window` cut at the boundaries `next(t)` gives (the first boundary after t). */
export function splitWindow(window: Window, next: (t: number) => number): Window[] {
  const out: Window[] = []
  for (let start = window.start; start < window.end; ) {
    const end = Math.min(window.end, next(start))
    out.push({ start, end })
    start = end
  }
  return out
}

function source(id: FetchDatasetId) {
  return { id, market: SOURCES[id].market, run: SOURCES[id].run }
}

// ---------------------------------------------------------------- MISO market reports

function misoReportDataset(id: FetchDatasetId, report: MisoReport): DatasetDefinition {
  const offset = MISO_REPORT_PUBLISHED_AFTER[report]
  return {
    ...source(id),
    cadenceMs: HOUR,
    intervalMs: HOUR,
    backfill: true,
    available: always,
    // The latest market day D whose report is out by `now` (D 00:00 EST + offset <= now), to its end.
    publishedUntil: (now) => misoDayStart(now - offset) + DAY,
    plan(window, config) {
      if (isEmpty(window)) return []
      const out: FetchRequest[] = []
      for (let day = misoDayStart(window.start); day < window.end; day += DAY) {
        const file = `${misoDate(day)}_${report}.csv`
        out.push({
          dataset: id,
          url: `${config.urls.misoReports}/${file}`,
          headers: { Accept: ACCEPT.csv },
          window: { start: day, end: day + DAY },
          file,
          rateGroup: 'miso.reports',
          notFoundMeansNotPublished: true,
        })
      }
      return out
    },
  }
}

// ---------------------------------------------------------------- MISO public API

const MISO_API_GROUP = 'miso.api'

function misoApiRequest(id: FetchDatasetId, config: ConnectorConfig, path: string, window: Window, file: string): FetchRequest {
  return {
    dataset: id,
    url: `${config.urls.misoApi}/MarketPricing/${path}`,
    headers: { Accept: ACCEPT.json },
    window,
    file,
    rateGroup: MISO_API_GROUP,
  }
}

/** Five-minute ex post: an interval is published once it has ended. */
const rt5PublishedUntil = (now: number) => floorTo(now, FIVE_MINUTES)

const misoRt5ExPost: DatasetDefinition = {
  ...source('miso.api.rt5_expost'),
  cadenceMs: FIVE_MINUTES,
  intervalMs: FIVE_MINUTES,
  backfill: false,
  available: always,
  publishedUntil: rt5PublishedUntil,
  /**
   * Previous serves the whole market day before today's; Rolling today's so far; Current the
   * latest interval. Older parts of the window are not servable here (the market reports have them).
   */
  plan(window, config, now) {
    const id = 'miso.api.rt5_expost'
    const until = rt5PublishedUntil(now)
    const latest = until - FIVE_MINUTES
    const today = misoDayStart(now)
    const yesterday = today - DAY
    const out: FetchRequest[] = []
    const previous = clip(window, yesterday, today)
    if (previous) out.push(misoApiRequest(id, config, 'GetRealTimeFiveMinExPost/Previous', previous, `rt5_expost_Previous_${misoDate(yesterday)}.json`))
    const current = clip(window, today, until)
    if (current && current.start < latest)
      out.push(misoApiRequest(id, config, 'GetRealTimeFiveMinExPost/Rolling', current, `rt5_expost_Rolling_${fileTime(today)}_${fileTime(until)}.json`))
    else if (current) out.push(misoApiRequest(id, config, 'GetRealTimeFiveMinExPost/Current', current, `rt5_expost_Current_${fileTime(latest)}.json`))
    return out
  },
}

const misoExAnte: DatasetDefinition = {
  ...source('miso.api.exante'),
  cadenceMs: FIVE_MINUTES,
  intervalMs: FIVE_MINUTES,
  backfill: false,
  available: always,
  // The ex-ante price of the interval in progress is out from its start.
  publishedUntil: (now) => floorTo(now, FIVE_MINUTES) + FIVE_MINUTES,
  /** The one request serving the interval in progress, when the window reaches it; nothing else is servable. */
  plan(window, config, now) {
    const start = floorTo(now, FIVE_MINUTES)
    if (!clip(window, start, start + FIVE_MINUTES)) return []
    return [misoApiRequest('miso.api.exante', config, 'GetExAnteLmp', { start, end: start + FIVE_MINUTES }, `exante_lmp_${fileTime(start)}.json`)]
  },
}

// ---------------------------------------------------------------- CAISO OASIS

/** FNV-1a, 32 bits, as 8 hex digits: a stable file-name tag for a node list. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}

/** `nodes` in order, cut into lists whose `node=` parameter fits `budget` characters. */
export function nodeGroups(nodes: readonly string[], budget: number): string[][] {
  const groups: string[][] = []
  let group: string[] = []
  let used = 0
  for (const node of nodes) {
    const cost = encodeURIComponent(node).length + (group.length > 0 ? 3 : 0) // %2C
    if (group.length > 0 && used + cost > budget) {
      groups.push(group)
      group = []
      used = 0
    }
    used += group.length > 0 ? cost : encodeURIComponent(node).length
    group.push(node)
  }
  if (group.length > 0) groups.push(group)
  return groups
}

type OasisSpec = { id: FetchDatasetId; query: CaisoQuery; cadenceMs: number; publishedUntil: (now: number) => number }

function oasisDataset({ id, query, cadenceMs, publishedUntil }: OasisSpec): DatasetDefinition {
  const spec = CAISO_QUERIES[query]
  const version = OASIS_VERSIONS[query]
  const step = spec.minutes * MINUTE
  /** The query URL up to (not including) the node list. */
  const url = (config: ConnectorConfig, w: Window, select: string) =>
    `${config.urls.caisoOasis}/SingleZip?resultformat=6&queryname=${query}&version=${version}` +
    `&startdatetime=${oasisTime(w.start)}&enddatetime=${oasisTime(w.end)}&market_run_id=${spec.marketRunId}&${select}`
  const request = (w: Window, href: string, tag: string): FetchRequest => ({
    dataset: id,
    url: href,
    headers: { Accept: ACCEPT.zip },
    window: w,
    file: `${query}_${spec.marketRunId}_${fileTime(w.start)}_${fileTime(w.end)}${tag}.zip`,
    rateGroup: 'caiso.oasis',
  })
  return {
    ...source(id),
    cadenceMs,
    intervalMs: step,
    backfill: true,
    available: always,
    publishedUntil,
    plan(window, config) {
      const aligned = { start: floorTo(window.start, step), end: ceilTo(window.end, step) }
      if (isEmpty(aligned)) return []
      if (config.caisoNodes === 'ALL') {
        // OASIS serves all nodes for one trade day (PRC_LMP) or one hour (the real-time queries).
        const next = query === 'PRC_LMP' ? nextPacificDayStart : (t: number) => floorTo(t, HOUR) + HOUR
        return splitWindow(aligned, next).map((w) => request(w, url(config, w, 'grp_type=ALL_APNODES'), ''))
      }
      const nodes = [...new Set(config.caisoNodes)]
      if (nodes.length === 0) return []
      const budget = OASIS_MAX_URL_CHARS - url(config, aligned, 'node=').length
      const groups = nodeGroups(nodes, budget)
      return splitWindow(aligned, (t) => t + OASIS_NODE_LIST_MAX_MS).flatMap((w) =>
        groups.map((group) => request(w, url(config, w, `node=${encodeURIComponent(group.join(','))}`), `_nodes-${fnv1a(group.join(','))}`))
      )
    },
  }
}

export const FETCH_DATASETS: Readonly<Record<FetchDatasetId, DatasetDefinition>> = {
  'miso.da_expost_lmp': misoReportDataset('miso.da_expost_lmp', 'da_expost_lmp'),
  'miso.rt_lmp_final': misoReportDataset('miso.rt_lmp_final', 'rt_lmp_final'),
  'miso.rt_lmp_prelim': misoReportDataset('miso.rt_lmp_prelim', 'rt_lmp_prelim'),
  'miso.api.rt5_expost': misoRt5ExPost,
  'miso.api.exante': misoExAnte,
  'caiso.oasis.prc_lmp': oasisDataset({
    id: 'caiso.oasis.prc_lmp',
    query: 'PRC_LMP',
    cadenceMs: HOUR,
    // Trade date D is out at D-1 13:00 Pacific: through the end of the date holding now + 11 h.
    publishedUntil: (now) => nextPacificDayStart(now + CAISO_DAM_PUBLISHED_BEFORE_MS),
  }),
  'caiso.oasis.prc_intvl_lmp': oasisDataset({
    id: 'caiso.oasis.prc_intvl_lmp',
    query: 'PRC_INTVL_LMP',
    cadenceMs: FIVE_MINUTES,
    // An interval is out at its end.
    publishedUntil: (now) => floorTo(now, FIVE_MINUTES),
  }),
  'caiso.oasis.prc_rtpd_lmp': oasisDataset({
    id: 'caiso.oasis.prc_rtpd_lmp',
    query: 'PRC_RTPD_LMP',
    cadenceMs: 15 * MINUTE,
    // An interval is out at its start.
    publishedUntil: (now) => floorTo(now, 15 * MINUTE) + 15 * MINUTE,
  }),
}
