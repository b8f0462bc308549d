/**
 * PJM Data Miner 2 on the simulator (`/pjm/api/v1/{feed}`, production https://api.pjm.com/api/v1):
 * the four LMP feeds the connectors read, generated from the shared price model.
 *
 *   GET /pjm/api/v1/{da_hrl_lmps|rt_hrl_lmps|rt_fivemin_hrl_lmps|rt_unverified_fivemin_lmps}
 *       ?RowCount=50000&StartRow=1&Order=Asc&IsActiveMetadata=True&Fields=a,b,...
 *       &datetime_beginning_ept=2026-06-09T00:00to2026-06-09T23:59[&pnode_id=1;51288][&type=HUB]
 *   header Ocp-Apim-Subscription-Key: any non-empty key (401 JSON without, as API Management answers)
 *
 * Parameter names are read whatever their case (clients write `rowCount`, `startRow` too). The
 * range is on the Eastern wall clock, minutes (`YYYY-MM-DDTHH:mm` or `MM/DD/YYYY HH:mm`), both
 * ends inclusive: every interval whose `datetime_beginning_ept` falls in it (both autumn 01:xx
 * hours when the range holds them). Pages hold at most `RowCount` rows (at most 50,000, the
 * default too); `totalRows` counts the whole result; `links` has `next` on every page but the
 * last. A range over 366 days, an unknown field or a bad number answers 400 with Data Miner's
 * `{"errors":[{"field":...,"message":...}]}`; a missing range 400 as well (the simulator does not
 * serve Data Miner's "latest" default).
 *
 * Publication (mirrors @carbon/connectors fetch/pjm.ts): rows not posted yet are simply not in
 * the result, and a query with no posted row answers 200 with `"items":[]`, `"totalRows":0`, as
 * Data Miner does (published: false, so no failure is injected into it).
 *
 * | feed | posted | kept |
 * |---|---|---|
 * | da_hrl_lmps | day D at D-1 13:30 EPT | always |
 * | rt_unverified_fivemin_lmps | an interval 3 minutes after its end | 15 EPT days (today and the 14 before) |
 * | rt_fivemin_hrl_lmps, rt_hrl_lmps | day D at noon EPT the next business day (Fri-Sun on Monday) | always |
 *
 * Catalogue: the 23 zones of the recorded answer (ids as recorded, PJM-RTO and MID-ATL/APS
 * included), the 12 trading hubs, interfaces, residual-metered aggregates, and generated buses
 * named in PJM's style (`BRUNNERI 13 KV GEN1`: station, voltage, equipment), pnode ids stable per
 * name. Full size is ~11,000 pnodes ({@link PJM_FULL_NODE_COUNT}); the default
 * ({@link DEFAULT_PJM_NODE_COUNT}) is smaller, see there.
 */
import { PJM_NODE_TYPES } from '@carbon/connectors'
import { mulberry32 } from '@carbon/demo-data'
import { type Catalogue, laterCatalogue } from '../catalogue.ts'
import type { FailureMode } from '../failures.ts'
import { breakPjmPage, easternDayOf, easternDayStart, easternInstant, easternWall, isPjmField, PJM_FEED_SPECS, type PjmFeed, pjmPage, type PjmPnode, pjmRowFields, pjmTotalRows, type PjmType } from '../formats/pjm.ts'
import type { PriceModel } from '../prices.ts'
import { hashString } from '../random.ts'
import { DAY, HOUR, MINUTE, nextDay, type Ymd } from '../time.ts'
import type { MarketRoute, SimAnswer, SimContext, SimRequest } from './types.ts'

/** Pnodes in PJM's da_hrl_lmps (every bus, aggregate, zone, hub and interface): about 11,000. */
export const PJM_FULL_NODE_COUNT = 11_000
/**
 * The default catalogue: 3,000 pnodes. A full-size verified five-minute day is 11,000 x 288 =
 * 3.2 million rows in 64 pages of 50,000, which at PJM's 6 requests a minute is 11 minutes of
 * fetching and several million records per day for the local ingest; 3,000 keeps every kind of
 * pnode (all real names) at a size the dev stack ingests comfortably. Ask for the full size with
 * `createPjmRoutes({ nodes: PJM_FULL_NODE_COUNT })`.
 */
