import { readFile } from 'node:fs/promises'
import { REC_FIXTURE_DIR, REC_PRICES_SAMPLE_FIXTURE } from '@carbon/connectors'
import { TRPCError } from '@trpc/server'
import { eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { provisionDemoUser } from '../../../tests/support/demo-users.ts'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { deadLetters, ingestRuns } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { createCaller } from '../../trpc/root.ts'
import type { Context } from '../../trpc/trpc.ts'
import { startSeriesConsumer, type SeriesConsumer } from '../../workers/series-consumer.ts'
import { DEMO_USERS } from '../auth/demo-identities.ts'
import { createApiToken, verifyApiToken } from '../auth/tokens.ts'
import type { Principal } from '../auth/types.ts'
import { MAX_API_CSV_CHARS } from './upload.ts'

/*
 * REC quotes entered through the API (series.upload, REST POST /series/upload), on the platform as
 * `carbon serve` opens it (scratch PostgreSQL with the demo organizations, embedded chDB, the local
 * object store, the in-process bus whose dead letters land in PostgreSQL) with the series consumer:
 * the procedure behind the access gate stores the quotes, answers its run id and names every
 * refused row by line, field and value; the role, the token scope and the entitlement are checked.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let consumer: SeriesConsumer
let analyst: Principal
let quant: Principal
let viewer: Principal

const HEADER = 'date,state,program,class,vintage,price,bid,ask,source_note'

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-series-upload-', log })
  platform = stores.platform
  consumer = await startSeriesConsumer({ bus: platform.bus, ch: platform.ch, log })
  const user = (name: string) => provisionDemoUser(platform.pg.db, DEMO_USERS.find((u) => u.username === name)!).then((r) => r.principal)
  analyst = await user('analyst')
  quant = await user('quant')
  viewer = await user('caiso')
}, 60_000)

afterAll(async () => {
  await consumer?.stop()
  await stores?.close()
})

let requests = 0
function caller(principal: Principal, channel: 'hub' | 'api') {
  const ctx: Context = {
    platform,
    log,
    requestId: `series-upload-int-${++requests}`,
    auth: { principal, channel, failure: null },
    client: { address: '127.0.0.1', userAgent: 'vitest' },
    responseHeaders: new Headers(),
  }
  return createCaller(ctx)
}

async function refusal(work: Promise<unknown>): Promise<TRPCError> {
  const error = await work.then(
    () => new Error('expected the call to be refused, it succeeded'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TRPCError)
  return error as TRPCError
}

/** A personal access token of `user` with `scopes`, resolved as the API resolves a bearer token. */
async function tokenPrincipal(user: Principal, scopes: ('read:prices' | 'write:series')[]): Promise<Principal> {
  const { token } = await createApiToken(platform.pg.db, { userId: user.userId!, name: `upload ${scopes.join(' ')}`, scopes, expiresInDays: 1 })
  return (await verifyApiToken(platform.pg.db, token))!
}

async function storedQuote(series: string, day: string): Promise<number[]> {
  expect(await consumer.drain(10_000)).toBe(true)
  const rows = await queryRows<{ value: number }>(
    platform.ch,
    'test.series-upload.quote',
    "SELECT value FROM series_values FINAL WHERE product = 'REC' AND series = {series:String} AND period_start = parseDateTime64BestEffort({day:String}, 3)",
    { series, day },
  )
  return rows.map((r) => Number(r.value))
}

describe('series.upload', () => {
  it("stores the sample file's 23 quotes through the API with a write:series token, answering the run", async () => {
    const csv = await readFile(new URL(REC_PRICES_SAMPLE_FIXTURE, REC_FIXTURE_DIR), 'utf8')
    const token = await tokenPrincipal(quant, ['read:prices', 'write:series'])
    const answer = await caller(token, 'api').series.upload({ product: 'REC', source: 'carbon.rec_prices_csv', file: REC_PRICES_SAMPLE_FIXTURE, csv })
    expect(answer).toMatchObject({ status: 'ok', records: 23, issues: 0, refused: [], file: REC_PRICES_SAMPLE_FIXTURE, product: 'REC' })
    const [run] = await platform.pg.db.select().from(ingestRuns).where(eq(ingestRuns.id, answer.runId))
    expect(run).toMatchObject({ market: 'REC', dataset: 'carbon.rec_prices_csv', trigger: 'upload', status: 'ok', records: 23, file: REC_PRICES_SAMPLE_FIXTURE })
    expect(run!.url).toBe(`upload:${token.label}`)
    expect(await storedQuote('REC.NJ.SOLAR.2027', '2026-10-01')).toEqual([194])
  })

  it('refuses a bad row naming line, field and value, stores the good one, and keeps the refusal as a dead letter', async () => {
    const csv = `${HEADER}\n2026-10-15,NJ,RPS,SOLAR,2027,195.00,,,\n2026-10-15,NJ,RPS,Class 1,2027,32.10,,,\n`
    const answer = await caller(analyst, 'hub').series.upload({ product: 'REC', source: 'carbon.rec_prices_csv', file: 'rec quotes 2026-10-15.csv', csv })
    expect(answer).toMatchObject({ status: 'partial', records: 1, issues: 1, file: 'rec_quotes_2026-10-15.csv' })
    expect(answer.refused).toEqual([{ kind: 'parse-issue', line: 3, field: 'class', value: 'Class 1', reason: 'unknown class spelling: write CLASS_I' }])
    expect(await storedQuote('REC.NJ.SOLAR.2027', '2026-10-15')).toEqual([195])
    const letters = await platform.pg.db.select().from(deadLetters).where(eq(deadLetters.file, 'rec_quotes_2026-10-15.csv'))
    expect(letters.map((l) => [l.topic, l.kind, l.line, l.field, l.dataset])).toEqual([['series.dlq', 'parse-issue', 3, 'class', 'carbon.rec_prices_csv']])
  })

  it('a file that is no REC quote file is refused as a whole, named by line and field; its run failed', async () => {
    const answer = await caller(analyst, 'hub').series.upload({ product: 'REC', source: 'carbon.rec_prices_csv', file: 'prices.csv', csv: 'Date,Price\n2026-09-16,2.80\n' })
    expect(answer.status).toBe('failed')
    expect(answer.records).toBe(0)
    expect(answer.refused).toHaveLength(1)
    expect(answer.refused[0]).toMatchObject({ kind: 'unusable-file', line: 1 })
    expect(answer.error).toContain('prices.csv line 1')
    const [run] = await platform.pg.db.select().from(ingestRuns).where(eq(ingestRuns.id, answer.runId))
    expect(run).toMatchObject({ status: 'failed', trigger: 'upload' })
  })

  it('refuses bad input naming the field: another product, an empty CSV, a missing file name', async () => {
    const base = { product: 'REC', source: 'carbon.rec_prices_csv', file: 'q.csv', csv: `${HEADER}\n` } as const
    const call = caller(analyst, 'hub').series
    const gas = await refusal(call.upload({ ...base, product: 'GAS' as 'REC' }))
    expect(gas.code).toBe('BAD_REQUEST')
    expect(gas.message).toContain('product')
    const empty = await refusal(call.upload({ ...base, csv: '' }))
    expect(empty.message).toBe('csv: the CSV is empty')
    const unnamed = await refusal(call.upload({ ...base, file: '  ' }))
    expect(unnamed.message).toBe('file: name the file, e.g. rec_quotes_2026-10-15.csv')
    const large = await refusal(call.upload({ ...base, csv: `${HEADER}\n`.padEnd(MAX_API_CSV_CHARS + 1, '\n') }))
    expect(large.message).toBe(`csv: more than ${MAX_API_CSV_CHARS} characters: upload larger files from the hub's form`)
  })

  it('archives and records a hostile file name as a safe one: no path, no control of where it lands', async () => {
    const csv = `${HEADER}\n2020-01-03,CT,RPS,CLASS_III,2020,11.00,,,\n`
    for (const file of ['../../etc/passwd', '..', '.', '/etc/passwd', '..\\..\\windows\\win.ini', "q.csv'; DROP TABLE ingest_runs; --"]) {
      const answer = await caller(analyst, 'hub').series.upload({ product: 'REC', source: 'carbon.rec_prices_csv', file, csv })
      expect(answer.status, file).toBe('ok')
      expect(answer.file, file).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/)
      const [run] = await platform.pg.db.select().from(ingestRuns).where(eq(ingestRuns.id, answer.runId))
      expect(run!.rawKey, file).toMatch(/^raw\/REC\/carbon\.rec_prices_csv\/\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/)
    }
  })

  it('needs the analyst role, the write:series scope for tokens, and REC through the channel', async () => {
    const csv = `${HEADER}\n2026-10-16,NJ,RPS,SOLAR,2027,196.00,,,\n`
    const input = { product: 'REC', source: 'carbon.rec_prices_csv', file: 'q.csv', csv } as const
    // Cora Caiso: RECs in the hub, viewer role.
    expect((await refusal(caller(viewer, 'hub').series.upload(input))).code).toBe('FORBIDDEN')
    // A token without write:series.
    const reader = await tokenPrincipal(quant, ['read:prices'])
    const scoped = await refusal(caller(reader, 'api').series.upload(input))
    expect(scoped.code).toBe('FORBIDDEN')
    expect(scoped.message).toBe('This credential lacks the write:series scope')
    // Prairie Trading has RECs in the hub only: not through the API.
    const writer = await tokenPrincipal(analyst, ['write:series'])
    expect((await refusal(caller(writer, 'api').series.upload(input))).code).toBe('FORBIDDEN')
    expect(await storedQuote('REC.NJ.SOLAR.2027', '2026-10-16')).toEqual([])
  })
})
