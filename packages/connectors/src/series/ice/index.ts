export { ICE_SERIES_SOURCES, type IceSeriesSourceId } from './sources.ts'
export { parseEiaIceNextDayGas, iceHubSeriesId, EIA_ICE_NEXT_DAY_GAS_SOURCE, ICE_GAS_COLUMNS } from './next-day-gas.ts'
export { ICE_FIXTURE_DIR, ICE_SAMPLE_FIXTURE } from './fixtures.ts'
