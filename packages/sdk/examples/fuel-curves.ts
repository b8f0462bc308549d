/**
 * Example: the Henry Hub forward gas curve (USD/MMBtu, quarters for ten years, then calendar
 * years), the JKM - Henry Hub basis curve, and a new Henry Hub build from three quotes.
 *
 *   CARBON_TOKEN=cbn_... npx tsx packages/sdk/examples/fuel-curves.ts [baseUrl]
 *
 * The token's organization needs GAS and LNG through the API, and the token the scopes read:curves
 * (and write:curves with the analyst role for the build); the demo's Lakeshore Quant has both
 * products. baseUrl defaults to CARBON_URL or http://localhost:3000 (start it with `npm start`).
 */
import { createCarbonClient, isCarbonError } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

const { baseUrl, token } = exampleSettings()
const client = createCarbonClient({ baseUrl, token })

async function printCurve(product: 'GAS' | 'LNG', curve: string) {
  const got = await client.fuelCurves.get.query({ product, curve, granularity: 'standard' })
  const whose = got.build.owner === 'house' ? 'house curve' : `your organization's build by ${got.build.requestedBy}`
  console.log(`${got.curve.name} as of ${got.build.asOf} (${whose}, version ${got.build.version}, ${got.build.quoteCount} quotes), ${got.curve.unit}:`)
  for (const p of got.points.slice(0, 6)) console.log(`  ${p.period.padEnd(9)} ${p.price.toFixed(3).padStart(8)}  (${p.days} days)`)
  console.log(`  ... ${got.points.length - 6} more periods to ${got.points.at(-1)?.period}`)
  for (const q of got.quotes) console.log(`  quote ${q.contract.padEnd(9)} ${q.price.toFixed(3)} repriced ${q.repriced?.toFixed(3) ?? 'not yet'}`)
}

async function main() {
  const { curves } = await client.fuelCurves.list.query({ product: 'GAS' })
  console.log(`Gas curves: ${curves.map((c) => `${c.curve}${c.latest ? '' : ' (not built)'}`).join(', ')}\n`)
  await printCurve('GAS', 'HENRY_HUB')
  console.log()
  await printCurve('LNG', 'JKM-HH')

  // A multi-month contract is the calendar-days-weighted average of its months.
  const build = await client.fuelCurves.build.mutate({
    product: 'GAS',
    curve: 'HENRY_HUB',
    asOf: new Date().toISOString().slice(0, 10),
    quotesCsv: 'contract,price\nCal-2028,3.85\nCal-2029,3.92\nCal-2030,4.01\n',
  })
  console.log(`\nBuilt version ${build.version} as of ${build.asOf} (private to your organization): ${build.status}`)
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
