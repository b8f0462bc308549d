import { fixtureDir } from '../fixtures.ts'

/**
 * The EIA publisher files kept in this package (`fixtures/eia/`, byte for byte as published; see
 * its PROVENANCE.md). Resolved like ../fixtures.ts.
 */
export const EIA_FIXTURE_DIR = fixtureDir('eia')

/** EIA RNGWHHDm.xls, release 2026-08-19: Henry Hub spot, monthly, 1997-01..2026-07. */
export const HENRY_HUB_MONTHLY_FIXTURE = 'eia_RNGWHHDm_henry_hub_spot_monthly.xls'
