import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * The LCFS samples kept in this package (`fixtures/environmental/`, built from CARB's documented
 * layout, not served; see its README.md), resolved through the package's `./fixtures/*` export
 * like ../../fixtures.ts does (the module may be bundled elsewhere).
 */
export const ENVIRONMENTAL_FIXTURE_DIR: URL = new URL(
  './',
  pathToFileURL(createRequire(import.meta.url).resolve('@carbon/connectors/fixtures/environmental/README.md')),
)

export { CARB_LCFS_SAMPLE_FIXTURE } from './sample.ts'
export { CARB_LCFS_MONTHLY_SAMPLE_FIXTURE } from './monthly-sample.ts'
