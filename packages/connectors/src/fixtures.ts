import type { SourceId } from './sources.ts'

/**
 * The real publisher files kept in this package (`fixtures/iso/`, byte for byte as published,
 * see its README.md), each with the source that reads it. Tests and the demo data use them.
 * The folder is found from this module's own URL, so this works from the source tree (tsx,
 * vitest), not from a bundle that moves this module away from `fixtures/`.
 */
export const FIXTURE_DIR = new URL('../fixtures/iso/', import.meta.url)

export const FIXTURE_FILES: readonly { name: string; source: SourceId }[] = [
  { name: 'miso_da_expost_lmp_20260714_hubs.csv', source: 'miso.da_expost_lmp' },
  { name: 'miso_rt_lmp_final_20260926_hubs_interfaces.csv', source: 'miso.rt_lmp_final' },
  { name: 'miso_public_api_GetRealTimeFiveMinExPost_Current_20261002_EXCERPT.json', source: 'miso.api.rt5_expost' },
  { name: 'miso_public_api_GetExAnteLmp_20261002.json', source: 'miso.api.exante' },
  { name: 'caiso_oasis_PRC_LMP_DAM_TH_SP15_20260714_EXCERPT.csv', source: 'caiso.oasis.prc_lmp' },
]
