/**
 * The parser: one statement per line, every line checked on its own so that one file gives all its
 * errors at once (a line with an error is dropped and parsing goes on at the next line).
 *
 * ```
 * scenario "<name>" [extends "<parent>"]                 first statement, exactly one per file
 * set <target> = <number> <unit> [from YYYY-MM] [escalate <number> %/yr]
 * set fuel.gas = forward [from YYYY-MM]                  the run's Henry Hub forward curve: no unit, no escalate
 * build <tech> <number> MW in <market> at YYYY-MM
 * retire <tech> <number> MW in <market> at YYYY-MM
 * ```
 * The canonical form (canonical.ts) adds two things a hand-written file does not need: a header
 * `scenario "<name>" chain "<root>" ... "<name>"` (a scenario already resolved along its `extends`
 * chain) and, on statements that came from an ancestor, a trailing `by "<ancestor>"`.
 */
import {
  FORWARD_VALUE,
  MODEL_FIRST_MONTH,
  MODEL_LAST_MONTH,
  SCENARIO_MARKETS,
  TECHNOLOGIES,
  UNITS,
  type MonthKey,
  type ScenarioMarket,
  type TargetSpec,
  type Technology,
  type Unit,
} from '../types.ts'
import { diagnosticAt, type Diagnostic, type Span } from './diagnostics.ts'
import { lex, type Line, type Token } from './lexer.ts'
import { fractionFromPercent, isNumberText, parseNumberText } from './numbers.ts'
import { closest } from './suggest.ts'
import { describeRange, findTarget, FORWARD_TARGET_NAMES, inRange, misfitSegment, TARGET_NAMES } from './targets.ts'

export const STATEMENT_KEYWORDS = ['scenario', 'set', 'build', 'retire'] as const
export const CLAUSE_KEYWORDS = ['extends', 'chain', 'from', 'escalate', 'in', 'at', 'by'] as const
/** Words that stand for a value after `=`: `forward` (the run's Henry Hub forward curve, fuel.gas only). */
export const VALUE_KEYWORDS = [FORWARD_VALUE] as const

/** A `set` as written (percentages already fractions). */
export type ParsedSet = {
  target: string
  /** null for `= forward` (types.ts SetAssumption). */
  value: number | null
  /** The target's unit (also for `forward`, whose curve is in it). */
  unit: Unit
  /** null when absent or MODEL_FIRST_MONTH (the same thing). */
  from: MonthKey | null
  escalate: number | null
  /** `by "<ancestor>"` of a canonical text; null otherwise. */
  by: string | null
  span: Span
  targetSpan: Span
}

export type ParsedChange = {
  kind: 'build' | 'retire'
  technology: Technology
  mw: number
  market: ScenarioMarket
  at: MonthKey
  by: string | null
  span: Span
}

export type ScenarioHeader = {
  name: string
  parent: string | null
  /** The chain of a canonical (resolved) text, root first, ending with `name`; null in a hand-written file. */
  chain: string[] | null
  span: Span
  nameSpan: Span
  parentSpan: Span | null
}

export type ScenarioDocument = {
  file: string
  /** The `scenario` line (null when it is missing or broken). */
  header: ScenarioHeader | null
  name: string | null
  parent: string | null
  sets: ParsedSet[]
  changes: ParsedChange[]
  /** This file's own problems (the same list parseScenario returns). */
  diagnostics: Diagnostic[]
}

/** A problem of one line: thrown inside the line's parse, caught at the line. */
class LineError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message)
  }
}

/** Tokens of one line read left to right. */
class Cursor {
  private index = 0
  constructor(
    readonly file: string,
    readonly line: Line,
  ) {}

  peek(): Token | undefined {
    return this.line.tokens[this.index]
  }

  next(): Token | undefined {
    return this.line.tokens[this.index++]
  }

