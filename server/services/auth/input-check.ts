import { AppError } from '../../errors.ts'

/**
 * The first check of every data request's input, before anything reads it (a store, a log line,
 * the audit row): no control characters in any string (NUL would make PostgreSQL refuse the audit
 * row, so a request could leave no trace), and no date outside a sane range (year 0 or 275760
 * parse as ISO 8601 but no store takes them). Tab, line feed and carriage return stay allowed:
 * pasted CSV quotes carry them.
 */

/** Dates a request may name: markets and curves of this platform live inside these years. */
export const MIN_INPUT_YEAR = 1990
export const MAX_INPUT_YEAR = 2100
const MAX_DEPTH = 8

// C0 controls except \t \n \r, DEL, C1 controls, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/
/** An ISO 8601 date or date-time at the start of a string, with an optional expanded (+/-YYYYYY) year. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g')
const ISO_DATE = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:$|[T ])/

export type InputProblem = { field: string; message: string }

function describeControl(text: string): string {
  const char = CONTROL.exec(text)?.[0] ?? ''
  return `contains the control character U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
}

function checkString(field: string, text: string): InputProblem | null {
  if (CONTROL.test(text)) return { field, message: describeControl(text) }
  if (LONE_SURROGATE.test(text)) return { field, message: 'is not well-formed Unicode (a lone surrogate)' }
  const date = ISO_DATE.exec(text)
  if (date) {
    const year = Number(date[1])
    if (year < MIN_INPUT_YEAR || year > MAX_INPUT_YEAR) {
      return { field, message: `date ${text.slice(0, 40)} is outside ${MIN_INPUT_YEAR}..${MAX_INPUT_YEAR}` }
    }
  }
  return null
}

/**
 * The first unsafe value in `input` (any depth of objects and arrays, keys included), with the
 * dotted path of its field, or null. Deeper than MAX_DEPTH is itself a problem.
 */
export function findUnsafeInput(input: unknown, field = '', depth = 0): InputProblem | null {
  const name = field || 'input'
  if (typeof input === 'string') return checkString(name, input)
  if (input === null || typeof input !== 'object') return null
  if (depth >= MAX_DEPTH) return { field: name, message: `nested deeper than ${MAX_DEPTH} levels` }
  const entries: [string, unknown][] = Array.isArray(input)
    ? input.map((v, i) => [String(i), v])
    : Object.entries(input as Record<string, unknown>)
  for (const [key, value] of entries) {
    const path = field ? `${field}.${key}` : key
    if (CONTROL.test(key)) return { field: path.replace(CONTROL, '?'), message: 'field name ' + describeControl(key) }
    const problem = findUnsafeInput(value, path, depth + 1)
    if (problem) return problem
  }
  return null
}

/** The BAD_REQUEST for an unsafe input, its message naming the field ("q: contains the control character U+0000"). */
export function unsafeInputError(problem: InputProblem): AppError {
  const message = `${problem.field}: ${problem.message}`
  return AppError.badRequest(message, { field: problem.field, issues: [{ path: problem.field, message: problem.message }] })
}

/** Throws the BAD_REQUEST of the first unsafe value of `input`. */
export function assertSafeInput(input: unknown): void {
  const problem = findUnsafeInput(input)
  if (problem) throw unsafeInputError(problem)
}

/**
 * Text any store takes, for a log or the audit row: control characters (NUL included) removed,
 * lone surrogates replaced by U+FFFD (jsonb refuses their escapes).
 */
export function storableText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g, '').replace(LONE_SURROGATES, '\uFFFD')
}
