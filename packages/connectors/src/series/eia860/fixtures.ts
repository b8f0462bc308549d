import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * The EIA-860M sample kept in this package (`fixtures/eia860/`, built from EIA's documented
 * layout, not served; see its README.md), resolved through the package's `./fixtures/*` export
 * like ../lcfs/fixtures.ts does (the module may be bundled elsewhere).
 */
export const EIA860_FIXTURE_DIR: URL = new URL('./', pathToFileURL(createRequire(import.meta.url).resolve('@carbon/connectors/fixtures/eia860/README.md')))

export { EIA860M_SAMPLE_FIXTURE } from './sample.ts'
