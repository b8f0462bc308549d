import { describe, expect, it } from 'vitest'
import { DEFAULT_MIN_SPACING_MS } from '../../fetch/http.ts'
import { SERIES_SOURCES } from '../sources.ts'
import { isSeriesDatasetId, SERIES_DATASET_IDS, SERIES_DATASETS } from './datasets.ts'
import { SERIES_MIN_SPACING_MS } from './spacing.ts'
import { config, ms } from './test-helpers.ts'

describe('SERIES_DATASETS', () => {
  it('has a dataset for every series source but the ones never fetched (user CSV uploads, a third party\'s copy)', () => {
    expect(SERIES_DATASET_IDS.sort()).toEqual([
      'carb.lcfs.credit_transfers',
      'carb.lcfs.monthly_transfers',
      'eia.860m.generators',
      'eia.930.fuel_type_data',
      'eia.930.region_data',
      'eia.ice.next_day_gas',
      'eia.ng.hh_spot_daily',
      'eia.ng.hh_spot_monthly',
      'eia.ng.wngsr_lng_prices',
    ])
    const unfetched = Object.keys(SERIES_SOURCES).filter((id) => !isSeriesDatasetId(id))
    expect(unfetched.sort()).toEqual(['carbon.rec_prices_csv', 'datahub.ng.hh_spot_daily'])
    for (const [id, dataset] of Object.entries(SERIES_DATASETS)) expect(dataset.id).toBe(id)
  })

  it('plans requests of its own source, under its product (GRID ones under their markets), in rate groups the client spaces', () => {
    const now = ms('2026-09-25T12:00:00Z')
    for (const dataset of Object.values(SERIES_DATASETS)) {
      const window = { start: now - dataset.lookbackMs, end: dataset.publishedUntil(now) }
      const requests = dataset.plan(window, config, now)
      expect(requests.length, dataset.id).toBeGreaterThan(0)
      for (const r of requests) {
        expect(r.dataset).toBe(dataset.id)
        const product = SERIES_SOURCES[dataset.id].product
        if (product === 'GRID') expect(['CAISO', 'MISO', 'PJM', 'ERCOT', 'SPP', 'NYISO', 'ISONE']).toContain(r.key)
        else expect(r.key).toBe(product)
        expect(DEFAULT_MIN_SPACING_MS[r.rateGroup], r.rateGroup).toBeGreaterThan(0)
        expect(r.window.start).toBeGreaterThanOrEqual(window.start - 3_600_000)
        expect(r.window.end).toBeLessThanOrEqual(window.end)
      }
    }
  })

  it('publishedUntil never goes back as time passes, and lies before now', () => {
    for (const dataset of Object.values(SERIES_DATASETS)) {
      let previous = -Infinity
      for (let at = ms('2026-10-01T00:00:00Z'); at < ms('2026-11-15T00:00:00Z'); at += 3 * 3_600_000 + 17 * 60_000) {
        const until = dataset.publishedUntil(at)
        expect(until, `${dataset.id} at ${new Date(at).toISOString()}`).toBeGreaterThanOrEqual(previous)
        expect(until).toBeLessThanOrEqual(at)
        previous = until
      }
    }
  })

  it('the client spaces the series rate groups as spacing.ts says', () => {
    expect(DEFAULT_MIN_SPACING_MS).toMatchObject(SERIES_MIN_SPACING_MS)
    expect(SERIES_MIN_SPACING_MS).toEqual({ 'eia.api': 1000, 'eia.www': 1000, 'carb.www': 2000 })
  })
})
