/**
 * PJM Data Miner 2 LMP feeds (`https://api.pjm.com/api/v1/{feed}`, header
 * `Ocp-Apim-Subscription-Key`), one page of an answer per parse:
 *
 *   {"links":[{"rel":"self","href":"..."},{"rel":"metadata","href":"..."}],
 *    "items":[{"datetime_beginning_utc":"2026-06-09T04:00:00","pnode_id":1,"pnode_name":"PJM-RTO",
 *              "type":"ZONE","total_lmp_da":31.862345}, ...],
 *    "searchSpecification":{"rowCount":600,"order":"Asc","startRow":1,"fields":[...],"filters":[...]},
 *    "totalRows":552}
 *
 * Feeds read here (`_da` or `_rt` is the price suffix):
 *   da_hrl_lmps                 day-ahead hourly LMPs                        DA
 *   rt_hrl_lmps                 real-time hourly LMPs, verified              RTH
 *   rt_fivemin_hrl_lmps         real-time 5-minute LMPs, verified            RT5
 *   rt_unverified_fivemin_lmps  real-time 5-minute LMPs, unverified (prelim) RT5
 *
 * Only the fields asked for with `Fields=` come back. The full row is `datetime_beginning_utc,
 * datetime_beginning_ept, pnode_id, pnode_name, voltage, equipment, type, zone,
 * system_energy_price_{s}, total_lmp_{s}, congestion_price_{s}, marginal_loss_price_{s},
 * row_is_current, version_nbr`. This parser needs `datetime_beginning_utc`, `pnode_name` and
 * `total_lmp_{s}`; every other field is read when it is there:
 * - Time: `datetime_beginning_utc` is the interval START in UTC, written without an offset;
 *   the interval is one hour (DA, RTH) or five minutes (RT5). Items may come in any order (the
 *   unverified 5-minute answer lists the latest interval first). `datetime_beginning_ept`, when
 *   present, must name the same instant in Eastern prevailing time (either occurrence of the
 *   repeated autumn hour), else the row is an issue.
 * - Prices: lmp = `total_lmp_{s}`; energy = `system_energy_price_{s}`, congestion =
 *   `congestion_price_{s}`, loss = `marginal_loss_price_{s}` as published (PJM's sign
 *   convention is the canonical one, LMP = energy + congestion + loss); a component whose field
 *   is absent or null is null. A non-number is an issue.
 * - Node: `pnode_name`. PJM keys its pnodes by `pnode_id`; names are what records carry, so a
 *   name must stand for one pnode: a row whose name was already seen with another `pnode_id`
 *   (or another `type`) in the page is an issue, never merged or dropped silently.
 * - Catalogue: when rows carry `type`, `nodes` lists each node once with {@link PJM_NODE_TYPES}
 *   (a type not in that table makes the row an issue).
 * - Versions: a row with `row_is_current: false` is a superseded version of a price (PJM keeps
 *   corrected prices as new versions); it becomes an issue `superseded version ...` and no
 *   record. Two current rows for the same node and interval: with equal prices the second is
 *   dropped (a repeat); with other prices the higher `version_nbr` is kept and the other is an
 *   issue `superseded version ...`; without version numbers the first is kept and the second
 *   is an issue.
 *
 * A body that is not such a page (empty, HTML, not JSON, an API Management error such as
 * `{"statusCode":401,"message":"Access denied ..."}`, no `items` array or `totalRows`, or rows
 * without one of the required fields, i.e. a renamed field) throws ParseError. A bad row is a
 * ParseIssue whose `line` is its 1-based position in `items`.
 *
 * Paging: Data Miner 2 answers at most `RowCount` rows (StartRow counts from 1); `totalRows`
 * is the size of the whole result and, when more rows follow, `links` holds `{"rel":"next",
 * "href":...}`. {@link readPjmPage} gives both so a fetcher can walk the pages; each page is
 * parsed on its own.
 */
