/**
 * @carbon/simulator: a local HTTP server answering on MISO's and CAISO's own URL shapes, with
 * the recorded fixture files on their dates and full-size generated files (about 2,600 MISO and
 * 4,000 CAISO nodes, every interval) for any other date, on the publishers' schedule, with
 * failures on demand; MISO's keyed Data Exchange pricing API under /dx/pricing/v1; the series
 * publishers (EIA's files and API, CARB) under /eia, /eia-api and /carb. The embedded default, the
 * tests and the benchmarks fetch from it.
 */
export {
  createPublisherSimulator,
  OASIS_ALL_NODES_MAX_WINDOW_MS,
  OASIS_MAX_WINDOW_MS,
  type OasisOptions,
  type PublisherSimulator,
  type PublisherSimulatorOptions,
  type RequestLogEntry,
  type ThrottleMode,
  type ThrottleOptions,
} from './server.ts'
export {
  caisoCatalogue,
  type Catalogue,
  DEFAULT_CAISO_NODE_COUNT,
  DEFAULT_MISO_NODE_COUNT,
  laterCatalogue,
  MISO_EXANTE_HUBS,
  misoCatalogue,
  modelMarket,
  type SimNode,
} from './catalogue.ts'
export { type Components, LEVEL, newComponents, PriceModel, type PriceModelOptions, type SimRun, UNIT } from './prices.ts'
export { MARKET_ROUTES } from './markets/index.ts'
export { createPjmRoutes, PJM_FULL_NODE_COUNT } from './markets/pjm.ts'
export { createErcotRoutes } from './markets/ercot.ts'
export { createSppRoutes } from './markets/spp.ts'
export { createNyisoRoutes } from './markets/nyiso.ts'
export { createIsoneRoutes } from './markets/isone.ts'
export { createIesoRoutes } from './markets/ieso.ts'
export { createAesoRoutes } from './markets/aeso.ts'
export type { MarketRoute, SimAnswer, SimContext, SimRequest } from './markets/types.ts'
export { createSeriesRoutes, type EiaApiOptions, type SeriesRoute, type SeriesRoutesOptions } from './series/index.ts'
export { eia930FuelValues, eia930Profile, eia930RegionValues, EIA930_PROFILES } from './series/eia930-model.ts'
export { DEFAULT_SCHEDULE, misoReportAvailable, misoReportPublishedAt, type PublicationSchedule } from './schedule.ts'
export { FAILURE_MODES, type FailureMode, type FailureRule, type FeedId, UNKNOWN_NODE_NAMES } from './failures.ts'
export { misoReportCsv, misoReportFileName } from './formats/miso-report.ts'
export { misoExAnteJson, misoRt5Json } from './formats/miso-api.ts'
export {
  breakDxPage,
  DEFAULT_DX_PAGE_SIZE,
  dxNumber,
  dxPaging,
  dxTime,
  type DxPageRequest,
  type DxSeries,
  type DxState,
  misoDxPage,
} from './formats/miso-dx.ts'
export { OASIS_ERRORS, OASIS_QUERIES, oasisCsv, oasisErrorXml, oasisIntervals, type OasisCsvRequest } from './formats/caiso-oasis.ts'
export type { GenerateOptions } from './formats/options.ts'
export { writeZip, zipBytes, type ByteSink, type ZipEntry } from './zip.ts'
export { oasisParam, type Ymd } from './time.ts'
