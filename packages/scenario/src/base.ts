/**
 * The built-in "base" scenario, in the scenario language. Every other scenario extends it
 * (directly or through its parents). Its numbers are public facts or stated assumptions, each
 * named in packages/scenario/SOURCES.md; targets it leaves unset take the base data's defaults
 * (src/model/base). The build schedule is generated from BASE_BUILDS (one statement per year) so
 * the table stays readable; the text is what is parsed, hashed and shown.
 */
import type { ScenarioMarket, Technology } from './types.ts'

/** Capacity additions of the base case: `mwPerYear` every June of `fromYear..toYear`. */
export const BASE_BUILDS: readonly { market: ScenarioMarket; technology: Technology; fromYear: number; toYear: number; mwPerYear: number }[] = [
  { market: 'MISO', technology: 'solar', fromYear: 2025, toYear: 2030, mwPerYear: 6000 },
  { market: 'MISO', technology: 'solar', fromYear: 2031, toYear: 2050, mwPerYear: 4500 },
  { market: 'MISO', technology: 'wind', fromYear: 2025, toYear: 2050, mwPerYear: 1500 },
  { market: 'MISO', technology: 'storage', fromYear: 2026, toYear: 2050, mwPerYear: 1800 },
  { market: 'MISO', technology: 'gas_cc', fromYear: 2027, toYear: 2050, mwPerYear: 1500 },
  { market: 'MISO', technology: 'gas_ct', fromYear: 2026, toYear: 2050, mwPerYear: 1000 },
  { market: 'CAISO', technology: 'solar', fromYear: 2025, toYear: 2050, mwPerYear: 2500 },
  { market: 'CAISO', technology: 'storage', fromYear: 2025, toYear: 2050, mwPerYear: 2000 },
  { market: 'CAISO', technology: 'wind', fromYear: 2026, toYear: 2050, mwPerYear: 700 },
]

function buildStatements(): string {
  const lines: string[] = []
  for (const b of BASE_BUILDS) {
    for (let y = b.fromYear; y <= b.toYear; y++) lines.push(`build ${b.technology} ${b.mwPerYear} MW in ${b.market} at ${y}-06`)
  }
  return lines.join('\n')
}

export const BASE_SCENARIO_TEXT = `# The base case (packages/scenario/SOURCES.md names every number).
scenario "base"

# Henry Hub after the EIA history (which ends 2026-07): a stated assumption near EIA's
# Annual Energy Outlook reference case, escalating with inflation.
set fuel.gas = 3.40 $/MMBtu from 2026-08 escalate 2.0 %/yr
set fuel.coal = 2.10 $/MMBtu from 2025-01 escalate 1.5 %/yr
set fuel.uranium = 0.55 $/MMBtu from 2025-01 escalate 1.5 %/yr

# California cap-and-trade (CARB-Quebec joint auctions); no carbon price elsewhere.
set policy.carbon.CAISO = 30 $/t from 2025-01 escalate 5 %/yr

set macro.inflation = 2.5 %/yr
set load.MISO.growth = 1.0 %/yr
set load.CAISO.growth = 1.5 %/yr

# Builds: the interconnection queues and resource plans, smoothed to one step a year.
${buildStatements()}
`
