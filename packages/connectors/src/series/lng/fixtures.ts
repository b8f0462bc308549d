import { fixtureDir } from '../../fixtures.ts'

/**
 * The EIA LNG bullet fragments kept in this package (`fixtures/lng/`, byte for byte as served;
 * see its README.md), resolved through the package's `./fixtures/*` export like
 * ../../fixtures.ts does (the module may be bundled elsewhere).
 */
export const LNG_FIXTURE_DIR: URL = fixtureDir('lng')

/** Week ending 2026-09-23: TTF 25.15 ($2.11 lower), JKM 26.41 (97 cents higher). */
export const WNGSR_LNG_FIXTURE_0923 = 'eia_wngsr_supplement_bullets_lng_2_2026-09-24.html'
/** Week ending 2026-08-05 (Internet Archive capture): TTF 19.14 ($1.03/MMBtu lower), JKM 21.23 ($0.37/MMBtu lower). */
export const WNGSR_LNG_FIXTURE_0805 = 'eia_wngsr_supplement_bullets_lng_2_2026-08-06.html'
