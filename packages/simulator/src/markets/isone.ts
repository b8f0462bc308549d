/**
 * ISO New England Web Services v1.1 on the simulator (base `/isone/api/v1.1`, see simulatorUrls):
 *
 *   GET /isone/api/v1.1/hourlylmp/da/final/day/{YYYYMMDD}/location/{id}.json   day-ahead hourly LMPs   (isone.ws.da_hourly_lmp)
 *   GET /isone/api/v1.1/hourlylmp/rt/final/day/{YYYYMMDD}/location/{id}.json   final real-time hourly  (isone.ws.rt_hourly_lmp)
 *
 * HTTP basic auth as the service does it: without an `Authorization: Basic` header holding a
 * non-empty user and password, 401 with `WWW-Authenticate: Basic` (any such pair is accepted).
 * An EPT day has 23, 24 or 25 hours. Prices come from the shared model in cents (ISO-NE writes
 * two decimals at most): day-ahead = the model's DA price of the hour, real time = the mean of the
 * hour's twelve five-minute prices.
 *
 * Publication ({@link ISONE_SCHEDULE}, the connectors' fetch/isone.ts publishedUntil agrees):
 *
 * | feed | out from | answer before |
 * |---|---|---|
 * | day-ahead, day D | D-1 13:30 EPT | 404 |
 * | real-time final, day D | D+2 00:00 EPT (an assumption, see fetch/isone.ts) | 404 |
 *
 * What the real service answers before publication, and for a location it does not know, was not
 * found: the simulator answers 404 before publication, and for an unknown location HTTP 200 with
 * the empty element (`{"HourlyLmps":""}`, what XML-to-JSON gives for no data) so that a wrong
 * location shows up as a parse error, not as "not published yet" for ever.
 *
 * Catalogue ({@link DEFAULT_ISONE_NODE_COUNT} locations by default, about the number of pricing
 * locations in ISO-NE's day-ahead LMP report): the hub and the eight load zones with their real
 * ids (4000-4008), the six external nodes (ids 4010-4017 as ISO-NE lists them), the DRR
 * aggregation zones, the fixtures' network node `UN.FRNKLNSQ13.810CC` (321), and generated
 * network nodes in ISO-NE's style (`UN.` unit and `LD.` load nodes: an 8-character station padded
 * with spaces, the kV, the unit), each with a distinct id outside 4000-4099.
 */
import { mulberry32 } from '@carbon/demo-data'
import { addDays, dayStartUtc, type NodeType } from '@carbon/schemas'
import { type Catalogue, laterCatalogue, type SimNode } from '../catalogue.ts'
import { htmlPage, type FailureMode } from '../failures.ts'
import { type IsoneHour, type IsoneLocation, EASTERN_ZONE, ISONE_EMPTY_ANSWER, isoneHourlyLmpJson } from '../formats/isone.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { HOUR, MINUTE, parseYmd, isoDate } from '../time.ts'
import type { MarketRoute, SimAnswer, SimContext, SimRequest } from './types.ts'

export const DEFAULT_ISONE_NODE_COUNT = 1200

/** ISO-NE location types and the catalogue type of each (as parsers/isone.ts maps them). */
export const ISONE_NODE_TYPES: Readonly<Record<string, NodeType>> = {
  HUB: 'hub',
  'LOAD ZONE': 'zone',
  'DRR AGGREGATION ZONE': 'zone',
  'EXT. NODE': 'interface',
  'NETWORK NODE': 'generator',
}

/** The hub and the eight load zones (the connectors' default locations), with their real ids. */
export const ISONE_HUB_AND_ZONES: readonly IsoneLocation[] = [
  { id: 4000, locType: 'HUB', name: '.H.INTERNAL_HUB' },
  { id: 4001, locType: 'LOAD ZONE', name: '.Z.MAINE' },
  { id: 4002, locType: 'LOAD ZONE', name: '.Z.NEWHAMPSHIRE' },
  { id: 4003, locType: 'LOAD ZONE', name: '.Z.VERMONT' },
  { id: 4004, locType: 'LOAD ZONE', name: '.Z.CONNECTICUT' },
  { id: 4005, locType: 'LOAD ZONE', name: '.Z.RHODEISLAND' },
  { id: 4006, locType: 'LOAD ZONE', name: '.Z.SEMASS' },
  { id: 4007, locType: 'LOAD ZONE', name: '.Z.WCMASS' },
  { id: 4008, locType: 'LOAD ZONE', name: '.Z.NEMASSBOST' },
]

