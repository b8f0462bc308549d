import { dateIn, ENTITLED_PRODUCTS, PRODUCTS } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { candidateReportDates, FUELS_TIME_ZONE } from './due.ts'
import { reportFilename } from './scheduler.ts'

describe('the fuels report clock', () => {
  it('is never ahead of any product’s clock: a day ended there has ended for every product', () => {
    // Every hour of 2026, across both clock changes of each zone.
    for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 3_600_000) {
      const fuelsDay = dateIn(new Date(at), FUELS_TIME_ZONE)
      for (const product of ENTITLED_PRODUCTS) {
        const productDay = dateIn(new Date(at), PRODUCTS[product].timeZone)
        if (fuelsDay > productDay) throw new Error(`${new Date(at).toISOString()}: ${fuelsDay} in ${FUELS_TIME_ZONE} is ahead of ${product}'s ${productDay}`)
      }
    }
    expect(ENTITLED_PRODUCTS.map((p) => PRODUCTS[p].timeZone)).toContain(FUELS_TIME_ZONE)
  })

  it.each([
    // [now, expected]: Pacific standard time in November (UTC-8), daylight time in July (UTC-7).
    ['2026-11-20T07:59:00Z', ['2026-11-18']],
    ['2026-11-20T08:00:00Z', ['2026-11-18', '2026-11-19']],
    ['2026-07-15T06:59:00Z', ['2026-07-11', '2026-07-12', '2026-07-13']], // the 3 latest ended days
    ['2026-07-15T07:00:00Z', ['2026-07-12', '2026-07-13', '2026-07-14']],
  ])('at %s the days ended are %j', (now, expected) => {
    const createdAt = new Date(now.startsWith('2026-11') ? '2026-11-18T20:00:00Z' : '2026-07-01T20:00:00Z')
    expect(candidateReportDates({ now: new Date(now), timeZone: FUELS_TIME_ZONE, createdAt, lastReportDate: null })).toEqual(expected)
  })

  it('names a fuels report as its page’s PDF is named, and a market report by its market', () => {
    expect(reportFilename('fuels', {}, '2026-11-19')).toBe('254carbon-fuels-2026-11-19.pdf')
    expect(reportFilename('market-summary', { market: 'MISO' }, '2026-11-19')).toBe('254carbon-MISO-market-summary-2026-11-19.pdf')
    expect(reportFilename('curve', { market: 'MISO', node: 'INDIANA HUB' }, '2026-11-19')).toBe('254carbon-MISO-INDIANA_HUB-curve-2026-11-19.pdf')
  })
})
