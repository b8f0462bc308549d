/**
 * @carbon/connectors: publisher formats -> canonical price records. The parse half: each parser
 * is a pure function of a file's text. The fetch half (`fetch/`): where each dataset lives, how a
 * window becomes requests, and a polite, retrying HTTP client. Scheduling and stores live in the
 * server (server/services/ingest).
 */
export { ParseError, type ParseIssue } from './errors.ts'
export type { CatalogueNode, ParseResult, Parser } from './types.ts'
export { SOURCES, type SourceDefinition, type SourceId } from './sources.ts'
export { inferNodeType } from './node-types.ts'
export { FIXTURE_DIR, FIXTURE_FILES, MARKET_FIXTURE_FILES, type MarketFixture } from './fixtures.ts'
export { parseMisoMarketReport, MISO_NODE_TYPES, type MisoReport, type MisoReportResult } from './parsers/miso-market-report.ts'
export { parseMisoRt5ExPost, misoNaiveTimeMs } from './parsers/miso-api-rt5-expost.ts'
export { parseMisoExAnte, misoRefIdStartMs } from './parsers/miso-api-exante.ts'
export {
  parseCaisoOasis,
  parseCaisoPrcLmp,
  parseCaisoPrcIntvlLmp,
  parseCaisoPrcRtpdLmp,
  CAISO_QUERIES,
  type CaisoQuery,
} from './parsers/caiso-oasis.ts'
export { unpackPayload, type PayloadDocument } from './payload.ts'
export { PJM_FEEDS, PJM_NODE_TYPES, readPjmPage, type PjmFeed } from './parsers/pjm.ts'
export { NYISO_ZONE_HEADER, NYISO_NODE_TYPES } from './parsers/nyiso.ts'
export * from './fetch/index.ts'
export {
  parseMisoDx,
  readMisoDxPage,
  misoDxTimeMs,
  MISO_DX_ENDPOINTS,
  type MisoDxDataset,
  type MisoDxEndpoint,
  type MisoDxPage,
  type MisoDxPageInfo,
} from './parsers/miso-dx.ts'
export { MISO_DX_DATASETS, MISO_DX_KEY_HEADER, MISO_DX_RATE_GROUP, type MisoDxSourceId } from './fetch/miso-dx.ts'
export * from './eia/index.ts'
export * from './series/index.ts'
export * from './xlsx/index.ts'
