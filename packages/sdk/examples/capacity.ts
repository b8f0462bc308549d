/**
 * Example: a market's operable generating capacity from EIA-860M (product GRID, entitled through
 * the market), per technology and fuel, as of the latest inventory month stored, through the typed
 * client.
 *
 *   CARBON_TOKEN=cbn_... npx tsx packages/sdk/examples/capacity.ts [baseUrl] [market]
 *
 * market defaults to MISO. The token's organization needs the market through the API (the demo's
 * Lakeshore Quant has MISO). baseUrl defaults to CARBON_URL or http://localhost:3000.
 */
import { createCarbonClient, isCarbonError, type RouterInputs } from '../src/index.ts'
import { exampleSettings } from './settings.ts'

type Market = NonNullable<RouterInputs['series']['list']['market']>

const { baseUrl, token, args } = exampleSettings()
const market = (args[0] ?? 'MISO').toUpperCase() as Market
const client = createCarbonClient({ baseUrl, token })

const mw = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 }).padStart(10)

async function main() {
  const { series } = await client.series.list.query({ product: 'GRID', market })
  const capacity = series.filter((s) => s.series.includes('.CAPACITY.') && s.measure === 'summer_capacity')
  if (capacity.length === 0) {
    console.log(`No EIA-860M inventory stored for ${market} (carbon backfill --dataset eia.860m.generators fills it).`)
    return
  }
  const month = capacity.reduce((latest, s) => (s.last > latest ? s.last : latest), '').slice(0, 7)
  const current = capacity.filter((s) => s.last.slice(0, 7) === month)
  const byFuel = new Map<string, number>()
  console.log(`${market} operable capacity, EIA-860M ${month} (net summer MW):`)
  for (const s of current.sort((a, b) => b.lastValue - a.lastValue)) {
    console.log(`  ${s.attributes.respondent ?? ''} ${(s.attributes.technology ?? s.series).padEnd(44)} ${mw(s.lastValue)}`)
    const fuel = s.attributes.fuel ?? 'other'
    byFuel.set(fuel, (byFuel.get(fuel) ?? 0) + s.lastValue)
  }
  console.log('By fuel:')
  for (const [fuel, total] of [...byFuel].sort((a, b) => b[1] - a[1])) console.log(`  ${fuel.padEnd(10)} ${mw(total)}`)
}

main().catch((error: unknown) => {
  if (isCarbonError(error)) console.error(`254Carbon answered ${error.data?.httpStatus ?? ''} ${error.message}`)
  else console.error(error)
  process.exit(1)
})
