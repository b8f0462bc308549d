/**
 * The AESO Pool Price Report API v1.1 on the simulator (base `/aeso/public`, see simulatorUrls):
 *
 *   GET /aeso/public/poolprice-api/v1.1/price/poolPrice?startDate=YYYY-MM-DD[&endDate=YYYY-MM-DD]   (aeso.pool_price)
 *   header API-KEY: <any non-empty key>
 *
 * Without the key: 401. startDate is required and endDate defaults to it (both inclusive Alberta
 * dates, Mountain prevailing time: 23, 24 or 25 hours a day); a bad date, endDate before
 * startDate or more than {@link AESO_MAX_RANGE_DAYS} days: 400.
 *
 * One price for the province, node `POOL` (the parser's AESO_NODE; the catalogue has that one node
 * whatever `nodes` says). The pool price of an hour is the mean of its twelve five-minute model
 * prices, in cents, held within Alberta's floor and cap ($0 .. $999.99); the forecast is that
 * price off by a few percent (a deterministic draw per hour); the 30-day rolling average is the
 * mean of the 720 settled pool prices ending with the hour.
 *
 * Publication ({@link AESO_SCHEDULE}; the connectors' fetch/aeso.ts publishedUntil agrees):
 * an hour settles when it ends. The answer lists the requested hours up to the hour in progress
 * plus {@link AESO_SCHEDULE}.forecastHoursAhead: the settled ones with their pool price, the rest
 * with `"pool_price": ""`, the forecast and an empty rolling average. A range with no hour to
 * list (all later than that) answers 404. Assumptions, not documented: the forecast horizon, the
 * 404 and the error bodies (the gateway's own error layout was not found).
 */
import { addDays, dayStartUtc } from '@carbon/schemas'
import { laterCatalogue, type Catalogue } from '../catalogue.ts'
import type { FailureMode } from '../failures.ts'
import { type AesoHour, aesoPoolPriceJson, aesoTimestamp, MOUNTAIN_ZONE } from '../formats/aeso.ts'
import { newComponents, type PriceModel } from '../prices.ts'
import { hash32, normalOf } from '../random.ts'
import { DAY, HOUR } from '../time.ts'
import type { MarketRoute, SimAnswer, SimContext, SimRequest } from './types.ts'

/** Alberta's single pool price (parsers/aeso.ts AESO_NODE). */
export const AESO_POOL = 'POOL'
/** Alberta's price floor and cap, cents. */
export const AESO_PRICE_FLOOR = 0
export const AESO_PRICE_CAP = 99_999
/** The longest date range one request may ask for. */
export const AESO_MAX_RANGE_DAYS = 366
const ROLLING_HOURS = 720

export const AESO_SCHEDULE = {
  /** An hour settles (gets its pool price) this long after it ends. */
  settleDelayMs: 0,
  /** Hours listed beyond the one in progress, with a forecast only (an assumption). */
  forecastHoursAhead: 6,
} as const

/** The one-node AESO catalogue. */
export function aesoCatalogue(seed: number): Catalogue {
  return laterCatalogue('AESO', [{ name: AESO_POOL, type: 'hub' }], seed)
}

/** Start (00:00 MPT) of an Alberta date `YYYY-MM-DD`. */
export const mountainDayStart = (date: string) => dayStartUtc(date, MOUNTAIN_ZONE).getTime()

/** The pool price (cents) of the hour starting at `start`: the mean of its five-minute prices, floored and capped. */
export function aesoPoolPrice(model: PriceModel, catalogue: Catalogue, start: number): number {
  const c = model.realTimeMean('AESO', catalogue.byName.get(AESO_POOL)!, start, 12, newComponents())
  return Math.min(AESO_PRICE_CAP, Math.max(AESO_PRICE_FLOOR, c.lmp))
}

/** The forecast pool price (cents) of the hour starting at `start`, from its pool price. */
export function aesoForecast(seed: number, start: number, poolPrice: number): number {
  const ratio = 1 + 0.06 * normalOf(hash32(seed, 0xae50, Math.floor(start / HOUR)))
  return Math.min(AESO_PRICE_CAP, Math.max(AESO_PRICE_FLOOR, Math.round(poolPrice * ratio))) + 0
}

/** Whether the hour starting at `start` is settled at `now`. */
export const aesoSettled = (start: number, now: number) => start + HOUR + AESO_SCHEDULE.settleDelayMs <= now

/** Whether the hour starting at `start` is listed at `now` (settled, in progress or within the forecast horizon). */
export const aesoListed = (start: number, now: number) => start < Math.floor(now / HOUR) * HOUR + (1 + AESO_SCHEDULE.forecastHoursAhead) * HOUR

