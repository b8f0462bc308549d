/**
 * MISO public API `MarketPricing/GetRealTimeFiveMinExPost/{Current|Rolling|Previous}`:
 *
 *   {"headers":["INTERVAL","CPNODE","LMP","MLC","MCC"],
 *    "data":[["2026-10-02T16:50:00","MS.HUB","37.84","0.48","2.86"], ...]}
 *
 * Every value is a string. INTERVAL is the start of the 5-minute interval as a naive MISO
 * market time (fixed EST, UTC-5). The energy component is not published: LMP - MLC - MCC,
 * rounded to 1e-6. Issues name the 1-based position of the row in `data` as their line.
 */
import type { PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { ParseResult } from '../types.ts'
import {
  dataText,
  isObject,
  isoUtc,
  JsonScan,
  MISO_EST_OFFSET_MS,
  nodeNameIssue,
  numberAt,
  ownCopy,
  rawText,
  readJson,
  readNumber,
  residual,
  wallClockMs,
} from './text.ts'

const HEADERS = ['INTERVAL', 'CPNODE', 'LMP', 'MLC', 'MCC'] as const
const INTERVAL_MS = 5 * 60_000
const NAIVE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.0+)?)?$/

/** A naive MISO market time (`2026-10-02T16:50:00`, fixed EST) in ms since the epoch, or null. */
export function misoNaiveTimeMs(text: string): number | null {
  const m = NAIVE_TIME.exec(text)
  if (!m) return null
  const ms = wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0))
  return ms === null ? null : ms + MISO_EST_OFFSET_MS
}

/**
 * Parses an answer. The usual answer (the shape above, every value a string without escapes) is
 * read by {@link scanAnswer} straight from the text: a whole market day is 46 MB and 750,000 rows,
 * and JSON.parse alone, making an array and five strings per row, takes longer than all the rest.
 * Anything else (escapes, a number where a string was, another shape, invalid JSON) is read by
 * JSON.parse, with the same checks and issues per row.
 */
export function parseMisoRt5ExPost(text: string, file: string): ParseResult {
  const scanned = scanAnswer(dataText(text, file), file)
  if (scanned) return scanned.result()
  return readDocument(readJson(text, file), file)
}

function readDocument(doc: unknown, file: string): ParseResult {
  if (!isObject(doc) || !Array.isArray(doc.headers) || !Array.isArray(doc.data))
    throw new ParseError({
      file,
      line: 1,
      field: 'headers',
      value: rawText(doc).slice(0, 200),
      reason: 'expected {"headers":[...],"data":[...]}',
    })
  const headers = doc.headers.map(rawText)
  if (headers.length !== HEADERS.length || HEADERS.some((name, i) => headers[i] !== name))
    throw new ParseError({
      file,
      line: 1,
      field: 'headers',
      value: JSON.stringify(headers),
      reason: `headers changed: expected ${JSON.stringify(HEADERS)}`,
    })

  const rows = new Rt5Rows(file)
  doc.data.forEach((row: unknown, index: number) => {
    const line = index + 1
    if (!Array.isArray(row)) return rows.issue(line, 'data', row, 'row is not an array')
    if (row.length < HEADERS.length)
      return rows.issue(line, HEADERS[row.length] ?? '', '', `row has ${row.length} of ${HEADERS.length} values`)
    if (row.length > HEADERS.length) return rows.issue(line, 'data', row, `row has more than ${HEADERS.length} values`)
    const [interval, node, lmpRaw, mlcRaw, mccRaw] = row as unknown[]
    const slot = typeof interval === 'string' ? rows.slotOf(interval) : null
    if (slot === null) return rows.issue(line, 'INTERVAL', interval, 'not a YYYY-MM-DDTHH:MM:SS market time')
    const badNode = nodeNameIssue(node, { file, line, field: 'CPNODE' })
    if (badNode) return rows.errors.push(badNode)
    const lmp = readNumber(lmpRaw)
    const loss = readNumber(mlcRaw)
    const congestion = readNumber(mccRaw)
    if (lmp === null) return rows.issue(line, 'LMP', lmpRaw, 'not a number')
    if (loss === null) return rows.issue(line, 'MLC', mlcRaw, 'not a number')
    if (congestion === null) return rows.issue(line, 'MCC', mccRaw, 'not a number')
    rows.add(line, slot, node as string, lmp, loss, congestion)
  })
  return rows.result()
}

