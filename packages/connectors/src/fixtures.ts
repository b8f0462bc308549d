import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { SourceId } from './sources.ts'

/**
 * The real publisher files kept in this package (`fixtures/iso/`, byte for byte as published,
 * see its README.md), each with the source that reads it. Tests and the demo data use them.
 * The folder is resolved through the package's `./fixtures/*` export, not relative to this
 * module: the hub's server build and the compiled CLI bundle this module elsewhere.
 */
export const FIXTURE_DIR = fixtureDir('iso')

export type FixtureFolder = 'iso' | 'eia' | 'gas' | 'lng' | 'fundamentals' | 'rec' | 'environmental' | 'ice'

/** `fixtures/<folder>/` of this package as a file URL ending in a slash (each folder has a README.md or PROVENANCE.md). */
export function fixtureDir(folder: FixtureFolder): URL {
  const marker = folder === 'eia' ? 'PROVENANCE.md' : 'README.md'
  const file = createRequire(import.meta.url).resolve(`@carbon/connectors/fixtures/${folder}/${marker}`)
  return new URL('./', pathToFileURL(file))
}

export const FIXTURE_FILES: readonly { name: string; source: SourceId }[] = [
  { name: 'miso_da_expost_lmp_20260714_hubs.csv', source: 'miso.da_expost_lmp' },
  { name: 'miso_rt_lmp_final_20260926_hubs_interfaces.csv', source: 'miso.rt_lmp_final' },
  { name: 'miso_public_api_GetRealTimeFiveMinExPost_Current_20261002_EXCERPT.json', source: 'miso.api.rt5_expost' },
  { name: 'miso_public_api_GetExAnteLmp_20261002.json', source: 'miso.api.exante' },
  { name: 'caiso_oasis_PRC_LMP_DAM_TH_SP15_20260714_EXCERPT.csv', source: 'caiso.oasis.prc_lmp' },
]

/**
 * The publisher files of the markets added after the pilot (`fixtures/iso/<market>/`, each folder
 * with a README.md saying where every file comes from and what to assert): `served` files are the
 * publishers' bytes; `documented` ones were built here from the publisher's documented layout
 * where no served file could be found (AESO, ISO-NE, IESO and NYISO real time, PJM's full rows,
 * SPP's older layout, the clock-change days). Names are relative to `fixtures/iso/`; zips are
 * read through unpackPayload. The demo loads only FIXTURE_FILES.
 */
export type MarketFixture = { name: string; source: SourceId; bytes: 'served' | 'documented' }

export const MARKET_FIXTURE_FILES: readonly MarketFixture[] = [
  { name: 'pjm/pjm_dataminer2_da_hrl_lmps_type-ZONE_20260609.json', source: 'pjm.da_hrl_lmps', bytes: 'served' },
  { name: 'pjm/pjm_dataminer2_rt_unverified_fivemin_lmps_zones_20260610_1440-1515EPT.json', source: 'pjm.rt_unverified_fivemin_lmps', bytes: 'served' },
  { name: 'pjm/pjm_dataminer2_da_hrl_lmps_20260609_DOCUMENTED_LAYOUT.json', source: 'pjm.da_hrl_lmps', bytes: 'documented' },
  { name: 'pjm/pjm_dataminer2_rt_hrl_lmps_20260610_DOCUMENTED_LAYOUT.json', source: 'pjm.rt_hrl_lmps', bytes: 'documented' },
  { name: 'pjm/pjm_dataminer2_rt_fivemin_hrl_lmps_20260610_page1_DOCUMENTED_LAYOUT.json', source: 'pjm.rt_fivemin_hrl_lmps', bytes: 'documented' },
  { name: 'ercot/ercot_np4-190_dam_spp_20260612_DAMSPNP4190_csv.zip', source: 'ercot.dam_spp', bytes: 'served' },
  { name: 'ercot/ercot_np4-190_dam_spp_20260612_EXCERPT_hubs_loadzones.csv', source: 'ercot.dam_spp', bytes: 'served' },
  { name: 'ercot/ercot_np6-905_rt_spp_20260611_1330_SPPHLZNP6905_csv.zip', source: 'ercot.rt_spp', bytes: 'served' },
  { name: 'ercot/ercot_np6-905_rt_spp_20260611_HE14_int2.csv', source: 'ercot.rt_spp', bytes: 'served' },
  { name: 'ercot/ercot_np4-190_dam_spp_20251102_fall_back_DOCUMENTED_LAYOUT.csv', source: 'ercot.dam_spp', bytes: 'documented' },
  { name: 'spp/spp_da_lmp_sl_20260923_9col_REDUCED_hubs.csv', source: 'spp.da_lmp_sl', bytes: 'served' },
  { name: 'spp/spp_rtbm_lmp_sl_202503310840.csv', source: 'spp.rtbm_lmp_sl', bytes: 'served' },
  { name: 'spp/spp_da_lmp_sl_20251102_8col_DOCUMENTED_LAYOUT.csv', source: 'spp.da_lmp_sl', bytes: 'documented' },
  { name: 'spp/spp_da_lmp_sl_20260308_8col_DOCUMENTED_LAYOUT.csv', source: 'spp.da_lmp_sl', bytes: 'documented' },
  { name: 'spp/spp_rtbm_lmp_sl_202609231200_9col_DOCUMENTED_LAYOUT.csv', source: 'spp.rtbm_lmp_sl', bytes: 'documented' },
  { name: 'nyiso/nyiso_damlbmp_zone_20260923.csv', source: 'nyiso.damlbmp_zone', bytes: 'served' },
  { name: 'nyiso/20260923realtime_zone_DOCUMENTED_LAYOUT.csv', source: 'nyiso.realtime_zone', bytes: 'documented' },
  { name: 'nyiso/20261101realtime_zone_fall-back_DOCUMENTED_LAYOUT.csv', source: 'nyiso.realtime_zone', bytes: 'documented' },
  { name: 'isone/isone_ws_hourlylmp_da_final_day_20260923_loc4000.json', source: 'isone.ws.da_hourly_lmp', bytes: 'served' },
  { name: 'isone/isone_ws_hourlylmp_rt_final_day_20261101_loc4000_DOCUMENTED_LAYOUT.json', source: 'isone.ws.rt_hourly_lmp', bytes: 'documented' },
  { name: 'isone/isone_WW_DALMP_ISO_20261101_DOCUMENTED_LAYOUT.csv', source: 'isone.csv.da_lmp', bytes: 'documented' },
  { name: 'ieso/ieso_PUB_DAHourlyOntarioZonalPrice_20260528.xml', source: 'ieso.da_ontario_zonal', bytes: 'served' },
  { name: 'ieso/ieso_PUB_RealtimeOntarioZonalPrice_2026082518_r2_DOCUMENTED_LAYOUT.xml', source: 'ieso.rt_ontario_zonal', bytes: 'documented' },
  { name: 'ieso/ieso_PUB_RealtimeOntarioZonalPrice_2025082001_r1_DOCUMENTED_LAYOUT.xml', source: 'ieso.rt_ontario_zonal', bytes: 'documented' },
  { name: 'aeso/aeso_poolprice_api_v1.1_20261101_DOCUMENTED_LAYOUT.json', source: 'aeso.pool_price', bytes: 'documented' },
]