  /** A zero-width span just after the last token (where a missing token would go). */
  endSpan(): Span {
    const last = this.line.tokens.at(-1)
    const at = last ? last.to : this.line.end
    const col = at - this.line.start + 1
    return { line: this.line.line, col, endLine: this.line.line, endCol: col, from: at, to: at }
  }

  fail(token: Token | undefined, message: string, suggestion?: string, hint = true): never {
    const span = token ?? this.endSpan()
    throw new LineError(diagnosticAt(this.file, span, token?.text ?? '', message, suggestion, hint))
  }

  /** The next token, or an error "expected <what> after <after>, found end of line". */
  expect(what: string, after: string): Token {
    const t = this.next()
    if (!t) this.fail(undefined, `expected ${what} after ${after}, found end of line`)
    return t
  }
}

function describe(token: Token): string {
  return token.kind === 'string' ? `the string ${token.text}` : token.text
}

/** The keyword `word` (e.g. `in`, `MW`); a close misspelling is named with a suggestion. */
function keyword(cursor: Cursor, word: string, after: string): Token {
  const t = cursor.expect(word, after)
  if (t.kind === 'word' && t.text === word) return t
  const suggestion = t.kind === 'word' && closest(t.text, [word]) !== undefined ? word : undefined
  return cursor.fail(t, `expected ${word} after ${after}, found ${describe(t)}`, suggestion)
}

