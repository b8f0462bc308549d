/**
 * PJM Data Miner 2 LMP pages (`https://api.pjm.com/api/v1/{feed}`), in the layout of the recorded
 * answers (packages/connectors/fixtures/iso/pjm, parser parsers/pjm.ts): one JSON line
 *
 *   {"links":[{"rel":"self","href":...},{"rel":"next","href":...},{"rel":"metadata","href":...}],
 *    "items":[{"datetime_beginning_utc":"2026-06-09T04:00:00","datetime_beginning_ept":"2026-06-09T00:00:00",
 *              "pnode_id":1,"pnode_name":"PJM-RTO","voltage":null,"equipment":null,"type":"ZONE","zone":null,
 *              "system_energy_price_da":25.120000,"total_lmp_da":25.590345,"congestion_price_da":0.152311,
 *              "marginal_loss_price_da":0.318034,"row_is_current":true,"version_nbr":1}, ...],
 *    "searchSpecification":{"rowCount":50000,"order":"Asc","startRow":1,"isActiveMetadata":true,
 *                           "fields":[...],"filters":[{"datetime_beginning_ept":"2026-06-09T00:00to2026-06-09T23:59"}]},
 *    "totalRows":264000}
 *
 * Only the fields asked for (`Fields=`) come back, in the order asked. Rows run interval by
 * interval (the unverified five-minute feed latest interval first, as the recorded answer does),
 * pnodes by `pnode_id` within an interval. Prices are JSON numbers with six decimals, as PJM
 * writes them (`25.120000`); `row_is_current` is true and `version_nbr` 1 (one version per price).
 * `links` holds `next` on every page but the last.
 *
 * Also here: the Eastern prevailing clock (America/New_York) of PJM and NYISO.
 */
import { pjmFields } from '@carbon/connectors'
import type { FailureMode } from '../failures.ts'
import type { SimNode } from '../catalogue.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { HOUR, MINUTE, ymdOfUtc, type Ymd } from '../time.ts'

// ---------------------------------------------------------------- Eastern prevailing time

const easternParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
})
const offsets = new Map<number, number>()

/** Eastern minus UTC at `ms` (-4 h daylight, -5 h standard); offsets change on the hour. */
export function easternOffset(ms: number): number {
  const hour = Math.floor(ms / HOUR)
  let offset = offsets.get(hour)
  if (offset === undefined) {
    const p: Record<string, number> = {}
    for (const part of easternParts.formatToParts(hour * HOUR)) p[part.type] = Number(part.value)
    offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - hour * HOUR
    if (offsets.size > 200_000) offsets.clear()
    offsets.set(hour, offset)
  }
  return offset
}

/** The Eastern wall clock of `ms`, read as if UTC. */
export const easternWall = (ms: number) => ms + easternOffset(ms)

/** The EPT date an instant falls in. */
export const easternDayOf = (ms: number): Ymd => ymdOfUtc(easternWall(ms))

/** Start (local midnight, EST or EDT) of an EPT date. */
export function easternDayStart({ y, m, d }: Ymd): number {
  const wall = Date.UTC(y, m - 1, d)
  for (const offset of [5, 4]) if (easternWall(wall + offset * HOUR) === wall) return wall + offset * HOUR
  throw new RangeError(`no Eastern midnight on ${y}-${m}-${d}`)
}

/** The instant of an Eastern wall clock (`wall` read as if UTC): the first one in the repeated autumn hour, null in the spring gap. */
export function easternInstant(wall: number): number | null {
  for (const offset of [4, 5]) if (easternWall(wall + offset * HOUR) === wall) return wall + offset * HOUR
  return null
}

/** `2026-06-09T00:00:00`, the Eastern wall clock of `ms` the way Data Miner 2 writes `datetime_beginning_ept`. */
export const eptText = (ms: number) => new Date(easternWall(ms)).toISOString().slice(0, 19)

/** `2026-06-09T04:00:00`, UTC without an offset, as `datetime_beginning_utc`. */
export const utcText = (ms: number) => new Date(ms).toISOString().slice(0, 19)

// ---------------------------------------------------------------- numbers

/** Whole millionths as PJM writes a price: six decimals, `25.120000`, `-0.412233`, `0.000000`. */
export function fixed6(units: number): string {
  const abs = Math.abs(units)
  const int = Math.floor(abs / 1_000_000)
  const frac = abs - int * 1_000_000
  return `${units < 0 ? '-' : ''}${int}.${String(frac).padStart(6, '0')}`
}

// ---------------------------------------------------------------- feeds and pnodes

export type PjmFeed = 'da_hrl_lmps' | 'rt_hrl_lmps' | 'rt_fivemin_hrl_lmps' | 'rt_unverified_fivemin_lmps'