/** The external nodes (interfaces to New Brunswick, New York and Quebec) and a real network node. */
const ISONE_OTHER_REAL: readonly IsoneLocation[] = [
  { id: 4010, locType: 'EXT. NODE', name: '.I.SALBRYNB345 1' },
  { id: 4011, locType: 'EXT. NODE', name: '.I.ROSETON 345 1' },
  { id: 4012, locType: 'EXT. NODE', name: '.I.HQ_P1_P2345 5' },
  { id: 4013, locType: 'EXT. NODE', name: '.I.HQHIGATE120 2' },
  { id: 4014, locType: 'EXT. NODE', name: '.I.SHOREHAM138 99' },
  { id: 4017, locType: 'EXT. NODE', name: '.I.NRTHPORT138 5' },
  { id: 321, locType: 'NETWORK NODE', name: 'UN.FRNKLNSQ13.810CC' },
]

/** Demand-response aggregation zones, in ISO-NE's `.DR.` style (ids generated). */
const ISONE_DRR_ZONES = [
  '.DR.CT_Eastern', '.DR.CT_Northern', '.DR.CT_Norwalk_Stamford', '.DR.CT_Western', '.DR.ME_BangorHydro', '.DR.ME_Maine',
  '.DR.ME_Portland', '.DR.NEMA_Boston', '.DR.NEMA_North_Shore', '.DR.NH_NewHampshire', '.DR.NH_Seacoast', '.DR.RI_RhodeIsland',
  '.DR.SEMA_CapeCod', '.DR.SEMA_Lower_SEMA', '.DR.SEMA_SEMA', '.DR.VT_NorthwestVermont', '.DR.VT_Vermont', '.DR.WCMA_CentralMA',
  '.DR.WCMA_SpringfieldMA', '.DR.WCMA_WesternMA',
]

const STATION_SYLLABLES = [
  'BRAY', 'TON', 'MERR', 'IMAC', 'SALEM', 'HARB', 'OR', 'MYST', 'IC', 'CANAL', 'KEND', 'ALL', 'WEST', 'BROOK', 'NORW', 'ALK',
  'MILL', 'STONE', 'MIDD', 'LE', 'BUCKS', 'PORT', 'WYMAN', 'SEAB', 'ROOK', 'VERN', 'ON', 'BERL', 'IN', 'AYER', 'FRNK', 'LNSQ',
  'PITTS', 'FLD', 'SOMER', 'SET', 'BELL', 'ING', 'NEW', 'TIVER', 'DEV', 'LOW', 'ELL', 'GRAN', 'ITE', 'RIDGE', 'HILL', 'FALLS',
  'BOW', 'MERI', 'DEN', 'LAKE', 'WOOD', 'FIELD', 'HAVEN', 'BURY', 'CHES', 'TER', 'ANDO', 'VER', 'WAL', 'THAM', 'QUIN', 'CY',
]
const KV = ['13.8', '115 ', '345 ', '4.16', '23  ', '69  ', '12.5', '34.5', '27.6', '46  ']
const UNITS = ['1', '2', '3', 'G1', 'G2', 'CT1', 'CT2', 'ST1', '10CC', 'ALT1', 'BHS3', 'WND', 'PV1', 'HYD1', 'BESS']

/** An ISO-NE catalogue: the shared Catalogue plus each location's id and type. */
export type IsoneCatalogue = Catalogue & {
  /** Every location by id. */
  locations: ReadonlyMap<number, IsoneLocation>
  /** Every location by name. */
  byLocationName: ReadonlyMap<string, IsoneLocation>
}

