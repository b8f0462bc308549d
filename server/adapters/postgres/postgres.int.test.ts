import { readFileSync } from 'node:fs'
import path from 'node:path'
import { MARKETS } from '@carbon/schemas'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { findMigrationsFolder, migratePostgres, resultRows, seedMarkets, type PostgresHandle } from './client.ts'
import { apiTokens, auditEvents, markets, organizations, users } from './schema/index.ts'
import { fullErrorMessage, openScratchDatabase } from './testing.ts'

const TABLES = [
  'api_tokens',
  'audit_events',
  'compliance_holding_lots',
  'compliance_obligations',
  'compliance_retirements',
  'curve_builds',
  'curves',
  'data_keys',
  'dead_letters',
  'entitlements',
  'export_jobs',
  'ingest_backfills',
  'ingest_runs',
  'ingest_watermarks',
  'markets',
  'organizations',
  'pricing_nodes',
  'products',
  'report_outputs',
  'report_subscriptions',
  'scenario_runs',
  'scenario_versions',
  'scenarios',
  'sessions',
  'users',
]

const journal = JSON.parse(readFileSync(path.join(findMigrationsFolder(), 'meta', '_journal.json'), 'utf8')) as {
  entries: { tag: string }[]
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return fullErrorMessage(error)
  }
  throw new Error('expected the statement to fail, it succeeded')
}

describe.each(['pglite', 'postgres'] as const)('postgres adapter on %s', (kind) => {
  let pg: PostgresHandle
  let firstRun: { applied: number }

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    firstRun = await migratePostgres(pg)
  })
  afterAll(async () => {
    await pg?.close()
  })

  it('opens the requested kind', () => {
    expect(pg.kind).toBe(kind)
  })

  it('applies every committed migration on an empty database', () => {
    expect(journal.entries.map((e) => e.tag)).toContain('0001_audit_append_only')
    expect(firstRun.applied).toBe(journal.entries.length)
  })

  it('creates the tables', async () => {
    const rows = resultRows<{ table_name: string }>(
      await pg.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
      ),
    )
    expect(rows.map((r) => r.table_name)).toEqual(TABLES)
  })

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migratePostgres(pg)).toEqual({ applied: 0 })
  })

  it('seeds the markets idempotently, restoring edited definitions', async () => {
    expect(await seedMarkets(pg.db)).toBe(Object.keys(MARKETS).length)
    await pg.db.update(markets).set({ name: 'edited', peakDays: [7] }).where(eq(markets.id, 'MISO'))
    await seedMarkets(pg.db)
    const rows = await pg.db.select().from(markets).orderBy(markets.id)
    expect(rows.map((r) => r.id)).toEqual(['AESO', 'CAISO', 'ERCOT', 'IESO', 'ISONE', 'MISO', 'NYISO', 'PJM', 'SPP'])
    const miso = rows.find((r) => r.id === 'MISO')
    expect(miso).toMatchObject({
      name: MARKETS.MISO.name,
      timeZone: 'Etc/GMT+5',
      runs: ['DA', 'RT5', 'RTH'],
      intervalMinutes: { DA: 60, RT5: 5, RTH: 60 },
      peakTimeZone: 'America/New_York',
      peakHourEndingFrom: 8,
      peakHourEndingTo: 23,
      peakDays: [1, 2, 3, 4, 5],
    })
    expect(miso?.createdAt).toBeInstanceOf(Date)
  })

  describe('audit_events is append-only', () => {
    let id: number

    beforeAll(async () => {
      const [row] = await pg.db
        .insert(auditEvents)
        .values({
          principalType: 'user',
          principalId: 'u-1',
          channel: 'api',
          procedure: 'prices.latest',
          market: 'MISO',
          nodes: ['ILLINOIS.HUB'],
          outcome: 'allowed',
          status: 200,
          details: { rows: 3 },
        })
        .returning({ id: auditEvents.id })
      if (!row) throw new Error('insert returned no row')
      id = row.id
    })

    it('accepts inserts and reads', async () => {
      const [row] = await pg.db.select().from(auditEvents).where(eq(auditEvents.id, id))
      expect(row).toMatchObject({ procedure: 'prices.latest', outcome: 'allowed', nodes: ['ILLINOIS.HUB'], details: { rows: 3 } })
      expect(row?.occurredAt).toBeInstanceOf(Date)
    })

    it('rejects UPDATE', async () => {
      const message = await failure(pg.db.update(auditEvents).set({ outcome: 'denied' }).where(eq(auditEvents.id, id)))
      expect(message).toMatch(/audit_events is append-only: UPDATE is not allowed/)
    })

    it('rejects DELETE', async () => {
      const message = await failure(pg.db.delete(auditEvents).where(eq(auditEvents.id, id)))
      expect(message).toMatch(/audit_events is append-only: DELETE is not allowed/)
    })

    it('rejects TRUNCATE', async () => {
      const message = await failure(pg.db.execute(sql`truncate table audit_events`))
      expect(message).toMatch(/audit_events is append-only: TRUNCATE is not allowed/)
    })

    it('leaves the row unchanged', async () => {
      const rows = await pg.db.select({ id: auditEvents.id, outcome: auditEvents.outcome }).from(auditEvents)
      expect(rows).toEqual([{ id, outcome: 'allowed' }])
    })
  })

  describe('identity constraints', () => {
    let organizationId: string
    let userId: string

    beforeAll(async () => {
      const [org] = await pg.db.insert(organizations).values({ slug: `acme-${kind}`, name: 'Acme' }).returning()
      if (!org) throw new Error('no organization')
      organizationId = org.id
      const [user] = await pg.db
        .insert(users)
        .values({ organizationId, subject: 'sub-1', issuer: 'https://id.example', roles: ['analyst'] })
        .returning()
      if (!user) throw new Error('no user')
      userId = user.id
    })

    it('rejects an unknown role', async () => {
      const message = await failure(
        pg.db.insert(users).values({ organizationId, subject: 'sub-2', issuer: 'https://id.example', roles: ['root' as 'admin'] }),
      )
      expect(message).toMatch(/users_roles_check/)
    })

    it('rejects a second user with the same issuer and subject', async () => {
      const message = await failure(
        pg.db.insert(users).values({ organizationId, subject: 'sub-1', issuer: 'https://id.example' }),
      )
      expect(message).toMatch(/users_issuer_subject_key/)
    })

    it('stores only a hex SHA-256 as an API token hash', async () => {
      const token = { userId, organizationId, name: 'ci', scopes: ['prices:read'] }
      await pg.db.insert(apiTokens).values({ ...token, prefix: 'c254_aaaa', hash: 'a'.repeat(64) })
      const message = await failure(pg.db.insert(apiTokens).values({ ...token, prefix: 'c254_bbbb', hash: 'c254_secret' }))
      expect(message).toMatch(/api_tokens_hash_check/)
    })
  })
})
