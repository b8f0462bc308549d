import type { NodeType, PriceRecord } from '@carbon/schemas'
import type { ParseIssue } from './errors.ts'

/** A pricing node as a publisher's file describes it (only some formats carry the node type). */
export type CatalogueNode = { name: string; type: NodeType }

/** What a parser returns: the records it could read and one issue per row it could not. */
export type ParseResult = {
  records: PriceRecord[]
  errors: ParseIssue[]
  /** The node catalogue, for formats that name each node's type (MISO market reports). */
  nodes?: CatalogueNode[]
  /**
   * Rows the publisher lists before it has priced them (an IESO real-time interval still to run, an
   * AESO hour not settled, listed with its forecast only): neither records nor issues, since
   * nothing is wrong with them; a later answer carries their prices.
   */
  pending?: number
}

/** A parser: pure, from the file's text (and its name, for issues and errors) to records. */
export type Parser = (text: string, file: string) => ParseResult