/** The report rows of the hours `starts` (in order) at `now`. */
export function aesoHours(model: PriceModel, catalogue: Catalogue, starts: readonly number[], now: number): AesoHour[] {
  const listed = starts.filter((start) => aesoListed(start, now))
  if (listed.length === 0) return []
  const settled = listed.filter((start) => aesoSettled(start, now))
  // Pool prices from 719 hours before the first settled hour, for the rolling averages.
  const from = settled.length > 0 ? settled[0]! - (ROLLING_HOURS - 1) * HOUR : listed[0]!
  const to = listed[listed.length - 1]!
  const prices: number[] = []
  for (let at = from; at <= to; at += HOUR) prices.push(aesoPoolPrice(model, catalogue, at))
  const sums = [0]
  for (const p of prices) sums.push(sums[sums.length - 1]! + p)
  return listed.map((start) => {
    const i = (start - from) / HOUR
    const price = prices[i]!
    const isSettled = aesoSettled(start, now)
    return {
      start,
      poolPrice: isSettled ? price : null,
      forecast: aesoForecast(model.seed, start, price),
      rolling30: isSettled ? Math.round((sums[i + 1]! - sums[i + 1 - ROLLING_HOURS]!) / ROLLING_HOURS) + 0 : null,
    }
  })
}

/** The hours (start instants) of the Alberta dates `startDate`..`endDate` (inclusive). */
export function mountainHours(startDate: string, endDate: string): number[] {
  const out: number[] = []
  for (let at = mountainDayStart(startDate), end = mountainDayStart(addDays(endDate, 1)); at < end; at += HOUR) out.push(at)
  return out
}

const JSON_TYPE = 'application/json'
const PATH = '/aeso/public/poolprice-api/v1.1/price/poolPrice'
type Answer = (SimAnswer & { published: boolean }) | null

/** `YYYY-MM-DD` when it is a real date, else null. */
function readDate(text: string | null): string | null {
  if (text === null || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null
  const t = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === text ? text : null
}

function error(status: number, now: number, message: string): SimAnswer & { published: boolean } {
  return { status, type: JSON_TYPE, body: JSON.stringify({ timestamp: aesoTimestamp(now), responseCode: String(status), message }), published: false }
}

function answer(catalogueOf: (model: PriceModel) => Catalogue, request: SimRequest, context: SimContext): Answer {
  if (request.path !== PATH) return null
  const key = request.headers['api-key']
  if (typeof key !== 'string' || key.trim() === '')
    return {
      status: 401,
      type: JSON_TYPE,
      body: JSON.stringify({ statusCode: 401, message: 'Access denied due to missing API-KEY header. Make sure to include the API key when making requests to an API.' }),
      published: false,
    }
  const startDate = readDate(request.params.get('startDate'))
  const endDate = request.params.has('endDate') ? readDate(request.params.get('endDate')) : startDate
  if (!startDate || !endDate) return error(400, context.now, 'startDate (required) and endDate must be dates, YYYY-MM-DD')
  const days = (Date.parse(endDate) - Date.parse(startDate)) / DAY + 1
  if (days < 1) return error(400, context.now, 'endDate must not be before startDate')
  if (days > AESO_MAX_RANGE_DAYS) return error(400, context.now, `the date range must not exceed ${AESO_MAX_RANGE_DAYS} days`)
  const hours = aesoHours(context.model, catalogueOf(context.model), mountainHours(startDate, endDate), context.now)
  if (hours.length === 0) return error(404, context.now, 'No data found for the requested dates')
  return { status: 200, type: JSON_TYPE, body: aesoPoolPriceJson(hours, context.now), published: true }
}

/** `changed-header`: pool_price renamed; `non-numeric`: the first settled pool price `N/A`. */
export function breakAesoAnswer(answer: SimAnswer, mode: FailureMode): SimAnswer | null {
  const body = typeof answer.body === 'string' ? answer.body : Buffer.from(answer.body).toString('utf8')
  if (mode === 'changed-header') return { ...answer, body: body.replaceAll('"pool_price":', '"poolPrice":') }
  if (mode === 'non-numeric') return { ...answer, body: body.replace(/"pool_price": "[^"]+"/, '"pool_price": "N/A"') }
  return null
}

/** The AESO routes (`nodes` is accepted for a uniform signature: Alberta has one pool price). */
export function createAesoRoutes(_options: { nodes?: number } = {}): readonly MarketRoute[] {
  const catalogues = new WeakMap<PriceModel, Catalogue>()
  const catalogueOf = (model: PriceModel): Catalogue => {
    let catalogue = catalogues.get(model)
    if (!catalogue) {
      catalogue = aesoCatalogue(model.seed)
      catalogues.set(model, catalogue)
    }
    return catalogue
  }
  return [{ feed: 'aeso.pool_price', answer: (request, context) => answer(catalogueOf, request, context), breakAnswer: breakAesoAnswer }]
}

export const AESO_ROUTES: readonly MarketRoute[] = createAesoRoutes()
