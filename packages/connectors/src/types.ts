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
}

/** A parser: pure, from the file's text (and its name, for issues and errors) to records. */
export type Parser = (text: string, file: string) => ParseResult
