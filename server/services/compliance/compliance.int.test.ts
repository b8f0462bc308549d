import { parseRecPricesCsv } from '@carbon/connectors'
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import { TRPCError } from '@trpc/server'
import { eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { provisionDemoUser } from '../../../tests/support/demo-users.ts'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { auditEvents, complianceHoldingLots, complianceObligations } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import type { Platform } from '../../platform.ts'
import { createCaller } from '../../trpc/root.ts'
import type { Context } from '../../trpc/trpc.ts'
import { DEMO_USERS } from '../auth/demo-identities.ts'
import type { Principal } from '../auth/types.ts'
import { insertSeriesValues } from '../series/store.ts'
import { getPositions, listEntries, recordEntries, removeEntries, type CompliancePosition, type EntriesOutput } from './index.ts'

/*
 * Compliance tracking against the real stores: a scratch PostgreSQL database (the demo
 * organizations and users), embedded chDB holding LCFS and REC prices as the series pipeline
 * stores them, the service functions and the procedures behind the access gate.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let analyst: Principal
let quant: Principal
let viewer: Principal
let none: Principal

/** REC quotes in the REC price CSV layout (packages/connectors rec-prices-csv.ts), read by its reader. */
const REC_QUOTES = [
  'date,state,program,class,vintage,price,bid,ask,source_note',
  '2026-09-01,NJ,RPS,CLASS_I,2027,30.10,,,',
  '2026-10-01,NJ,RPS,CLASS_I,2027,31.25,31.00,31.50,broker mid',
  '2026-10-02,NJ,RPS,CLASS_I,2025,12.00,,,',
  '2026-09-15,NJ,RPS,SOLAR,2026,192.50,,,',
  '2026-10-05,NJ,RPS,SOLAR,2028,205.00,,,',
  '2026-10-05,PA,AEPS,SOLAR,2027,40.00,,,',
].join('\n')

/** CARB's weekly LCFS credit price as the LCFS reader emits it: weeks of 2026-09-21 and 2026-09-28 (Mondays). */
function lcfsWeek(monday: string, value: number): SeriesRecord {
  const sunday = new Date(Date.parse(`${monday}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10)
  return {
    product: 'LCFS',
    market: null,
    series: 'LCFS_CREDIT',
    measure: 'price',
    frequency: 'week',
    ...datePeriod(sunday, 'week'),
    value,
    unit: '$/MT',
    attributes: { program: 'California LCFS', transfers: 'all completed, zero-price excluded', week_of: monday },
    source: 'carb.lcfs.credit_transfers',
    publishedAt: null,
  }
}

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-compliance-', log })
  platform = stores.platform
  const user = (name: string) => provisionDemoUser(platform.pg.db, DEMO_USERS.find((u) => u.username === name)!).then((r) => r.principal)
  analyst = await user('analyst')
  quant = await user('quant')
  viewer = await user('caiso')
  none = await user('none')
})

afterAll(async () => {
  await stores?.close()
})

const deps = () => ({ db: platform.pg.db, ch: platform.ch })

/** The rejection of `work`, which must fail. */
async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected the call to fail, it succeeded')
    },
    (error: unknown) => error,
  )
}

async function appFailure(work: Promise<unknown>): Promise<AppError> {
  const error = await failure(work)
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

/** The arithmetic of a position: period, class, obligation, retired, remaining, holdings, position. */
const arithmetic = (p: CompliancePosition) => [p.period, p.class, p.obligation, p.retired, p.remainingObligation, p.holdings, p.position]

const NJ_2027 = {
  program: 'NJ_RPS',
  period: 2027,
  basis: 'retail_sales' as const,
  class: 'CLASS_I',
  retailSalesMWh: 100_000,
  percent: 35,
  carveOuts: [{ class: 'SOLAR', percent: 5 }],
}

/** Stores the LCFS and REC prices as the series pipeline does (the REC quotes read by their reader). */
async function storePrices() {
  const rec = parseRecPricesCsv(new TextEncoder().encode(REC_QUOTES), 'rec_quotes.csv')
  expect(rec.errors).toEqual([])
  const arrival = { ingestedAt: '2026-10-06T12:00:00.000Z', rawKey: 'raw/test/compliance' }
  await insertSeriesValues(platform.ch, [...rec.records, lcfsWeek('2026-09-21', 71.5), lcfsWeek('2026-09-28', 72.505)], arrival)
}

describe('before any price is stored', () => {
  it('positions carry no value, and say which series was looked for', async () => {
    await recordEntries(platform.pg.db, none, 'hub', { product: 'REC', obligations: [{ ...NJ_2027, carveOuts: [] }] })
    await recordEntries(platform.pg.db, none, 'hub', { product: 'LCFS', obligations: [{ program: 'CA_LCFS', period: 2026, basis: 'deficits', deficitsMT: 5 }] })
    const [rec] = (await getPositions(deps(), none, { product: 'REC' })).positions
    expect(rec).toMatchObject({ class: 'CLASS_I', obligation: 35_000, price: null, priceSeries: null, value: null, shortfallCost: null, valuationNote: 'no REC.NJ.CLASS_I.* quote stored' })
    const [lcfs] = (await getPositions(deps(), none, { product: 'LCFS' })).positions
    expect(lcfs).toMatchObject({ obligation: 5, price: null, priceSeries: null, value: null, valuationNote: 'no LCFS_CREDIT weekly price stored' })
  })
})

describe('an RPS year recorded by Prairie Trading, valued at the stored REC quotes', () => {
  let recorded: EntriesOutput

  beforeAll(async () => {
    await storePrices()
    recorded = await recordEntries(platform.pg.db, analyst, 'hub', {
      product: 'REC',
      obligations: [NJ_2027],
      lots: [
        { program: 'NJ_RPS', class: 'CLASS_I', vintage: 2027, quantity: 20_000 },
        { program: 'NJ_RPS', class: 'SOLAR', vintage: 2026, quantity: 6_000 },
      ],
      retirements: [{ program: 'NJ_RPS', period: 2027, class: 'SOLAR', vintage: 2026, quantity: 1_000, retiredOn: '2026-11-30' }],
    })
  })

  it('stores the entries with who entered them', async () => {
    expect(recorded.obligations).toMatchObject([{ ...NJ_2027, deficitsMT: null, enteredBy: analyst.userId, enteredByLabel: analyst.label, enteredVia: 'hub' }])
    expect(recorded.lots.map((l) => [l.class, l.vintage, l.quantity])).toEqual([
      ['CLASS_I', 2027, 20_000],
      ['SOLAR', 2026, 6_000],
    ])
    expect(recorded.retirements).toMatchObject([{ period: 2027, class: 'SOLAR', vintage: 2026, quantity: 1_000, retiredOn: '2026-11-30' }])
    const listed = await listEntries(platform.pg.db, analyst, { product: 'REC' })
    expect(listed).toEqual(recorded)
  })

  it('computes each class: the carve-out out of its headline, the retirement drawn from its lot', async () => {
    const { positions } = await getPositions(deps(), analyst, { product: 'REC' })
    expect(positions.map(arithmetic)).toEqual([
      [2027, 'CLASS_I', 30_000, 0, 30_000, 20_000, -10_000],
      [2027, 'SOLAR', 5_000, 1_000, 4_000, 5_000, 1_000],
    ])
  })

  it("values each class at the latest quote of the vintage nearest the period, with the quote's date", async () => {
    const { positions, programs } = await getPositions(deps(), analyst, { product: 'REC', program: 'NJ_RPS', period: 2027 })
    // CLASS_I: vintage 2027 quoted twice, the later (31.25 on 2026-10-01) wins; 2025 is further away.
    // SOLAR: 2026 and 2028 are equally near 2027: the earlier vintage (192.50), which can be retired against 2027.
    expect(positions.map((p) => [p.class, p.priceSeries, p.price, p.priceAsOf, p.value, p.shortfallCost])).toEqual([
      ['CLASS_I', 'REC.NJ.CLASS_I.2027', 31.25, '2026-10-01', -312_500, 312_500],
      ['SOLAR', 'REC.NJ.SOLAR.2026', 192.5, '2026-09-15', 192_500, 0],
    ])
    expect(programs[0]?.priceRule).toContain('vintage nearest the period')
  })

  it('another organization sees none of it: empty lists and positions, 404 when removing its entries', async () => {
    expect(await listEntries(platform.pg.db, quant, { product: 'REC' })).toEqual({ product: 'REC', obligations: [], lots: [], retirements: [] })
    expect((await getPositions(deps(), quant, { product: 'REC' })).positions).toEqual([])
    const error = await appFailure(removeEntries(platform.pg.db, quant, { product: 'REC', lots: [recorded.lots[0]!.id] }))
    expect(error.status).toBe(404)
    expect(error.message).toBe(`lots.0: no holding lot ${recorded.lots[0]!.id} among your organization's REC entries`)
    // Its own duplicate of the same year is no duplicate of Prairie's.
    await recordEntries(platform.pg.db, quant, 'api', { product: 'REC', obligations: [{ ...NJ_2027, retailSalesMWh: 10 }] })
    const [mine] = (await getPositions(deps(), quant, { product: 'REC' })).positions
    expect(mine?.obligation).toBe(3)
    const rows = await platform.pg.db.select().from(complianceHoldingLots).where(eq(complianceHoldingLots.id, recorded.lots[0]!.id))
    expect(rows).toHaveLength(1)
  })
})

