import { StreamLanguage, type StreamParser, type StringStream } from '@codemirror/language'

/**
 * The scenario language's highlighter for the editor: a tiny line tokenizer (CodeMirror's
 * StreamLanguage). It only colours; the real parser (packages/scenario/src/language) reports the
 * errors. Token names are CodeMirror's standard tags, so the default highlight style colours them:
 * keyword (statements, clauses and the value `forward` of `set fuel.gas = forward`), number
 * (values and months), typeName (units), string, comment, atom (technologies and markets),
 * variableName (targets).
 */

export const SCENARIO_KEYWORDS = ['scenario', 'extends', 'chain', 'set', 'forward', 'from', 'escalate', 'build', 'retire', 'in', 'at', 'by'] as const
const KEYWORDS = new Set<string>(SCENARIO_KEYWORDS)
const ATOMS = new Set(['solar', 'wind', 'storage', 'gas_cc', 'gas_ct', 'coal', 'nuclear', 'hydro', 'MISO', 'CAISO'])

const UNIT = /^(\$\/MMBtu|\$\/MWh|\$\/t|%\/yr|MW|%)(?![\w/])/
const MONTH = /^\d{4}-\d{2}(?!\d)/
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)/
const WORD = /^[A-Za-z_][\w.]*/

/** One token of a line: advances the stream past it and names its style (null: no style). */
export function scenarioToken(stream: StringStream): string | null {
  if (stream.eatSpace()) return null
  if (stream.peek() === '#') {
    stream.skipToEnd()
    return 'comment'
  }
  if (stream.peek() === '"') {
    stream.next()
    while (!stream.eol()) {
      if (stream.next() === '"') break
    }
    return 'string'
  }
  if (stream.match(UNIT)) return 'typeName'
  if (stream.match(MONTH)) return 'number'
  if (stream.match(NUMBER)) return 'number'
  const word = stream.match(WORD)
  if (word && typeof word === 'object') {
    const text = word[0]
    if (KEYWORDS.has(text)) return 'keyword'
    if (ATOMS.has(text)) return 'atom'
    return text.includes('.') ? 'variableName' : null
  }
  if (stream.eat('=')) return 'operator'
  stream.next()
  return null
}

export const scenarioStreamParser: StreamParser<null> = {
  name: 'scenario',
  startState: () => null,
  token: (stream) => scenarioToken(stream),
  languageData: { commentTokens: { line: '#' } },
}

/** The language extension for the editor. */
export function scenarioLanguage() {
  return StreamLanguage.define(scenarioStreamParser)
}
