import fs from 'node:fs'
import { CARB_LCFS_MONTHLY_SAMPLE_FIXTURE, CARB_LCFS_SAMPLE_FIXTURE, ENVIRONMENTAL_FIXTURE_DIR, SERIES_SOURCES, type SeriesSourceId } from '@carbon/connectors'
import type { SeriesRecord } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { setPlatform } from '#server/platform.ts'
import { sessionCookieName } from '#server/services/auth/config.ts'
import { DEMO_USERS } from '#server/services/auth/demo-identities.ts'
import { createSession } from '#server/services/auth/sessions.ts'
import { insertSeriesValues } from '#server/services/series/store.ts'
import { provisionDemoUser } from '../../tests/support/demo-users.ts'
import { openTestPlatform, type TestPlatform } from '../../tests/support/platform.ts'
import { loadLcfsMonthly } from './lcfs.server.ts'

/*
 * The /lcfs page's monthly half on a real platform (scratch PostgreSQL, embedded ClickHouse): the
 * documented monthly sample and an invented month with zero-price transfers stored as the series
 * consumer stores them, read back through the hub's gate by the analyst (Prairie Trading: LCFS in
 * the hub) and refused to No Access Inc.
 */

let test: TestPlatform
const cookies: Record<string, string> = {}

async function signIn(username: string): Promise<string> {
  const { principal } = await provisionDemoUser(test.platform.pg.db, DEMO_USERS.find((u) => u.username === username)!)
  const { token } = await createSession(test.platform.pg.db, { userId: principal.userId!, ttlHours: 1 })
  return `${sessionCookieName(test.platform.auth)}=${token}`
}

beforeAll(async () => {
  test = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-lcfs-monthly-' })
  setPlatform(test.platform)
  cookies.analyst = await signIn('analyst')
  cookies.none = await signIn('none')
})

afterAll(async () => {
  await test?.close()
})

const context = (): AppLoadContext => ({ requestId: `lcfs-${Math.random().toString(36).slice(2)}`, signal: new AbortController().signal, clientAddress: '127.0.0.1', cspNonce: '' })
const request = (user: string) => new Request('http://localhost/lcfs', { headers: { cookie: cookies[user]! } })
const hub = { channel: 'hub', procedure: 'hub:lcfs-monthly' } as const

function read(source: SeriesSourceId, file: string): SeriesRecord[] {
  const { records, errors } = SERIES_SOURCES[source].parse(new Uint8Array(fs.readFileSync(new URL(file, ENVIRONMENTAL_FIXTURE_DIR))), file)
  expect(errors).toEqual([])
  return records
}

/** An invented month (2016-01) with zero-price transfers given, as the monthly reader makes it. */
const invented = (measure: SeriesRecord['measure'], series: string, unit: SeriesRecord['unit'], value: number): SeriesRecord => ({
  product: 'LCFS',
  market: null,
  series,
  measure,
  frequency: 'month',
  periodStart: '2016-01-01T00:00:00.000Z',
  periodEnd: '2016-02-01T00:00:00.000Z',
  value,
  unit,
  attributes: { program: 'California LCFS', transfers: 'test', month: '2016-01' },
  source: 'carb.lcfs.monthly_transfers',
  publishedAt: null,
})

describe('the /lcfs page, monthly transfers', () => {
  it('before anything is stored: no months, the units the reader writes', async () => {
    expect(await loadLcfsMonthly(request('analyst'), context(), hub)).toEqual({ priceUnit: '$/MT', volumeUnit: 'MT', rows: [] })
  })

  it('every stored month newest first: transfers, credits, price and its change, zero-price transfers; weekly values kept out', async () => {
    const arrival = { ingestedAt: new Date().toISOString(), rawKey: 'raw/test/lcfs' }
    await insertSeriesValues(test.platform.ch, read('carb.lcfs.monthly_transfers', CARB_LCFS_MONTHLY_SAMPLE_FIXTURE), arrival)
    await insertSeriesValues(test.platform.ch, read('carb.lcfs.credit_transfers', CARB_LCFS_SAMPLE_FIXTURE), arrival)
    await insertSeriesValues(
      test.platform.ch,
      [
        invented('price', 'LCFS_CREDIT', '$/MT', 110.5),
        invented('transfers', 'LCFS_CREDIT', 'count', 120),
        invented('transfers', 'LCFS_CREDIT.ZERO_PRICE', 'count', 6),
        invented('volume', 'LCFS_CREDIT.ZERO_PRICE', 'MT', 21_000),
      ],
      arrival,
    )
    const view = await loadLcfsMonthly(request('analyst'), context(), hub)
    expect(view.priceUnit).toBe('$/MT')
    expect(view.volumeUnit).toBe('MT')
    expect(view.rows.map(({ month, transfers, volume, price, change, zeroTransfers, zeroVolume }) => ({ month, transfers, volume, price, change, zeroTransfers, zeroVolume }))).toEqual([
      { month: '2016-01', transfers: 120, volume: null, price: 110.5, change: 24.5, zeroTransfers: 6, zeroVolume: 21_000 },
      { month: '2015-11', transfers: 97, volume: 435_000, price: 86, change: 25.99, zeroTransfers: null, zeroVolume: null },
      { month: '2015-10', transfers: 36, volume: 129_000, price: 60.01, change: null, zeroTransfers: null, zeroVolume: null },
    ])
    expect(view.rows[1]).toMatchObject({ periodStart: '2015-11-01T00:00:00.000Z', periodEnd: '2015-12-01T00:00:00.000Z' })
  })

  it('refuses an organization not entitled to LCFS through the hub (403)', async () => {
    const refused = await loadLcfsMonthly(request('none'), context(), hub).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(Response)
    expect((refused as Response).status).toBe(403)
  })
})
