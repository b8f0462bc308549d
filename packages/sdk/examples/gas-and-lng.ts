/**
 * Example: Henry Hub's monthly spot price, the LNG benchmarks and their basis to Henry Hub, and a
 * market's fundamentals (EIA-930 demand), through the typed client.
 *
 *   CARBON_TOKEN=cbn_... npx tsx packages/sdk/examples/gas-and-lng.ts [baseUrl]
 *
 * The token's organization needs GAS and LNG through the API (and CAISO for the fundamentals);
 * the demo's Lakeshore Quant has every product. baseUrl defaults to CARBON_URL or
 * http://localhost:3000 (start the platform with `npm start`).
 */
import { createCarbonClient, isCarbonError } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

const { baseUrl, token } = exampleSettings()
const client = createCarbonClient({ baseUrl, token })

async function main() {
  const gas = await client.series.list.query({ product: 'GAS' })
  console.log('Gas series:')
  for (const s of gas.series) console.log(`  ${s.series.padEnd(24)} ${s.frequency.padEnd(6)} ${s.count} values, latest ${s.lastValue} ${s.unit} (${s.last.slice(0, 10)})`)

  const hh = await client.series.history.query({ product: 'GAS', series: 'HENRY_HUB', frequency: 'month', from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })
  console.log(`\nHenry Hub, monthly average ${hh.unit ?? ''}:`)
  for (const v of hh.values) console.log(`  ${v.periodStart.slice(0, 7)}  ${v.value.toFixed(2)}`)

  const basis = await client.series.basis.query({ product: 'LNG', series: 'JKM', from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' })
  console.log(`\n${basis.series} (JKM minus the Henry Hub average of the same week), ${basis.unit ?? ''}:`)
  for (const v of basis.values) console.log(`  week ending ${new Date(Date.parse(v.periodEnd) - 86_400_000).toISOString().slice(0, 10)}  ${v.value.toFixed(2)}  (JKM ${v.leg}, HH ${v.reference} over ${v.referenceDays} days)`)
  if (basis.unmatched.length > 0) console.log(`  ${basis.unmatched.length} weeks with one side only`)

  const grid = await client.series.list.query({ product: 'GRID', market: 'CAISO' })
  console.log(`\nCAISO fundamentals: ${grid.series.map((s) => s.series).join(', ') || 'none stored'}`)
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
