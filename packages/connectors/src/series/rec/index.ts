export { REC_SERIES_SOURCES, type RecSeriesSourceId } from './sources.ts'
export {
  parseRecPricesCsv,
  recSeriesId,
  REC_PRICES_CSV_SOURCE,
  REC_PRICES_CSV_HEADER,
  REC_CLASSES,
  REC_JURISDICTIONS,
  MAX_FORWARD_VINTAGE_YEARS,
  type RecClass,
} from './rec-prices-csv.ts'
export { REC_FIXTURE_DIR, REC_PRICES_SAMPLE_FIXTURE } from './fixtures.ts'
