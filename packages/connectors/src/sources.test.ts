import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { FIXTURE_FILES } from './fixtures.ts'
import { SOURCES, type SourceId } from './sources.ts'
import { readFixture } from './test-helpers.ts'

describe('SOURCES', () => {
  it.each(FIXTURE_FILES.map((f) => [f.source, f.name] as const))('%s reads %s cleanly', (source, name) => {
    const definition = SOURCES[source]
    const { records, errors } = definition.parse(readFixture(name), name)
    expect(errors).toEqual([])
    expect(records.length).toBeGreaterThan(0)
    for (const record of records) {
      expect(PriceRecord.parse(record)).toEqual(record)
      expect(record).toMatchObject({ source, market: definition.market, run: definition.run })
    }
  })

  it('has the documented ids, each a market prefix', () => {
    expect(Object.keys(SOURCES).sort()).toEqual([
      'caiso.oasis.prc_intvl_lmp',
      'caiso.oasis.prc_lmp',
      'caiso.oasis.prc_rtpd_lmp',
      'miso.api.exante',
      'miso.api.rt5_expost',
      'miso.da_expost_lmp',
      'miso.dx.da_expost_lmp',
      'miso.dx.rt_expost_lmp_5min',
      'miso.dx.rt_expost_lmp_final',
      'miso.rt_lmp_final',
      'miso.rt_lmp_prelim',
    ] satisfies SourceId[])
    for (const [id, definition] of Object.entries(SOURCES))
      expect(id.startsWith(`${definition.market.toLowerCase()}.`)).toBe(true)
  })
})
