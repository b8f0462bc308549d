export { GAS_SERIES_SOURCES, type GasSeriesSourceId } from './sources.ts'
export { GAS_HUBS, REFERENCE_HUB, gasHub, type GasHub } from './hubs.ts'
export {
  parseEiaHenryHubMonthly,
  parseEiaHenryHubDaily,
  parseDatahubHenryHubDaily,
  EIA_HH_MONTHLY_SOURCE,
  EIA_HH_DAILY_SOURCE,
  DATAHUB_HH_DAILY_SOURCE,
  DATAHUB_DAILY_HEADER,
} from './henry-hub.ts'
export { GAS_FIXTURE_DIR, DATAHUB_HENRY_HUB_DAILY_FIXTURE, EIA_HENRY_HUB_DAILY_FIXTURE } from './fixtures.ts'
