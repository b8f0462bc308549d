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

/** `fixtures/<folder>/` of this package as a file URL ending in a slash (each folder has a README.md or PROVENANCE.md). */
export function fixtureDir(folder: 'iso' | 'eia'): URL {
  const marker = folder === 'iso' ? 'README.md' : 'PROVENANCE.md'
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
