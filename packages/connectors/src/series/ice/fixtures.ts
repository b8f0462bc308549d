import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * The ICE next-day gas sample kept in this package (`fixtures/ice/`, built from EIA's documented
 * layout with illustrative values, not served; see its README.md), resolved through the package's
 * `./fixtures/*` export like ../../fixtures.ts does (the module may be bundled elsewhere).
 */
export const ICE_FIXTURE_DIR: URL = new URL('./', pathToFileURL(createRequire(import.meta.url).resolve('@carbon/connectors/fixtures/ice/README.md')))

export { ICE_SAMPLE_FIXTURE } from './sample.ts'
