import fs from 'node:fs'
import path from 'node:path'
import { addMonths, monthHours } from '@carbon/curves'
import { checkScenario, formatDiagnostic, parseScenario, type Diagnostic, type ScenarioDocument } from '@carbon/scenario/language'
import type { Assumptions, ScenarioResult } from '@carbon/scenario'
import { BASE_SCENARIO_TEXT } from '../../packages/scenario/src/base.ts'
import { canonicalHash, runIdentity } from '../../packages/scenario/src/identity.ts'
import { type CliOutput, chunkedWriter, stderr, stdout } from './output.ts'

/**
 * `npx carbon scenario check <file>` and `npx carbon scenario run <file> [--json]`: the scenario
 * language and the fundamentals model on a file, in this process, touching no store.
 *
 * Parents: `extends "base"` is the built-in base scenario (packages/scenario/src/base.ts); any other
 * `extends "X"` is `X.scn` in the file's folder, or else the `.scn` file there whose scenario line
 * names "X".
 *
 * `run --json` prints one line, one JSON object:
 *   {"runId","inputsHash","engine","baseData","scenario":{"name","chain"},"prices":[{"market","hub","month","block","price"}]}
 * prices in $/MWh for every market, hub, month (from the month after today, UTC, to MODEL_LAST_MONTH)
 * and block (onpeak, offpeak), in that order (markets and hubs in the model's order), each rounded
 * half up to 4 decimals (Math.round(x * 10^4) / 10^4; -0 prints as 0). The same file gives the same
 * bytes on the same day.
 */

export const SCENARIO_HELP = `Usage:
  npx carbon scenario check <file.scn>
      parse and resolve a scenario; prints "ok: <name> (<n> statements, canonical sha256 <hash>)"
      where n counts the resolved statements (the parents' included); on errors prints each as
      file:line:col: message on stderr and exits 2
  npx carbon scenario run <file.scn> [--json]
      check, then run the fundamentals model (every market, monthly to 2050-12, no store);
      --json: one JSON object {runId, inputsHash, engine, baseData, scenario, prices: [{market, hub,
      month, block, price}]} with months from next month (UTC) to 2050-12, prices in $/MWh rounded
      to 4 decimals; without --json: annual averages (hours-weighted) per market, hub and block

A scenario file:
  # comment
  scenario "High gas" extends "base"
  set fuel.gas = 5.50 $/MMBtu from 2027-01 escalate 2 %/yr
  set policy.carbon = 40 $/t from 2030-01 escalate 3 %/yr
  set load.MISO.growth = 1.5 %/yr from 2027-01
  build solar 5000 MW in MISO at 2028-06
  retire coal 3000 MW in MISO at 2029-01
"base" is built in; extends "X" reads X.scn (or the .scn file whose scenario line is "X") in the
same folder.`

export type ScenarioArgs = { action: string; file?: string; json: boolean }

export type ScenarioIo = { out?: CliOutput; err?: CliOutput; now?: Date }

const BASE_NAME = 'base'
const BASE_FILE = '<built-in base>'
const MAX_FOLDER_FILES = 500

/** Parents of a file: the built-in base, then `.scn` files of the file's folder (parsed once each). */
function folderLookup(file: string) {
  const dir = path.dirname(file)
  const parsed = new Map<string, ScenarioDocument | undefined>()
  let headers: Map<string, string> | null = null

  const parseFile = (full: string): ScenarioDocument | undefined => {
    try {
      return parseScenario(fs.readFileSync(full, 'utf8'), full).document
    } catch {
      return undefined
    }
  }
  /** Scenario name -> file, over the folder's `.scn` files (the first file wins a name). */
  const folderHeaders = (): Map<string, string> => {
    if (headers) return headers
    headers = new Map()
    let names: string[] = []
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.scn')).sort().slice(0, MAX_FOLDER_FILES)
    } catch {
      names = []
    }
    for (const n of names) {
      const full = path.join(dir, n)
      if (path.resolve(full) === path.resolve(file)) continue
      const name = parseFile(full)?.name
      if (name && !headers.has(name)) headers.set(name, full)
    }
    return headers
  }
  const find = (name: string): ScenarioDocument | undefined => {
    if (name === BASE_NAME) return parseScenario(BASE_SCENARIO_TEXT, BASE_FILE).document
    const direct = path.join(dir, `${name}.scn`)
    if (!name.includes('/') && !name.includes('\\') && fs.existsSync(direct)) {
      const doc = parseFile(direct)
      if (doc?.name === name) return doc
    }
    const other = folderHeaders().get(name)
    return other === undefined ? undefined : parseFile(other)
  }
  const lookup = (name: string): ScenarioDocument | undefined => {
    if (!parsed.has(name)) parsed.set(name, find(name))
    return parsed.get(name)
  }
  return { lookup, knownNames: () => [BASE_NAME, ...folderHeaders().keys()] }
}

