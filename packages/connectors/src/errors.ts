/**
 * What went wrong where, in a publisher file. `line` is 1-based: the physical line of a CSV file;
 * for JSON sources (one line on the wire) the 1-based position of the element in the file's
 * record array. `field` is the column (or JSON key) and `value` the raw text found there.
 */
export type ParseIssue = {
  file: string
  line: number
  field: string
  value: string
  reason: string
}

const MAX_VALUE_CHARS = 200

/**
 * The one error of this package: the file as a whole is unusable (empty, an HTML page, a
 * publisher error document, a changed header or preamble). A single bad row is not an error
 * but a {@link ParseIssue} next to the records that did parse.
 */
export class ParseError extends Error {
  readonly file: string
  readonly line: number
  readonly field: string
  readonly value: string
  readonly reason: string

  constructor(issue: ParseIssue) {
    const value = issue.value.length > MAX_VALUE_CHARS ? `${issue.value.slice(0, MAX_VALUE_CHARS)}...` : issue.value
    super(`${issue.file} line ${issue.line}, ${issue.field}: ${issue.reason} (found ${JSON.stringify(value)})`)
    this.name = 'ParseError'
    this.file = issue.file
    this.line = issue.line
    this.field = issue.field
    this.value = value
    this.reason = issue.reason
  }
}
