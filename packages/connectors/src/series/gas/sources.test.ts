import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE } from '../../eia/fixtures.ts'
import { DATAHUB_HENRY_HUB_DAILY_FIXTURE, EIA_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR } from './fixtures.ts'
import { GAS_SERIES_SOURCES, type GasSeriesSourceId } from './sources.ts'

const FIXTURES: Record<GasSeriesSourceId, URL> = {
  'eia.ng.hh_spot_monthly': new URL(HENRY_HUB_MONTHLY_FIXTURE, EIA_FIXTURE_DIR),
  'eia.ng.hh_spot_daily': new URL(EIA_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR),
  'datahub.ng.hh_spot_daily': new URL(DATAHUB_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR),
}

describe('GAS_SERIES_SOURCES', () => {
  it('lists the three Henry Hub sources with how each was verified', () => {
    expect(Object.entries(GAS_SERIES_SOURCES).map(([id, s]) => [id, s.product, s.verified])).toEqual([
      ['eia.ng.hh_spot_monthly', 'GAS', 'served'],
      ['eia.ng.hh_spot_daily', 'GAS', 'documented'],
      ['datahub.ng.hh_spot_daily', 'GAS', 'derived'],
    ])
  })

  it('descriptions are one line naming the file and the units', () => {
    for (const source of Object.values(GAS_SERIES_SOURCES)) {
      expect(source.description).not.toMatch(/\n/)
      expect(source.description).toMatch(/\.(xls|csv) /)
      expect(source.description).toMatch(/\$\/MMBtu$/)
    }
  })

  it.each(Object.keys(FIXTURES) as GasSeriesSourceId[])('%s reads its fixture into valid records of its own source and product', (id) => {
    const source = GAS_SERIES_SOURCES[id]
    const { records, errors } = source.parse(new Uint8Array(readFileSync(FIXTURES[id])), FIXTURES[id].pathname)
    expect(errors).toEqual([])
    expect(records.length).toBeGreaterThan(100)
    for (const record of records) {
      expect(SeriesRecord.parse(record)).toEqual(record)
      expect(record).toMatchObject({ source: id, product: source.product })
    }
  })
})