import type { MarketRun, NodeType, PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { CatalogueNode, ParseResult } from '../types.ts'
import { EASTERN, instantsOfWallClock } from './local-time.ts'
import { isObject, isoUtcCache, lookup, nodeNameIssue, rawText, readJson, readNumber, wallClockMs } from './text.ts'

export type PjmFeed = 'da_hrl_lmps' | 'rt_hrl_lmps' | 'rt_fivemin_hrl_lmps' | 'rt_unverified_fivemin_lmps'

export type PjmFeedSpec = {
  /** The connectors' source id of the records. */
  source: `pjm.${PjmFeed}`
  run: MarketRun
  /** Suffix of the price fields: `total_lmp_da`, `total_lmp_rt`. */
  suffix: 'da' | 'rt'
  intervalMs: number
}

const HOUR_MS = 3_600_000
const FIVE_MINUTES_MS = 5 * 60_000

export const PJM_FEEDS: Readonly<Record<PjmFeed, PjmFeedSpec>> = {
  da_hrl_lmps: { source: 'pjm.da_hrl_lmps', run: 'DA', suffix: 'da', intervalMs: HOUR_MS },
  rt_hrl_lmps: { source: 'pjm.rt_hrl_lmps', run: 'RTH', suffix: 'rt', intervalMs: HOUR_MS },
  rt_fivemin_hrl_lmps: { source: 'pjm.rt_fivemin_hrl_lmps', run: 'RT5', suffix: 'rt', intervalMs: FIVE_MINUTES_MS },
  rt_unverified_fivemin_lmps: { source: 'pjm.rt_unverified_fivemin_lmps', run: 'RT5', suffix: 'rt', intervalMs: FIVE_MINUTES_MS },
}

/**
 * PJM pnode types (Data Miner 2 `type`) as the canonical node types, which have no bus or
 * aggregate kind: pricing points that aggregate buses the way zones do (ZONE, AGGREGATE,
 * RESIDUAL_METERED_EDC) are `zone`; single buses (GEN, LOAD, EHV) are `generator`, the
 * catalogue's kind for a bus-level node (the hub's own inference gives every plain bus that
 * kind); points priced for flows across PJM's border (INTERFACE, and the external and tie-line
 * buses EXT, TIE) are `interface`.
 */
export const PJM_NODE_TYPES: Readonly<Record<string, NodeType>> = {
  HUB: 'hub',
  ZONE: 'zone',
  AGGREGATE: 'zone',
  RESIDUAL_METERED_EDC: 'zone',
  INTERFACE: 'interface',
  EXT: 'interface',
  TIE: 'interface',
  GEN: 'generator',
  LOAD: 'generator',
  EHV: 'generator',
}

/** One Data Miner 2 page: its rows (unread) and what a fetcher needs to ask for the next one. */
export type PjmPage = {
  /** Rows of the whole result (all pages). */
  totalRows: number
  /** This page's `items`. */
  rows: unknown[]
  /** The `href` of the `rel: "next"` link: the next page's URL; absent on the last page. */
  next?: string
  /** `searchSpecification.startRow` and `rowCount` (1-based first row, page size), when given. */
  startRow?: number
  rowCount?: number
  /** `searchSpecification.fields`: the fields asked for with `Fields=`, when the answer lists them. */
  fields?: string[]
}

const envelopeError = (file: string, field: string, value: unknown, reason: string) =>
  new ParseError({ file, line: 1, field, value: rawText(value).slice(0, 200), reason })

const ENVELOPE = 'expected {"links":[...],"items":[...],"searchSpecification":{...},"totalRows":N}'

/**
 * The rows and paging of a Data Miner 2 answer, or a thrown ParseError when the body is not
 * such a page (empty, HTML, broken JSON, an API Management or Data Miner error document, no
 * `items` array, no whole `totalRows`). A fetcher asks `StartRow=1`, reads `totalRows`, and
 * follows `next` (or asks `StartRow` + `RowCount`) until `next` is absent or every row is read.
 */
export function readPjmPage(text: string, file: string): PjmPage {
  const doc = readJson(text, file)
  if (!isObject(doc)) throw envelopeError(file, '(json)', doc, ENVELOPE)
  if (!Array.isArray(doc.items)) {
    const said = publisherMessage(doc)
    throw envelopeError(file, 'items', doc.items ?? doc, `${ENVELOPE}${said ? `: publisher says "${said}"` : ''}`)
  }
  const totalRows = doc.totalRows
  if (typeof totalRows !== 'number' || !Number.isSafeInteger(totalRows) || totalRows < 0)
    throw envelopeError(file, 'totalRows', totalRows ?? '', 'expected a whole number >= 0')
  if (doc.links !== undefined && !Array.isArray(doc.links)) throw envelopeError(file, 'links', doc.links, 'expected a list of links')
  const page: PjmPage = { totalRows, rows: doc.items }
  const next = (doc.links ?? []).find((link: unknown) => isObject(link) && link.rel === 'next' && typeof link.href === 'string')
  if (next) page.next = (next as { href: string }).href
  const spec = doc.searchSpecification
  if (isObject(spec)) {
    if (isCount(spec.startRow)) page.startRow = spec.startRow
    if (isCount(spec.rowCount)) page.rowCount = spec.rowCount
    if (Array.isArray(spec.fields) && spec.fields.length > 0) page.fields = spec.fields.map(rawText)
  }
  return page
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** The message of an error document (`{"message":...}`, `{"errors":[{"message":...}]}`), if any. */
function publisherMessage(doc: Record<string, unknown>): string | null {
  if (typeof doc.message === 'string') return doc.message
  if (typeof doc.Message === 'string') return doc.Message
  const errors = doc.errors
  if (Array.isArray(errors)) return errors.map((e) => (isObject(e) && typeof e.message === 'string' ? e.message : rawText(e))).join('; ')
  return null
}

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.0{1,7})?Z?$/
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.0{1,7})?$/

