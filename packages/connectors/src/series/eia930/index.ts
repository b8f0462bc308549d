export { EIA930_SERIES_SOURCES, type Eia930SeriesSourceId } from './sources.ts'
export { EIA930_BALANCING_AUTHORITIES, balancingAuthority, type BalancingAuthority } from './balancing-authorities.ts'
export { readEiaApiEnvelope, readEiaApiAnswer, type EiaApiAnswer, type EiaApiEnvelope, type EiaApiWarning } from './envelope.ts'
export {
  parseEia930RegionData,
  parseEia930FuelTypeData,
  eia930PeriodEndMs,
  EIA930_REGION_TYPES,
  EIA930_REGION_DATA_SOURCE,
  EIA930_FUEL_TYPE_DATA_SOURCE,
  EIA930_REGION_DATA_ROUTE,
  EIA930_FUEL_TYPE_DATA_ROUTE,
} from './rto.ts'
export { FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE, EIA930_FUEL_TYPE_DATA_FIXTURE } from './fixtures.ts'
