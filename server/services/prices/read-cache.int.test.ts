import type { PriceRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { insertPrices, latestPrices, priceHistory } from './index.ts'
import { allPricesChanged, pricesPublished } from './read-cache.ts'

const MINUTE = 60_000
const T0 = Date.parse('2026-03-02T15:00:00Z')

function price(node: string, run: 'RT5' | 'DA', i: number, lmp: number): PriceRecord {
  const minutes = run === 'RT5' ? 5 : 60
  return {
    market: 'MISO',
    node,
    run,
    intervalStart: new Date(T0 + i * minutes * MINUTE).toISOString(),
    intervalEnd: new Date(T0 + (i + 1) * minutes * MINUTE).toISOString(),
    lmp,
    energy: null,
    congestion: null,
    loss: null,
    ghg: null,
    source: 'test',
    publishedAt: new Date(T0 + (i + 1) * minutes * MINUTE).toISOString(),
  }
}

/** What another process writes: straight into the store, unseen by this process's insertPrices. */
async function insertElsewhere(ch: ClickHouseHandle, record: PriceRecord) {
  const t = (iso: string) => iso.replace('T', ' ').replace('Z', '')
  await ch.client.insert({
    table: 'prices',
    values: [{ market: record.market, node: record.node, run: record.run, interval_start: t(record.intervalStart), interval_end: t(record.intervalEnd), lmp: record.lmp, source: record.source, published_at: t(record.publishedAt!) }],
    format: 'JSONEachRow',
  })
}

describe('cached price reads (chDB)', () => {
  let ch: ClickHouseHandle
  beforeAll(async () => {
    ch = await openScratchClickHouse()
    await insertPrices(ch, [0, 1, 2].flatMap((i) => [price('HUB.A', 'RT5', i, 20 + i), price('HUB.A', 'DA', i, 30 + i)]))
  })
  afterAll(async () => {
    await ch?.close()
  })

  const latest = (run: 'RT5' | 'DA') => latestPrices(ch, { market: 'MISO', run, nodes: ['HUB.A'] })
  const dayOf = (run: 'RT5' | 'DA') =>
    priceHistory(ch, { market: 'MISO', node: 'HUB.A', run, resolution: 'hourly', from: new Date(T0).toISOString(), to: new Date(T0 + 86_400_000).toISOString() })

  it('answers the same read from memory, as one frozen object', async () => {
    const first = await latest('RT5')
    expect(first.prices[0]).toMatchObject({ lmp: 22, previousLmp: 21 })
    expect(await latest('RT5')).toBe(first)
    expect(Object.isFrozen(first.prices[0])).toBe(true)
    expect(() => (first.prices as unknown[]).push(1)).toThrow()
  })

  it('shares one load between concurrent misses', async () => {
    const [a, b] = await Promise.all([dayOf('DA'), dayOf('DA')])
    expect(b).toBe(a)
  })

  it('reads again after prices of the same market and run are written here, and keeps the other runs', async () => {
    const da = await dayOf('DA')
    await insertPrices(ch, [price('HUB.A', 'RT5', 3, 40)])
    expect((await latest('RT5')).prices[0]).toMatchObject({ lmp: 40, previousLmp: 22 })
    expect(await dayOf('DA')).toBe(da)
  })

  it("reads again once the bus announces another process's write, not before", async () => {
    const before = await latest('RT5')
    const record = price('HUB.A', 'RT5', 4, 55)
    await insertElsewhere(ch, record)
    expect(await latest('RT5')).toBe(before)
    pricesPublished(ch, [record])
    expect((await latest('RT5')).prices[0]).toMatchObject({ lmp: 55, previousLmp: 40 })
  })

  it('forgets everything when the prices are removed', async () => {
    const da = await dayOf('DA')
    allPricesChanged(ch)
    const again = await dayOf('DA')
    expect(again).not.toBe(da)
    expect(again).toEqual(da)
  })
})