describe('LCFS valued at the latest weekly credit price', () => {
  it("prices a short year at the latest week's average, dated by its Monday, rounded to the cent", async () => {
    await recordEntries(platform.pg.db, analyst, 'hub', {
      product: 'LCFS',
      obligations: [{ program: 'CA_LCFS', period: 2026, basis: 'deficits', deficitsMT: 100_000.2 }],
      lots: [{ program: 'CA_LCFS', class: 'CREDIT', vintage: 2024, quantity: 80_000 }],
    })
    const { positions } = await getPositions(deps(), analyst, { product: 'LCFS' })
    // 100,000.2 MT of deficits owe 100,001 credits; $72.505 is $72.51.
    expect(positions).toMatchObject([
      { program: 'CA_LCFS', period: 2026, class: 'CREDIT', unit: 'MT', obligation: 100_001, holdings: 80_000, position: -20_001, shortfall: 20_001 },
    ])
    expect(positions[0]).toMatchObject({ priceSeries: 'LCFS_CREDIT', price: 72.51, priceAsOf: '2026-09-28', value: -1_450_272.51, shortfallCost: 1_450_272.51, valuationNote: null })
  })
})

describe('refusals name the field, program and period', () => {
  it('a retirement beyond the lots of its class and vintage', async () => {
    const error = await appFailure(
      recordEntries(platform.pg.db, analyst, 'hub', {
        product: 'REC',
        retirements: [{ program: 'NJ_RPS', period: 2027, class: 'CLASS_I', vintage: 2027, quantity: 20_001, retiredOn: '2026-12-01' }],
      }),
    )
    expect(error.status).toBe(400)
    expect(error.message).toBe(
      'retirements.0.quantity: only 20000 of CLASS_I vintage 2027 held and not yet retired (program NJ_RPS, period 2027, class CLASS_I; found "20001")',
    )
    expect(error.details).toMatchObject({ code: 'RETIREMENT_EXCEEDS_HOLDINGS', program: 'NJ_RPS', period: 2027, field: 'retirements.0.quantity', issues: [{ path: 'retirements.0.quantity' }] })
  })

  it('a second obligation for the same year and class, and a vintage outside its banking window', async () => {
    const duplicate = await appFailure(recordEntries(platform.pg.db, analyst, 'hub', { product: 'REC', obligations: [{ ...NJ_2027, percent: 36 }] }))
    expect(duplicate.message).toMatch(/^obligations\.0: a second obligation for this organization, program, period and class \(program NJ_RPS, period 2027, class CLASS_I; /)
    const old = await appFailure(
      recordEntries(platform.pg.db, analyst, 'hub', {
        product: 'REC',
        lots: [{ program: 'NJ_RPS', class: 'CLASS_I', vintage: 2024, quantity: 10 }],
        retirements: [{ program: 'NJ_RPS', period: 2027, class: 'CLASS_I', vintage: 2024, quantity: 10, retiredOn: '2026-12-01' }],
      }),
    )
    expect(old.message).toMatch(/^retirements\.0\.vintage: vintage 2024 is outside the banking window of period 2027 \(vintages 2025-2027\) \(program NJ_RPS, period 2027/)
    // All or none: the lot of the refused call was not stored.
    const lots = await listEntries(platform.pg.db, analyst, { product: 'REC' })
    expect(lots.lots.map((l) => l.vintage)).not.toContain(2024)
  })

  it("an entry of another product's program, and a fractional certificate", async () => {
    const wrong = await appFailure(recordEntries(platform.pg.db, analyst, 'hub', { product: 'REC', lots: [{ program: 'CA_LCFS', class: 'CREDIT', vintage: 2026, quantity: 1 }] }))
    expect(wrong.message).toBe('lots.0.program: CA_LCFS is a program of product LCFS, not REC: ask with product LCFS')
    const fractional = await appFailure(recordEntries(platform.pg.db, analyst, 'hub', { product: 'REC', lots: [{ program: 'NJ_RPS', class: 'SOLAR', vintage: 2026, quantity: 10.5 }] }))
    expect(fractional.message).toBe('lots.0.quantity: whole certificates (1 unit = 1 MT or 1 MWh)')
  })

  it('a removal that leaves a stored retirement without its lot; removing both goes through', async () => {
    const { lots, retirements } = await listEntries(platform.pg.db, analyst, { product: 'REC' })
    const solarLot = lots.find((l) => l.class === 'SOLAR')!
    const retirement = retirements[0]!
    const error = await appFailure(removeEntries(platform.pg.db, analyst, { product: 'REC', lots: [solarLot.id] }))
    expect(error.status).toBe(400)
    expect(error.message).toMatch(new RegExp(`^retirements\\.${retirement.id}\\.quantity: only 0 of SOLAR vintage 2026 held and not yet retired \\(program NJ_RPS, period 2027, class SOLAR; found "1000"\\): removing these entries`))
    const removed = await removeEntries(platform.pg.db, analyst, { product: 'REC', lots: [solarLot.id], retirements: [retirement.id] })
    expect(removed.removed).toEqual({ obligations: [], lots: [solarLot.id], retirements: [retirement.id] })
    const { positions } = await getPositions(deps(), analyst, { product: 'REC', period: 2027 })
    expect(positions.map(arithmetic)).toEqual([
      [2027, 'CLASS_I', 30_000, 0, 30_000, 20_000, -10_000],
      [2027, 'SOLAR', 5_000, 0, 5_000, 0, -5_000],
    ])
  })
})

describe('through the procedures: the gate decides on the product', () => {
  let requests = 0
  const caller = (principal: Principal, channel: 'hub' | 'api') => {
    const ctx: Context = {
      platform,
      log,
      requestId: `compliance-int-${++requests}`,
      auth: { principal, channel, failure: null },
      client: { address: '127.0.0.1', userAgent: 'vitest' },
      responseHeaders: new Headers(),
    }
    return { requestId: ctx.requestId, call: createCaller(ctx) }
  }
  const refusal = async (work: Promise<unknown>) => {
    const error = await failure(work)
    expect(error).toBeInstanceOf(TRPCError)
    return error as TRPCError
  }

  it('a viewer reads and may not write; an unentitled organization gets 403; the hub-only organization gets 403 through the API', async () => {
    const read = caller(viewer, 'hub')
    expect((await read.call.compliance.positions({ product: 'REC' })).positions).toEqual([])
    const [row] = await platform.pg.db.select().from(auditEvents).where(eq(auditEvents.requestId, read.requestId))
    expect(row).toMatchObject({ procedure: 'compliance.positions', outcome: 'allowed', market: 'REC' })

    const write = await refusal(caller(viewer, 'hub').call.compliance.record({ product: 'REC', lots: [{ program: 'NJ_RPS', class: 'SOLAR', vintage: 2026, quantity: 1 }] }))
    expect(write.code).toBe('FORBIDDEN')
    expect(write.message).toBe('This requires the analyst role')

    const unentitled = await refusal(caller(none, 'hub').call.compliance.entries({ product: 'LCFS' }))
    expect(unentitled.code).toBe('FORBIDDEN')
    expect(unentitled.message).toBe('Your organization is not entitled to LCFS through the hub')

    const api = await refusal(caller(analyst, 'api').call.compliance.positions({ product: 'REC' }))
    expect(api.message).toBe('Your organization is not entitled to REC through the API')
  })

  it('records through the API as the token owner, and turns a package refusal into a 400', async () => {
    const made = await caller(quant, 'api').call.compliance.record({ product: 'LCFS', lots: [{ program: 'CA_LCFS', class: 'CREDIT', vintage: 2025, quantity: 3 }] })
    expect(made.lots[0]).toMatchObject({ enteredBy: quant.userId, enteredVia: 'api' })
    const refused = await refusal(
      caller(quant, 'api').call.compliance.record({
        product: 'LCFS',
        retirements: [{ program: 'CA_LCFS', period: 2025, class: 'CREDIT', vintage: 2025, quantity: 4, retiredOn: '2026-03-01' }],
      }),
    )
    expect(refused.code).toBe('BAD_REQUEST')
    expect(refused.message).toMatch(/^retirements\.0\.quantity: only 3 of CREDIT vintage 2025 held and not yet retired \(program CA_LCFS, period 2025/)
    const future = await refusal(
      caller(quant, 'api').call.compliance.record({
        product: 'LCFS',
        retirements: [{ program: 'CA_LCFS', period: 2025, class: 'CREDIT', vintage: 2025, quantity: 1, retiredOn: '2099-01-01' }],
      }),
    )
    expect(future.message).toBe('retirements.0.retiredOn: is in the future: a retirement is dated when the registry retired it')
  })

  it('the stored rows keep the numbers exactly', async () => {
    const exact = await recordEntries(platform.pg.db, quant, 'api', {
      product: 'REC',
      obligations: [{ program: 'NJ_RPS', period: 2028, basis: 'retail_sales', class: 'CLASS_I', retailSalesMWh: 1_234_567.891, percent: 35, carveOuts: [{ class: 'SOLAR', percent: 5.1234 }] }],
    })
    expect(exact.obligations[0]).toMatchObject({ retailSalesMWh: 1_234_567.891, percent: 35, carveOuts: [{ class: 'SOLAR', percent: 5.1234 }] })
    const [row] = await platform.pg.db.select().from(complianceObligations).where(eq(complianceObligations.id, exact.obligations[0]!.id))
    expect(row).toMatchObject({ retailSalesMwh: 1_234_567.891, percent: 35, deficitsMt: null, class: 'CLASS_I' })
    const { positions } = await getPositions(deps(), quant, { product: 'REC', period: 2028 })
    expect(positions.map((p) => [p.class, p.obligation])).toEqual([
      ['CLASS_I', 368_847],
      ['SOLAR', 63_252],
    ])
  })
})
