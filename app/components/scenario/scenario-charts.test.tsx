import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { annualStack, priceSeries, type ScenarioMixRow, type ScenarioPriceRow } from '#app/utils/scenarios.ts'
import { CapacityChart, GenerationMixChart, PriceDeltaChart, ScenarioPriceChart } from './scenario-charts.tsx'

/**
 * The results charts render on the server (the HTML the hub sends before hydration): every path's
 * coordinates carry at most two decimals (rounded curves, so hydration in the browser draws the same
 * strings), and the band of a Monte Carlo run is a closed area under the price line.
 */

const months = Array.from({ length: 36 }, (_, i) => `${2030 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`)
const prices: ScenarioPriceRow[] = months.map((month, i) => ({
  market: 'MISO',
  hub: 'INDIANA.HUB',
  block: 'onpeak',
  month,
  price: 40 + Math.sin(i / 3) * 7.123456,
  p10: 33.3333333 + i / 7,
  p50: 40,
  p90: 47.7777777 + i / 9,
}))
const mix: ScenarioMixRow[] = months.flatMap((month, i) =>
  ['coal', 'gas_cc', 'solar'].map((technology, k) => ({ market: 'MISO', technology, month, capacityMw: 1000 * (k + 1) + i * 3.3333, generationMwh: 100_000 * (k + 1) + i * 777.77 })),
)

/** Every number in the `d` attributes of the HTML. */
function pathNumbers(html: string): string[] {
  return [...html.matchAll(/ d="([^"]+)"/g)].flatMap((m) => m[1]!.match(/-?\d+(\.\d+)?/g) ?? [])
}

describe('scenario charts on the server', () => {
  it('draws the price line and a closed P10-P90 band with rounded coordinates', () => {
    const html = renderToString(<ScenarioPriceChart points={priceSeries(prices, 'INDIANA.HUB', 'onpeak')} label="INDIANA.HUB on-peak" bands title="t" />)
    expect(html).toContain('data-months="36"')
    expect(html).toMatch(/class="recharts-curve recharts-line-curve"/)
    const band = /<g class="recharts-layer recharts-area scenario-band"[\s\S]*?<path[^>]* d="([^"]+)"/.exec(html)
    expect(band?.[1]).toMatch(/^M[^M]+Z$/)
    const numbers = pathNumbers(html)
    expect(numbers.length).toBeGreaterThan(100)
    for (const n of numbers) expect(n).toMatch(/^-?\d+(\.\d{1,2})?$/)
  })

  it('stacks the generation mix and the capacity by technology per year', () => {
    const technologies = ['coal', 'gas_cc', 'solar']
    const mixHtml = renderToString(<GenerationMixChart points={annualStack(mix, 'generation')} technologies={technologies} title="mix" />)
    expect(mixHtml.match(/recharts-area-area/g)?.length).toBe(3)
    const capacityHtml = renderToString(<CapacityChart points={annualStack(mix, 'capacity')} technologies={technologies} title="capacity" />)
    expect(capacityHtml.match(/class="recharts-rectangle"/g)?.length).toBe(9)
    for (const n of pathNumbers(mixHtml)) expect(n).toMatch(/^-?\d+(\.\d{1,2})?$/)
  })

  it('colours price increases and decreases', () => {
    const html = renderToString(
      <PriceDeltaChart
        rows={[
          { year: 2030, a: 40, b: 44, delta: 4, deltaPct: 10 },
          { year: 2031, a: 40, b: 38, delta: -2, deltaPct: -5 },
        ]}
        title="delta"
        label="INDIANA.HUB on-peak"
      />,
    )
    expect(html).toContain('fill="#047857"')
    expect(html).toContain('fill="#c0262d"')
  })
})
