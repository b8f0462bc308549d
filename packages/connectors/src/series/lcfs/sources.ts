import type { SeriesSourceDefinition } from '../types.ts'
import { CARB_LCFS_MONTHLY_SOURCE, parseCarbLcfsMonthly } from './monthly.ts'
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
  [CARB_LCFS_MONTHLY_SOURCE]: {
    description:
      'CARB monthly LCFS credit transfer activity (ww2.arb.ca.gov/resources/documents/monthly-lcfs-credit-transfer-activity-reports), workbook sheet "Monthly Credit Transfer Activity": per calendar month the completed transfers (count), credits transferred (MT) and volume-weighted average $/MT, zero-price transfers excluded and counted apart (count, MT) where given',
    product: 'LCFS',
    verified: 'documented',
    parse: parseCarbLcfsMonthly,
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type LcfsSeriesSourceId = keyof typeof LCFS_SERIES_SOURCES