function station(u: () => number): string {
  let text = ''
  const parts = 1 + Math.floor(u() * 3)
  for (let i = 0; i < parts || text.length < 4; i++) text += STATION_SYLLABLES[Math.floor(u() * STATION_SYLLABLES.length)]
  return text.slice(0, 8).padEnd(8, ' ')
}

/** The catalogue of `count` locations (at least the real ones), deterministic by seed. */
export function isoneCatalogue(seed: number, count = DEFAULT_ISONE_NODE_COUNT): IsoneCatalogue {
  const u = mulberry32(seed ^ 0x49534f4e)
  const locations = new Map<number, IsoneLocation>()
  const names = new Set<string>()
  const add = (location: IsoneLocation) => {
    locations.set(location.id, location)
    names.add(location.name)
  }
  for (const location of [...ISONE_HUB_AND_ZONES, ...ISONE_OTHER_REAL]) add(location)
  const freshId = (): number => {
    for (;;) {
      const id = 300 + Math.floor(u() * 79_700)
      if (!locations.has(id) && !(id >= 4000 && id < 4100)) return id
    }
  }
  for (const name of ISONE_DRR_ZONES) add({ id: freshId(), locType: 'DRR AGGREGATION ZONE', name })
  let guard = 0
  while (locations.size < count && guard++ < count * 50) {
    const kv = KV[Math.floor(u() * KV.length)]!
    const name = u() < 0.6 ? `UN.${station(u)}${kv}${UNITS[Math.floor(u() * UNITS.length)]}` : `LD.${station(u)}${kv.trimEnd()}`
    if (!names.has(name)) add({ id: freshId(), locType: 'NETWORK NODE', name })
  }
  const catalogue = laterCatalogue(
    'ISONE',
    [...locations.values()].map((l) => ({ name: l.name, type: ISONE_NODE_TYPES[l.locType]! })),
    seed
  )
  return { ...catalogue, locations, byLocationName: new Map([...locations.values()].map((l) => [l.name, l])) }
}

export type IsoneMarket = 'da' | 'rt'

/** When each feed publishes a day (EPT wall clock; the connectors' fetch/isone.ts agrees). */
export const ISONE_SCHEDULE = {
  /** Day-ahead LMPs of day D: at this wall-clock time of D-1 (13:30 EPT). */
  daPublishedAtLocalMs: 13 * HOUR + 30 * MINUTE,
  /** Final real-time hourly LMPs of day D: at the start of day D + this many days (an assumption). */
  rtFinalPublishedAfterDays: 2,
} as const

/** Start (local midnight) of an EPT date `YYYY-MM-DD`. */
export const easternDayStart = (date: string) => dayStartUtc(date, EASTERN_ZONE).getTime()

/** When `market`'s prices of EPT date `date` (`YYYY-MM-DD`) are published. */
export function isonePublishedAt(market: IsoneMarket, date: string): number {
  if (market === 'rt') return easternDayStart(addDays(date, ISONE_SCHEDULE.rtFinalPublishedAfterDays))
  // 13:30 on the day before: its midnight + 13.5 h, give or take the hour its clock changed at 02:00.
  const eve = easternDayStart(addDays(date, -1))
  const midnight = easternDayStart(date)
  return eve + ISONE_SCHEDULE.daPublishedAtLocalMs + (midnight - eve - 24 * HOUR)
}

/** The hours (start instants) of EPT date `date`: 23, 24 or 25. */
export function easternHours(date: string): number[] {
  const out: number[] = []
  for (let at = easternDayStart(date), end = easternDayStart(addDays(date, 1)); at < end; at += HOUR) out.push(at)
  return out
}

/** The prices of one location for EPT date `date`, in cents, from the model. */
export function isoneHours(model: PriceModel, node: SimNode, market: IsoneMarket, date: string): IsoneHour[] {
  const c = newComponents()
  return easternHours(date).map((start) => {
    if (market === 'da') model.values('ISONE', 'DA', node, start, c)
    else model.realTimeMean('ISONE', node, start, 12, c)
    return { start, lmp: c.lmp, energy: c.energy, congestion: c.congestion, loss: c.loss }
  })
}