/** A distinct INTERVAL of the answer: its start, its ISO texts, its index among the distinct ones. */
type Slot = { index: number; start: number; startIso: string; endIso: string }

/** The rows read so far: records (one per node and interval) and issues. */
class Rt5Rows {
  readonly records: PriceRecord[] = []
  readonly errors: ParseIssue[] = []
  /** The row (line) of each record, for the issue about a second row of its node and interval. */
  private readonly lines: number[] = []
  private readonly slots = new Map<string, Slot | null>()
  private slotCount = 0
  private readonly nodes = new Map<string, number>()
  /** Node names by index, and the index of the previous row's node. */
  private readonly names: string[] = []
  private lastNode = -1
  /** Per slot, per node index: the index of the node's record for that interval, plus one (0: none). */
  private readonly seen: Int32Array[] = []

  constructor(private readonly file: string) {}

  issue(line: number, field: string, value: unknown, reason: string): void {
    this.errors.push({ file: this.file, line, field, value: rawText(value), reason })
  }

  /** The slot of an INTERVAL text, or null when it is not a market time (read once per text). */
  slotOf(interval: string): Slot | null {
    let slot = this.slots.get(interval)
    if (slot === undefined) {
      const start = misoNaiveTimeMs(interval)
      slot = start === null ? null : { index: this.slotCount++, start, startIso: isoUtc(start), endIso: isoUtc(start + INTERVAL_MS) }
      this.slots.set(interval, slot)
    }
    return slot
  }

  /** A checked row: a record, or nothing (the same prices again) or an issue for a second row. */
  add(line: number, slot: Slot, node: string, lmp: number, loss: number, congestion: number): void {
    const next = this.lastNode + 1 < this.names.length ? this.lastNode + 1 : 0
    let nodeIndex = this.names[next] === node ? next : this.nodes.get(node)
    if (nodeIndex === undefined) {
      nodeIndex = this.names.length
      const name = ownCopy(node)
      this.nodes.set(name, nodeIndex)
      this.names.push(name)
    }
    this.lastNode = nodeIndex
    const seen = this.seenOf(slot.index, nodeIndex)
    const first = seen[nodeIndex] as number
    if (first === 0) {
      seen[nodeIndex] = this.records.length + 1
      this.lines.push(line)
      this.records.push({
        market: 'MISO',
        node: this.names[nodeIndex] as string,
        run: 'RT5',
        intervalStart: slot.startIso,
        intervalEnd: slot.endIso,
        lmp,
        energy: residual(lmp, loss, congestion),
        congestion,
        loss,
        ghg: null,
        source: 'miso.api.rt5_expost',
        publishedAt: null,
      })
      return
    }
    const record = this.records[first - 1] as PriceRecord
    if (record.lmp !== lmp || record.loss !== loss || record.congestion !== congestion)
      this.issue(line, 'CPNODE', node, `second row for this node and interval with other prices (row ${this.lines[first - 1]} kept)`)
  }

  /**
   * The node name at `text[start, end)`. Every interval lists the nodes in the same order, so
   * the node after the previous row's is tried first, compared in place: no slice, no hashing,
   * and one string per node kept by the records instead of one per row.
   */
  nodeAt(text: string, start: number, end: number): string {
    const expected = this.names[this.lastNode + 1 < this.names.length ? this.lastNode + 1 : 0]
    if (expected !== undefined && end - start === expected.length && text.startsWith(expected, start)) return expected
    const known = this.names.length > 0 ? this.findName(text, start, end) : undefined
    return known ?? text.slice(start, end)
  }