export const DEFAULT_PJM_NODE_COUNT = 3_000
/** Rows per page when `RowCount` is absent, and the most a page holds. */
export const PJM_MAX_ROW_COUNT = 50_000
/** The longest `datetime_beginning_ept` range served. */
export const PJM_MAX_RANGE_MS = 366 * DAY

/** When each feed posts its prices (the connectors' fetch/pjm.ts has the same constants). */
export const PJM_SCHEDULE = {
  /** Day-ahead prices of D at D-1 13:30 EPT. */
  daPublished: { daysBefore: 1, hour: 13, minute: 30 },
  /** An unverified five-minute interval 3 minutes after its end. */
  rt5UnverifiedDelayMs: 3 * MINUTE,
  /** The unverified feed keeps today and the 14 EPT days before. */
  unverifiedKeptDays: 15,
  /** Verified real-time prices of D at this EPT hour of the next business day. */
  verifiedPublishedHour: 12,
} as const

const prevDay = ({ y, m, d }: Ymd): Ymd => {
  const t = new Date(Date.UTC(y, m - 1, d - 1))
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
}
const addDays = (date: Ymd, n: number): Ymd => {
  let out = date
  for (let i = 0; i < Math.abs(n); i++) out = n > 0 ? nextDay(out) : prevDay(out)
  return out
}
/** The instant of `hour:minute` EPT on `date` (hours used here exist on every day). */
const easternAt = (date: Ymd, hour: number, minute = 0) => easternInstant(Date.UTC(date.y, date.m - 1, date.d, hour, minute))!

/** When the day-ahead prices of `date` are posted. */
export const pjmDaPublishedAt = (date: Ymd) =>
  easternAt(addDays(date, -PJM_SCHEDULE.daPublished.daysBefore), PJM_SCHEDULE.daPublished.hour, PJM_SCHEDULE.daPublished.minute)

/** When the verified real-time prices of `date` are posted: noon of the next business day. */
export function pjmVerifiedPublishedAt(date: Ymd): number {
  const weekday = new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay()
  return easternAt(addDays(date, weekday === 5 ? 3 : weekday === 6 ? 2 : 1), PJM_SCHEDULE.verifiedPublishedHour)
}

/** Exclusive bound on the interval starts of `feed` posted at `now`. */
export function pjmPublishedUntil(feed: PjmFeed, now: number): number {
  if (feed === 'rt_unverified_fivemin_lmps') {
    const step = 5 * MINUTE
    return Math.floor((now - PJM_SCHEDULE.rt5UnverifiedDelayMs) / step) * step
  }
  const publishedAt = feed === 'da_hrl_lmps' ? pjmDaPublishedAt : pjmVerifiedPublishedAt
  let date = nextDay(easternDayOf(now))
  for (let i = 0; i < 10; i++, date = prevDay(date)) if (publishedAt(date) <= now) return easternDayStart(nextDay(date))
  return easternDayStart(date)
}

/** The first interval start the unverified feed still holds at `now`. */
export const pjmUnverifiedKeptFrom = (now: number) => easternDayStart(addDays(easternDayOf(now), 1 - PJM_SCHEDULE.unverifiedKeptDays))

// ---------------------------------------------------------------- catalogue

/** The zones of the recorded da_hrl_lmps answer (type=ZONE), with their pnode ids. */
export const PJM_ZONES: readonly (readonly [string, number])[] = [
  ['PJM-RTO', 1],
  ['MID-ATL/APS', 3],
  ['AECO', 51291],
  ['BGE', 51292],
  ['DPL', 51293],
  ['JCPL', 51295],
  ['METED', 51296],
  ['PECO', 51297],
  ['PEPCO', 51298],
  ['PPL', 51299],
  ['PENELEC', 51300],
  ['PSEG', 51301],
  ['RECO', 7633629],
  ['APS', 8394954],
  ['AEP', 8445784],
  ['COMED', 33092371],
  ['DAY', 34508503],
  ['DOM', 34964545],
  ['DUQ', 37737283],
  ['ATSI', 116013753],
  ['DEOK', 124076095],
  ['EKPC', 970242670],
  ['OVEC', 1709725933],
]

