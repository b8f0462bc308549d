import { readdirSync, readFileSync } from 'node:fs'
import { MarketId, PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { FIXTURE_DIR, FIXTURE_FILES, MARKET_FIXTURE_FILES } from './fixtures.ts'
import { unpackPayload } from './payload.ts'
import { SOURCES, type SourceId } from './sources.ts'
import { readFixture } from './test-helpers.ts'

/** Every record of `name` (a zip read entry by entry) through its source's parser, with the issues. */
function parseFixture(name: string, source: SourceId) {
  const documents = unpackPayload(new Uint8Array(readFileSync(new URL(name, FIXTURE_DIR))), name)
  const results = documents.map((d) => SOURCES[source].parse(d.text, d.file))
  return { records: results.flatMap((r) => r.records), errors: results.flatMap((r) => r.errors) }
}

/** Files of the market folders that are not price files: the fetch half's inputs. */
const NOT_PRICE_FILES = new Set(['ercot/ercot_mis_IceDocListJsonWS_reportTypeId12331_20260611.json'])

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

  it.each(MARKET_FIXTURE_FILES.map((f) => [f.source, f.name, f.bytes] as const))('%s reads %s (%s)', (source, name, bytes) => {
    const definition = SOURCES[source]
    const { records, errors } = parseFixture(name, source)
    // Served files parse without a single issue; built samples may hold a row that must be refused (their README says which).
    if (bytes === 'served') expect(errors).toEqual([])
    expect(errors.length).toBeLessThan(records.length)
    for (const record of records) {
      expect(PriceRecord.parse(record)).toEqual(record)
      expect(record).toMatchObject({ source, market: definition.market, run: definition.run })
    }
  })

  it('lists every file of the market folders, and a served file for every market added after the pilot', () => {
    const listed = new Set(MARKET_FIXTURE_FILES.map((f) => f.name))
    const folders = ['pjm', 'ercot', 'spp', 'nyiso', 'isone', 'ieso', 'aeso']
    const onDisk = folders.flatMap((folder) => readdirSync(new URL(`${folder}/`, FIXTURE_DIR)).filter((f) => f !== 'README.md').map((f) => `${folder}/${f}`))
    expect(onDisk.filter((name) => !listed.has(name) && !NOT_PRICE_FILES.has(name))).toEqual([])
    const served = new Set(MARKET_FIXTURE_FILES.filter((f) => f.bytes === 'served').map((f) => SOURCES[f.source].market))
    // No served AESO file exists anywhere (fixtures/iso/aeso/README.md).
    expect([...served].sort()).toEqual(['ERCOT', 'IESO', 'ISONE', 'NYISO', 'PJM', 'SPP'])
  })

  it('has a source for every market', () => {
    const markets = new Set(Object.values(SOURCES).map((s) => s.market))
    expect([...markets].sort()).toEqual([...MarketId.options].sort())
  })

  it('has the documented ids, each a market prefix', () => {
    expect(Object.keys(SOURCES).sort()).toEqual([
      'aeso.pool_price',
      'caiso.oasis.prc_intvl_lmp',
      'caiso.oasis.prc_lmp',
      'caiso.oasis.prc_rtpd_lmp',
      'ercot.dam_spp',
      'ercot.rt_spp',
      'ieso.da_ontario_zonal',
      'ieso.rt_ontario_zonal',
      'isone.csv.da_lmp',
      'isone.ws.da_hourly_lmp',
      'isone.ws.rt_hourly_lmp',
      'miso.api.exante',
      'miso.api.rt5_expost',
      'miso.da_expost_lmp',
      'miso.dx.da_expost_lmp',
      'miso.dx.rt_expost_lmp_5min',
      'miso.dx.rt_expost_lmp_final',
      'miso.rt_lmp_final',
      'miso.rt_lmp_prelim',
      'nyiso.damlbmp_zone',
      'nyiso.realtime_zone',
      'pjm.da_hrl_lmps',
      'pjm.rt_fivemin_hrl_lmps',
      'pjm.rt_hrl_lmps',
      'pjm.rt_unverified_fivemin_lmps',
      'spp.da_lmp_sl',
      'spp.rtbm_lmp_sl',
    ] satisfies SourceId[])
    for (const [id, definition] of Object.entries(SOURCES))
      expect(id.startsWith(`${definition.market.toLowerCase()}.`)).toBe(true)
  })
})