const NAME_CHARACTERS = /^[^\p{Cc}"]+$/u

/** A quoted scenario name: 1 to 100 characters, no control characters, no spaces at either end. */
function name(cursor: Cursor, after: string): { value: string; token: Token } {
  const t = cursor.expect('a quoted scenario name', after)
  if (t.kind !== 'string') cursor.fail(t, `expected a quoted scenario name after ${after}, found ${t.text}`, `"${t.text}"`)
  if (t.unterminated) cursor.fail(t, `the string ${t.text} has no closing quote`)
  if (t.value.length === 0 || t.value.length > 100 || !NAME_CHARACTERS.test(t.value)) {
    cursor.fail(t, `a scenario name has 1 to 100 characters and no control characters, found ${t.text}`)
  }
  if (t.value.trim() !== t.value) cursor.fail(t, `a scenario name has no spaces at its ends, found ${t.text}`, `"${t.value.trim()}"`)
  return { value: t.value, token: t }
}

/** A number token, finite; `what` names what was expected in the message (default "a number"). */
function number(cursor: Cursor, after: string, what = 'a number'): { value: number; token: Token } {
  const t = cursor.expect(what, after)
  if (t.kind !== 'word' || !isNumberText(t.text)) cursor.fail(t, `expected ${what} after ${after}, found ${describe(t)}`)
  const value = parseNumberText(t.text)
  if (value === undefined) cursor.fail(t, `the number ${t.text} is too large`)
  return { value: value === 0 ? 0 : value, token: t }
}

/** A unit token that must be `expected`; a different known unit or a misspelling is named. */
function unit(cursor: Cursor, expected: Unit, after: string, what: string): Token {
  const t = cursor.next()
  if (!t) return cursor.fail(undefined, `expected the unit ${expected} after ${after}, found end of line`, expected, false)
  if (t.text === expected) return t
  if ((UNITS as readonly string[]).includes(t.text)) cursor.fail(t, `unit ${t.text} does not fit ${what}: expected ${expected}`, expected, false)
  // `MWh` for `$/MWh`, `mmbtu` for `$/MMBtu`: the unit without its currency counts as close.
  const closeToExpected = closest(t.text, [expected]) !== undefined || closest(t.text, [expected.replace(/^\$\//, '')]) !== undefined
  if (t.kind === 'word' && closeToExpected) cursor.fail(t, `unknown unit ${t.text}`, expected)
  if (t.kind === 'word' && closest(t.text, UNITS) !== undefined) cursor.fail(t, `unknown unit ${t.text}: ${what} takes ${expected}`, expected, false)
  return cursor.fail(t, `expected the unit ${expected} after ${after}, found ${describe(t)}`, expected, false)
}

const MONTH_SHAPE = /^(\d{4})-(\d{1,2})$/

/** A month `YYYY-MM` within the model's months. */
function month(cursor: Cursor, after: string): { value: MonthKey; token: Token } {
  const t = cursor.expect('a month YYYY-MM', after)
  const shape = t.kind === 'word' ? MONTH_SHAPE.exec(t.text) : null
  if (!shape) cursor.fail(t, `expected a month YYYY-MM after ${after}, found ${describe(t)}`)
  const year = Number(shape[1])
  const m = Number(shape[2])
  if (m < 1 || m > 12) cursor.fail(t, `bad month ${t.text}: the month must be 01 to 12`)
  if (year < 2000 || year > 2100) cursor.fail(t, `bad month ${t.text}: the year must be 2000 to 2100`)
  const value = `${shape[1]}-${String(m).padStart(2, '0')}`
  if (shape[2]!.length !== 2) cursor.fail(t, `bad month ${t.text}: write the month with two digits`, value)
  if (value < MODEL_FIRST_MONTH || value > MODEL_LAST_MONTH) {
    cursor.fail(t, `month ${t.text} is outside the model's months ${MODEL_FIRST_MONTH} to ${MODEL_LAST_MONTH}`)
  }
  return { value, token: t }
}

/** One of `values` (technologies, markets); a close or differently-cased word is suggested. */
function oneOf<T extends string>(cursor: Cursor, values: readonly T[], what: string, after: string): T {
  const t = cursor.expect(`a ${what}`, after)
  if (t.kind === 'word' && (values as readonly string[]).includes(t.text)) return t.text as T
  const suggestion = t.kind === 'word' ? closest(t.text, values) : undefined
  if (suggestion !== undefined) return cursor.fail(t, `unknown ${what} ${t.text}`, suggestion)
  return cursor.fail(t, `unknown ${what} ${describe(t)}: expected one of ${values.join(', ')}`)
}

/** The statement keyword or a clause keyword at the start of what remains; misspellings named. */
function unexpected(cursor: Cursor, t: Token, expected: readonly string[], context: string): never {
  const suggestion = t.kind === 'word' ? closest(t.text, expected) : undefined
  if (suggestion !== undefined) cursor.fail(t, `unknown keyword ${t.text}`, suggestion)
  return cursor.fail(t, `unexpected ${describe(t)} ${context}: expected ${expected.join(' or ')}`)
}

function spanOf(first: Token, cursor: Cursor): Span {
  const last = cursor.line.tokens.at(-1) ?? first
  return { line: first.line, col: first.col, endLine: last.endLine, endCol: last.endCol, from: first.from, to: last.to }
}

type Context = { file: string; chain: string[] | null }

/** `by "<ancestor>"` (canonical texts only). */
function byClause(cursor: Cursor, context: Context, byToken: Token): string {
  if (!context.chain) cursor.fail(byToken, 'by "<scenario>" is only allowed in a canonical text (a scenario line with chain)')
  const { value, token } = name(cursor, 'by')
  if (!context.chain.includes(value)) cursor.fail(token, `scenario ${token.text} is not in the chain ${context.chain.join(' -> ')}`, closest(value, context.chain))
  return value
}

function parseHeader(cursor: Cursor, keywordToken: Token): ScenarioHeader {
  const { value, token } = name(cursor, 'scenario')
  let parent: string | null = null
  let parentSpan: Span | null = null
  let chain: string[] | null = null
  const t = cursor.next()
  if (t && t.kind === 'word' && t.text === 'extends') {
    const p = name(cursor, 'extends')
    parent = p.value
    parentSpan = p.token
    if (parent === value) cursor.fail(p.token, `scenario "${value}" cannot extend itself`)
  } else if (t && t.kind === 'word' && t.text === 'chain') {
    chain = []
    while (cursor.peek()) chain.push(name(cursor, 'chain').value)
    if (chain.at(-1) !== value) cursor.fail(t, `the chain must end with the scenario's own name "${value}"`)
    if (new Set(chain).size !== chain.length) cursor.fail(t, `the chain names a scenario twice: ${chain.join(' -> ')}`)
    parent = chain.length > 1 ? chain.at(-2)! : null
  } else if (t) {
    unexpected(cursor, t, ['extends'], `after the scenario name`)
  }
  const rest = cursor.next()
  if (rest) cursor.fail(rest, `unexpected ${describe(rest)} after the end of the statement`)
  return { name: value, parent, chain, span: spanOf(keywordToken, cursor), nameSpan: token, parentSpan }
}

function unknownTarget(cursor: Cursor, t: Token): never {
  const sameButCase = TARGET_NAMES.find((n) => n.toLowerCase() === t.text.toLowerCase())
  if (sameButCase !== undefined) cursor.fail(t, `unknown target ${t.text}`, sameButCase)
  const misfit = misfitSegment(t.text)
  if (misfit) {
    const values: readonly string[] = misfit.kind === 'market' ? SCENARIO_MARKETS : TECHNOLOGIES
    const close = closest(misfit.value, values)
    const fixed = close === undefined ? undefined : t.text.split('.').map((p, i) => (i === misfit.index ? close : p)).join('.')
    if (fixed !== undefined) cursor.fail(t, `unknown ${misfit.kind} ${misfit.value} in target ${t.text}`, fixed)
    cursor.fail(t, `unknown ${misfit.kind} ${misfit.value} in target ${t.text} (${misfit.kind === 'market' ? 'markets' : 'technologies'}: ${values.join(', ')})`)
  }
  const suggestion = closest(t.text, TARGET_NAMES)
  if (suggestion !== undefined) cursor.fail(t, `unknown target ${t.text}`, suggestion)
  return cursor.fail(t, `unknown target ${describe(t)}: see the list of targets (fuel.gas, fuel.coal, policy.carbon, load.<market>.growth, ...)`)
}

/**
 * Whether the value after `=` is `forward` (then consumed): only on a target whose spec takes it;
 * on any other target a diagnostic naming the ones that do. On a target that takes it, a close
 * misspelling of `forward` is named with a suggestion.
 */
function forwardValue(cursor: Cursor, target: Token, spec: TargetSpec): boolean {
  const v = cursor.peek()
  if (!v || v.kind !== 'word' || isNumberText(v.text)) return false
  if (v.text === FORWARD_VALUE) {
    cursor.next()
    if (!spec.forward) cursor.fail(v, `only ${FORWARD_TARGET_NAMES.join(', ')} can follow the forward curve: ${target.text} takes a number in ${spec.unit}`)
    return true
  }
  if (spec.forward && closest(v.text, [FORWARD_VALUE]) !== undefined) cursor.fail(v, `expected a number or ${FORWARD_VALUE} after =, found ${v.text}`, FORWARD_VALUE)
  return false
}

/** The number after `=` with its unit, checked against the target's range (percentages as fractions). */
function numberValue(cursor: Cursor, target: Token, spec: TargetSpec): number {
  const n = number(cursor, '=', spec.forward ? `a number or ${FORWARD_VALUE}` : 'a number')
  unit(cursor, spec.unit, n.token.text, target.text)
  const isPercent = spec.unit === '%/yr' || spec.unit === '%'
  const value = isPercent ? fractionFromPercent(n.value) : n.value
  if (!inRange(spec, value)) cursor.fail(n.token, `${target.text} must be ${describeRange(spec)}, found ${n.token.text} ${spec.unit}`)
  return value
}

/** After `forward`: a unit or `escalate` is named (the curve is in the target's unit and gives every month's price). */
function notWithForward(cursor: Cursor, c: Token, spec: TargetSpec): void {
  if (c.kind === 'word' && c.text === 'escalate') {
    cursor.fail(c, `escalate does not apply to ${FORWARD_VALUE}: the forward curve gives each month's price (write a number in ${spec.unit} to escalate it)`)
  }
  if ((UNITS as readonly string[]).includes(c.text)) cursor.fail(c, `${FORWARD_VALUE} takes no unit: the forward curve's prices are in ${spec.unit}`)
}

function parseSet(cursor: Cursor, keywordToken: Token, context: Context): ParsedSet {
  const t = cursor.expect('a target such as fuel.gas', 'set')
  if (t.kind !== 'word') cursor.fail(t, `expected a target such as fuel.gas after set, found ${describe(t)}`)
  const target = findTarget(t.text)
  if (!target) unknownTarget(cursor, t)
  const { spec } = target
  const eq = cursor.expect('=', t.text)
  if (eq.kind !== 'equals') cursor.fail(eq, `expected = after ${t.text}, found ${describe(eq)}`)
  const forward = forwardValue(cursor, t, spec)
  const value = forward ? null : numberValue(cursor, t, spec)
  let from: MonthKey | null = null
  let escalate: number | null = null
  let by: string | null = null
  const seen = new Set<string>()
  for (let c = cursor.next(); c; c = cursor.next()) {
    if (c.kind === 'word' && seen.has(c.text)) cursor.fail(c, `${c.text} is given twice`)
    if (forward && by === null) notWithForward(cursor, c, spec)
    if (c.kind === 'word' && c.text === 'from' && by === null) {
      from = month(cursor, 'from').value
    } else if (c.kind === 'word' && c.text === 'escalate' && by === null) {
      if (!spec.escalates) cursor.fail(c, `escalate does not apply to ${t.text}: it is a rate (${spec.unit}), not a price`)
      const e = number(cursor, 'escalate')
      unit(cursor, '%/yr', e.token.text, 'escalate')
      escalate = fractionFromPercent(e.value)
      if (escalate <= -1) cursor.fail(e.token, `escalate must be greater than -100 %/yr, found ${e.token.text} %/yr`)
    } else if (c.kind === 'word' && c.text === 'by' && by === null) {
      by = byClause(cursor, context, c)
    } else if (by !== null) {
      cursor.fail(c, `unexpected ${describe(c)} after the end of the statement`)
    } else {
      unexpected(cursor, c, forward ? ['from'] : ['from', 'escalate'], `after ${forward ? FORWARD_VALUE : spec.unit}`)
    }
    if (c.kind === 'word') seen.add(c.text)
  }
  return { target: t.text, value, unit: spec.unit, from: from === MODEL_FIRST_MONTH ? null : from, escalate, by, span: spanOf(keywordToken, cursor), targetSpan: t }
}

function parseChange(cursor: Cursor, keywordToken: Token, context: Context): ParsedChange {
  const kind = keywordToken.text as 'build' | 'retire'
  const technology = oneOf(cursor, TECHNOLOGIES, 'technology', kind)
  const n = number(cursor, technology)
  unit(cursor, 'MW', n.token.text, `${kind} ${technology}`)
  if (!(n.value > 0)) cursor.fail(n.token, `the capacity to ${kind} must be greater than 0 MW, found ${n.token.text} MW`)
  keyword(cursor, 'in', 'MW')
  const market = oneOf(cursor, SCENARIO_MARKETS, 'market', 'in')
  keyword(cursor, 'at', market)
  const at = month(cursor, 'at').value
  let by: string | null = null
  const rest = cursor.next()
  if (rest && rest.kind === 'word' && rest.text === 'by') by = byClause(cursor, context, rest)
  else if (rest) cursor.fail(rest, `unexpected ${describe(rest)} after the end of the statement`)
  const extra = by === null ? undefined : cursor.next()
  if (extra) cursor.fail(extra, `unexpected ${describe(extra)} after the end of the statement`)
  return { kind, technology, mw: n.value, market, at, by, span: spanOf(keywordToken, cursor) }
}

/** Lines that hold a statement (not blank, not only a comment). */
function statementLines(lines: Line[]): Line[] {
  return lines.filter((l) => l.tokens.length > 0)
}

/** The problems of the scenario line's place: missing, not first, or duplicated. */
function headerPlacement(file: string, lines: Line[]): { headerLine: Line | undefined; diagnostics: Diagnostic[] } {
  const isHeader = (l: Line) => l.tokens[0]!.kind === 'word' && l.tokens[0]!.text === 'scenario'
  const headers = lines.filter(isHeader)
  const diagnostics: Diagnostic[] = []
  const first = lines[0]
  if (headers.length === 0) {
    const at: Span = first?.tokens[0] ?? { line: 1, col: 1, endLine: 1, endCol: 1, from: 0, to: 0 }
    const found = first ? `, found ${describe(first.tokens[0]!)}` : ', found an empty file'
    diagnostics.push(diagnosticAt(file, at, first?.tokens[0]!.text ?? '', `missing scenario line: a scenario file starts with scenario "<name>"${found}`))
  } else if (headers[0] !== first) {
    const t = headers[0]!.tokens[0]!
    diagnostics.push(diagnosticAt(file, t, t.text, `the scenario line must be the first statement (line ${first!.line} comes before it)`))
  }
  for (const extra of headers.slice(1)) {
    const t = extra.tokens[0]!
    diagnostics.push(diagnosticAt(file, t, t.text, `duplicate scenario line: this file already has one at line ${headers[0]!.line}`))
  }
  return { headerLine: headers[0], diagnostics }
}

/** Same target from the same month twice in one file: which one is ambiguous. */
function duplicateSets(file: string, sets: ParsedSet[]): Diagnostic[] {
  const seen = new Map<string, ParsedSet>()
  const diagnostics: Diagnostic[] = []
  for (const s of sets) {
    const key = `${s.target} ${s.from ?? MODEL_FIRST_MONTH}`
    const earlier = seen.get(key)
    if (earlier) {
      diagnostics.push(diagnosticAt(file, s.targetSpan, s.target, `${s.target} is already set from ${s.from ?? MODEL_FIRST_MONTH} at line ${earlier.span.line}`))
    } else seen.set(key, s)
  }
  return diagnostics
}

/** Parses one scenario text. `file` names it in diagnostics. */
export function parseScenario(text: string, file = 'scenario'): { document: ScenarioDocument; diagnostics: Diagnostic[] } {
  const lines = statementLines(lex(text))
  const placement = headerPlacement(file, lines)
  const diagnostics: Diagnostic[] = [...placement.diagnostics]
  const document: ScenarioDocument = { file, header: null, name: null, parent: null, sets: [], changes: [], diagnostics }
  const context: Context = { file, chain: null }
  const headerCursor = placement.headerLine && new Cursor(file, placement.headerLine)
  if (headerCursor) {
    try {
      document.header = parseHeader(headerCursor, headerCursor.next()!)
      document.name = document.header.name
      document.parent = document.header.parent
      context.chain = document.header.chain
    } catch (error) {
      if (!(error instanceof LineError)) throw error
      diagnostics.push(error.diagnostic)
    }
  }
  for (const line of lines) {
    if (line === placement.headerLine) continue
    const cursor = new Cursor(file, line)
    const first = cursor.next()!
    try {
      if (first.kind === 'word' && first.text === 'set') document.sets.push(parseSet(cursor, first, context))
      else if (first.kind === 'word' && (first.text === 'build' || first.text === 'retire')) document.changes.push(parseChange(cursor, first, context))
      else if (first.kind === 'word' && first.text === 'scenario') continue
      else unexpected(cursor, first, STATEMENT_KEYWORDS, 'at the start of a statement')
    } catch (error) {
      if (!(error instanceof LineError)) throw error
      diagnostics.push(error.diagnostic)
    }
  }
  diagnostics.push(...duplicateSets(file, document.sets))
  diagnostics.sort((a, b) => a.from - b.from || a.to - b.to)
  return { document, diagnostics }
}
