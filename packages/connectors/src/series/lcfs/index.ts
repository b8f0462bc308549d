export { LCFS_SERIES_SOURCES, type LcfsSeriesSourceId } from './sources.ts'
export {
  parseCarbLcfsWeekly,
  CARB_LCFS_WEEKLY_SOURCE,
  CARB_LCFS_WEEKLY_SHEET,
  CARB_LCFS_WEEKLY_HEADINGS,
  LCFS_CREDIT_SERIES,
  LCFS_CREDIT_TYPE1_SERIES,
} from './weekly.ts'
export { ENVIRONMENTAL_FIXTURE_DIR, CARB_LCFS_SAMPLE_FIXTURE } from './fixtures.ts'
