/**
 * AESO Pool Price Report API v1.1 answer bytes, in the documented layout the connectors' fixture
 * builds (connectors/fixtures/iso/aeso/aeso_poolprice_api_v1.1_20261101_DOCUMENTED_LAYOUT.json):
 *
 *   {
 *     "timestamp": "2026-11-02 07:10:12.345+0000",
 *     "responseCode": "200",
 *     "return": {
 *       "Pool Price Report": [
 *         {
 *           "begin_datetime_utc": "2026-11-01 06:00",
 *           "begin_datetime_mpt": "2026-11-01 00:00",
 *           "pool_price": "28.50",
 *           "forecast_pool_price": "27.64",
 *           "rolling_30day_avg": "61.20"
 *         }, ...
 *
 * Every value a string, prices with two decimals, times `YYYY-MM-DD HH:MM` (hour beginning) in
 * UTC and in Mountain prevailing time (America/Edmonton; on the fall-back day MPT 01:00 twice).
 * An hour not settled yet: `"pool_price": ""` with its forecast. Documentation only, never real
 * bytes: the spacing (two-space indent, trailing newline, as the fixture), the `timestamp` format
 * and the empty rolling average of an unsettled hour are assumptions.
 */
import { zonedParts } from '@carbon/schemas'
import { fixed2 } from './numbers.ts'

export const MOUNTAIN_ZONE = 'America/Edmonton'
export const AESO_REPORT = 'Pool Price Report'

/** One hour of the report, in cents; null where the value is not known yet (written empty). */
export type AesoHour = { start: number; poolPrice: number | null; forecast: number; rolling30: number | null }

const pad2 = (n: number) => String(n).padStart(2, '0')

/** `2026-11-01 06:00` in UTC. */
export const aesoUtc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ')

/** `2026-11-01 00:00` in Mountain prevailing time. */
export function aesoMpt(ms: number): string {
  const p = zonedParts(new Date(ms), MOUNTAIN_ZONE)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** `2026-11-02 07:10:12.345+0000`: when the answer was made, UTC. */
export function aesoTimestamp(ms: number): string {
  const t = new Date(ms)
  return `${t.toISOString().slice(0, 10)} ${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())}.${String(t.getUTCMilliseconds()).padStart(3, '0')}+0000`
}

const text = (cents: number | null) => (cents === null ? '' : fixed2(cents))

/** The answer holding `hours` (in order), made at `answeredAt`. */
export function aesoPoolPriceJson(hours: readonly AesoHour[], answeredAt: number): string {
  const document = {
    timestamp: aesoTimestamp(answeredAt),
    responseCode: '200',
    return: {
      [AESO_REPORT]: hours.map((h) => ({
        begin_datetime_utc: aesoUtc(h.start),
        begin_datetime_mpt: aesoMpt(h.start),
        pool_price: text(h.poolPrice),
        forecast_pool_price: text(h.forecast),
        rolling_30day_avg: text(h.rolling30),
      })),
    },
  }
  return `${JSON.stringify(document, null, 2)}\n`
}
