import type { Block } from './calendar.ts'
import { parseContractSafe, type Contract } from './contracts.ts'
import { CurveInputError, type CurveInputIssue } from './errors.ts'

/**
 * One forward quote: a contract, a block and a price ($/MWh), with an optional bid/ask. `line` is the
 * 1-based CSV line it came from (null for quotes from JSON), kept so later errors can point back at it.
 */
export type Quote = { contract: Contract; block: Block; price: number; bid: number | null; ask: number | null; line: number | null }

/**
 * A quote as it arrives in a JSON body: plain values, validated by normalizeQuotes. Typed callers
 * pass a Block; untyped JSON may also use the aliases parseBlock knows (checked at run time).
 */
export type QuoteInput = { contract: string; block: Block; price: number; bid?: number | null; ask?: number | null }

/** A quote of a product priced once per month (no block): gas, LNG basis (fuel.ts). */
export type UnblockedQuote = Omit<Quote, 'block'>

/** An unblocked quote as it arrives in a JSON body. */
export type UnblockedQuoteInput = Omit<QuoteInput, 'block'>

/**
 * Accepted spellings of each block (case-insensitive, spaces/underscores read as hyphens). The aliases
 * cost one table lookup: `peak`/`on-peak` are on-peak, `off-peak` is off-peak, `7x24`/`around-the-clock` ATC.
 */
const BLOCK_ALIASES: Record<string, Block> = {
  onpeak: 'onpeak',
  'on-peak': 'onpeak',
  peak: 'onpeak',
  offpeak: 'offpeak',
  'off-peak': 'offpeak',
  atc: 'atc',
  '7x24': 'atc',
  'around-the-clock': 'atc',
}

/** The block a user's spelling names, or undefined. */
export function parseBlock(raw: string): Block | undefined {
  return BLOCK_ALIASES[raw.trim().toLowerCase().replace(/[\s_]+/g, '-')]
}

/**
 * The largest price magnitude a quote, bid or ask may have, in $/MWh. Real power prices stay far
 * inside it (offer caps are a few thousand $/MWh); anything beyond is a typo or an attack, and a
 * value near the double range (-1e308) would overflow the solver's prior to a non-finite number.
 */
export const MAX_ABS_PRICE = 100_000