  /** A known name equal to `text[start, end)`, looked up by its slice. */
  private findName(text: string, start: number, end: number): string | undefined {
    const index = this.nodes.get(text.slice(start, end))
    return index === undefined ? undefined : this.names[index]
  }

  /** The slot's table of node indexes, grown to hold `nodeIndex`. */
  private seenOf(slotIndex: number, nodeIndex: number): Int32Array {
    let seen = this.seen[slotIndex]
    if (!seen || seen.length <= nodeIndex) {
      const grown = new Int32Array(Math.max(4096, (nodeIndex + 1) * 2))
      if (seen) grown.set(seen)
      seen = grown
      this.seen[slotIndex] = seen
    }
    return seen
  }

  result(): ParseResult {
    return { records: this.records, errors: this.errors }
  }
}

/**
 * The answer read in place when it is exactly `{"headers":[...5 strings],"data":[[5 strings],...]}`
 * (whitespace allowed between tokens) with the expected headers and no escape in any string;
 * null at the first thing that is not, and JSON.parse then reads the answer. Row checks and
 * issues are those of {@link readDocument}.
 */
function scanAnswer(text: string, file: string): Rt5Rows | null {
  const scan = new JsonScan(text)
  if (!scan.punct(123) || !scan.key('headers') || !scan.punct(91)) return null
  for (let i = 0; i < HEADERS.length; i++) {
    if (scan.string() !== HEADERS[i] || !scan.punct(i < HEADERS.length - 1 ? 44 : 93)) return null
  }
  if (!scan.punct(44) || !scan.key('data') || !scan.punct(91)) return null
  const rows = new Rt5Rows(file)
  const cells = new Int32Array(2 * HEADERS.length)
  let interval = ''
  let slot: Slot | null = null
  if (!scan.punct(93)) {
    for (let line = 1; ; line++) {
      if (!scan.punct(91) || !scan.stringsOf(HEADERS.length, cells)) return null
      // Rows come interval by interval: the previous row's INTERVAL text is usually this one's.
      const from = cells[0] as number
      const to = cells[1] as number
      if (to - from !== interval.length || !text.startsWith(interval, from)) {
        interval = text.slice(from, to)
        slot = rows.slotOf(interval)
      }
      scanRow(text, cells, line, slot, rows, file)
      if (scan.punct(93)) break
      if (!scan.punct(44)) return null
    }
  }
  return scan.punct(125) && scan.atEnd() ? rows : null
}

/** The checks of one scanned row, its five strings at `cells` (start, end pairs). */
function scanRow(text: string, cells: Int32Array, line: number, slot: Slot | null, rows: Rt5Rows, file: string): void {
  if (slot === null) return rows.issue(line, 'INTERVAL', cellOf(text, cells, 0), 'not a YYYY-MM-DDTHH:MM:SS market time')
  const node = rows.nodeAt(text, cells[2] as number, cells[3] as number)
  const badNode = nodeNameIssue(node, { file, line, field: 'CPNODE' })
  if (badNode) {
    rows.errors.push(badNode)
    return
  }
  const lmp = numberAt(text, cells[4] as number, cells[5] as number)
  const loss = numberAt(text, cells[6] as number, cells[7] as number)
  const congestion = numberAt(text, cells[8] as number, cells[9] as number)
  if (lmp === null) return rows.issue(line, 'LMP', cellOf(text, cells, 2), 'not a number')
  if (loss === null) return rows.issue(line, 'MLC', cellOf(text, cells, 3), 'not a number')
  if (congestion === null) return rows.issue(line, 'MCC', cellOf(text, cells, 4), 'not a number')
  rows.add(line, slot, node, lmp, loss, congestion)
}

/** String `i` of a scanned row. */
function cellOf(text: string, cells: Int32Array, i: number): string {
  return text.slice(cells[2 * i] as number, cells[2 * i + 1] as number)
}
