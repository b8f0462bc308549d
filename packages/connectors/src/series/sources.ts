import { EIA860_SERIES_SOURCES } from './eia860/sources.ts'
import { EIA930_SERIES_SOURCES } from './eia930/sources.ts'
import { GAS_SERIES_SOURCES } from './gas/sources.ts'
import { ICE_SERIES_SOURCES } from './ice/sources.ts'
import { LCFS_SERIES_SOURCES } from './lcfs/sources.ts'
import { LNG_SERIES_SOURCES } from './lng/sources.ts'
import { REC_SERIES_SOURCES } from './rec/sources.ts'
import type { SeriesSourceDefinition } from './types.ts'

/**
 * Every series source by id (docs/decisions/023). The id is also the `source` of the records its
 * reader makes. `verified` says what each format was checked against: the publisher's bytes, a
 * third party's documented copy, or the publisher's documentation only.
 */
export const SERIES_SOURCES = {
  ...GAS_SERIES_SOURCES,
  ...ICE_SERIES_SOURCES,
  ...LNG_SERIES_SOURCES,
  ...EIA930_SERIES_SOURCES,
  ...EIA860_SERIES_SOURCES,
  ...LCFS_SERIES_SOURCES,
  ...REC_SERIES_SOURCES,
} as const satisfies Record<string, SeriesSourceDefinition>

export type SeriesSourceId = keyof typeof SERIES_SOURCES

export function isSeriesSourceId(value: string): value is SeriesSourceId {
  return Object.hasOwn(SERIES_SOURCES, value)
}
