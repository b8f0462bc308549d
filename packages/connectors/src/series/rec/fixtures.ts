import { fixtureDir } from '../../fixtures.ts'

/**
 * The REC price sample kept in this package (`fixtures/rec/`, our own layout with sample values;
 * see its README.md), resolved through the package's `./fixtures/*` export like
 * ../../fixtures.ts does (the module may be bundled elsewhere).
 */
export const REC_FIXTURE_DIR: URL = fixtureDir('rec')

/** 23 quotes on 2026-09-01, 2026-09-15 and 2026-10-01: NJ SOLAR/TREC/CLASS_I, MA CLASS_I, PA TIER_1/SOLAR, TX GENERAL, CA PCC1. */
export const REC_PRICES_SAMPLE_FIXTURE = 'carbon_rec_prices_SAMPLE_20260901-20261001.csv'