/**
 * PJM's twelve trading hubs. WESTERN HUB's id is the recorded one; the others are the hub ids
 * public clients list (gridstatus' `hub_node_ids`), matched to names from PJM's hub list.
 */
export const PJM_HUBS: readonly (readonly [string, number])[] = [
  ['AEP GEN HUB', 34497125],
  ['AEP-DAYTON HUB', 34497127],
  ['ATSI GEN HUB', 116013751],
  ['CHICAGO GEN HUB', 33092311],
  ['CHICAGO HUB', 33092313],
  ['DOMINION HUB', 34497151],
  ['EASTERN HUB', 51287],
  ['N ILLINOIS HUB', 33092315],
  ['NEW JERSEY HUB', 51217],
  ['OHIO HUB', 35010337],
  ['WEST INT HUB', 4669664],
  ['WESTERN HUB', 51288],
]

/** Interface pricing points (MISO's id as in the documented-layout sample; the others generated). */
const PJM_INTERFACES = [
  'MISO', 'NYIS', 'IMO', 'NIPSCO', 'NORTHWEST', 'OVEC', 'SOUTH', 'SOUTHEAST', 'SOUTHWEST', 'SOUTHEXP', 'SOUTHIMP',
  'CPLEEXP', 'CPLEIMP', 'DUKEXP', 'DUKIMP', 'NCMPAEXP', 'NCMPAIMP', 'HUDSONTP', 'LINDENVFT', 'NEPTUNE',
]
const KNOWN_IDS: Readonly<Record<string, number>> = { MISO: 40523629, AECO_RESID_AGG: 1269364670 }

/** The transmission zones buses and residual aggregates belong to. */
const TRANSMISSION_ZONES = PJM_ZONES.map(([name]) => name).filter((name) => name !== 'PJM-RTO' && name !== 'MID-ATL/APS')

/** Station-name syllables of PJM buses (names are cut to 8 characters: `BRUNNERI` is Brunner Island). */
const STATIONS = [
  'BRUNNER', 'KEYSTONE', 'CONEMAUG', 'HOMER', 'LIMERICK', 'PEACH', 'BOTTOM', 'SALEM', 'HOPE', 'CREEK', 'OYSTER', 'CALVERT',
  'CLIFFS', 'MOUNT', 'STORM', 'CHALK', 'POINT', 'BRANDON', 'SHORES', 'WARRIOR', 'RUN', 'CHESTER', 'EDDY', 'STONE', 'MONT',
  'VILLE', 'BURG', 'TOWN', 'FIELD', 'WOOD', 'DALE', 'GLEN', 'HILL', 'LAKE', 'RIVER', 'BRIDGE', 'PORT', 'HAVEN', 'MILL',
  'CROSS', 'NORTH', 'SOUTH', 'EAST', 'WEST', 'OAK', 'PINE', 'CEDAR', 'ELM', 'ASH', 'BIRCH', 'MAPLE', 'ROCK', 'SAND',
  'IRON', 'COAL', 'FORGE', 'FURNACE', 'HARBOR', 'BAY', 'CAPE', 'FALLS', 'SPRING', 'VALLEY', 'RIDGE', 'GAP', 'FORD',
]
const GEN_KV = [4, 12, 13, 14, 18, 20, 22, 24, 26, 34]
const LOAD_KV = [4, 12, 13, 23, 26, 34, 69, 115, 138]
const EHV_KV = [345, 500, 765]
const GEN_EQUIPMENT = ['GEN1', 'GEN2', 'GEN3', 'GEN4', 'CT1', 'CT2', 'CT3', 'ST1', 'ST2', 'UNIT1', 'UNIT2', 'G1', 'G2', 'WIND1', 'SOLAR1', 'BESS1']
const LOAD_EQUIPMENT = ['LD1', 'LD2', 'LD3', 'LOAD1', 'LOAD2', 'T1', 'T2', 'TX1', 'TX2', 'XF1', 'XF2', 'BK1', 'BK2', 'DIST1']
const EHV_EQUIPMENT = ['BUS1', 'BUS2', 'EHV1', 'EHV2', 'XF1', 'XF2']