/** Whether the request carries HTTP basic credentials with a non-empty user and password. */
export function hasBasicCredentials(request: SimRequest): boolean {
  const header = request.headers.authorization
  const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null
  if (!m) return false
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon > 0 && colon < decoded.length - 1
}

const JSON_TYPE = 'application/json'
const HTML_TYPE = 'text/html; charset=utf-8'
const PATH = /^\/isone\/api\/v1\.1\/hourlylmp\/(da|rt)\/final\/day\/([^/]+)\/location\/([^/]+)\.json$/

type Answer = (SimAnswer & { published: boolean }) | null

function answer(market: IsoneMarket, catalogueOf: (model: PriceModel) => IsoneCatalogue, request: SimRequest, context: SimContext): Answer {
  const m = PATH.exec(request.path)
  if (!m || m[1] !== market) return null
  if (!hasBasicCredentials(request))
    return {
      status: 401,
      type: HTML_TYPE,
      body: htmlPage('401 Unauthorized', 'This request requires HTTP authentication.'),
      headers: { 'WWW-Authenticate': 'Basic realm="webservices.iso-ne.com"' },
      published: false,
    }
  const ymd = parseYmd(decodeURIComponent(m[2]!))
  if (!ymd) return { status: 400, type: HTML_TYPE, body: htmlPage('400 Bad Request', 'day must be YYYYMMDD'), published: false }
  const date = isoDate(ymd)
  const catalogue = catalogueOf(context.model)
  const idText = decodeURIComponent(m[3]!)
  const location = /^\d{1,9}$/.test(idText) ? catalogue.locations.get(Number(idText)) : undefined
  if (!location) return { status: 200, type: JSON_TYPE, body: ISONE_EMPTY_ANSWER, published: false }
  if (context.now < isonePublishedAt(market, date))
    return { status: 404, type: HTML_TYPE, body: htmlPage('404 Not Found', 'The requested resource is not available.'), published: false }
  const node = catalogue.byName.get(location.name)!
  return { status: 200, type: JSON_TYPE, body: isoneHourlyLmpJson(location, isoneHours(context.model, node, market, date)), published: true }
}

/** `changed-header`: LmpTotal renamed; `non-numeric`: the first LmpTotal an `N/A` string. */
export function breakIsoneAnswer(answer: SimAnswer, mode: FailureMode): SimAnswer | null {
  const body = typeof answer.body === 'string' ? answer.body : Buffer.from(answer.body).toString('utf8')
  if (mode === 'changed-header') return { ...answer, body: body.replaceAll('"LmpTotal":', '"LMPTotal":') }
  if (mode === 'non-numeric') return { ...answer, body: body.replace(/"LmpTotal":[-0-9.eE]+/, '"LmpTotal":"N/A"') }
  return null
}

/** The ISO-NE routes over a catalogue of `nodes` locations (default {@link DEFAULT_ISONE_NODE_COUNT}). */
export function createIsoneRoutes(options: { nodes?: number } = {}): readonly MarketRoute[] {
  const catalogues = new WeakMap<PriceModel, IsoneCatalogue>()
  const catalogueOf = (model: PriceModel): IsoneCatalogue => {
    let catalogue = catalogues.get(model)
    if (!catalogue) {
      catalogue = isoneCatalogue(model.seed, options.nodes ?? DEFAULT_ISONE_NODE_COUNT)
      catalogues.set(model, catalogue)
    }
    return catalogue
  }
  return [
    { feed: 'isone.ws.da_hourly_lmp', answer: (request, context) => answer('da', catalogueOf, request, context), breakAnswer: breakIsoneAnswer },
    { feed: 'isone.ws.rt_hourly_lmp', answer: (request, context) => answer('rt', catalogueOf, request, context), breakAnswer: breakIsoneAnswer },
  ]
}

export const ISONE_ROUTES: readonly MarketRoute[] = createIsoneRoutes()
