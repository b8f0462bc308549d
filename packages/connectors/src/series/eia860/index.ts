export {
  parseEia860mGenerators,
  eia860mFileMonth,
  statusCode,
  technologyFuel,
  isCombinedCycle,
  technologyKey,
  capacitySeriesId,
  CAPACITY_FUELS,
  type CapacityFuel,
  type Eia860mParseResult,
  EIA860M_GENERATORS_SOURCE,
  EIA860M_OPERATING_SHEET,
  EIA860M_HEADINGS,
  EIA860M_OPERABLE_STATUSES,
  EIA860M_TECHNOLOGY_FUELS,
} from './generators.ts'
export { EIA860_SERIES_SOURCES, type Eia860SeriesSourceId } from './sources.ts'
export { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE } from './fixtures.ts'
// The sample's builders, for workbooks of other generators in the same layout (the demo's inventory: packages/demo-data/src/capacity.ts).
export { eia860mOperatingCells, EIA860M_SAMPLE_GENERATORS, EIA860M_SAMPLE_HEADINGS, type Eia860mSampleGenerator } from './sample.ts'