type Draft = Omit<PjmPnode, 'node'>

/** The pnodes of a catalogue of `count` (the real names always; generated buses up to `count`), in pnode_id order. */
export function pjmDrafts(count: number, seed: number): Draft[] {
  const drafts = new Map<string, Draft>()
  const ids = new Set<number>()
  const add = (name: string, type: PjmType, id: number | null, extra: Partial<Draft> = {}) => {
    if (drafts.has(name)) return
    // Generated ids: a hash of the name (the same in every catalogue), moved on past a taken id.
    let pid = id ?? 100_000_000 + (hashString(`PJM:${name}`) % 2_000_000_000)
    while (ids.has(pid)) pid++
    ids.add(pid)
    drafts.set(name, { id: pid, name, type, voltage: null, equipment: null, zone: null, ...extra })
  }
  for (const [name, id] of PJM_ZONES) add(name, 'ZONE', id)
  for (const [name, id] of PJM_HUBS) add(name, 'HUB', id)
  for (const name of PJM_INTERFACES) add(name, 'INTERFACE', KNOWN_IDS[name] ?? null)
  for (const zone of TRANSMISSION_ZONES) add(`${zone}_RESID_AGG`, 'AGGREGATE', KNOWN_IDS[`${zone}_RESID_AGG`] ?? null, { zone })
  add('BRUNNERI 13 KV GEN1', 'GEN', null, { voltage: '13 KV', equipment: 'GEN1', zone: 'PPL' })
  const u = mulberry32(seed ^ 0x504a4d)
  const pick = <T>(list: readonly T[]) => list[Math.floor(u() * list.length)]!
  let guard = 0
  while (drafts.size < count && guard++ < count * 50) {
    const station = (pick(STATIONS) + (u() < 0.6 ? pick(STATIONS) : '')).slice(0, 8)
    const r = u()
    const type: PjmType = r < 0.68 ? 'LOAD' : r < 0.95 ? 'GEN' : 'EHV'
    const kv = pick(type === 'LOAD' ? LOAD_KV : type === 'GEN' ? GEN_KV : EHV_KV)
    const equipment = pick(type === 'LOAD' ? LOAD_EQUIPMENT : type === 'GEN' ? GEN_EQUIPMENT : EHV_EQUIPMENT)
    add(`${station} ${kv} KV ${equipment}`, type, null, { voltage: `${kv} KV`, equipment, zone: pick(TRANSMISSION_ZONES) })
  }
  return [...drafts.values()].sort((a, b) => a.id - b.id)
}

export type PjmCatalogue = { catalogue: Catalogue; pnodes: readonly PjmPnode[]; byId: ReadonlyMap<number, PjmPnode> }

/** The PJM catalogue of `count` pnodes priced by `model` (built once per model and size). */
const built = new WeakMap<PriceModel, Map<number, PjmCatalogue>>()
export function pjmCatalogue(model: PriceModel, count = DEFAULT_PJM_NODE_COUNT): PjmCatalogue {
  let sizes = built.get(model)
  if (!sizes) built.set(model, (sizes = new Map()))
  const hit = sizes.get(count)
  if (hit) return hit
  const drafts = pjmDrafts(count, model.seed)
  const catalogue = laterCatalogue('PJM', drafts.map((d) => ({ name: d.name, type: PJM_NODE_TYPES[d.type]! })), model.seed)
  const pnodes = drafts.map((d): PjmPnode => ({ ...d, node: catalogue.byName.get(d.name)! }))
  const out = { catalogue, pnodes, byId: new Map(pnodes.map((p) => [p.id, p])) }
  sizes.set(count, out)
  return out
}