export type PjmFeedSpec = {
  suffix: 'da' | 'rt'
  /** Interval length. */
  step: number
  /** Latest interval first (the unverified feed's recorded answer), else oldest first. */
  latestFirst: boolean
}

export const PJM_FEED_SPECS: Readonly<Record<PjmFeed, PjmFeedSpec>> = {
  da_hrl_lmps: { suffix: 'da', step: HOUR, latestFirst: false },
  rt_hrl_lmps: { suffix: 'rt', step: HOUR, latestFirst: false },
  rt_fivemin_hrl_lmps: { suffix: 'rt', step: 5 * MINUTE, latestFirst: false },
  rt_unverified_fivemin_lmps: { suffix: 'rt', step: 5 * MINUTE, latestFirst: true },
}

/** Every field of a feed's row, in Data Miner's order (the documented layout): what the connector asks for. */
export const pjmRowFields = (feed: PjmFeed): string[] => pjmFields(feed)

/** Data Miner's pnode types (`type`). */
export type PjmType = 'HUB' | 'ZONE' | 'AGGREGATE' | 'INTERFACE' | 'GEN' | 'LOAD' | 'EHV' | 'EXT' | 'TIE' | 'RESIDUAL_METERED_EDC'

/** A pnode as Data Miner describes it, and its node of the price model. */
export type PjmPnode = {
  id: number
  name: string
  type: PjmType
  /** `13 KV` for a bus, null for aggregates. */
  voltage: string | null
  equipment: string | null
  /** The transmission zone of a bus or residual aggregate, null otherwise. */
  zone: string | null
  node: SimNode
}

// ---------------------------------------------------------------- pages

export type PjmPageRequest = {
  feed: PjmFeed
  /** Interval starts, in the answer's order. */
  intervals: readonly number[]
  /** Pnodes in the answer's order within an interval (by pnode_id). */
  pnodes: readonly PjmPnode[]
  /** 1-based first row of the page. */
  startRow: number
  rowCount: number
  /** The fields asked for, in the answer's order (validated by the caller). */
  fields: readonly string[]
  /** The filters as the answer echoes them. */
  filters: readonly Record<string, string>[]
  links: { self: string; next: string | null; metadata: string }
}

const json = (text: string | null) => (text === null ? 'null' : JSON.stringify(text))

/** The JSON text of a pnode's own fields (what every row of the pnode repeats), per pnode. */
const nodeJson = new WeakMap<PjmPnode, Readonly<Record<string, string>>>()
function nodeFields(p: PjmPnode): Readonly<Record<string, string>> {
  let out = nodeJson.get(p)
  if (!out) {
    out = { pnode_id: String(p.id), pnode_name: json(p.name), voltage: json(p.voltage), equipment: json(p.equipment), type: `"${p.type}"`, zone: json(p.zone) }
    nodeJson.set(p, out)
  }
  return out
}

/** What a field writes: the interval's UTC or EPT time, a pnode field, a price component, or a constant. */
const Kind = { Utc: 0, Ept: 1, Node: 2, Energy: 3, Lmp: 4, Congestion: 5, Loss: 6, Constant: 7 } as const
type Kind = (typeof Kind)[keyof typeof Kind]

function kindsOf(feed: PjmFeed, fields: readonly string[]): { kind: Kind; key: string; text: string }[] {
  const s = PJM_FEED_SPECS[feed].suffix
  const prices: Record<string, Kind> = {
    [`system_energy_price_${s}`]: Kind.Energy,
    [`total_lmp_${s}`]: Kind.Lmp,
    [`congestion_price_${s}`]: Kind.Congestion,
    [`marginal_loss_price_${s}`]: Kind.Loss,
  }
  return fields.map((field, i) => {
    const key = `${i === 0 ? '' : ','}"${field}":`
    if (field === 'datetime_beginning_utc') return { kind: Kind.Utc, key, text: '' }
    if (field === 'datetime_beginning_ept') return { kind: Kind.Ept, key, text: '' }
    if (field in prices) return { kind: prices[field]!, key, text: '' }
    if (field === 'row_is_current') return { kind: Kind.Constant, key, text: 'true' }
    if (field === 'version_nbr') return { kind: Kind.Constant, key, text: '1' }
    return { kind: Kind.Node, key, text: field }
  })
}

/** The prices of a pnode and interval of `feed`, in millionths: the model's day-ahead, five-minute, or hourly (mean of twelve) value. */
export function pjmPrices(model: PriceModel, feed: PjmFeed, node: SimNode, start: number, out = newComponents()) {
  if (feed === 'da_hrl_lmps') return model.values('PJM', 'DA', node, start, out)
  if (feed === 'rt_hrl_lmps') return model.realTimeMean('PJM', node, start, 12, out)
  return model.values('PJM', 'RT5', node, start, out)
}

