/**
 * The lexer: a scenario file is a list of lines, each a list of tokens. `#` starts a comment to the
 * end of the line (outside a string). Tokens are strings (`"High gas"`, no escapes, on one line), `=`,
 * and words (any other run of characters up to a space, `=`, `"` or `#`). A number glued to a unit
 * (`2%/yr`, `40$/t`) is two tokens. What a word means (keyword, target, number, unit, month) is the
 * parser's business.
 */
import { type Span } from './diagnostics.ts'

export type Token = Span & {
  kind: 'word' | 'string' | 'equals'
  /** The characters as written (a string's quotes included). */
  text: string
  /** A string's content without its quotes; the text otherwise. */
  value: string
  /** A string without its closing quote. */
  unterminated?: boolean
}

export type Line = {
  /** 1-based line number. */
  line: number
  /** Offset of the line's first character in the text. */
  start: number
  /** Offset just after the line's last character before a comment (or the line end). */
  end: number
  tokens: Token[]
}

const NUMBER_THEN_UNIT = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([$%].*)$/

function isSpace(ch: string): boolean {
  // A byte-order mark (a file saved "with BOM") counts as blank space.
  return ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v' || ch === '\u00a0' || ch === '\ufeff'
}

function token(kind: Token['kind'], text: string, value: string, line: number, lineStart: number, from: number): Token {
  const to = from + text.length
  return { kind, text, value, line, col: from - lineStart + 1, endLine: line, endCol: to - lineStart + 1, from, to }
}

/** The word starting at `i` (and its split if it is a number glued to a unit). */
function wordTokens(text: string, line: number, lineStart: number, from: number): Token[] {
  const glued = NUMBER_THEN_UNIT.exec(text)
  if (!glued) return [token('word', text, text, line, lineStart, from)]
  const number = glued[1]!
  return [token('word', number, number, line, lineStart, from), token('word', glued[2]!, glued[2]!, line, lineStart, from + number.length)]
}

/** The tokens of one line (`lineText` starts at offset `lineStart` of the file). */
export function lexLine(lineText: string, line: number, lineStart: number): Line {
  const tokens: Token[] = []
  let i = 0
  let end = lineText.length
  while (i < lineText.length) {
    const ch = lineText[i]!
    if (isSpace(ch)) {
      i++
    } else if (ch === '#') {
      end = i
      break
    } else if (ch === '=') {
      tokens.push(token('equals', '=', '=', line, lineStart, lineStart + i))
      i++
    } else if (ch === '"') {
      const close = lineText.indexOf('"', i + 1)
      const stop = close === -1 ? lineText.length : close + 1
      const text = lineText.slice(i, stop)
      const t = token('string', text, close === -1 ? text.slice(1) : text.slice(1, -1), line, lineStart, lineStart + i)
      if (close === -1) t.unterminated = true
      tokens.push(t)
      i = stop
    } else {
      let j = i
      while (j < lineText.length && !isSpace(lineText[j]!) && lineText[j] !== '=' && lineText[j] !== '"' && lineText[j] !== '#') j++
      tokens.push(...wordTokens(lineText.slice(i, j), line, lineStart, lineStart + i))
      i = j
    }
  }
  while (end > 0 && isSpace(lineText[end - 1]!)) end--
  return { line, start: lineStart, end: lineStart + end, tokens }
}

/** Every line of `text` (LF, CRLF or CR line ends), comments removed. */
export function lex(text: string): Line[] {
  const lines: Line[] = []
  let start = 0
  let number = 1
  const pattern = /\r\n|\n|\r/g
  for (;;) {
    const match = pattern.exec(text)
    const stop = match ? match.index : text.length
    lines.push(lexLine(text.slice(start, stop), number, start))
    if (!match) break
    start = match.index + match[0].length
    number++
  }
  return lines
}