// ---------------------------------------------------------------- routes

const JSON_TYPE = 'application/json; charset=utf-8'
const KEY_HEADER = 'ocp-apim-subscription-key'
const PATH = /^\/pjm\/api\/v1\/([a-z_]+)$/
const RANGE = /^\s*(.+?)\s*to\s*(.+?)\s*$/i
const ISO_MINUTE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/
const US_MINUTE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/

type Reply = SimAnswer & { published: boolean }

const reply = (status: number, body: unknown, published = true, headers?: Record<string, string>): Reply => ({
  status,
  type: JSON_TYPE,
  body: JSON.stringify(body),
  published,
  headers,
})
const badRequest = (field: string, message: string) => reply(400, { errors: [{ field, message }] })

/** A wall-clock minute (`2026-06-09T00:00`, `6/9/2026 00:00`) read as if UTC, or null. */
function wallMinute(text: string): number | null {
  const iso = ISO_MINUTE.exec(text)
  const us = iso ? null : US_MINUTE.exec(text)
  const [y, mo, d, h, mi] = iso ? [iso[1], iso[2], iso[3], iso[4], iso[5]] : us ? [us[3], us[1], us[2], us[4], us[5]] : []
  if (y === undefined) return null
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi))
  const t = new Date(ms)
  if (t.getUTCMonth() !== Number(mo) - 1 || t.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) return null
  return ms
}

/** The interval starts of `feed` whose Eastern wall clock lies in [from, to] (walls read as if UTC), posted by `now`, in answer order. */
export function pjmIntervals(feed: PjmFeed, from: number, to: number, now: number): number[] {
  const { step, latestFirst } = PJM_FEED_SPECS[feed]
  const until = pjmPublishedUntil(feed, now)
  const kept = feed === 'rt_unverified_fivemin_lmps' ? pjmUnverifiedKeptFrom(now) : -Infinity
  const out: number[] = []
  // Eastern offsets are -4 h or -5 h: the instants lie in [from + 4 h, to + 5 h].
  for (let t = Math.ceil((from + 4 * HOUR) / step) * step; t <= to + 5 * HOUR && t < until; t += step) {
    if (t < kept) continue
    const wall = easternWall(t)
    if (wall >= from && wall <= to) out.push(t)
  }
  return latestFirst ? out.reverse() : out
}

/** The page URL with `StartRow`, in the order Data Miner writes its links. */
function link(base: string, feed: PjmFeed, rowCount: number, startRow: number, fields: readonly string[], filters: readonly Record<string, string>[]) {
  const query = [`RowCount=${rowCount}`, 'Order=Asc', `StartRow=${startRow}`, 'IsActiveMetadata=True', `Fields=${encodeURIComponent(fields.join(','))}`]
  for (const filter of filters) for (const [k, v] of Object.entries(filter)) query.push(`${k}=${encodeURIComponent(v)}`)
  return `${base}/${feed}?${query.join('&')}`
}

