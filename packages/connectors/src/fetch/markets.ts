/**
 * The datasets of the markets added after the pilot (one module per publisher: pjm.ts, ercot.ts,
 * spp.ts, nyiso.ts, isone.ts, ieso.ts, aeso.ts), and the spacing their publishers ask for.
 */
import { AESO_DATASETS, AESO_MIN_SPACING_MS } from './aeso.ts'
import { ERCOT_DATASETS, ERCOT_MIN_SPACING_MS } from './ercot.ts'
import { IESO_DATASETS, IESO_MIN_SPACING_MS } from './ieso.ts'
import { ISONE_DATASETS, ISONE_MIN_SPACING_MS } from './isone.ts'
import { NYISO_DATASETS, NYISO_MIN_SPACING_MS } from './nyiso.ts'
import { PJM_DATASETS, PJM_MIN_SPACING_MS } from './pjm.ts'
import { SPP_DATASETS, SPP_MIN_SPACING_MS } from './spp.ts'
import type { DatasetDefinition } from './types.ts'

export const MARKET_DATASETS = {
  ...PJM_DATASETS,
  ...ERCOT_DATASETS,
  ...SPP_DATASETS,
  ...NYISO_DATASETS,
  ...ISONE_DATASETS,
  ...IESO_DATASETS,
  ...AESO_DATASETS,
} as const satisfies Readonly<Record<string, DatasetDefinition>>

export type MarketDatasetId = keyof typeof MARKET_DATASETS

/** Minimum spacing between request starts per rate group of those publishers (PJM: 6 requests a minute for non-members). */
export const MARKET_MIN_SPACING_MS: Readonly<Record<string, number>> = {
  ...PJM_MIN_SPACING_MS,
  ...ERCOT_MIN_SPACING_MS,
  ...SPP_MIN_SPACING_MS,
  ...NYISO_MIN_SPACING_MS,
  ...ISONE_MIN_SPACING_MS,
  ...IESO_MIN_SPACING_MS,
  ...AESO_MIN_SPACING_MS,
}
