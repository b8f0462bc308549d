import { desc, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, resultRows, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { auditEvents, organizations } from '../../adapters/postgres/schema/index.ts'
import { fullErrorMessage, openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { AuditPage, auditCsv, recordAudit, searchAudit, type AuditEntry, type AuditFilter, type AuditRow } from './audit.ts'
import type { Principal } from './types.ts'
import { parseCsv } from '../../../tests/support/csv.ts'

async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, the call succeeded')
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return fullErrorMessage(error)
  }
  throw new Error('expected the statement to fail, it succeeded')
}


async function collect(gen: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = []
  for await (const line of gen) out.push(line)
  return out
}

async function allPages(db: PostgresHandle['db'], filter: AuditFilter): Promise<{ pages: number; items: AuditRow[] }> {
  const items: AuditRow[] = []
  let cursor = filter.cursor
  let pages = 0
  do {
    const page = await searchAudit(db, { ...filter, cursor })
    AuditPage.parse(page)
    items.push(...page.items)
    cursor = page.nextCursor ?? undefined
    if (++pages > 1000) throw new Error('pagination does not end')
  } while (cursor)
  return { pages, items }
}

describe.each(['pglite', 'postgres'] as const)('audit log on %s', (kind) => {
  let pg: PostgresHandle
  let orgA: { id: string; slug: string }
  let orgB: { id: string; slug: string }
  let user: Principal

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    await seedMarkets(pg.db)
    ;[orgA, orgB] = await pg.db
      .insert(organizations)
      .values([
        { slug: 'org-a', name: 'A' },
        { slug: 'org-b', name: 'B' },
      ])
      .returning({ id: organizations.id, slug: organizations.slug }) as [typeof orgA, typeof orgB]
    user = {
      kind: 'user',
      userId: '11111111-1111-4111-8111-111111111111',
      organizationId: orgA.id,
      organizationSlug: orgA.slug,
      label: 'ada@example.test',
      roles: ['analyst'],
      scopes: null,
      credentialId: 'a'.repeat(64),
    }
  })
  let closed = false
  afterAll(async () => {
    // The scratch database's close() also drops it: once only.
    if (!closed) await pg?.close()
  })

  const latest = async () => (await pg.db.select().from(auditEvents).orderBy(desc(auditEvents.id)).limit(1))[0]!

  describe('recordAudit', () => {
    it('writes concurrent rows together, each caller waiting for its own, and fails only the row that cannot be stored', async () => {
      const entry = (i: number): AuditEntry => ({ requestId: `group-${i}`, principal: user, channel: 'api', procedure: 'group.commit', outcome: 'allowed', status: 200 })
      // A principal kind outside the column's type: that row alone cannot be stored.
      const broken: AuditEntry = { ...entry(-1), requestId: 'group-broken', principal: { ...user, kind: 'robot' as Principal['kind'] } }
      const settled = await Promise.allSettled([...Array.from({ length: 40 }, (_, i) => recordAudit(pg.db, entry(i))), recordAudit(pg.db, broken)])
      expect(settled.slice(0, 40).every((r) => r.status === 'fulfilled')).toBe(true)
      const last = settled[40]!
      expect(last.status).toBe('rejected')
      expect(((last as PromiseRejectedResult).reason as AppError).code).toBe('UNAVAILABLE')
      const stored = await pg.db.select({ requestId: auditEvents.requestId }).from(auditEvents).where(eq(auditEvents.procedure, 'group.commit'))
      expect(stored.map((r) => r.requestId).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `group-${i}`).sort())
    })

    it('inserts one row with the entry and the principal', async () => {
      await recordAudit(pg.db, {
        requestId: 'req-1',
        principal: user,
        channel: 'api',
        procedure: 'prices.history',
        market: 'MISO',
        nodes: ['HUB.A', 'HUB.B'],
        rangeFrom: '2025-01-01T00:00:00Z',
        rangeTo: new Date('2025-01-02T00:00:00Z'),
        outcome: 'allowed',
        status: 200,
        clientAddress: '203.0.113.9',
        userAgent: 'curl/8',
        details: { rows: 48, run: 'DA' },
      })
      const row = await latest()
      expect(row).toMatchObject({
        requestId: 'req-1',
        principalType: 'user',
        principalId: user.userId,
        organizationId: orgA.id,
        channel: 'api',
        procedure: 'prices.history',
        market: 'MISO',
        nodes: ['HUB.A', 'HUB.B'],
        outcome: 'allowed',
        status: 200,
        clientAddress: '203.0.113.9',
        userAgent: 'curl/8',
        details: { rows: 48, run: 'DA' },
      })
      expect(row.rangeFrom!.toISOString()).toBe('2025-01-01T00:00:00.000Z')
      expect(row.rangeTo!.toISOString()).toBe('2025-01-02T00:00:00.000Z')
      expect(Date.now() - row.occurredAt.getTime()).toBeLessThan(60_000)
    })

    it('stores text exactly as given: quotes, backslashes, commas, braces and non-ASCII in every text column, nodes and details', async () => {
      const awkward = ['HUB "A", {B}', 'back\\slash\\', 'Zürich – 東京 😀', 'NULL', '']
      const given = {
        requestId: 'req-"text"',
        procedure: 'prices.latest {x}, "y"',
        market: 'MI\\SO',
        nodes: awkward,
        outcome: 'denied',
        status: 403,
        userAgent: 'agent "quoted" \\ 東京',
        details: { nested: { list: awkward, n: 1.5, flag: false, none: null } },
      } as const
      await recordAudit(pg.db, { ...given, nodes: [...awkward], principal: user, channel: 'hub' })
      expect(await latest()).toMatchObject({
        ...given,
        rangeFrom: null,
        rangeTo: null,
        clientAddress: null,
      })
    })

    it('keys principal_id on the user, the token or the service client; anonymous has none', async () => {
      const base: Omit<AuditEntry, 'principal'> = { requestId: 'r', channel: 'api', procedure: 'p', outcome: 'denied', status: 403 }
      await recordAudit(pg.db, { ...base, principal: { ...user, kind: 'token', credentialId: 'tok-uuid', scopes: ['read:prices'] } })
      expect(await latest()).toMatchObject({ principalType: 'token', principalId: 'tok-uuid', organizationId: orgA.id })
      await recordAudit(pg.db, {
        ...base,
        principal: { ...user, kind: 'service', userId: null, credentialId: 'svc-client', organizationId: orgB.id },
      })
      expect(await latest()).toMatchObject({ principalType: 'service', principalId: 'svc-client', organizationId: orgB.id })
      await recordAudit(pg.db, { ...base, principal: null, channel: null, status: 401 })
      expect(await latest()).toMatchObject({
        principalType: 'anonymous',
        principalId: null,
        organizationId: null,
        channel: null,
        market: null,
        nodes: null,
        details: null,
        status: 401,
      })
    })

    it('caps nodes and the user agent', async () => {
      const nodes = Array.from({ length: 1234 }, (_, i) => `N${i}`)
      await recordAudit(pg.db, {
        requestId: 'r',
        principal: user,
        channel: 'downloads',
        procedure: 'downloads.csv',
        nodes,
        outcome: 'allowed',
        status: 200,
        userAgent: 'x'.repeat(5000),
        details: { format: 'csv' },
      })
      const row = await latest()
      expect(row.nodes).toEqual(nodes.slice(0, 500))
      expect(row.userAgent).toBe('x'.repeat(300))
      expect(row.details).toEqual({ format: 'csv', nodeCount: 1234 })
    })

    it('strips secrets from details at every depth', async () => {
      await recordAudit(pg.db, {
        requestId: 'r',
        principal: user,
        channel: 'hub',
        procedure: 'auth.login',
        outcome: 'error',
        status: 500,
        details: {
          token: 'tok_live_abc',
          accessToken: 'x',
          id_token: 'eyJ...',
          clientSecret: 's',
          password: 'hunter2',
          Authorization: 'Bearer abc',
          cookie: 'carbon_session=abc',
          'set-cookie': 'x',
          apiKey: 'k',
          header: 'Bearer abcdef',
          keep: 'visible',
          plan: 'Basic plan',
          nested: { PASSWORD: 'p', ok: 1, list: [{ Cookie: 'c', keep: 2 }, 'Basic dXNlcjpwYXNz', 3] },
          when: new Date('2025-03-01T00:00:00Z'),
        },
      })
      const row = await latest()
      expect(row.details).toEqual({
        keep: 'visible',
        plan: 'Basic plan',
        nested: { ok: 1, list: [{ keep: 2 }, null, 3] },
        when: '2025-03-01T00:00:00.000Z',
      })
      const text = JSON.stringify(row)
      for (const secret of ['tok_live_abc', 'hunter2', 'Bearer', 'carbon_session', 'dXNlcjpwYXNz', 'eyJ']) expect(text).not.toContain(secret)
    })

    it('writes the row of a request with hostile input: NUL and control characters stripped, impossible dates left out (issue 11)', async () => {
      const nul = '\u0000'
      await recordAudit(pg.db, {
        requestId: `req${nul}-nul`,
        principal: user,
        channel: 'api',
        procedure: `prices.history${nul}`,
        market: `MI${nul}SO`,
        nodes: [`A${nul}`, `B\u0007\u001b[31m`, 'lone \ud800 surrogate'],
        rangeFrom: '0000-01-01T00:00:00Z',
        rangeTo: '+275760-09-13T00:00:00.000Z',
        outcome: 'denied',
        status: 400,
        clientAddress: `127.0.0.1${nul}`,
        userAgent: `curl${nul}/8`,
        details: { reason: `q: contains U+0000 ${nul}`, [`k${nul}ey`]: [`v${nul}`, '\udfff'] },
      })
      const row = await latest()
      expect(row).toMatchObject({
        requestId: 'req-nul',
        procedure: 'prices.history',
        market: 'MISO',
        nodes: ['A', 'B[31m', 'lone \ufffd surrogate'],
        rangeFrom: null,
        rangeTo: null,
        outcome: 'denied',
        status: 400,
        clientAddress: '127.0.0.1',
        userAgent: 'curl/8',
        details: { reason: 'q: contains U+0000 ', key: ['v', '\ufffd'] },
      })
      // Year 0 as a Date, too.
      await recordAudit(pg.db, { requestId: 'req-year-0', principal: user, channel: 'hub', procedure: 'p', rangeFrom: new Date(Date.parse('0000-06-01T00:00:00Z')), outcome: 'denied', status: 400 })
      expect((await latest()).requestId).toBe('req-year-0')
    })

    it('stays append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
      const row = await latest()
      expect(await failure(pg.db.update(auditEvents).set({ outcome: 'allowed' }).where(eq(auditEvents.id, row.id)))).toMatch(
        /append-only: UPDATE/,
      )
      expect(await failure(pg.db.delete(auditEvents).where(eq(auditEvents.id, row.id)))).toMatch(/append-only: DELETE/)
      expect(await failure(pg.db.execute(sql`truncate audit_events`))).toMatch(/append-only: TRUNCATE/)
      expect(await latest()).toEqual(row)
    })

    it('throws when the row cannot be written', async () => {
      await pg.db.execute(sql`alter table audit_events rename to audit_events_away`)
      try {
        const error = await appError(
          recordAudit(pg.db, { requestId: 'r', principal: user, channel: 'api', procedure: 'p', outcome: 'allowed', status: 200 }),
        )
        expect(error.code).toBe('UNAVAILABLE')
        expect(error.status).toBe(503)
        expect(fullErrorMessage(error)).toMatch(/audit_events/)
      } finally {
        await pg.db.execute(sql`alter table audit_events_away rename to audit_events`)
      }
      // A value the column refuses (outcome outside the enum) fails loudly too.
      const error = await appError(
        recordAudit(pg.db, {
          requestId: 'r',
          principal: user,
          channel: 'api',
          procedure: 'p',
          outcome: 'maybe' as AuditEntry['outcome'],
          status: 200,
        }),
      )
      expect(error.code).toBe('UNAVAILABLE')
    })
  })

  describe('searchAudit and auditCsv', () => {
    const base = Date.parse('2024-06-01T00:00:00Z')
    let fixtureIds: number[] = []

    beforeAll(async () => {
      // 300 rows with chosen times, inserted directly (recordAudit always stamps now()).
      const rows = Array.from({ length: 300 }, (_, i) => ({
        occurredAt: new Date(base + i * 60_000),
        requestId: `fx-${i}`,
        principalType: 'user' as const,
        principalId: `user-${i % 4}`,
        organizationId: i % 2 === 0 ? orgA.id : orgB.id,
        channel: (['hub', 'api', 'downloads'] as const)[i % 3]!,
        procedure: i % 5 === 0 ? 'fx.prices.history' : i % 5 === 1 ? 'fx.prices.latest' : 'fx.nodes.search',
        market: i % 3 === 0 ? 'CAISO' : 'MISO',
        outcome: (['allowed', 'allowed', 'denied', 'error'] as const)[i % 4]!,
        status: 200,
      }))
      const inserted = await pg.db.insert(auditEvents).values(rows).returning({ id: auditEvents.id })
      fixtureIds = inserted.map((r) => r.id)
    })

    const fixture = (items: AuditRow[]) => items.filter((r) => r.requestId?.startsWith('fx-'))

    it('pages newest first without gaps or duplicates', async () => {
      const { items, pages } = await allPages(pg.db, { procedure: 'fx.', limit: 7 })
      expect(pages).toBe(Math.ceil(300 / 7))
      expect(items.map((r) => r.id)).toEqual([...fixtureIds].sort((a, b) => b - a))
      expect(new Set(items.map((r) => r.id)).size).toBe(300)
    })

    it('filters by organization, principal, market, outcome, procedure prefix and time', async () => {
      const check = async (filter: AuditFilter, predicate: (i: number) => boolean) => {
        const expected = fixtureIds.filter((_, i) => predicate(i)).sort((a, b) => b - a)
        expect(expected.length).toBeGreaterThan(0)
        const { items } = await allPages(pg.db, { ...filter, limit: 11 })
        expect(fixture(items).map((r) => r.id)).toEqual(expected)
        return items
      }
      const a = await check({ organizationId: orgA.id, procedure: 'fx.' }, (i) => i % 2 === 0)
      expect(a.every((r) => r.organizationSlug === 'org-a' && r.organizationId === orgA.id)).toBe(true)
      await check({ principalId: 'user-3' }, (i) => i % 4 === 3)
      await check({ market: 'CAISO', procedure: 'fx.' }, (i) => i % 3 === 0)
      await check({ outcome: 'denied', procedure: 'fx.' }, (i) => i % 4 === 2)
      await check({ procedure: 'fx.prices.' }, (i) => i % 5 <= 1)
      await check({ procedure: 'fx.prices.history' }, (i) => i % 5 === 0)
      await check(
        { from: new Date(base + 100 * 60_000).toISOString(), to: new Date(base + 150 * 60_000).toISOString() },
        (i) => i >= 100 && i < 150,
      )
      await check(
        { from: '2024-06-01T02:00:00+01:00', organizationId: orgB.id, outcome: 'error', market: 'MISO', procedure: 'fx.nodes' },
        (i) => i >= 60 && i % 2 === 1 && i % 4 === 3 && i % 3 !== 0 && i % 5 >= 2,
      )
    })

    it('treats the procedure prefix literally', async () => {
      expect((await searchAudit(pg.db, { procedure: 'fx%' })).items).toEqual([])
      expect((await searchAudit(pg.db, { procedure: 'fx_prices' })).items).toEqual([])
      expect((await searchAudit(pg.db, { procedure: "x' or '1'='1" })).items).toEqual([])
    })

    it('returns JSON-friendly rows', async () => {
      const [row] = (await searchAudit(pg.db, { procedure: 'fx.', limit: 1 })).items
      expect(row).toMatchObject({
        id: Math.max(...fixtureIds),
        occurredAt: new Date(base + 299 * 60_000).toISOString(),
        requestId: 'fx-299',
        organizationSlug: 'org-b',
        rangeFrom: null,
        details: null,
      })
    })

    it('keeps its place when rows are written between pages', async () => {
      const first = await searchAudit(pg.db, { procedure: 'fx.', limit: 10 })
      await recordAudit(pg.db, { requestId: 'fx-late', principal: user, channel: 'api', procedure: 'fx.late', outcome: 'allowed', status: 200 })
      const rest = await allPages(pg.db, { procedure: 'fx.', limit: 10, cursor: first.nextCursor! })
      const ids = [...first.items, ...rest.items].map((r) => r.requestId)
      expect(ids).not.toContain('fx-late')
      expect(new Set(ids).size).toBe(300)
      expect(first.nextCursor).toMatch(/^\d+$/)
    })

    it('returns a null cursor on an exactly full last page', async () => {
      const page = await searchAudit(pg.db, { procedure: 'fx.prices.history', limit: 60 })
      expect(page.items).toHaveLength(60)
      expect(page.nextCursor).toBeNull()
    })

    it('rejects a malformed filter or cursor with BAD_REQUEST', async () => {
      for (const filter of [
        { cursor: 'abc' },
        { cursor: '-1' },
        { cursor: '0' },
        { cursor: '99999999999999999' },
        { limit: 0 },
        { limit: 501 },
        { limit: 1.5 },
        { from: 'yesterday' },
        { organizationId: 'not-a-uuid' },
        { outcome: 'maybe' },
      ] as AuditFilter[]) {
        expect((await appError(searchAudit(pg.db, filter))).code, JSON.stringify(filter)).toBe('BAD_REQUEST')
      }
      expect((await searchAudit(pg.db, { procedure: 'fx.', limit: 500 })).items.length).toBeGreaterThan(0)
    })

    it('refuses from after to (search and export), naming the field', async () => {
      const backwards = { from: '2024-06-02T00:00:00Z', to: '2024-06-01T00:00:00Z' }
      const error = await appError(searchAudit(pg.db, backwards))
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toBe('Invalid audit filter: to: must be after from')
      expect((await appError(auditCsv(pg.db, backwards).next())).message).toMatch(/to: must be after from/)
    })

    it('exports CSV with RFC 4180 quoting and neutralized formulas', async () => {
      const nasty = [
        { procedure: 'csv.comma', userAgent: 'Mozilla/5.0 (X11, Linux)' },
        { procedure: 'csv.quote', userAgent: 'say "hi"' },
        { procedure: 'csv.newline', userAgent: 'line1\r\nline2\nline3' },
        { procedure: 'csv.formula', userAgent: '=HYPERLINK("http://evil.test","x")' },
        { procedure: 'csv.plus', userAgent: '+1+1' },
        { procedure: 'csv.minus', userAgent: '-2+3' },
        { procedure: 'csv.at', userAgent: '@SUM(A1)' },
      ]
      for (const n of nasty) {
        await recordAudit(pg.db, {
          requestId: `csv-${n.procedure}`,
          principal: user,
          channel: 'hub',
          procedure: n.procedure,
          market: 'MISO',
          nodes: ['A,B', 'C'],
          outcome: 'allowed',
          status: 200,
          userAgent: n.userAgent,
          details: { note: '=1+1', q: 'a"b' },
        })
      }
      const lines = await collect(auditCsv(pg.db, { procedure: 'csv.' }))
      expect(lines.every((l) => l.endsWith('\r\n'))).toBe(true)
      const rows = parseCsv(lines.join(''))
      const header = rows[0]!
      expect(header).toEqual([
        'id',
        'occurred_at',
        'request_id',
        'principal_type',
        'principal_id',
        'organization_id',
        'organization_slug',
        'channel',
        'procedure',
        'market',
        'nodes',
        'range_from',
        'range_to',
        'outcome',
        'status',
        'client_address',
        'user_agent',
        'details',
      ])
      expect(rows).toHaveLength(1 + nasty.length)
      const col = (name: string) => header.indexOf(name)
      const byProcedure = new Map(rows.slice(1).map((r) => [r[col('procedure')]!, r]))
      expect(byProcedure.get('csv.comma')![col('user_agent')]).toBe('Mozilla/5.0 (X11, Linux)')
      expect(byProcedure.get('csv.quote')![col('user_agent')]).toBe('say "hi"')
      expect(byProcedure.get('csv.newline')![col('user_agent')]).toBe('line1\r\nline2\nline3')
      expect(byProcedure.get('csv.formula')![col('user_agent')]).toBe(`'=HYPERLINK("http://evil.test","x")`)
      expect(byProcedure.get('csv.plus')![col('user_agent')]).toBe(`'+1+1`)
      expect(byProcedure.get('csv.minus')![col('user_agent')]).toBe(`'-2+3`)
      expect(byProcedure.get('csv.at')![col('user_agent')]).toBe(`'@SUM(A1)`)
      const comma = byProcedure.get('csv.comma')!
      expect(comma[col('nodes')]).toBe('A,B C')
      expect(JSON.parse(comma[col('details')]!)).toEqual({ note: '=1+1', q: 'a"b' })
      expect(comma[col('organization_slug')]).toBe('org-a')
      expect(comma[col('principal_id')]).toBe(user.userId)
      expect(comma[col('range_from')]).toBe('')
      // Newest first, like the search.
      const ids = rows.slice(1).map((r) => Number(r[col('id')]))
      expect(ids).toEqual([...ids].sort((a, b) => b - a))
      // No raw cell of the file starts a formula.
      for (const row of rows.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/)
    })

    it('exports every match across batches of 1,000', async () => {
      const rows = Array.from({ length: 2345 }, (_, i) => ({
        principalType: 'anonymous' as const,
        procedure: 'bulk.export',
        requestId: `bulk-${i}`,
        outcome: 'denied' as const,
        status: 401,
      }))
      for (let i = 0; i < rows.length; i += 1000) await pg.db.insert(auditEvents).values(rows.slice(i, i + 1000))
      const lines = await collect(auditCsv(pg.db, { procedure: 'bulk.', limit: 5 }))
      expect(lines).toHaveLength(1 + 2345)
      const requestIds = lines.slice(1).map((l) => l.split(',')[2])
      expect(new Set(requestIds).size).toBe(2345)
      expect(requestIds[0]).toBe('bulk-2344')
      expect(requestIds.at(-1)).toBe('bulk-0')
      expect(await collect(auditCsv(pg.db, { procedure: 'nothing.matches' }))).toHaveLength(1)
    })

    it('refuses a malformed CSV filter before writing anything', async () => {
      const gen = auditCsv(pg.db, { cursor: 'nope' })
      expect((await appError(gen.next())).code).toBe('BAD_REQUEST')
    })

    it('counts rows exactly as stored (sanity check of the fixture)', async () => {
      const rows = resultRows<{ n: number }>(
        await pg.db.execute(sql`select count(*)::int as n from audit_events where procedure like 'fx.%' and request_id like 'fx-%' and request_id <> 'fx-late'`),
      )
      expect(Number(rows[0]!.n)).toBe(300)
    })
  })

  // Last: closes the connection the other tests use.
  it('throws when the connection is closed', async () => {
    closed = true
    await pg.close()
    const error = await appError(
      recordAudit(pg.db, { requestId: 'r', principal: user, channel: 'api', procedure: 'p', outcome: 'allowed', status: 200 }),
    )
    expect(error.code).toBe('UNAVAILABLE')
  })
})