function answerFeed(feed: PjmFeed, count: number, request: SimRequest, context: SimContext): Reply {
  const raw = request.headers[KEY_HEADER]
  const key = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? ''
  if (key === '')
    return reply(401, { statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' }, true, {
      'WWW-Authenticate': 'AzureApiManagementKey realm="simulator",name="Ocp-Apim-Subscription-Key",type="header"',
    })
  const params = new Map<string, string>()
  for (const [name, value] of request.params) params.set(name.toLowerCase(), value)

  const whole = (name: string, fallback: number, min: number): number | null => {
    const text = params.get(name.toLowerCase())
    if (text === undefined) return fallback
    return /^\d{1,9}$/.test(text) && Number(text) >= min ? Number(text) : null
  }
  const rowCount = whole('RowCount', PJM_MAX_ROW_COUNT, 1)
  if (rowCount === null) return badRequest('RowCount', 'RowCount must be a whole number >= 1')
  const startRow = whole('StartRow', 1, 1)
  if (startRow === null) return badRequest('StartRow', 'StartRow must be a whole number >= 1')
  const pageSize = Math.min(rowCount, PJM_MAX_ROW_COUNT)

  const fieldsText = params.get('fields')
  const fields = fieldsText === undefined || fieldsText.trim() === '' ? pjmRowFields(feed) : fieldsText.split(',').map((f) => f.trim()).filter(Boolean)
  const unknown = fields.find((f) => !isPjmField(feed, f))
  if (unknown !== undefined) return badRequest('Fields', `Invalid field name: ${unknown}`)

  const rangeText = params.get('datetime_beginning_ept')
  if (rangeText === undefined) return badRequest('datetime_beginning_ept', 'the simulator needs a datetime_beginning_ept range (<from>to<to>)')
  const range = RANGE.exec(rangeText)
  const from = range ? wallMinute(range[1]!) : null
  const to = range ? wallMinute(range[2]!) : null
  if (from === null || to === null || to < from) return badRequest('datetime_beginning_ept', `Invalid date range: ${rangeText}`)
  if (to - from > PJM_MAX_RANGE_MS) return badRequest('datetime_beginning_ept', 'The date range may not exceed 366 days')
  const filters: Record<string, string>[] = []

  let pnodes = pjmCatalogue(context.model, count).pnodes
  const ids = params.get('pnode_id')
  if (ids !== undefined) {
    const wanted = new Set(ids.split(';').map((s) => Number(s.trim())))
    pnodes = pnodes.filter((p) => wanted.has(p.id))
    filters.push({ pnode_id: ids })
  }
  const typeText = params.get('type')
  if (typeText !== undefined) {
    const type = typeText.replaceAll('*', '').trim().toUpperCase()
    pnodes = pnodes.filter((p) => p.type === type)
    filters.push({ type: typeText })
  }
  filters.push({ datetime_beginning_ept: rangeText })

  const intervals = pjmIntervals(feed, from, to, context.now)
  const total = pjmTotalRows({ intervals, pnodes })
  const host = String(request.headers.host ?? '127.0.0.1')
  const base = `http://${host}/pjm/api/v1`
  const body = pjmPage(context.model, {
    feed,
    intervals,
    pnodes,
    startRow,
    rowCount: pageSize,
    fields,
    filters,
    links: {
      self: link(base, feed, pageSize, startRow, fields, filters),
      next: startRow - 1 + pageSize < total ? link(base, feed, pageSize, startRow + pageSize, fields, filters) : null,
      metadata: `${base}/${feed}/metadata`,
    },
  })
  // Nothing posted in the range yet: Data Miner's empty answer, which no failure breaks.
  return { status: 200, type: JSON_TYPE, body, published: total > 0 }
}

/** The routes of the four feeds, for a catalogue of `nodes` pnodes (default {@link DEFAULT_PJM_NODE_COUNT}). */
export function createPjmRoutes(options: { nodes?: number } = {}): readonly MarketRoute[] {
  const count = options.nodes ?? DEFAULT_PJM_NODE_COUNT
  const feeds: PjmFeed[] = ['da_hrl_lmps', 'rt_hrl_lmps', 'rt_fivemin_hrl_lmps', 'rt_unverified_fivemin_lmps']
  return feeds.map(
    (feed): MarketRoute => ({
      feed: `pjm.${feed}`,
      answer(request, context) {
        const m = PATH.exec(request.path)
        if (!m || m[1] !== feed) return null
        return answerFeed(feed, count, request, context)
      },
      breakAnswer(answer: SimAnswer, mode: FailureMode) {
        const text = typeof answer.body === 'string' ? answer.body : Buffer.from(answer.body).toString('utf8')
        const body = breakPjmPage(text, feed, mode)
        return body === null ? null : { ...answer, body }
      },
    })
  )
}

export const PJM_ROUTES: readonly MarketRoute[] = createPjmRoutes()