/** A `datetime_beginning_utc` (`2026-06-09T04:00:00`, UTC without offset) in ms since the epoch, or null. */
export function pjmUtcMs(text: string): number | null {
  const m = UTC_TIME.exec(text)
  if (!m) return null
  return wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
}

/** A `datetime_beginning_ept` (Eastern prevailing wall clock, no offset) read as if UTC, or null. */
function eptWallMs(text: string): number | null {
  const m = WALL_TIME.exec(text)
  if (!m) return null
  return wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
}

type Fields = {
  utc: string
  ept: string
  lmp: string
  energy: string
  congestion: string
  loss: string
}

function fieldsOf(spec: PjmFeedSpec): Fields {
  const s = spec.suffix
  return {
    utc: 'datetime_beginning_utc',
    ept: 'datetime_beginning_ept',
    lmp: `total_lmp_${s}`,
    energy: `system_energy_price_${s}`,
    congestion: `congestion_price_${s}`,
    loss: `marginal_loss_price_${s}`,
  }
}

/**
 * Throws when the answer cannot carry what this parser needs: the requested `fields` leave one
 * out, or no row of a non-empty page has it (a renamed field, or another feed's answer).
 */
function assertRequiredFields(page: PjmPage, file: string, fields: Fields): void {
  const required = [fields.utc, 'pnode_name', fields.lmp]
  const asked = page.fields
  if (asked) {
    const left = required.find((name) => !asked.includes(name))
    if (left !== undefined)
      throw new ParseError({
        file,
        line: 1,
        field: 'searchSpecification.fields',
        value: JSON.stringify(asked),
        reason: `fields changed: "${left}" was not asked for (needed: ${required.join(', ')})`,
      })
  }
  const items = page.rows.filter(isObject)
  if (items.length === 0) return
  const missing = required.find((name) => items.every((item) => !Object.hasOwn(item, name)))
  if (missing === undefined) return
  throw new ParseError({
    file,
    line: 1,
    field: missing,
    value: JSON.stringify(Object.keys(items[0] as object)),
    reason: `items changed: none has "${missing}" (needed: ${required.join(', ')})`,
  })
}

