import type { ProductId, SeriesRecord } from '@carbon/schemas'
import type { ParseIssue } from '../errors.ts'

/** What a series reader returns: the records it could read and one issue per row it could not. */
export type SeriesParseResult = {
  records: SeriesRecord[]
  errors: ParseIssue[]
}

/**
 * A series reader: pure, from the file's bytes (workbooks are binary; text readers decode with
 * `textOf`) and its name (for issues and errors) to records. A file that is unusable as a whole
 * throws the package's ParseError naming file, line (or sheet row), field and value.
 */
export type SeriesParser = (bytes: Uint8Array, file: string) => SeriesParseResult

/**
 * How a format was checked: `served` against the publisher's own bytes, `derived` against a copy
 * a third party made of them (a documented re-layout), `documented` against a sample built from
 * the publisher's documented layout only (no served file was found).
 */
export type Verification = 'served' | 'derived' | 'documented'

/** A series source this package can read: what it is, its product, how it was verified, its reader. */
export type SeriesSourceDefinition = {
  description: string
  product: ProductId
  verified: Verification
  parse: SeriesParser
  /**
   * Set when one file holds GRID series of every market (EIA-860M's national inventory): the
   * ingest then takes each record under its own market whatever key the file is filed under.
   * Otherwise a record of another key than the file's is refused (dead-lettered).
   */
  spansMarkets?: true
  /**
   * Set when every file is the whole inventory as of its period (EIA-860M): a series absent from
   * the newest period has ended (nothing of it is left); data health does not call it late.
   */
  inventory?: true
}
