/**
 * The envelope of an EIA Open Data API v2 data answer (`https://api.eia.gov/v2/<route>/data/`):
 *
 *   {"response":{"warnings":[{"warning":"incomplete return","description":"The API can only
 *      return 5000 rows in JSON format. ..."}],
 *     "total":"169","dateFormat":"YYYY-MM-DD\"T\"HH24","frequency":"hourly",
 *     "data":[{...}, ...],"description":"..."},
 *    "request":{"command":"/v2/electricity/rto/region-data/data/","params":{...,"offset":"5000"}},
 *    "apiVersion":"2.1.8","ExcelAddInVersion":"2.1.0"}
 *
 * `total` is the number of rows the whole query matches (a string in the answers seen, a number in
 * others); one answer holds at most `length` of them (5000 in JSON), from `offset` (echoed in
 * `request.params` when it was sent), and says so in `warnings`. A refused request is
 * `{"error":"Invalid facet ...","code":400}` (the API gateway's own refusals, a bad or missing
 * key, are `{"error":{"code":"API_KEY_INVALID","message":"..."}}`), answered with a 4xx status
 * that a fetcher may still save: either is a ParseError naming the file and EIA's text.
 */
import { ParseError } from '../../errors.ts'
import { isObject, rawText, readJson } from '../../parsers/text.ts'

/** One entry of `response.warnings`. */
export type EiaApiWarning = { warning: string; description: string }

/** What a fetcher needs to page through a query: {@link readEiaApiEnvelope}. */
export type EiaApiEnvelope = {
  /** Rows the whole query matches. */
  total: number
  /** The `offset` the request was sent with (`request.params.offset`), when it was sent. */
  offset?: number
  /** Rows in this answer (`response.data` length): the next page starts at `(offset ?? 0) + rows`. */
  rows: number
  /** How `period` is written, e.g. `YYYY-MM-DD"T"HH24`. */
  dateFormat: string
  /** e.g. `hourly` (UTC) or `local-hourly`. */
  frequency: string
  warnings: EiaApiWarning[]
}

/** The envelope and what the readers of a route need besides: the rows and the route asked. */
export type EiaApiAnswer = EiaApiEnvelope & {
  data: unknown[]
  /** `request.command`, e.g. `/v2/electricity/rto/region-data/data/`, null when absent. */
  command: string | null
}

function fail(file: string, field: string, value: unknown, reason: string): never {
  throw new ParseError({ file, line: 1, field, value: rawText(value).slice(0, 200), reason })
}

/** The text of an error answer's `error` (a string, or the gateway's `{code, message}`). */
function errorText(error: unknown): string {
  if (isObject(error)) {
    const code = typeof error.code === 'string' ? `${error.code}: ` : ''
    return typeof error.message === 'string' ? `${code}${error.message}` : rawText(error)
  }
  return rawText(error)
}

/** A count EIA may write as a number or as a string of digits; null otherwise. */
function countOf(value: unknown): number | null {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : null
}

function warningsOf(value: unknown, file: string): EiaApiWarning[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) return fail(file, 'response.warnings', value, 'expected a list of warnings')
  return value.map((entry: unknown) =>
    isObject(entry)
      ? { warning: rawText(entry.warning ?? ''), description: rawText(entry.description ?? '') }
      : { warning: rawText(entry), description: '' },
  )
}

/** `request.params.offset` as a number, undefined when the request sent none. */
function offsetOf(request: unknown, file: string): number | undefined {
  const params = isObject(request) ? request.params : undefined
  const offset = isObject(params) ? params.offset : undefined
  if (offset === undefined) return undefined
  return countOf(offset) ?? fail(file, 'request.params.offset', offset, 'not a row count')
}

function stringField(response: Record<string, unknown>, key: string, file: string): string {
  const value = response[key]
  return typeof value === 'string' ? value : fail(file, `response.${key}`, value ?? '', value === undefined ? 'missing' : 'not a string')
}

/**
 * The whole answer: envelope, rows and route. Throws a {@link ParseError} naming the file when the
 * body is empty, an HTML page, not JSON, an EIA error answer, has no `response`, or its `total`
 * is not a number, or `dateFormat`, `frequency` or `data` are missing.
 */
export function readEiaApiAnswer(text: string, file: string): EiaApiAnswer {
  const doc = readJson(text, file)
  if (!isObject(doc)) return fail(file, '(json)', doc, 'expected an EIA API answer {"response":{...}}')
  if (doc.error !== undefined) {
    const code = doc.code === undefined ? '' : ` ${rawText(doc.code)}`
    fail(file, 'error', errorText(doc.error), `EIA API error${code}: ${errorText(doc.error)}`)
  }
  const response = doc.response
  if (!isObject(response)) return fail(file, 'response', response ?? doc, 'no "response" object: not an EIA API v2 data answer')
  const total = countOf(response.total)
  if (total === null) fail(file, 'response.total', response.total ?? '', 'not a number (the count of rows the query matches)')
  const data = response.data
  if (!Array.isArray(data)) return fail(file, 'response.data', data ?? '', 'expected the list of rows')
  const offset = offsetOf(doc.request, file)
  const request = isObject(doc.request) ? doc.request : undefined
  return {
    total,
    ...(offset === undefined ? {} : { offset }),
    rows: data.length,
    dateFormat: stringField(response, 'dateFormat', file),
    frequency: stringField(response, 'frequency', file),
    warnings: warningsOf(response.warnings, file),
    data,
    command: typeof request?.command === 'string' ? request.command : null,
  }
}

/**
 * The paging facts of one EIA API v2 answer (`total`, `offset`, `rows`, `dateFormat`,
 * `frequency`, `warnings`), for the fetch half to ask for the next page (`length=5000`) until
 * `offset + rows` reaches `total`. Throws as {@link readEiaApiAnswer}.
 */
export function readEiaApiEnvelope(text: string, file: string): EiaApiEnvelope {
  const { data: _data, command: _command, ...envelope } = readEiaApiAnswer(text, file)
  return envelope
}
