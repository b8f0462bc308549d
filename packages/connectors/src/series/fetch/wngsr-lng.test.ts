import { describe, expect, it } from 'vitest'
import { LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923 } from '../lng/fixtures.ts'
import { parseWngsrLngPrices } from '../lng/wngsr-lng.ts'
import { answer, config, fixture, iso, ms, only } from './test-helpers.ts'
import { WNGSR_LNG_DATASETS, wngsrLngPublishedUntil } from './wngsr-lng.ts'

const LNG = WNGSR_LNG_DATASETS['eia.ng.wngsr_lng_prices']
const fragment = fixture(LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923)

describe('EIA LNG bullet: publication (Thursdays 10:30 Eastern, the week ending the day before)', () => {
  it('publishedUntil is the Thursday of the latest release', () => {
    expect(iso(wngsrLngPublishedUntil(ms('2026-09-24T14:30:00Z')))).toBe('2026-09-24T00:00:00.000Z')
    expect(iso(wngsrLngPublishedUntil(ms('2026-09-24T14:29:00Z')))).toBe('2026-09-17T00:00:00.000Z')
    expect(iso(wngsrLngPublishedUntil(ms('2026-12-03T15:30:00Z')))).toBe('2026-12-03T00:00:00.000Z')
  })
})

describe('EIA LNG bullet: plan', () => {
  it('one request for the fragment, HTML expected, its file named with the fetch date (the reader takes the year from it)', () => {
    const now = ms('2026-09-24T16:00:00Z')
    const r = only(LNG.plan({ start: ms('2026-09-17T00:00:00Z'), end: LNG.publishedUntil(now) }, config, now))
    expect(r).toEqual({
      dataset: 'eia.ng.wngsr_lng_prices',
      key: 'LNG',
      url: 'https://www.eia.gov/naturalgas/weekly/supplement/content/bullets_lng_2.html',
      window: { start: ms('2026-09-17T00:00:00Z'), end: ms('2026-09-24T00:00:00Z') },
      file: 'bullets_lng_2_2026-09-24.html',
      rateGroup: 'eia.www',
      htmlExpected: true,
    })
    // The name is what the reader needs: the served fragment says "week ending September 23", no year.
    const { records, errors } = parseWngsrLngPrices(fragment, r.file)
    expect(errors).toEqual([])
    expect(records.map((x) => [x.series, x.periodStart, x.periodEnd, x.value])).toEqual([
      ['TTF', '2026-09-17T00:00:00.000Z', '2026-09-24T00:00:00.000Z', 25.15],
      ['JKM', '2026-09-17T00:00:00.000Z', '2026-09-24T00:00:00.000Z', 26.41],
    ])
  })

  it('nothing before the release', () => {
    const now = ms('2026-09-24T12:00:00Z')
    expect(LNG.plan({ start: ms('2026-09-17T00:00:00Z'), end: ms('2026-09-24T00:00:00Z') }, config, now)).toEqual([])
  })
})

describe('EIA LNG bullet: not yet published (last week\'s fragment still served)', () => {
  it('the fragment of the window\'s week is published; last week\'s is not', () => {
    const now = ms('2026-09-24T16:00:00Z')
    const current = only(LNG.plan({ start: ms('2026-09-17T00:00:00Z'), end: ms('2026-09-24T00:00:00Z') }, config, now))
    expect(LNG.notPublished!(answer(current, fragment))).toBeNull()
    // A week later the release is late: the URL still answers the week ending 09-23.
    const later = ms('2026-10-01T16:00:00Z')
    const next = only(LNG.plan({ start: ms('2026-09-24T00:00:00Z'), end: LNG.publishedUntil(later) }, config, later))
    expect(next.file).toBe('bullets_lng_2_2026-10-01.html')
    expect(LNG.notPublished!(answer(next, fragment))).toBe(
      'bullets_lng_2_2026-10-01.html runs to 2026-09-24 (periods ending then), the window to 2026-10-01: the publisher has not released it yet',
    )
  })
})