/** What the page said about a node so far: its pnode_id and type, and the row that said it. */
type NodeSeen = { id: number | null; typeText: string | null; line: number }

/** The record kept for a node and interval, with its row and version. */
type Kept = { index: number; line: number; version: number | null }

/** Records of one Data Miner 2 page of `feed`, and the node catalogue when rows carry `type`. */
export function parsePjm(text: string, file: string, feed: PjmFeed): ParseResult {
  const spec = PJM_FEEDS[feed]
  const fields = fieldsOf(spec)
  const page = readPjmPage(text, file)
  assertRequiredFields(page, file, fields)
  const rows = page.rows

  const iso = isoUtcCache()
  const errors: ParseIssue[] = []
  const records: PriceRecord[] = []
  const nodes = new Map<string, NodeSeen>()
  const catalogue = new Map<string, NodeType>()
  const kept = new Map<string, Kept>()
  const typed = rows.some((row) => isObject(row) && Object.hasOwn(row, 'type'))
  const grid = spec.intervalMs === HOUR_MS ? 'an hour' : 'a 5-minute'
  // A page repeats a few stamps on every row (a nodal day is 24 stamps and 10,000+ rows each):
  // read each distinct text once.
  const utcTimes = new Map<string, number | null>()
  const eptInstants = new Map<string, number[] | null>()

  rows.forEach((raw, index) => {
    const line = index + 1
    const issue = (field: string, value: unknown, reason: string) => {
      errors.push({ file, line, field, value: rawText(value ?? ''), reason })
    }
    if (!isObject(raw)) return issue('items', raw, 'row is not an object')

    const version = raw.version_nbr
    if (version !== undefined && version !== null && !(Number.isSafeInteger(version) && (version as number) >= 0))
      return issue('version_nbr', version, 'not a whole number')
    const versionNbr = typeof version === 'number' ? version : null
    const current = raw.row_is_current
    if (current !== undefined && current !== null && typeof current !== 'boolean') return issue('row_is_current', current, 'not true or false')
    if (current === false)
      return issue('row_is_current', current, `superseded version${versionNbr === null ? '' : ` (version_nbr ${versionNbr})`}: not the current price`)

    const utc = raw[fields.utc]
    let start: number | null = null
    if (typeof utc === 'string') {
      start = utcTimes.get(utc) ?? null
      if (start === null && !utcTimes.has(utc)) {
        start = pjmUtcMs(utc)
        utcTimes.set(utc, start)
      }
    }
    if (start === null) return issue(fields.utc, utc, utc === undefined || utc === null ? 'missing' : 'not a YYYY-MM-DDTHH:MM:SS UTC time')
    if (start % spec.intervalMs !== 0) return issue(fields.utc, utc, `not the start of ${grid} interval`)
    const ept = raw[fields.ept]
    if (ept !== undefined && ept !== null) {
      let instants: number[] | null = null
      if (typeof ept === 'string') {
        instants = eptInstants.get(ept) ?? null
        if (instants === null && !eptInstants.has(ept)) {
          const wall = eptWallMs(ept)
          instants = wall === null ? null : instantsOfWallClock(wall, EASTERN)
          eptInstants.set(ept, instants)
        }
      }
      if (instants === null) return issue(fields.ept, ept, 'not a YYYY-MM-DDTHH:MM:SS Eastern time')
      if (!instants.includes(start))
        return issue(fields.ept, ept, `is not ${rawText(utc)} UTC in Eastern prevailing time`)
    }

    const name = raw.pnode_name
    const badNode = nodeNameIssue(name, { file, line, field: 'pnode_name' })
    if (badNode) return errors.push(badNode)
    const node = name as string
    const idRaw = raw.pnode_id
    let id: number | null = null
    if (idRaw !== undefined && idRaw !== null) {
      id = readNumber(idRaw)
      if (id === null || !Number.isSafeInteger(id)) return issue('pnode_id', idRaw, 'not a whole number')
    }
    const typeRaw = raw.type
    let typeText: string | null = null
    let type: NodeType | undefined
    if (typeRaw !== undefined) {
      typeText = typeof typeRaw === 'string' ? typeRaw : null
      type = typeText === null ? undefined : lookup(PJM_NODE_TYPES, typeText)
      if (typeRaw === null) return issue('type', '', 'missing')
      if (!type) return issue('type', typeRaw, `unknown pnode type (expected ${Object.keys(PJM_NODE_TYPES).join(', ')})`)
    }

    const lmpRaw = raw[fields.lmp]
    const lmp = readNumber(lmpRaw)
    if (lmp === null) return issue(fields.lmp, lmpRaw, lmpRaw === undefined || lmpRaw === null ? 'missing' : 'not a number')
    const components: (number | null)[] = []
    for (const field of [fields.energy, fields.congestion, fields.loss]) {
      const value = raw[field]
      if (value === undefined || value === null) {
        components.push(null)
        continue
      }
      const number = readNumber(value)
      if (number === null) return issue(field, value, 'not a number')
      components.push(number)
    }

    const seen = nodes.get(node)
    if (!seen) nodes.set(node, { id, typeText, line })
    else {
      if (id !== null && seen.id !== null && id !== seen.id)
        return issue('pnode_id', idRaw, `pnode_name "${node}" is pnode_id ${seen.id} on line ${seen.line}: a name must name one pnode`)
      if (typeText !== null && seen.typeText !== null && typeText !== seen.typeText)
        return issue('type', typeRaw, `"${node}" was listed as ${seen.typeText} on line ${seen.line}`)
      if (seen.id === null) seen.id = id
      if (seen.typeText === null) seen.typeText = typeText
    }

    const record: PriceRecord = {
      market: 'PJM',
      node,
      run: spec.run,
      intervalStart: iso(start),
      intervalEnd: iso(start + spec.intervalMs),
      lmp,
      energy: components[0] as number | null,
      congestion: components[1] as number | null,
      loss: components[2] as number | null,
      ghg: null,
      source: spec.source,
      publishedAt: null,
    }
    const key = `${node}\u0000${start}`
    const first = kept.get(key)
    if (!first) {
      kept.set(key, { index: records.length, line, version: versionNbr })
      records.push(record)
      if (type) catalogue.set(node, type)
      return
    }
    const earlier = records[first.index] as PriceRecord
    if (samePrices(earlier, record)) return
    if (versionNbr !== null && first.version !== null && versionNbr !== first.version) {
      if (versionNbr < first.version)
        return issue('version_nbr', versionNbr, `superseded version: version_nbr ${first.version} of this node and interval on line ${first.line} kept`)
      errors.push({
        file,
        line: first.line,
        field: 'version_nbr',
        value: String(first.version),
        reason: `superseded version: version_nbr ${versionNbr} of this node and interval on line ${line} kept`,
      })
      records[first.index] = record
      kept.set(key, { index: first.index, line, version: versionNbr })
      return
    }
    issue('pnode_name', node, `second row for this node and interval with other prices (line ${first.line} kept)`)
  })

  const result: ParseResult = { records, errors }
  if (typed) result.nodes = [...catalogue].map(([name, type]): CatalogueNode => ({ name, type }))
  return result
}

function samePrices(a: PriceRecord, b: PriceRecord): boolean {
  return a.lmp === b.lmp && a.energy === b.energy && a.congestion === b.congestion && a.loss === b.loss
}

export const parsePjmDaHrlLmps = (text: string, file: string): ParseResult => parsePjm(text, file, 'da_hrl_lmps')
export const parsePjmRtHrlLmps = (text: string, file: string): ParseResult => parsePjm(text, file, 'rt_hrl_lmps')
export const parsePjmRtFiveminHrlLmps = (text: string, file: string): ParseResult => parsePjm(text, file, 'rt_fivemin_hrl_lmps')
export const parsePjmRtUnverifiedFiveminLmps = (text: string, file: string): ParseResult =>
  parsePjm(text, file, 'rt_unverified_fivemin_lmps')
