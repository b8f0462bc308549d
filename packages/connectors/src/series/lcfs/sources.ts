import type { SeriesSourceDefinition } from '../types.ts'
import { CARB_LCFS_WEEKLY_SOURCE, parseCarbLcfsWeekly } from './weekly.ts'

/** The LCFS series sources this package reads (printed by `npx carbon parse --help`). */
export const LCFS_SERIES_SOURCES = {
  [CARB_LCFS_WEEKLY_SOURCE]: {
    description:
      'CARB weekly LCFS credit transfer workbook (ww2.arb.ca.gov/resources/documents/weekly-lcfs-credit-transfer-activity-reports), sheet "Weekly Average Credit Price": weekly (Monday-Sunday, dated by its Monday, no clock), volume-weighted average $/MT (all and Type 1, zero-price excluded) and credits MT',
    product: 'LCFS',
    verified: 'documented',
    parse: parseCarbLcfsWeekly,
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type LcfsSeriesSourceId = keyof typeof LCFS_SERIES_SOURCES
