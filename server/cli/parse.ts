import fs from 'node:fs'
import path from 'node:path'
import { isSeriesSourceId, ParseError, SERIES_SOURCES, SOURCES, unpackPayload, type ParseIssue, type SeriesSourceId, type SourceId } from '@carbon/connectors'
import type { PriceRecord, SeriesRecord } from '@carbon/schemas'
import { AppError } from '../errors.ts'
import { chunkedWriter, cliOutput } from './output.ts'

/** The help of `carbon parse`, with every source id. */
export function parseHelp(): string {
  const width = Math.max(...[...Object.keys(SOURCES), ...Object.keys(SERIES_SOURCES)].map((id) => id.length))
  const prices = Object.entries(SOURCES)
    .map(([id, s]) => `  ${id.padEnd(width)}  ${s.description}`)
    .join('\n')
  const series = Object.entries(SERIES_SOURCES)
    .map(([id, s]) => `  ${id.padEnd(width)}  ${s.description} [${s.product}; verified against ${VERIFIED[s.verified]}]`)
    .join('\n')
  return `Usage: npx carbon parse --source <source-id> <file>

Prints the normalized records of one publisher file as NDJSON on stdout, touching no store:
price records (one per node and interval, components merged) for the power price sources, series
records (one per series, measure and period, with its unit) for the others. Problems go to stderr,
each naming file, line (or sheet row), field and value. Exit code: 0 clean, 1 the file is
unusable, 3 some rows were refused. A zip (CAISO OASIS, ERCOT MIS) is opened and each file in it
parsed.

Power price sources:
${prices}

Series sources (gas, LNG, LCFS, RECs, fundamentals):
${series}`
}

const VERIFIED = { served: "the publisher's bytes", derived: "a third party's copy of them", documented: "the publisher's documented layout only" } as const

/** The canonical field order, so every line reads the same. */
function recordLine(r: PriceRecord): string {
  return JSON.stringify({
    market: r.market,
    node: r.node,
    run: r.run,
    intervalStart: r.intervalStart,
    intervalEnd: r.intervalEnd,
    lmp: r.lmp,
    energy: r.energy,
    congestion: r.congestion,
    loss: r.loss,
    ghg: r.ghg,
    source: r.source,
    publishedAt: r.publishedAt,
  })
}

export function issueLine(issue: ParseIssue): string {
  return `${issue.file} line ${issue.line}, ${issue.field}: ${issue.reason} (found ${JSON.stringify(issue.value)})`
}

/** The canonical field order of a series record. */
function seriesLine(r: SeriesRecord): string {
  return JSON.stringify({
    product: r.product,
    market: r.market,
    series: r.series,
    measure: r.measure,
    frequency: r.frequency,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    value: r.value,
    unit: r.unit,
    attributes: r.attributes,
    source: r.source,
    publishedAt: r.publishedAt,
  })
}

function isSourceId(value: string): value is SourceId {
  return Object.hasOwn(SOURCES, value)
}

/**
 * `carbon parse`: resolves to the exit code; writes records to `out` and problems to `err`, with
 * backpressure (a slow reader slows the parse). A reader that goes away (`| head -1`) ends the
 * parse quietly.
 */
export async function runParse(
  options: { source?: string; file?: string },
  outStream: NodeJS.WritableStream = process.stdout,
  errStream: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  if (!options.source || !options.file) {
    throw new AppError('BAD_REQUEST', `parse needs --source and a file.\n\n${parseHelp()}`)
  }
  const known = isSourceId(options.source) || isSeriesSourceId(options.source)
  if (!known) {
    throw new AppError('BAD_REQUEST', `unknown source "${options.source}"; known sources: ${[...Object.keys(SOURCES), ...Object.keys(SERIES_SOURCES)].join(', ')}`)
  }
  const file = options.file
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `no such file: ${file}`)
  if (isSeriesSourceId(options.source)) return runSeriesParse(options.source, file, outStream, errStream)
  const source = SOURCES[options.source as SourceId]
  const out = cliOutput(outStream)
  const err = cliOutput(errStream)
  const records = chunkedWriter(out)
  let refused = 0
  try {
    for (const doc of unpackPayload(fs.readFileSync(file), path.basename(file))) {
      const result = source.parse(doc.text, doc.file)
      for (const record of result.records) {
        if (out.closed) break
        await records.line(recordLine(record))
      }
      for (const issue of result.errors) await err.write(`${issueLine(issue)}\n`)
      refused += result.errors.length
    }
  } catch (error) {
    if (error instanceof ParseError) {
      await records.end()
      await err.write(`${error.message}\n`)
      return 1
    }
    throw error
  }
  await records.end()
  await Promise.all([out.flush(), err.flush()])
  return refused > 0 ? 3 : 0
}

/** `carbon parse` of a series source: the file's bytes to series records (workbooks are binary). */
async function runSeriesParse(id: SeriesSourceId, file: string, outStream: NodeJS.WritableStream, errStream: NodeJS.WritableStream): Promise<number> {
  const out = cliOutput(outStream)
  const err = cliOutput(errStream)
  const lines = chunkedWriter(out)
  let result
  try {
    result = SERIES_SOURCES[id].parse(new Uint8Array(fs.readFileSync(file)), path.basename(file))
  } catch (error) {
    if (!(error instanceof ParseError)) throw error
    await err.write(`${error.message}\n`)
    await err.flush()
    return 1
  }
  for (const record of result.records) {
    if (out.closed) break
    await lines.line(seriesLine(record))
  }
  for (const issue of result.errors) await err.write(`${issueLine(issue)}\n`)
  await lines.end()
  await Promise.all([out.flush(), err.flush()])
  return result.errors.length > 0 ? 3 : 0
}
