/**
 * IESO public reports on the simulator (base `/ieso/public`, see simulatorUrls), static files
 * without authentication:
 *
 *   GET /ieso/public/DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice_{YYYYMMDD}.xml        (ieso.da_ontario_zonal)
 *   GET /ieso/public/RealtimeOntarioZonalPrice/PUB_RealtimeOntarioZonalPrice_{YYYYMMDD}{HH}.xml    (ieso.rt_ontario_zonal)
 *
 * One price for the province, node `ONTARIO` (the parser's IESO_NODE): the catalogue has that one
 * node whatever `nodes` says (the Ontario Zonal Price replaced nodal-style prices for clients at
 * Market Renewal, 2025-05-01). IESO market time is EST all year: every date has 24 hours. Prices
 * from the shared model in cents: day-ahead the model's DA price, real time its five-minute price.
 *
 * Publication ({@link IESO_SCHEDULE}, the connectors' fetch/ieso.ts publishedUntil agrees):
 *
 * | feed | out from | answer before |
 * |---|---|---|
 * | day-ahead, date D | D-1 12:30 EST (CreatedAt = that time) | 404 |
 * | real time, hour HH of D | the end of its first interval; each later interval is filled when it ends (CreatedAt = the end of the latest one) | 404 |
 *
 * Every answer carries Last-Modified = CreatedAt, as a static file server gives it.
 */
import { laterCatalogue, type Catalogue } from '../catalogue.ts'
import { htmlPage, type FailureMode } from '../failures.ts'
import { type IesoPrices, iesoDaXml, iesoRtXml } from '../formats/ieso.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { HOUR, MINUTE, parseYmd } from '../time.ts'
import type { MarketRoute, SimAnswer, SimContext, SimRequest } from './types.ts'

/** The Ontario Zonal Price's node (parsers/ieso.ts IESO_NODE). */
export const IESO_ZONE = 'ONTARIO'
const FIVE_MINUTES = 5 * MINUTE
/** IESO market time: EST (UTC-5) all year. */
export const IESO_OFFSET = 5 * HOUR

export const IESO_SCHEDULE = {
  /** The day-ahead report of date D is out this long before D 00:00 EST (D-1 12:30 EST). */
  daPublishedBeforeMs: 11 * HOUR + 30 * MINUTE,
  /** A real-time interval is filled in its hour's file this long after it ends. */
  rtIntervalDelayMs: 0,
} as const

/** Start (00:00 EST) of an IESO delivery date `YYYYMMDD`, or null when it is not a date. */
export function iesoDayStart(ymd: string): number | null {
  const date = parseYmd(ymd)
  return date ? Date.UTC(date.y, date.m - 1, date.d) + IESO_OFFSET : null
}

/** When the day-ahead report of the date starting at `dayStart` is published. */
export const iesoDaPublishedAt = (dayStart: number) => dayStart - IESO_SCHEDULE.daPublishedBeforeMs

/** How many intervals (0-12) of the hour starting at `hourStart` are filled at `now`. */
export function iesoRtIntervalsAt(hourStart: number, now: number): number {
  return Math.max(0, Math.min(12, Math.floor((now - IESO_SCHEDULE.rtIntervalDelayMs - hourStart) / FIVE_MINUTES)))
}

/** The one-node IESO catalogue. */
export function iesoCatalogue(seed: number): Catalogue {
  return laterCatalogue('IESO', [{ name: IESO_ZONE, type: 'zone' }], seed)
}

function prices(model: PriceModel, catalogue: Catalogue, run: 'DA' | 'RT5', start: number): IesoPrices {
  const c = model.values('IESO', run, catalogue.byName.get(IESO_ZONE)!, start, newComponents())
  return { lmp: c.lmp, loss: c.loss, congestion: c.congestion }
}

/** The day-ahead hours (ending 1..24) of the date starting at `dayStart`, in cents. */
export const iesoDaHours = (model: PriceModel, catalogue: Catalogue, dayStart: number): IesoPrices[] =>
  Array.from({ length: 24 }, (_, h) => prices(model, catalogue, 'DA', dayStart + h * HOUR))

/** The first `filled` five-minute intervals of the hour starting at `hourStart` (the rest null). */
export const iesoRtIntervals = (model: PriceModel, catalogue: Catalogue, hourStart: number, filled: number): (IesoPrices | null)[] =>
  Array.from({ length: 12 }, (_, i) => (i < filled ? prices(model, catalogue, 'RT5', hourStart + i * FIVE_MINUTES) : null))

const XML_TYPE = 'application/xml'
type Answer = (SimAnswer & { published: boolean }) | null

