/**
 * The series datasets the ingest can fetch, by source id (docs/decisions/023): each says where
 * its publisher serves it, how a window becomes requests, when a period is out, and what a
 * not-yet-published answer looks like (see each module). The sources read from files users upload
 * (`carbon.rec_prices_csv`) or from a third party's copy (`datahub.ng.hh_spot_daily`, the
 * re-layout of EIA's daily workbook, which `eia.ng.hh_spot_daily` fetches at the source) have no
 * dataset: they are never fetched.
 */
import type { SeriesSourceId } from '../sources.ts'
import { CARB_LCFS_MONTHLY_DATASETS } from './carb-lcfs-monthly.ts'
import { CARB_LCFS_DATASETS } from './carb-lcfs.ts'
import { EIA860M_DATASETS } from './eia860m.ts'
import { EIA930_DATASETS } from './eia930.ts'
import { HENRY_HUB_DATASETS } from './henry-hub.ts'
import { ICE_GAS_DATASETS } from './ice-gas.ts'
import type { SeriesDatasetDefinition } from './types.ts'
import { WNGSR_LNG_DATASETS } from './wngsr-lng.ts'

export const SERIES_DATASETS = {
  ...HENRY_HUB_DATASETS,
  ...WNGSR_LNG_DATASETS,
  ...EIA930_DATASETS,
  ...EIA860M_DATASETS,
  ...CARB_LCFS_DATASETS,
  ...CARB_LCFS_MONTHLY_DATASETS,
  ...ICE_GAS_DATASETS,
} satisfies Partial<Record<SeriesSourceId, SeriesDatasetDefinition>>

export type SeriesDatasetId = keyof typeof SERIES_DATASETS

export const SERIES_DATASET_IDS = Object.keys(SERIES_DATASETS) as SeriesDatasetId[]

export function isSeriesDatasetId(value: string): value is SeriesDatasetId {
  return Object.hasOwn(SERIES_DATASETS, value)
}
