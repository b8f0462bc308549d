export {
  parseEia860mGenerators,
  eia860mFileMonth,
  statusCode,
  Eia860mCapacity,
  type Eia860mParseResult,
  EIA860M_GENERATORS_SOURCE,
  EIA860M_OPERATING_SHEET,
  EIA860M_HEADINGS,
  EIA860M_OPERABLE_STATUSES,
} from './generators.ts'
export { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE } from './fixtures.ts'