/** Whether a price is a finite number within ±MAX_ABS_PRICE $/MWh. */
export function isSanePrice(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= MAX_ABS_PRICE
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** A decimal number, or undefined for anything else (Number() would take '' as 0 and '0x1f' as 31). */
function parseNumber(raw: string): number | undefined {
  const text = raw.trim()
  if (!NUMBER.test(text)) return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

type RawQuote = { contract?: unknown; block?: unknown; price?: unknown; bid?: unknown; ask?: unknown }
type Parsers = { number: (v: unknown) => number | undefined; blank: (v: unknown) => boolean }

/**
 * What kind of quote a row is: a power quote names a block and is priced in $/MWh within
 * ±MAX_ABS_PRICE; a fuel quote (fuel.ts: gas and LNG basis, one price per month) has no block and
 * its own unit and bound.
 */
export type QuoteKind = { block: boolean; unit: string; maxAbsPrice: number }

/** Power quotes: a block, $/MWh, ±MAX_ABS_PRICE. */
export const POWER_QUOTES: QuoteKind = Object.freeze({ block: true, unit: '$/MWh', maxAbsPrice: MAX_ABS_PRICE })

/** The fields every quote has, validated; `block` only for a kind with blocks. */
type QuoteFields = { contract: Contract; block: Block | undefined; price: number; bid: number | null; ask: number | null; line: number }

/** Checks one quote's fields; pushes every problem into `issues` and returns the fields when there are none. */
function validateFields(raw: RawQuote, line: number, parsers: Parsers, issues: CurveInputIssue[], kind: QuoteKind): QuoteFields | undefined {
  const before = issues.length
  const code = typeof raw.contract === 'string' ? raw.contract.trim() : undefined
  const issue = (field: string, value: unknown, message: string) =>
    issues.push({ line, field, value: value === undefined ? undefined : String(value), contract: code || undefined, message })

  let contract: Contract | undefined
  if (code === undefined || code === '') issue('contract', raw.contract, 'missing contract')
  else {
    const parsed = parseContractSafe(code)
    if ('error' in parsed) issue('contract', code, parsed.error)
    else contract = parsed.contract
  }

  let block: Block | undefined
  if (kind.block) {
    block = typeof raw.block === 'string' ? parseBlock(raw.block) : undefined
    if (!block) issue('block', raw.block, 'unknown block (expected onpeak, offpeak or atc)')
  }

  const { unit, maxAbsPrice } = kind
  const bounded = (field: 'price' | 'bid' | 'ask', n: number | undefined): number | undefined => {
    if (n === undefined || (Number.isFinite(n) && Math.abs(n) <= maxAbsPrice)) return n
    issue(field, raw[field], `${field} ${n} ${unit} is outside -${maxAbsPrice}..${maxAbsPrice} ${unit}`)
    return undefined
  }
  const parsedPrice = parsers.number(raw.price)
  if (parsedPrice === undefined) issue('price', raw.price, parsers.blank(raw.price) ? 'missing price' : 'price is not a finite number')
  const price = bounded('price', parsedPrice)

  const side = (field: 'bid' | 'ask'): number | null => {
    const value = raw[field]
    if (parsers.blank(value)) return null
    const n = parsers.number(value)
    if (n === undefined) issue(field, value, `${field} is not a finite number`)
    return bounded(field, n) ?? null
  }
  const bid = side('bid')
  const ask = side('ask')
  if (price !== undefined && bid !== null && bid > price) issue('bid', raw.bid, `bid ${bid} is above the price ${price}`)
  if (price !== undefined && ask !== null && ask < price) issue('ask', raw.ask, `ask ${ask} is below the price ${price}`)
  if (bid !== null && ask !== null && bid > ask) issue('bid', raw.bid, `bid ${bid} is above the ask ${ask}`)

  if (issues.length > before || !contract || (kind.block && !block) || price === undefined) return undefined
  return { contract, block, price, bid, ask, line }
}

/** Checks one power quote's fields; pushes every problem into `issues` and returns the quote when there are none. */
function validateQuote(raw: RawQuote, line: number, parsers: Parsers, issues: CurveInputIssue[]): Quote | undefined {
  const fields = validateFields(raw, line, parsers, issues, POWER_QUOTES)
  return fields && { contract: fields.contract, block: fields.block!, price: fields.price, bid: fields.bid, ask: fields.ask, line }
}

/** Splits one CSV line; double-quoted fields may hold commas and "" for a quote character. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      fields.push(field)
      field = ''
    } else field += ch
  }
  fields.push(field)
  return fields
}

const COLUMNS = ['contract', 'block', 'price', 'bid', 'ask'] as const
type Column = (typeof COLUMNS)[number]

/** Column positions from the header; unknown, duplicate and missing required columns are issues. */
function readHeader(header: string, issues: CurveInputIssue[], kind: QuoteKind): Partial<Record<Column, number>> {
  const known: readonly Column[] = kind.block ? COLUMNS : COLUMNS.filter((c) => c !== 'block')
  const positions: Partial<Record<Column, number>> = {}
  splitCsvLine(header).forEach((rawName, index) => {
    const name = rawName.trim().toLowerCase()
    if (!(known as readonly string[]).includes(name)) {
      issues.push({ line: 1, field: rawName.trim(), message: `unknown column (expected ${known.join(', ')})` })
    } else if (positions[name as Column] !== undefined) {
      issues.push({ line: 1, field: name, message: 'duplicate column' })
    } else positions[name as Column] = index
  })
  const required: readonly Column[] = kind.block ? ['contract', 'block', 'price'] : ['contract', 'price']
  for (const column of required) {
    if (positions[column] === undefined) issues.push({ line: 1, field: column, message: 'missing required column' })
  }
  return positions
}

const csvParsers: Parsers = {
  number: (v) => (typeof v === 'string' ? parseNumber(v) : undefined),
  blank: (v) => v === undefined || (typeof v === 'string' && v.trim() === ''),
}

/** The CSV rows of a quote file of one kind, validated; every problem thrown together. */
function parseCsvRows(text: string, kind: QuoteKind, options: { file?: string }): QuoteFields[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const issues: CurveInputIssue[] = []
  if (lines[0] === undefined || lines[0].trim() === '') {
    const header = kind.block ? 'contract,block,price[,bid,ask]' : 'contract,price[,bid,ask]'
    throw new CurveInputError([{ line: 1, message: `empty file: expected the header ${header}` }], options)
  }
  const columns = readHeader(lines[0], issues, kind)
  if (issues.length > 0) throw new CurveInputError(issues, options)
  const width = Object.keys(columns).length
  const rows: QuoteFields[] = []
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i]!
    if (text.trim() === '' || text.trimStart().startsWith('#')) continue
    const fields = splitCsvLine(text)
    const line = i + 1
    if (fields.length !== width) {
      issues.push({ line, value: text, message: `expected ${width} fields, found ${fields.length}` })
      continue
    }
    const at = (c: Column) => (columns[c] === undefined ? undefined : fields[columns[c]])
    const raw = { contract: at('contract'), block: at('block'), price: at('price'), bid: at('bid'), ask: at('ask') }
    const row = validateFields(raw, line, csvParsers, issues, kind)
    if (row) rows.push(row)
  }
  if (issues.length > 0) throw new CurveInputError(issues, options)
  return rows
}

