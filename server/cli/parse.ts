import fs from 'node:fs'
import path from 'node:path'
import { ParseError, SOURCES, unpackPayload, type ParseIssue, type SourceId } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { AppError } from '../errors.ts'
import { chunkedWriter, cliOutput } from './output.ts'

/** The help of `carbon parse`, with every source id. */
export function parseHelp(): string {
  const width = Math.max(...Object.keys(SOURCES).map((id) => id.length))
  const sources = Object.entries(SOURCES)
    .map(([id, s]) => `  ${id.padEnd(width)}  ${s.description}`)
    .join('\n')
  return `Usage: npx carbon parse --source <source-id> <file>

Prints the normalized price records of one publisher file as NDJSON on stdout (one record per
node and interval, components merged), touching no store. Problems go to stderr, each naming
file, line, field and value. Exit code: 0 clean, 1 the file is unusable, 3 some rows were refused.
A zip (CAISO OASIS, ERCOT MIS) is opened and each file in it parsed.

Sources:
${sources}`
}

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
  if (!isSourceId(options.source)) {
    throw new AppError('BAD_REQUEST', `unknown source "${options.source}"; known sources: ${Object.keys(SOURCES).join(', ')}`)
  }
  const file = options.file
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `no such file: ${file}`)
  const source = SOURCES[options.source]
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
