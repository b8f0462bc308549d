import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TRPCError } from '@trpc/server'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../tests/setup/databases.ts'
import { migratePostgres, seedMarkets } from '../adapters/postgres/client.ts'
import { parseEnv } from '../env.ts'
import { openPlatform, type Platform } from '../platform.ts'
import { seedDemo } from '../services/demo/index.ts'
import { appRouter, createCaller } from './root.ts'

const END = new Date('2026-11-20T00:00:00Z')
let platform: Platform
let dataDir: string
let database: Awaited<ReturnType<typeof createTestDatabase>>
let caller: ReturnType<typeof createCaller>

beforeAll(async () => {
  database = await createTestDatabase()
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-router-'))
  const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url })
  const log = pino({ level: 'silent' })
  platform = await openPlatform(env, log)
  // A real PostgreSQL server is migrated by `carbon migrate`, not at start.
  await migratePostgres(platform.pg)
  await seedMarkets(platform.pg.db)
  await seedDemo(platform, { days: 3, end: END, seed: 7 })
  caller = createCaller({ platform, log, requestId: 'test' })
})

afterAll(async () => {
  await platform?.close()
  await database?.drop()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TRPCError)
  return (error as TRPCError).code
}

describe('app router', () => {
  it('declares input and output schemas on every procedure', () => {
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, unknown>) as [string, { _def: { inputs: unknown[]; output?: unknown } }][]
    expect(procedures.length).toBeGreaterThanOrEqual(4)
    for (const [name, procedure] of procedures) {
      expect(procedure._def.inputs.length, `${name} has no .input()`).toBeGreaterThan(0)
      expect(procedure._def.output, `${name} has no .output()`).toBeDefined()
    }
  })

  it('markets.list returns both markets on the PostgreSQL server', async () => {
    const { markets } = await caller.markets.list()
    expect(platform.pg.kind).toBe('postgres')
    expect(markets.map((m) => m.id).sort()).toEqual(['CAISO', 'MISO'])
    expect(markets.find((m) => m.id === 'CAISO')?.peak.days).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('nodes.search filters by type and prefix', async () => {
    const hubs = await caller.nodes.search({ market: 'CAISO', type: 'hub' })
    expect(hubs.items.map((n) => n.name)).toEqual(['TH_NP15_GEN-APND', 'TH_SP15_GEN-APND', 'TH_ZP26_GEN-APND'])
    const prefix = await caller.nodes.search({ q: 'minn' })
    expect(prefix.items.map((n) => n.name)).toContain('MINN.HUB')
  })

  it('prices.latest by node list and by node types', async () => {
    const byName = await caller.prices.latest({ market: 'MISO', run: 'DA', nodes: 'INDIANA.HUB, MINN.HUB,INDIANA.HUB' })
    expect(byName.prices.map((p) => p.node).sort()).toEqual(['INDIANA.HUB', 'MINN.HUB'])
    const byType = await caller.prices.latest({ market: 'CAISO', run: 'RT5', types: 'hub' })
    expect(byType.prices).toHaveLength(3)
    for (const p of byType.prices) expect(Date.parse(p.intervalEnd)).toBeLessThanOrEqual(END.getTime())
  })

  it('prices.history hourly over the seeded days, raw matching hourly averages', async () => {
    const from = new Date(END.getTime() - 86_400_000).toISOString()
    const to = END.toISOString()
    const input = { market: 'MISO' as const, node: 'INDIANA.HUB', run: 'RT5' as const, from, to }
    const hourly = await caller.prices.history({ ...input, resolution: 'hourly' })
    const raw = await caller.prices.history({ ...input, resolution: 'raw' })
    expect(hourly.points).toHaveLength(24)
    expect(raw.points).toHaveLength(288)
    const firstHour = raw.points.slice(0, 12).reduce((s, p) => s + p.lmp, 0) / 12
    expect(hourly.points[0]?.lmp).toBeCloseTo(firstHour, 9)
  })

  it('refuses bad input and unknown nodes with the right codes', async () => {
    expect(await codeOf(caller.prices.latest({ market: 'MISO', run: 'RT5', types: 'hub,planet' }))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.prices.latest({ market: 'MISO', run: 'RT5', nodes: ' , ' }))).toBe('BAD_REQUEST')
    expect(
      await codeOf(
        caller.prices.history({ market: 'MISO', node: 'NOPE', run: 'DA', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }),
      ),
    ).toBe('NOT_FOUND')
    expect(
      await codeOf(
        caller.prices.history({
          market: 'MISO',
          node: 'INDIANA.HUB',
          run: 'DA',
          from: '2026-11-02T00:00:00Z',
          to: '2026-11-01T00:00:00Z',
        }),
      ),
    ).toBe('BAD_REQUEST')
    expect(await codeOf(caller.nodes.search({ cursor: 'garbage!' }))).toBe('BAD_REQUEST')
  })
})
