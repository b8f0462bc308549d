import { type z } from 'zod'
import { AppError } from '../../errors.ts'

/**
 * A report's parameters checked against their schema: BAD_REQUEST naming each field and the
 * value given (`date: "2026-13-01" is not a date (YYYY-MM-DD)`), with the issues as details.
 */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const given = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>
  const issues = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    const value = issue.path.length === 1 ? given[String(issue.path[0])] : undefined
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(value).slice(0, 80)})`
    return { path, message: `${issue.message}${shown}` }
  })
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  throw AppError.badRequest(message || 'invalid report parameters', { issues })
}
