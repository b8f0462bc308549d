import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TRPCError } from '@trpc/server'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { migratePostgres } from '../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { openPlatform, seedReferenceData, type Platform } from '../platform.ts'
import { DEMO_USERS } from '../services/auth/demo-identities.ts'
import type { Principal } from '../services/auth/types.ts'
import { seedDemo } from '../services/demo/index.ts'
import { appRouter, createCaller } from './root.ts'
import type { Context } from './trpc.ts'
import { provisionDemoUser } from '../../tests/support/demo-users.ts'

const END = new Date('2026-11-20T00:00:00Z')
let platform: Platform
let dataDir: string
let database: Awaited<ReturnType<typeof createScratchServerDatabase>>
let caller: ReturnType<typeof createCaller>
let context: (principal: Principal | null) => Context
const principals = new Map<string, Principal>()

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-router-'))
  const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url })
  const log = pino({ level: 'silent' })
  platform = await openPlatform(env, log)
  // A real PostgreSQL server is migrated by `carbon migrate`, not at start.
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
  await seedDemo(platform, { days: 3, end: END, seed: 7 })
  for (const user of DEMO_USERS) {
    const { principal } = await provisionDemoUser(platform.pg.db, user)
    principals.set(user.username, principal)
  }
  context = (principal) => ({
    platform,
    log,
    requestId: 'test',
    auth: { principal, channel: 'hub', failure: null },
    client: { address: '127.0.0.1', userAgent: 'vitest' },
    responseHeaders: new Headers(),
  })
  caller = createCaller(context(principals.get('admin')!))
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

describe('access', () => {
  async function auditCount(): Promise<number> {
    const rows = await platform.pg.db.execute(sql`select count(*)::int as n from audit_events`)
    const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { n: number }[]
    return Number(list[0]?.n ?? 0)
  }

  it('refuses anonymous callers, unentitled organizations and CAISO for the caiso-less analyst, and audits each', async () => {
    const before = await auditCount()
    expect(await codeOf(createCaller(context(null)).markets.list())).toBe('UNAUTHORIZED')
    expect(await codeOf(createCaller(context(principals.get('none')!)).markets.list())).toBe('FORBIDDEN')
    expect(await codeOf(createCaller(context(principals.get('quant')!)).prices.latest({ market: 'CAISO', run: 'DA' }))).toBe(
      'FORBIDDEN',
    )
    expect(await auditCount()).toBe(before + 3)
  })

  it('serves no data when the audit row cannot be written', async () => {
    await platform.pg.db.execute(sql`alter table audit_events rename to audit_events_hidden`)
    try {
      expect(await codeOf(caller.prices.latest({ market: 'MISO', run: 'DA', nodes: 'INDIANA.HUB' }))).toBe('SERVICE_UNAVAILABLE')
    } finally {
      await platform.pg.db.execute(sql`alter table audit_events_hidden rename to audit_events`)
    }
    const served = await caller.prices.latest({ market: 'MISO', run: 'DA', nodes: 'INDIANA.HUB' })
    expect(served.prices).toHaveLength(1)
  })

  it('lists only the markets the caller is entitled to', async () => {
    const { markets } = await createCaller(context(principals.get('caiso')!)).markets.list()
    expect(markets.map((m) => m.id)).toEqual(['CAISO'])
    const nodes = await createCaller(context(principals.get('caiso')!)).nodes.search({ q: 'ind' })
    expect(nodes.items).toEqual([])
  })
})

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

  it("audits a service's refusal with the status the caller gets (404 denied, not 500 error)", async () => {
    const requestId = `missing-node-${Date.now()}`
    const missing = createCaller({ ...context(principals.get('admin')!), requestId })
    const range = { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }
    expect(await codeOf(missing.prices.history({ market: 'MISO', node: 'NOPE', run: 'DA', ...range }))).toBe('NOT_FOUND')
    const rows = await platform.pg.db.execute(sql`select outcome, status from audit_events where request_id = ${requestId}`)
    const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { outcome: string; status: number }[]
    expect(list).toEqual([{ outcome: 'denied', status: 404 }])
  })
})
