/**
 * Example: latest MISO real-time hub prices and a week of hourly Indiana Hub history.
 *
 *   npx tsx packages/sdk/examples/latest-prices.ts [baseUrl]
 *
 * baseUrl defaults to CARBON_URL or http://localhost:3000 (start the platform with `npm start`).
 */
import { createCarbonClient, isCarbonError } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

const { baseUrl, token } = exampleSettings()
const client = createCarbonClient({ baseUrl, token })

async function main() {
  const { markets } = await client.markets.list.query()
  console.log(`Markets: ${markets.map((m) => `${m.id} (${m.nodeCount} nodes)`).join(', ')}`)

  const latest = await client.prices.latest.query({ market: 'MISO', run: 'RT5', types: 'hub' })
  console.log(`\nLatest MISO RT5 hub prices:`)
  for (const p of latest.prices) {
    const change = p.change === null ? '' : ` (${p.change >= 0 ? '+' : ''}${p.change.toFixed(2)})`
    console.log(`  ${p.node.padEnd(16)} ${p.lmp.toFixed(2).padStart(9)} $/MWh${change}  at ${p.intervalStart}`)
  }

  const end = latest.prices.map((p) => p.intervalEnd).sort().at(-1) ?? new Date().toISOString()
  const from = new Date(Date.parse(end) - 7 * 86_400_000).toISOString()
  const history = await client.prices.history.query({
    market: 'MISO',
    node: 'INDIANA.HUB',
    run: 'DA',
    from,
    to: end,
    resolution: 'daily',
  })
  console.log(`\nINDIANA.HUB day-ahead, daily (${history.timeZone}):`)
  for (const p of history.points) {
    console.log(`  ${p.intervalStart.slice(0, 10)}  ATC ${p.lmp.toFixed(2)}  on-peak ${p.onPeak?.toFixed(2) ?? '-'}  off-peak ${p.offPeak?.toFixed(2) ?? '-'}`)
  }
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