type Checked = { assumptions: Assumptions; canonical: string }

/** Reads and checks the file; prints the problems and returns null on any. */
async function checkFile(file: string, err: CliOutput): Promise<Checked | null> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    await err.write(`carbon: cannot read the scenario file ${file}: ${code === 'ENOENT' ? 'no such file (ENOENT)' : code}\n`)
    return null
  }
  const parents = folderLookup(file)
  let result = checkScenario(text, file, parents.lookup)
  if (result.diagnostics.some((d) => d.message.startsWith('unknown parent scenario'))) {
    // Only now is the folder listed for "did you mean" (most checks never need it).
    result = checkScenario(text, file, parents.lookup, { knownNames: parents.knownNames() })
  }
  if (!result.assumptions || !result.canonical) {
    await printDiagnostics(result.diagnostics, err)
    return null
  }
  return { assumptions: result.assumptions, canonical: result.canonical }
}

async function printDiagnostics(diagnostics: Diagnostic[], err: CliOutput): Promise<void> {
  const lines = diagnostics.length > 0 ? diagnostics.map(formatDiagnostic) : ['the scenario does not resolve']
  await err.write(`${lines.join('\n')}\n`)
}

/** The month after `now`'s month (UTC), `YYYY-MM`. */
export function nextMonth(now: Date): string {
  return addMonths(now.toISOString().slice(0, 7), 1)
}

/** $/MWh rounded half up to 4 decimals, never -0. */
export function roundPrice(price: number): number {
  const rounded = Math.round(price * 1e4) / 1e4
  return rounded === 0 ? 0 : rounded
}

export type PriceRow = { market: string; hub: string; month: string; block: 'onpeak' | 'offpeak'; price: number }