const notFound = (): SimAnswer & { published: boolean } => ({
  status: 404,
  type: 'text/html; charset=iso-8859-1',
  body: htmlPage('404 Not Found', 'The requested URL was not found on this server.'),
  published: false,
})
const xml = (body: string, createdAt: number): SimAnswer & { published: boolean } => ({
  status: 200,
  type: XML_TYPE,
  body,
  headers: { 'Last-Modified': new Date(createdAt).toUTCString() },
  published: true,
})
const deliveryDate = (dayStart: number) => new Date(dayStart - IESO_OFFSET).toISOString().slice(0, 10)

const DA_PATH = /^\/ieso\/public\/DAHourlyOntarioZonalPrice\/PUB_DAHourlyOntarioZonalPrice_(\d{8})\.xml$/
const RT_PATH = /^\/ieso\/public\/RealtimeOntarioZonalPrice\/PUB_RealtimeOntarioZonalPrice_(\d{8})(\d{2})\.xml$/

function answerDa(catalogueOf: (model: PriceModel) => Catalogue, request: SimRequest, context: SimContext): Answer {
  const m = DA_PATH.exec(request.path)
  if (!m) return null
  const dayStart = iesoDayStart(m[1]!)
  if (dayStart === null) return notFound()
  const createdAt = iesoDaPublishedAt(dayStart)
  if (context.now < createdAt) return notFound()
  const hours = iesoDaHours(context.model, catalogueOf(context.model), dayStart)
  return xml(iesoDaXml({ deliveryDate: deliveryDate(dayStart), createdAt, hours }), createdAt)
}

function answerRt(catalogueOf: (model: PriceModel) => Catalogue, request: SimRequest, context: SimContext): Answer {
  const m = RT_PATH.exec(request.path)
  if (!m) return null
  const dayStart = iesoDayStart(m[1]!)
  const hour = Number(m[2])
  if (dayStart === null || hour < 1 || hour > 24) return notFound()
  const hourStart = dayStart + (hour - 1) * HOUR
  const filled = iesoRtIntervalsAt(hourStart, context.now)
  if (filled === 0) return notFound()
  const createdAt = hourStart + filled * FIVE_MINUTES + IESO_SCHEDULE.rtIntervalDelayMs
  const intervals = iesoRtIntervals(context.model, catalogueOf(context.model), hourStart, filled)
  return xml(iesoRtXml({ deliveryDate: deliveryDate(dayStart), deliveryHour: hour, createdAt, intervals }), createdAt)
}

/**
 * `changed-header`: the day-ahead DocTitle of another report / the real-time ZonalPrice elements
 * renamed (both ParseErrors); `non-numeric`: the first price `N/A`.
 */
export function breakIesoAnswer(answer: SimAnswer, mode: FailureMode): SimAnswer | null {
  const body = typeof answer.body === 'string' ? answer.body : Buffer.from(answer.body).toString('utf8')
  const realTime = body.includes('docID="RealtimeOntarioZonalPrice"')
  if (mode === 'changed-header')
    return {
      ...answer,
      body: realTime
        ? body.replace(/<(\/?)ZonalPrice>/g, '<$1IntervalPrice>')
        : body.replace('<DocTitle>Day Ahead Hourly Ontario Zonal Energy Price Report<', '<DocTitle>Day Ahead Hourly Ontario Zonal Price Report<'),
    }
  if (mode === 'non-numeric')
    return { ...answer, body: realTime ? body.replace(/<LmpCap>[^<]+</, '<LmpCap>N/A<') : body.replace(/<ZonalPrice>[^<]+</, '<ZonalPrice>N/A<') }
  return null
}

/** The IESO routes (`nodes` is accepted for a uniform signature: Ontario has one zonal price). */
export function createIesoRoutes(_options: { nodes?: number } = {}): readonly MarketRoute[] {
  const catalogues = new WeakMap<PriceModel, Catalogue>()
  const catalogueOf = (model: PriceModel): Catalogue => {
    let catalogue = catalogues.get(model)
    if (!catalogue) {
      catalogue = iesoCatalogue(model.seed)
      catalogues.set(model, catalogue)
    }
    return catalogue
  }
  return [
    { feed: 'ieso.da_ontario_zonal', answer: (request, context) => answerDa(catalogueOf, request, context), breakAnswer: breakIesoAnswer },
    { feed: 'ieso.rt_ontario_zonal', answer: (request, context) => answerRt(catalogueOf, request, context), breakAnswer: breakIesoAnswer },
  ]
}

export const IESO_ROUTES: readonly MarketRoute[] = createIesoRoutes()
