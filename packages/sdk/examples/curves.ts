/**
 * Example: the MISO Indiana Hub forward curve (quarters for ten years, then calendar years), how it
 * moved since the previous as-of date, and a new build from two quotes.
 *
 *   CARBON_TOKEN=cbn_... npx tsx packages/sdk/examples/curves.ts [baseUrl]
 *
 * The token needs the scopes read:curves (and write:curves for the build); baseUrl defaults to
 * CARBON_URL or http://localhost:3000 (start the platform with `npm start`).
 */
import { createCarbonClient, isCarbonError } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

const { baseUrl, token } = exampleSettings()
const client = createCarbonClient({ baseUrl, token })
const hub = { market: 'MISO', node: 'INDIANA.HUB' } as const

async function main() {
  const curve = await client.curves.get.query({ ...hub, granularity: 'standard' })
  // Per as-of date you see your organization's own build if it has one, else the house curve (built by 254Carbon).
  const whose = curve.build.owner === 'house' ? 'house curve' : `your organization's build by ${curve.build.requestedBy}`
  console.log(`${curve.curve.name} as of ${curve.build.asOf} (${whose}, version ${curve.build.version}, ${curve.build.quoteCount} quotes):`)
  for (const p of curve.points.slice(0, 8)) {
    console.log(`  ${p.period.padEnd(9)} on-peak ${p.onpeak.toFixed(2).padStart(7)}  off-peak ${p.offpeak.toFixed(2).padStart(7)}  ATC ${p.atc.toFixed(2).padStart(7)} $/MWh`)
  }
  console.log(`  ... ${curve.points.length - 8} more periods to ${curve.points.at(-1)?.period}`)

  const { curves } = await client.curves.list.query({ market: 'MISO' })
  const dates = curves.find((c) => c.node === hub.node)?.asOfDates ?? []
  if (dates.length >= 2) {
    const compared = await client.curves.compare.query({ ...hub, asOf: dates[0]!, against: dates[1]!, granularity: 'annual' })
    console.log(`\nChange since ${dates[1]} (on-peak):`)
    for (const row of compared.rows.slice(0, 5)) console.log(`  ${row.period.padEnd(9)} ${row.change ? row.change.onpeak.toFixed(2) : '-'}`)
  }

  const build = await client.curves.build.mutate({
    ...hub,
    asOf: new Date().toISOString().slice(0, 10),
    quotes: [
      { contract: 'Cal-2028', block: 'onpeak', price: 61.4 },
      { contract: 'Cal-2028', block: 'offpeak', price: 39.8 },
    ],
  })
  console.log(`\nBuilt version ${build.version} as of ${build.asOf} (private to your organization): ${build.status}, ${String(build.diagnostics?.solveMs ?? '?')} ms`)
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
