export { LNG_SERIES_SOURCES, type LngSeriesSourceId } from './sources.ts'
export {
  parseWngsrLngPrices,
  fetchDateOfName,
  weekEndingBefore,
  readChange,
  LNG_BENCHMARKS,
  MAX_REPORT_AGE_DAYS,
  WNGSR_LNG_SOURCE,
  WNGSR_LNG_URL,
  type LngBenchmark,
} from './wngsr-lng.ts'
export { LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923, WNGSR_LNG_FIXTURE_0805 } from './fixtures.ts'
