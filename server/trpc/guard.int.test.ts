/**
 * The data gate of every procedure (server/trpc/trpc.ts) against a real PostgreSQL: hostile input
 * is a 400 naming the field before anything reads it, and still leaves its audit row (issue 11,
 * item 11); a schema failure names its field (item 14); `from` after `to` is a 400 (item 14);
 * hub sessions are rate limited like API credentials (item 13).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TRPCError } from '@trpc/server'
import { desc, eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres } from '../adapters/postgres/client.ts'
import { auditEvents } from '../adapters/postgres/schema/index.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { openPlatform, seedReferenceData, type Platform } from '../platform.ts'
import { DEMO_USERS } from '../services/auth/demo-identities.ts'
import type { Principal } from '../services/auth/types.ts'
import { createCaller } from './root.ts'
import type { Context } from './trpc.ts'
import { provisionDemoUser } from '../../tests/support/demo-users.ts'

let platform: Platform
let dataDir: string
let database: Awaited<ReturnType<typeof createScratchServerDatabase>>
let analyst: Principal
let requests = 0

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-guard-'))
  const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url })
  platform = await openPlatform(env, pino({ level: 'silent' }))
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
  const user = DEMO_USERS.find((u) => u.username === 'analyst')!
  analyst = (await provisionDemoUser(platform.pg.db, user)).principal
})

afterAll(async () => {
  await platform?.close()
  await database?.drop()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

function call(principal: Principal | null = analyst) {
  const ctx: Context = {
    platform,
    log: platform.log,
    requestId: `guard-${++requests}`,
    auth: { principal, channel: 'hub', failure: null },
    client: { address: '127.0.0.1', userAgent: 'vitest' },
    responseHeaders: new Headers(),
  }
  return { ctx, caller: createCaller(ctx) }
}

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TRPCError)
  return error as TRPCError
}

async function auditRow(requestId: string) {
  return (await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId)).orderBy(desc(auditEvents.id)))[0]
}

describe('hostile input: 400 naming the field, and an audit row', () => {
  const HISTORY = { market: 'MISO', node: 'INDIANA.HUB', run: 'DA', from: '2026-07-14T05:00:00Z', to: '2026-07-15T05:00:00Z' } as const
  const cases: [string, (c: ReturnType<typeof createCaller>) => Promise<unknown>, string, RegExp][] = [
    ['NUL in nodes.search q', (c) => c.nodes.search({ q: 'A\u0000' }), 'q', /U\+0000/],
    ['NUL in prices.history node', (c) => c.prices.history({ ...HISTORY, node: 'INDIANA.HUB\u0000' }), 'node', /U\+0000/],
    ['NUL in prices.latest nodes', (c) => c.prices.latest({ market: 'MISO', run: 'DA', nodes: 'A,\u0000B' }), 'nodes', /U\+0000/],
    ['escape sequence in market', (c) => c.prices.latest({ market: 'MISO\u001b[2J' as 'MISO', run: 'DA', nodes: 'A' }), 'market', /U\+001B/],
    ['year 0 in from', (c) => c.prices.history({ ...HISTORY, from: '0000-01-01T00:00:00Z' }), 'from', /outside 1990\.\.2100/],
    ['year 275760 in to', (c) => c.prices.history({ ...HISTORY, to: '+275760-09-13T00:00:00.000Z' }), 'to', /outside 1990\.\.2100/],
  ]
  for (const [name, run, field, message] of cases) {
    it(name, async () => {
      const { ctx, caller } = call()
      const error = await refusal(run(caller))
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message.startsWith(`${field}: `), error.message).toBe(true)
      expect(error.message).toMatch(message)
      const row = await auditRow(ctx.requestId)
      expect(row, `audit row of ${name}`).toMatchObject({ outcome: 'denied', status: 400, principalId: analyst.kind === 'user' ? analyst.userId : null })
    })
  }

  it('refuses an anonymous caller with hostile input as a 400 too, and records it', async () => {
    const { ctx, caller } = call(null)
    const error = await refusal(caller.nodes.search({ q: 'A\u0000' }))
    expect(error.code).toBe('BAD_REQUEST')
    expect(await auditRow(ctx.requestId)).toMatchObject({ principalType: 'anonymous', outcome: 'denied', status: 400 })
  })
})

describe('400s name the field', () => {
  it('a schema failure says which field and why, not only "Input validation failed"', async () => {
    const { ctx, caller } = call()
    const error = await refusal(caller.nodes.search({ limit: 5000 }))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toMatch(/^limit: /)
    expect(await auditRow(ctx.requestId)).toMatchObject({ outcome: 'denied', status: 400 })
  })

  it('prices.history with from after to (or equal) is a 400 naming to', async () => {
    const ranges: [string, string][] = [
      ['2026-07-15T05:00:00Z', '2026-07-14T05:00:00Z'],
      ['2026-07-15T05:00:00Z', '2026-07-15T05:00:00Z'],
    ]
    for (const [from, to] of ranges) {
      const { caller } = call()
      const error = await refusal(caller.prices.history({ market: 'MISO', node: 'INDIANA.HUB', run: 'DA', from, to }))
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toBe('to: must be after from')
    }
  })
})

describe('hub sessions are rate limited', () => {
  it('answers 429 with Retry-After past SESSION_RATE_LIMIT_PER_MINUTE, per user, and audits it', async () => {
    const saved = platform.auth.sessionRateLimitPerMinute
    // A limit no other test uses: its own bucket.
    platform.auth.sessionRateLimitPerMinute = 3
    try {
      for (let i = 0; i < 3; i++) await call().caller.markets.list()
      const { ctx, caller } = call()
      const error = await refusal(caller.markets.list())
      expect(error.code).toBe('TOO_MANY_REQUESTS')
      expect(Number(ctx.responseHeaders.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(await auditRow(ctx.requestId)).toMatchObject({ outcome: 'denied', status: 429 })
    } finally {
      platform.auth.sessionRateLimitPerMinute = saved
    }
  })
})