/** The number of rows of the whole result. */
export const pjmTotalRows = (request: Pick<PjmPageRequest, 'intervals' | 'pnodes'>) => request.intervals.length * request.pnodes.length

/** One page of a Data Miner 2 answer. */
export function pjmPage(model: PriceModel, request: PjmPageRequest): string {
  const { feed, intervals, pnodes, fields } = request
  const total = pjmTotalRows(request)
  const parts = kindsOf(feed, fields)
  const priced = parts.some((p) => p.kind >= Kind.Energy && p.kind <= Kind.Loss)
  const times = new Map<number, [string, string]>()
  const c = newComponents()
  const rows: string[] = []
  const first = Math.max(0, request.startRow - 1)
  const last = Math.min(request.startRow - 1 + request.rowCount, total)
  for (let i = first; i < last; i++) {
    const pnode = pnodes[i % pnodes.length]!
    const start = intervals[Math.floor(i / pnodes.length)]!
    let time = times.get(start)
    if (!time) times.set(start, (time = [`"${utcText(start)}"`, `"${eptText(start)}"`]))
    if (priced) pjmPrices(model, feed, pnode.node, start, c)
    const own = nodeFields(pnode)
    let row = '{'
    for (const part of parts) {
      row += part.key
      switch (part.kind) {
        case Kind.Utc:
          row += time[0]
          break
        case Kind.Ept:
          row += time[1]
          break
        case Kind.Node:
          row += own[part.text]
          break
        case Kind.Energy:
          row += fixed6(c.energy)
          break
        case Kind.Lmp:
          row += fixed6(c.lmp)
          break
        case Kind.Congestion:
          row += fixed6(c.congestion)
          break
        case Kind.Loss:
          row += fixed6(c.loss)
          break
        default:
          row += part.text
      }
    }
    rows.push(`${row}}`)
  }
  const links = [
    `{"rel":"self","href":${JSON.stringify(request.links.self)}}`,
    ...(request.links.next === null ? [] : [`{"rel":"next","href":${JSON.stringify(request.links.next)}}`]),
    `{"rel":"metadata","href":${JSON.stringify(request.links.metadata)}}`,
  ]
  const spec =
    `{"rowCount":${request.rowCount},"order":"Asc","startRow":${request.startRow},"isActiveMetadata":true,` +
    `"fields":${JSON.stringify(fields)},"filters":${JSON.stringify(request.filters)}}`
  return `{"links":[${links.join(',')}],"items":[${rows.join(',')}],"searchSpecification":${spec},"totalRows":${total}}`
}

/** Whether `field` is a field of `feed`'s row. */
export const isPjmField = (feed: PjmFeed, field: string) => pjmRowFields(feed).includes(field)

/**
 * A page broken the way `mode` says: `changed-header` (`total_lmp_{s}` renamed `total_lmp`, in the
 * rows and the echoed fields), `non-numeric` (the first row's `total_lmp_{s}` is `"N/A"`),
 * `duplicate-edges` (the page's first ten rows repeated at its end, same values); null for the
 * other modes (and for a page without rows).
 */
export function breakPjmPage(text: string, feed: PjmFeed, mode: FailureMode): string | null {
  const lmp = `total_lmp_${PJM_FEED_SPECS[feed].suffix}`
  const doc = JSON.parse(text) as { items: Record<string, unknown>[]; searchSpecification: { fields?: string[] } }
  if (doc.items.length === 0) return null
  if (mode === 'changed-header') {
    doc.items = doc.items.map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k === lmp ? 'total_lmp' : k, v])))
    doc.searchSpecification.fields = doc.searchSpecification.fields?.map((f) => (f === lmp ? 'total_lmp' : f))
    return JSON.stringify(doc)
  }
  if (mode === 'non-numeric') {
    doc.items[0]![lmp] = 'N/A'
    return JSON.stringify(doc)
  }
  if (mode === 'duplicate-edges') {
    // Splice the repeated rows' text into the original so prices keep their six decimals.
    const start = text.indexOf('"items":[') + '"items":['.length
    const end = text.indexOf('],"searchSpecification"')
    const items = text.slice(start, end)
    const rows = items.split('},{')
    const repeat = rows.slice(0, Math.min(10, rows.length)).join('},{')
    const head = repeat.endsWith('}') ? repeat : `${repeat}}`
    return `${text.slice(0, end)},${head.startsWith('{') ? head : `{${head}`}${text.slice(end)}`
  }
  return null
}
