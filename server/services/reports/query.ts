import { type z } from 'zod'
import { FuelsReportParams, type ReportKind, ReportRequest, type ReportRequest as ReportRequestType } from './types.ts'

/**
 * A report request from a URL's query (`?market=MISO&date=2026-07-14`, `?market=MISO&node=INDIANA.HUB&asOf=...&compareTo=...`,
 * `?runId=...`), as the hub pages and the API routes read it. Pure.
 */

/** The query parameters each report takes, in the order the catalogue names them. */
export const REPORT_QUERY_KEYS: Record<ReportKind, readonly string[]> = {
  'market-summary': ['market', 'date'],
  curve: ['market', 'node', 'asOf', 'compareTo'],
  scenario: ['runId'],
}

export type QueryProblem = { field: string; value: string | null; message: string }

/**
 * The request, or the first problem: a parameter repeated, unknown, or refused by the report's
 * schema, named with the value given (`date: Invalid ISO date (got "2026-13-45")`).
 */
export function reportRequestFromQuery(kind: ReportKind, query: URLSearchParams): { request: ReportRequestType } | { problem: QueryProblem } {
  const read = queryParams(REPORT_QUERY_KEYS[kind], query)
  if ('problem' in read) return read
  const parsed = ReportRequest.safeParse({ kind, params: read.params })
  if (parsed.success) return { request: parsed.data }
  return { problem: schemaProblem(parsed.error.issues[0]!, read.params, 1) }
}

/** The fuels report's query parameters: only `date`. */
export const FUELS_QUERY_KEYS: readonly string[] = ['date']

/** The fuels report's parameters from a URL's query (`?date=2026-11-30`), or the first problem, as reportRequestFromQuery. */
export function fuelsParamsFromQuery(query: URLSearchParams): { params: FuelsReportParams } | { problem: QueryProblem } {
  const read = queryParams(FUELS_QUERY_KEYS, query)
  if ('problem' in read) return read
  const parsed = FuelsReportParams.safeParse(read.params)
  if (parsed.success) return { params: parsed.data }
  return { problem: schemaProblem(parsed.error.issues[0]!, read.params, 0) }
}

/** The query's values of the known keys (empty ones left out), or the first key repeated or unknown. */
function queryParams(keys: readonly string[], query: URLSearchParams): { params: Record<string, string> } | { problem: QueryProblem } {
  const params: Record<string, string> = {}
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key)
    if (!keys.includes(key)) {
      return { problem: { field: key, value: values[0] ?? null, message: `${key}: not a parameter of this report (it takes ${keys.join(', ')})` } }
    }
    if (values.length > 1) return { problem: { field: key, value: values[0] ?? null, message: `${key}: give it once (got ${values.length} values)` } }
    const value = values[0]!.trim()
    if (value === '') continue
    params[key] = key === 'market' ? value.toUpperCase() : value
  }
  return { params }
}

/** A schema's issue as a problem naming the field and the value given (`skip`: path segments before the field). */
function schemaProblem(issue: z.core.$ZodIssue, params: Record<string, string>, skip: number): QueryProblem {
  const field = issue.path.slice(skip).map(String).join('.') || 'query'
  const value = params[field] ?? null
  const shown = value === null ? ' (missing)' : ` (got ${JSON.stringify(value.slice(0, 80))})`
  return { field, value, message: `${field}: ${issueMessage(issue)}${shown}` }
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) return `must be one of ${issue.values.map(String).join(', ')}`
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required'
  if (issue.code === 'invalid_format' && issue.format === 'date') return 'a date as YYYY-MM-DD'
  return issue.message
}

/** The query string of a request (only the parameters given), for links between the HTML page and its PDF. */
export function reportQueryString(request: ReportRequestType): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(request.params)) if (typeof value === 'string') search.set(key, value)
  const text = search.toString()
  return text ? `?${text}` : ''
}
