/**
 * @carbon/connectors: publisher formats -> canonical price records. This is the parse half;
 * each parser is a pure function of a file's text (fetching and scheduling live elsewhere).
 */
export { ParseError, type ParseIssue } from './errors.ts'
export type { CatalogueNode, ParseResult, Parser } from './types.ts'
export { SOURCES, type SourceDefinition, type SourceId } from './sources.ts'
export { FIXTURE_DIR, FIXTURE_FILES } from './fixtures.ts'
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
