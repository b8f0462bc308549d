/**
 * Diagnostics of the scenario language: every problem of a file, each with its place in two forms,
 * 1-based line/column for people and 0-based character offsets for the editor.
 */

/** Where a token sits in a file. `endLine`/`endCol` and `to` are exclusive (just after the token). */
export type Span = {
  line: number
  col: number
  endLine: number
  endCol: number
  /** 0-based offset of the first character in the whole text. */
  from: number
  /** 0-based offset just after the last character. */
  to: number
}

export type Diagnostic = Span & {
  file: string
  /** The token the problem is about, as written ('' at the end of a line or of the file). */
  token: string
  /** What is wrong and what was expected, with "did you mean X?" when a close match exists. */
  message: string
  /** The replacement the message proposes, when there is one. */
  suggestion?: string
  severity: 'error'
}

/** `file:line:col: message`, the form of the command line and of logs. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`
}

/**
 * A diagnostic at `span`; `suggestion` is appended to the message as "; did you mean X?" unless
 * `hint` is false (the message already says what to write).
 */
export function diagnosticAt(file: string, span: Span, token: string, message: string, suggestion?: string, hint = true): Diagnostic {
  const text = suggestion === undefined || !hint ? message : `${message}; did you mean ${suggestion}?`
  const d: Diagnostic = { file, ...pickSpan(span), token, message: text, severity: 'error' }
  if (suggestion !== undefined) d.suggestion = suggestion
  return d
}

/** Only the span fields of a token or a statement (so nothing else leaks into a diagnostic). */
export function pickSpan(span: Span): Span {
  return { line: span.line, col: span.col, endLine: span.endLine, endCol: span.endCol, from: span.from, to: span.to }
}

/** Diagnostics in file, then text order. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.from - b.from || a.to - b.to))
}
