import { fixtureDir } from '../../fixtures.ts'

/**
 * The EIA API v2 answers kept in this package (`fixtures/fundamentals/`, the publisher's bodies
 * with the requester's API key redacted; see its README.md), resolved through the package's
 * `./fixtures/*` export like ../../fixtures.ts does (the module may be bundled elsewhere).
 */
export const FUNDAMENTALS_FIXTURE_DIR: URL = fixtureDir('fundamentals')

/** PACW demand (type D), 169 hours 2023-01-01T00..2023-01-08T00: 2455, 2401 (01-04T12), 2577 (01-08T00). */
export const EIA930_REGION_DATA_FIXTURE = 'eia_api_v2_electricity_rto_region-data_PACW_D_hourly_2023-01-01_2023-01-08.json'
/** PACW net generation by energy source (NG, OTH, SUN, WAT, WND), 845 rows over the same hours. */
export const EIA930_FUEL_TYPE_DATA_FIXTURE = 'eia_api_v2_electricity_rto_fuel-type-data_PACW_hourly_2023-01-01_2023-01-08.json'
