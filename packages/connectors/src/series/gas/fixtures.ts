import { fixtureDir } from '../../fixtures.ts'

/**
 * The gas files kept in this package (`fixtures/gas/`, see its README.md), resolved through the
 * package's `./fixtures/*` export like ../../fixtures.ts (the CLI bundle moves this module). EIA's
 * monthly Henry Hub workbook stays in `fixtures/eia/` (EIA_FIXTURE_DIR), where it already was.
 */
export const GAS_FIXTURE_DIR: URL = fixtureDir('gas')
/** `datasets/natural-gas` data/daily.csv cut to 2024-01-02..2024-06-28 (derived from EIA RNGWHHDd.xls). */
export const DATAHUB_HENRY_HUB_DAILY_FIXTURE = 'henry_hub_spot_daily_2024H1_datasets-natural-gas_EXCERPT.csv'

/** EIA RNGWHHDd.xls laid out as documented, holding the CSV fixture's rows (built here, not served). */
export const EIA_HENRY_HUB_DAILY_FIXTURE = 'eia_RNGWHHDd_henry_hub_spot_daily_2024H1_DOCUMENTED_LAYOUT.xls'