/** Every market, hub, month from `first`, and block of a result, rounded. */
export function priceRows(result: ScenarioResult, first: string): PriceRow[] {
  const start = result.months.findIndex((m) => m >= first)
  if (start === -1) return []
  const rows: PriceRow[] = []
  for (const market of result.markets) {
    for (const hub of market.hubs) {
      for (let k = start; k < result.months.length; k++) {
        const month = result.months[k]!
        for (const block of ['onpeak', 'offpeak'] as const) {
          const price = hub[block][k]!
          if (!Number.isFinite(price)) throw new Error(`the model gave a non-finite price for ${market.market} ${hub.hub} ${month} ${block}: ${price}`)
          rows.push({ market: market.market, hub: hub.hub, month, block, price: roundPrice(price) })
        }
      }
    }
  }
  return rows
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

/** Annual hours-weighted averages per market, hub and block, as text (one section per market). */
export function annualTable(result: ScenarioResult, first: string): string {
  const start = Math.max(0, result.months.findIndex((m) => m >= first))
  const years = [...new Set(result.months.slice(start).map((m) => m.slice(0, 4)))]
  const lines: string[] = []
  for (const market of result.markets) {
    lines.push('', `${market.market} (annual averages, $/MWh, hours-weighted)`)
    lines.push(pad('', 6) + market.hubs.map((h) => pad(h.hub, 22, true)).join(''))
    lines.push(pad('year', 6) + market.hubs.map(() => pad('onpeak', 11, true) + pad('offpeak', 11, true)).join(''))
    for (const year of years) {
      const cells = market.hubs.map((hub) => {
        const sums = { onpeak: [0, 0], offpeak: [0, 0] }
        for (let k = start; k < result.months.length; k++) {
          const month = result.months[k]!
          if (!month.startsWith(year)) continue
          const hours = monthHours(market.market, month)
          for (const block of ['onpeak', 'offpeak'] as const) {
            sums[block][0]! += hub[block][k]! * hours[block]
            sums[block][1]! += hours[block]
          }
        }
        return (['onpeak', 'offpeak'] as const).map((b) => pad((sums[b][0]! / sums[b][1]!).toFixed(2), 11, true)).join('')
      })
      lines.push(pad(year, 6) + cells.join(''))
    }
  }
  return `${lines.join('\n')}\n`
}

async function check(file: string, out: CliOutput, err: CliOutput): Promise<number> {
  const checked = await checkFile(file, err)
  if (!checked) return 2
  const statements = checked.assumptions.sets.length + checked.assumptions.changes.length
  await out.write(`ok: ${checked.assumptions.name} (${statements} statement${statements === 1 ? '' : 's'}, canonical sha256 ${canonicalHash(checked.canonical)})\n`)
  return 0
}

async function run(file: string, json: boolean, out: CliOutput, err: CliOutput, now: Date): Promise<number> {
  const checked = await checkFile(file, err)
  if (!checked) return 2
  const { assumptions, canonical } = checked
  // The model (base data, the EIA gas history) loads only for a run: `check` stays light.
  const { BASE_DATA_VERSION, ENGINE_VERSION, runScenario, usesForwardGas } = await import('@carbon/scenario')
  if (usesForwardGas(assumptions)) {
    await err.write(
      `carbon: ${file}: "${assumptions.name}" sets fuel.gas = forward, which prices gas on the house Henry Hub forward curve; this command runs without a store, so it has none. Run the scenario from the hub or the API (POST /api/v1/scenarios/{id}/runs), or set fuel.gas to a price here.\n`,
    )
    return 2
  }
  if (process.stderr.isTTY) await err.write(`carbon: running "${assumptions.name}" (every market, monthly to 2050-12)...\n`)
  const identity = runIdentity({ canonical, baseDataVersion: BASE_DATA_VERSION, engineVersion: ENGINE_VERSION, mode: 'deterministic' })
  const result = runScenario(assumptions)
  const first = nextMonth(now)
  if (json) {
    const printed = {
      runId: identity.runId,
      inputsHash: identity.inputsHash,
      engine: result.engine,
      baseData: result.baseData,
      scenario: { name: assumptions.name, chain: assumptions.chain },
      prices: priceRows(result, first),
    }
    await out.write(`${JSON.stringify(printed)}\n`)
    return 0
  }
  const writer = chunkedWriter(out)
  await writer.line(`scenario "${assumptions.name}" (chain ${assumptions.chain.join(' -> ')})`)
  await writer.line(`run ${identity.runId}  inputs sha256 ${identity.inputsHash}`)
  await writer.line(`engine ${result.engine}  base data ${result.baseData}  months ${first}..${result.months.at(-1)}`)
  await writer.line(annualTable(result, first).trimEnd())
  await writer.end()
  return 0
}

/** Runs `carbon scenario <check|run> <file> [--json]`; returns the exit code. */
export async function runScenarioCommand(args: ScenarioArgs, io: ScenarioIo = {}): Promise<number> {
  const out = io.out ?? stdout()
  const err = io.err ?? stderr()
  try {
    if (args.action !== 'check' && args.action !== 'run') {
      await err.write(`carbon: unknown scenario action "${args.action}": expected check or run\n\n${SCENARIO_HELP}\n`)
      return 2
    }
    if (!args.file) {
      await err.write(`carbon: scenario ${args.action} needs a file: npx carbon scenario ${args.action} <file.scn>\n`)
      return 2
    }
    return args.action === 'check' ? await check(args.file, out, err) : await run(args.file, args.json, out, err, io.now ?? new Date())
  } finally {
    await Promise.all([out.flush(), err.flush()])
  }
}
