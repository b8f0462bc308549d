import fs from 'node:fs'
import path from 'node:path'
import { buildCurve, CurveConflictError, CurveInputError, parseQuotesCsv } from '@carbon/curves'
import { MarketId } from '@carbon/schemas'
import { z } from 'zod'

/**
 * `npx carbon curve build --quotes <file.csv> --market <MISO|CAISO> --block <onpeak|offpeak|atc> [--as-of YYYY-MM-DD]`:
 * solves a quote file with packages/curves (no store, no server) and prints the block's monthly
 * curve as one JSON object: `{"months":[{"month","price","hours"}],"diagnostics":{...}}`.
 * Errors (a bad CSV line, an unknown contract, quotes that disagree) go to stderr naming the
 * line and the contract; the exit code is then 1.
 */

export const CURVE_HELP = `npx carbon curve build --quotes <file.csv> --market <MISO|CAISO> --block <onpeak|offpeak|atc> [--as-of YYYY-MM-DD]

Builds a forward curve from the quotes (monthly to 2050-12) and prints it as JSON:
  {"months":[{"month":"2027-01","price":51.23,"hours":336},...],"diagnostics":{...}}

The quotes file: CSV with the header contract,block,price (optional bid,ask). Contracts:
  2027-01 (month), 2027-Q3 (quarter), Cal-2028 (calendar year), 2027-01/2027-02 (strip, inclusive).
Blocks: onpeak, offpeak, atc. --as-of defaults to today (UTC); the curve starts the month after.`

const Block = z.enum(['onpeak', 'offpeak', 'atc'])

export type CurveArgs = { quotes?: string; market?: string; block?: string; asOf?: string }

type Output = { write(text: string): void }

function usage(message: string): Error {
  return new CurveCliError(`${message}\n\n${CURVE_HELP}`)
}

export class CurveCliError extends Error {}

function parseArgs(args: CurveArgs) {
  if (!args.quotes) throw usage('curve build needs --quotes <file.csv>')
  const market = MarketId.safeParse(args.market)
  if (!market.success) throw usage(`--market must be one of ${MarketId.options.join(', ')}, got "${args.market ?? ''}"`)
  const block = Block.safeParse(args.block)
  if (!block.success) throw usage(`--block must be onpeak, offpeak or atc, got "${args.block ?? ''}"`)
  const asOf = args.asOf ?? new Date().toISOString().slice(0, 10)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`))) throw usage(`--as-of must be a date YYYY-MM-DD, got "${asOf}"`)
  return { file: args.quotes, market: market.data, block: block.data, asOf }
}

/** Runs `curve build`; returns the exit code. */
export function runCurveBuild(args: CurveArgs, out: Output = process.stdout, err: Output = process.stderr): number {
  let options: ReturnType<typeof parseArgs>
  try {
    options = parseArgs(args)
  } catch (error) {
    err.write(`carbon: ${(error as Error).message}\n`)
    return 2
  }
  let text: string
  try {
    text = fs.readFileSync(options.file, 'utf8')
  } catch (error) {
    err.write(`carbon: cannot read the quotes file ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`)
    return 1
  }
  try {
    const quotes = parseQuotesCsv(text, { file: path.basename(options.file) })
    const build = buildCurve({ market: options.market, quotes, asOf: options.asOf })
    const months = build.months.map((m) => ({ month: m.month, price: m[options.block], hours: m.hours[options.block] }))
    out.write(`${JSON.stringify({ months, diagnostics: { market: options.market, block: options.block, asOf: options.asOf, inputsHash: build.inputsHash, ...build.diagnostics } })}\n`)
    return 0
  } catch (error) {
    if (error instanceof CurveInputError || error instanceof CurveConflictError) {
      err.write(`carbon: ${error.message}\n`)
      return 1
    }
    throw error
  }
}
