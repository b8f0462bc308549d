/**
 * MISO market-report CSV: `{YYYYMMDD}_da_expost_lmp.csv`, `{YYYYMMDD}_rt_lmp_final.csv` and
 * `{YYYYMMDD}_rt_lmp_prelim.csv` from https://docs.misoenergy.org/marketreports/.
 *
 *   Day Ahead Market ExPost LMPs                          <- title (RT: "Realtime Market LMPs")
 *   07/14/2026                                            <- market day (RT files: 9/26/2026)
 *                                                         <- blank
 *   ,,,All Hours-Ending are Eastern Standard Time (EST)
 *   Node,Type,Value,HE 1,...,HE 24
 *   INDIANA.HUB,Hub,LMP,37.82,...                         <- one row per node and Value
 *
 * MISO runs on fixed EST (UTC-5, no daylight saving), so every day has 24 hours and HE h covers
 * [h-1, h) EST = [h+4, h+5) UTC. The LMP, MCC and MLC rows of a node are merged into one record
 * per node and hour; MISO does not publish the energy component in these files, so it is
 * LMP - MCC - MLC, rounded to 1e-6 (see {@link residual}).
 */
import type { MarketRun, NodeType, PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { CatalogueNode, ParseResult } from '../types.ts'
import {
  assertHeader,
  CellRanges,
  dataText,
  isBlank,
  isBlankAt,
  isoUtc,
  LineCursor,
  lookup,
  MISO_EST_OFFSET_MS,
  nodeNameIssue,
  ownCopy,
  residual,
  rowWidthIssue,
  splitCsvLine,
  wallClockMs,
} from './text.ts'

export type MisoReport = 'da_expost_lmp' | 'rt_lmp_final' | 'rt_lmp_prelim'

const REPORTS: Record<MisoReport, { run: MarketRun; title: RegExp; titleText: string }> = {
  da_expost_lmp: { run: 'DA', title: /day[\s-]*ahead/i, titleText: 'Day Ahead' },
  // The hourly real-time files are hourly integrated LMPs: run RTH, not RT5.
  rt_lmp_final: { run: 'RTH', title: /real[\s-]*time/i, titleText: 'Realtime' },
  rt_lmp_prelim: { run: 'RTH', title: /real[\s-]*time/i, titleText: 'Realtime' },
}

const HOURS = 24
const HEADER = ['Node', 'Type', 'Value', ...Array.from({ length: HOURS }, (_, i) => `HE ${i + 1}`)]
const HOUR_MS = 3_600_000

/** MISO's node types as the canonical ones. */
export const MISO_NODE_TYPES: Readonly<Record<string, NodeType>> = {
  Hub: 'hub',
  Loadzone: 'zone',
  Gennode: 'generator',
  Interface: 'interface',
}

const VALUE_ROWS = { LMP: 'lmp', MCC: 'congestion', MLC: 'loss' } as const
type Component = (typeof VALUE_ROWS)[keyof typeof VALUE_ROWS]

type Row = { line: number; values: number[] }
type NodeRows = { type: NodeType; line: number } & Partial<Record<Component, Row>>

/** The records of a MISO market report plus the node catalogue it lists. */
export type MisoReportResult = ParseResult & { nodes: CatalogueNode[] }

/**
 * Parses a MISO market-report CSV. A row that cannot be read (missing or extra columns, unknown
 * Type or Value, a non-numeric hour) becomes an issue and the rest of the file is still read;
 * a bad hour cell drops only that hour. A changed preamble or header throws a {@link ParseError}.
 */
export function parseMisoMarketReport(text: string, file: string, report: MisoReport): MisoReportResult {
  const spec = REPORTS[report]
  const cursor = new LineCursor(dataText(text, file))
  const preamble: string[] = []
  for (let i = 0; i < 5; i++) preamble.push(cursor.next() ? cursor.line() : '')
  const dayStart = readPreamble(preamble, spec, file)

  const errors: ParseIssue[] = []
  const nodes = new Map<string, NodeRows>()
  const cells = new CellRanges(HEADER.length)
  while (cursor.next()) {
    const line = cursor.number
    if (isBlankAt(cursor.text, cursor.start, cursor.end)) continue
    if (!cells.readLine(cursor)) {
      const split = splitCsvLine(cursor.line())
      const badWidth = rowWidthIssue(split, HEADER, file, line)
      if (badWidth) {
        errors.push(badWidth)
        continue
      }
      cells.readCells(split)
    }
    readRow(cells, line, file, nodes, errors)
  }
  return { records: recordsOf(nodes, dayStart, spec.run, `miso.${report}`, file, errors), errors, nodes: [...nodes].map(([name, { type }]) => ({ name, type })) }
}

/** Checks the title, market day, blank line, EST note and header; the market day's first hour (UTC ms). */
function readPreamble(lines: string[], spec: (typeof REPORTS)[MisoReport], file: string): number {
  const fail = (line: number, field: string, value: string, reason: string): never => {
    throw new ParseError({ file, line, field, value, reason })
  }
  const title = splitCsvLine(lines[0] ?? '')[0] ?? ''
  if (!spec.title.test(title)) fail(1, 'title', title, `not a ${spec.titleText} market report (title line)`)

  const dateText = splitCsvLine(lines[1] ?? '')[0] ?? ''
  const date = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(dateText)
  const day = date ? wallClockMs(Number(date[3]), Number(date[1]), Number(date[2])) : null
  if (day === null) return fail(2, 'date', dateText, 'market day is not a M/D/YYYY date')

  if (!isBlank(lines[2] ?? '')) fail(3, 'preamble', lines[2] ?? '', 'expected a blank line after the date')
  if (!/Eastern Standard Time/i.test(lines[3] ?? ''))
    fail(4, 'preamble', lines[3] ?? '', 'hours are no longer stated as Eastern Standard Time')

  assertHeader(splitCsvLine(lines[4] ?? ''), HEADER, file, 5, 'columns')
  return day + MISO_EST_OFFSET_MS
}

/** Checks one data row (of the header's width) and files its 24 hours under its node and Value. */
function readRow(cells: CellRanges, line: number, file: string, nodes: Map<string, NodeRows>, errors: ParseIssue[]): void {
  const name = cells.cell(0)
  const badName = nodeNameIssue(name, { file, line, field: 'Node' })
  if (badName) {
    errors.push(badName)
    return
  }
  const typeText = cells.cell(1)
  const type = lookup(MISO_NODE_TYPES, typeText)
  if (!type) {
    errors.push(issueAt(file, line, 'Type', typeText, `unknown node type (expected ${Object.keys(MISO_NODE_TYPES).join(', ')})`))
    return
  }
  const valueText = cells.cell(2)
  const component: Component | undefined = lookup(VALUE_ROWS, valueText)
  if (!component) {
    errors.push(issueAt(file, line, 'Value', valueText, `unknown Value (expected ${Object.keys(VALUE_ROWS).join(', ')})`))
    return
  }

  const values = new Array<number>(HOURS)
  for (let h = 0; h < HOURS; h++) {
    const value = cells.number(3 + h)
    if (value === null) errors.push(issueAt(file, line, HEADER[3 + h] ?? '', cells.cell(3 + h), 'not a number'))
    values[h] = value ?? Number.NaN
  }

  const entry = nodes.get(name)
  if (!entry) {
    nodes.set(ownCopy(name), { type, line, [component]: { line, values } })
    return
  }
  if (entry.type !== type) {
    errors.push(issueAt(file, line, 'Type', typeText, `node was listed with another type on line ${entry.line}`))
    return
  }
  const first = entry[component]
  if (!first) entry[component] = { line, values }
  else if (!sameValues(first.values, values))
    errors.push(issueAt(file, line, 'Value', valueText, `second ${valueText} row for ${name} with other values (line ${first.line} kept)`))
}

function issueAt(file: string, line: number, field: string, value: string, reason: string): ParseIssue {
  return { file, line, field, value, reason }
}

/** One record per node and hour with an LMP; a node without an LMP row is an issue. */
function recordsOf(nodes: Map<string, NodeRows>, dayStart: number, run: MarketRun, source: string, file: string, errors: ParseIssue[]): PriceRecord[] {
  const starts: string[] = []
  for (let h = 0; h <= HOURS; h++) starts.push(isoUtc(dayStart + h * HOUR_MS))
  const records: PriceRecord[] = []
  for (const [name, entry] of nodes) {
    if (!entry.lmp) {
      errors.push({ file, line: entry.line, field: 'Value', value: '', reason: `no LMP row for ${name}` })
      continue
    }
    const lmps = entry.lmp.values
    const congestions = entry.congestion?.values
    const losses = entry.loss?.values
    for (let h = 0; h < HOURS; h++) {
      const lmp = lmps[h] ?? Number.NaN
      if (Number.isNaN(lmp)) continue
      const congestion = congestions?.[h] ?? Number.NaN
      const loss = losses?.[h] ?? Number.NaN
      const split = !Number.isNaN(congestion) && !Number.isNaN(loss)
      records.push({
        market: 'MISO',
        node: name,
        run,
        intervalStart: starts[h] as string,
        intervalEnd: starts[h + 1] as string,
        lmp,
        energy: split ? residual(lmp, congestion, loss) : null,
        congestion: split ? congestion : null,
        loss: split ? loss : null,
        ghg: null,
        source,
        publishedAt: null,
      })
    }
  }
  return records
}

function sameValues(a: number[], b: number[]): boolean {
  return a.every((v, i) => Object.is(v, b[i]))
}