/**
 * Parses a quote file: header `contract,block,price` plus optional `bid,ask`, in any order, names
 * case-insensitive and trimmed. Blank lines and lines starting with `#` are skipped. Every problem in
 * the file is collected and thrown together as one CurveInputError naming file, line (header = 1),
 * field, contract and value. Duplicate quotes are kept: whether they agree is the solver's call.
 */
export function parseQuotesCsv(text: string, options: { file?: string } = {}): Quote[] {
  return parseCsvRows(text, POWER_QUOTES, options).map((r) => ({ contract: r.contract, block: r.block!, price: r.price, bid: r.bid, ask: r.ask, line: r.line }))
}

/**
 * A quote file of a kind without blocks (fuel.ts): header `contract,price` plus optional `bid,ask`,
 * otherwise read and reported exactly like parseQuotesCsv; prices bounded by the kind's unit.
 */
export function parseUnblockedQuotesCsv(text: string, kind: QuoteKind, options: { file?: string } = {}): UnblockedQuote[] {
  return parseCsvRows(text, { ...kind, block: false }, options).map((r) => ({ contract: r.contract, price: r.price, bid: r.bid, ask: r.ask, line: r.line }))
}

const jsonParsers: Parsers = {
  number: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined),
  blank: (v) => v === undefined || v === null,
}

/**
 * Validates quotes that arrived as JSON objects with the same rules as parseQuotesCsv. Issues name the
 * array index (0-based) as `line`; the returned quotes have `line: null`. Numbers must be JSON numbers.
 */
export function normalizeQuotes(inputs: readonly QuoteInput[], options: { file?: string } = {}): Quote[] {
  const issues: CurveInputIssue[] = []
  const quotes: Quote[] = []
  inputs.forEach((input, index) => {
    const raw: RawQuote = input && typeof input === 'object' ? input : {}
    const quote = validateQuote(raw, index, jsonParsers, issues)
    if (quote) quotes.push({ ...quote, line: null })
  })
  if (issues.length > 0) throw new CurveInputError(issues, options)
  return quotes
}

/** JSON quotes of a kind without blocks (fuel.ts), validated like normalizeQuotes; a `block` field is ignored. */
export function normalizeUnblockedQuotes(inputs: readonly UnblockedQuoteInput[], kind: QuoteKind, options: { file?: string } = {}): UnblockedQuote[] {
  const issues: CurveInputIssue[] = []
  const quotes: UnblockedQuote[] = []
  inputs.forEach((input, index) => {
    const raw: RawQuote = input && typeof input === 'object' ? { contract: input.contract, price: input.price, bid: input.bid, ask: input.ask } : {}
    const fields = validateFields(raw, index, jsonParsers, issues, { ...kind, block: false })
    if (fields) quotes.push({ contract: fields.contract, price: fields.price, bid: fields.bid, ask: fields.ask, line: null })
  })
  if (issues.length > 0) throw new CurveInputError(issues, options)
  return quotes
}
