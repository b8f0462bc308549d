/**
 * The AESO Pool Price Report dataset (see parsers/aeso.ts for the answer), on AESO's API gateway
 * with an API key:
 *
 *   GET {urls.aesoApi}/poolprice-api/v1.1/price/poolPrice?startDate=2026-11-01&endDate=2026-11-01
 *   header API-KEY: <config.aesoKey>
 *
 * The key travels only in the request header: never in a URL, a file name or an error.
 *
 * One request per Alberta (Mountain prevailing time, America/Edmonton) day, startDate = endDate =
 * that day: the API takes a date range, but a day per request keeps each answer one trade day
 * (23, 24 or 25 hours), the shape of the documented sample, and needs no assumption about the
 * longest range the gateway accepts. A backfill of a year is 365 requests, about six minutes at
 * the spacing below.
 *
 * | dataset | request | published (usual schedule) | cadence |
 * |---|---|---|---|
 * | `aeso.pool_price` | one per Mountain-time day | an hour once it has ended (the pool price is the settled time-weighted average of the hour's system marginal prices); hours not settled yet are listed with an empty pool_price and a forecast only | 1 h |
 *
 * What the gateway answers for dates with no hour listed yet was not found in the sources; the
 * simulator answers 404 and a 404 is read as "not published yet". Rate limits: none documented;
 * requests share the rate group {@link AESO_RATE_GROUP}, spaced {@link AESO_MIN_SPACING_MS}.
 */
import { MOUNTAIN, localInstant, zoneOffsetMs } from '../parsers/local-time.ts'
import { SOURCES } from '../sources.ts'
import type { ConnectorConfig, DatasetDefinition, FetchRequest } from './types.ts'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** The request header that carries the API key. */
export const AESO_KEY_HEADER = 'API-KEY'
/** Politeness group of every AESO API request. */
export const AESO_RATE_GROUP = 'aeso.api'
/** Spacing between request starts per rate group (pass to createHttpClient's minSpacingMs). */
export const AESO_MIN_SPACING_MS: Readonly<Record<string, number>> = { [AESO_RATE_GROUP]: 1000 }

export type AesoSourceId = 'aeso.pool_price'

/** The Mountain-time date of `ms` as a wall-clock midnight (the date read as if it were UTC). */
const mountainDateWall = (ms: number) => Math.floor((ms + zoneOffsetMs(ms, MOUNTAIN)) / DAY_MS) * DAY_MS
/** The instant of a Mountain-time midnight (never in a daylight-saving gap: Alberta changes at 02:00). */
const mountain = (wall: number) => localInstant(wall, MOUNTAIN) as number

/** Start (00:00 MPT) of the Alberta day holding `ms`. */
export const mountainDayStart = (ms: number) => mountain(mountainDateWall(ms))

/** An hour is published (settled) once it has ended. */
export const aesoPublishedUntil = (now: number) => Math.floor(now / HOUR_MS) * HOUR_MS

function apiKey(config: ConnectorConfig): string | null {
  return config.aesoKey ? config.aesoKey : null
}

const poolPrice: DatasetDefinition = {
  id: 'aeso.pool_price',
  market: SOURCES['aeso.pool_price'].market,
  run: SOURCES['aeso.pool_price'].run,
  cadenceMs: HOUR_MS,
  intervalMs: HOUR_MS,
  backfill: true,
  available: (config) => apiKey(config) !== null,
  publishedUntil: aesoPublishedUntil,
  plan(window, config) {
    const key = apiKey(config)
    if (!key) throw new Error('aeso.pool_price: no AESO API key configured (aesoKey)')
    if (!(window.end > window.start)) return []
    const base = config.urls.aesoApi.replace(/\/+$/, '')
    const out: FetchRequest[] = []
    for (let dateWall = mountainDateWall(window.start); ; dateWall += DAY_MS) {
      const start = mountain(dateWall)
      if (start >= window.end) break
      const date = new Date(dateWall).toISOString().slice(0, 10)
      out.push({
        dataset: 'aeso.pool_price',
        url: `${base}/poolprice-api/v1.1/price/poolPrice?startDate=${date}&endDate=${date}`,
        headers: { [AESO_KEY_HEADER]: key, Accept: 'application/json' },
        window: { start, end: mountain(dateWall + DAY_MS) },
        file: `${date.replaceAll('-', '')}_aeso_pool_price.json`,
        rateGroup: AESO_RATE_GROUP,
        notFoundMeansNotPublished: true,
      })
    }
    return out
  },
}

/** The AESO dataset by source id. */
export const AESO_DATASETS: Readonly<Record<AesoSourceId, DatasetDefinition>> = {
  'aeso.pool_price': poolPrice,
}
