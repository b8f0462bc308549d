import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { upsertNodes } from '../nodes/index.ts'
import { listMarkets, marketsChanged } from './index.ts'
import { MarketListOutput } from './schemas.ts'

describe.each(['pglite', 'postgres'] as const)('listMarkets on %s', (kind) => {
  let pg: PostgresHandle

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
  })
  afterAll(async () => {
    await pg?.close()
  })

  it('is empty before the markets are seeded', async () => {
    expect(await listMarkets(pg.db)).toEqual({ markets: [] })
  })

  it('lists the seeded markets with their conventions and node counts', async () => {
    await seedMarkets(pg.db)
    await seedMarkets(pg.db)
    marketsChanged(pg.db)
    expect((await listMarkets(pg.db)).markets.map((m) => [m.id, m.nodeCount])).toEqual([
      ['AESO', 0],
      ['CAISO', 0],
      ['ERCOT', 0],
      ['IESO', 0],
      ['ISONE', 0],
      ['MISO', 0],
      ['NYISO', 0],
      ['PJM', 0],
      ['SPP', 0],
    ])
    // A node catalogue write shows in the next list at once (the list is otherwise reused for a while).
    await upsertNodes(pg.db, [
      { market: 'MISO', name: 'ILLINOIS.HUB', type: 'hub' },
      { market: 'MISO', name: 'INDIANA.HUB', type: 'hub' },
      { market: 'MISO', name: 'AMIL.EDWARDS2', type: 'generator', activeTo: '2020-01-01T00:00:00.000Z' },
    ])

    const output = await listMarkets(pg.db)
    expect(MarketListOutput.parse(output)).toEqual(output)
    expect(output.markets.filter((m) => ['CAISO', 'ERCOT', 'IESO', 'MISO'].includes(m.id))).toEqual([
      {
        id: 'CAISO',
        name: 'California ISO',
        timeZone: 'America/Los_Angeles',
        runs: ['DA', 'RT5', 'RT15'],
        intervalMinutes: { DA: 60, RT5: 5, RT15: 15 },
        peak: { timeZone: 'America/Los_Angeles', hourEndingFrom: 7, hourEndingTo: 22, days: [1, 2, 3, 4, 5, 6], holidays: 'NERC' },
        nodeCount: 0,
      },
      {
        id: 'ERCOT',
        name: 'Electric Reliability Council of Texas',
        timeZone: 'America/Chicago',
        runs: ['DA', 'RT15'],
        intervalMinutes: { DA: 60, RT15: 15 },
        peak: { timeZone: 'America/Chicago', hourEndingFrom: 7, hourEndingTo: 22, days: [1, 2, 3, 4, 5], holidays: 'NERC' },
        nodeCount: 0,
      },
      {
        id: 'IESO',
        name: 'Ontario IESO',
        timeZone: 'Etc/GMT+5',
        runs: ['DA', 'RT5'],
        intervalMinutes: { DA: 60, RT5: 5 },
        peak: { timeZone: 'Etc/GMT+5', hourEndingFrom: 8, hourEndingTo: 23, days: [1, 2, 3, 4, 5], holidays: 'NERC' },
        nodeCount: 0,
      },
      {
        id: 'MISO',
        name: 'Midcontinent ISO',
        timeZone: 'Etc/GMT+5',
        runs: ['DA', 'RT5', 'RTH'],
        intervalMinutes: { DA: 60, RT5: 5, RTH: 60 },
        peak: { timeZone: 'America/New_York', hourEndingFrom: 8, hourEndingTo: 23, days: [1, 2, 3, 4, 5], holidays: 'NERC' },
        nodeCount: 3,
      },
    ])
  })

  it('hands every caller the same frozen list until it changes', async () => {
    const first = await listMarkets(pg.db)
    expect(await listMarkets(pg.db)).toBe(first)
    expect(Object.isFrozen(first.markets[0])).toBe(true)
    marketsChanged(pg.db)
    const next = await listMarkets(pg.db)
    expect(next).not.toBe(first)
    expect(next).toEqual(first)
  })
})
