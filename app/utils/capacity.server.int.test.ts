import fs from 'node:fs'
import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE, SERIES_SOURCES } from '@carbon/connectors'
import type { SeriesRecord } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { and, desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { auditEvents } from '#server/adapters/postgres/schema/index.ts'
import { setPlatform } from '#server/platform.ts'
import { sessionCookieName } from '#server/services/auth/config.ts'
import { DEMO_USERS } from '#server/services/auth/demo-identities.ts'
import { createSession } from '#server/services/auth/sessions.ts'
import { listSeries } from '#server/services/series/index.ts'
import { insertSeriesValues } from '#server/services/series/store.ts'
import { buildXlsx } from '../../packages/connectors/src/xlsx/build-xlsx.ts'
import { eia860mOperatingCells, EIA860M_SAMPLE_GENERATORS, type Eia860mSampleGenerator } from '../../packages/connectors/src/series/eia860/sample.ts'
import { provisionDemoUser } from '../../tests/support/demo-users.ts'
import { openTestPlatform, type TestPlatform } from '../../tests/support/platform.ts'
import { loader as marketPage } from '../routes/markets.$market._index.tsx'
import { loader as capacityCsv } from '../routes/markets.$market.capacity[.]csv.tsx'
import { loadCapacity, PREVIOUS_MONTHS_LOOKED_BACK, type CapacityView } from './capacity.server.ts'

/*
 * A market's EIA-860M capacity on a real platform (scratch PostgreSQL, embedded ClickHouse): three
 * inventories stored as the series consumer stores them, each the reader's records of a workbook
 * built with the documented sample's builder: September 2026 (the sample itself), August 2026
 * (MISO only: less wind, more coal, no solar yet, an oil unit since retired) and June 2026 (CISO
 * with fewer batteries, PACW with less hydro). So MISO compares September with August, CISO with
 * June (no July or August of it is held), and all of CAISO with June. Read back by loadCapacity,
 * the market page's loader and the CSV route, through the hub's gate as the demo users.
 */

let test: TestPlatform
const cookies: Record<string, string> = {}

async function signIn(username: string): Promise<string> {
  const { principal } = await provisionDemoUser(test.platform.pg.db, DEMO_USERS.find((u) => u.username === username)!)
  const { token } = await createSession(test.platform.pg.db, { userId: principal.userId!, ttlHours: 1 })
  return `${sessionCookieName(test.platform.auth)}=${token}`
}

const context = (): AppLoadContext => ({ requestId: `capacity-${Math.random().toString(36).slice(2)}`, signal: new AbortController().signal, clientAddress: '127.0.0.1', cspNonce: '' })
const request = (path: string, user: string) => new Request(`http://localhost${path}`, { headers: { cookie: cookies[user]! } })

const source = SERIES_SOURCES['eia.860m.generators']

/** The reader's records of a workbook, its issues checked: the balancing authority codes of the generators refused (none but in the sample). */
function read(bytes: Uint8Array, file: string, refused: string[] = []): SeriesRecord[] {
  const { records, errors } = source.parse(bytes, file)
  expect(errors.map((e) => e.value), file).toEqual(refused)
  return records
}

/** A workbook of these generators, laid out as the documented sample. */
const workbook = (generators: readonly Eia860mSampleGenerator[]) => buildXlsx([{ name: 'Operating', cells: eia860mOperatingCells(generators) }])

const sample = (plantName: string) => EIA860M_SAMPLE_GENERATORS.find((g) => g.plantName === plantName)!
const withMw = (g: Eia860mSampleGenerator, nameplateMw: number, summerMw: number): Eia860mSampleGenerator => ({ ...g, nameplateMw, summerMw, winterMw: nameplateMw })

/** August 2026, MISO only: wind 250 MW (300 in September), coal 700 (650), no solar yet (120), and a 20 MW oil unit retired by September. */
const AUGUST: readonly Eia860mSampleGenerator[] = [
  withMw(sample('Sample Prairie Wind'), 250, 248),
  sample('Sample Lakeshore Nuclear'),
  withMw(sample('Sample River Coal'), 700, 660),
  sample('Sample Bayou Energy Center'),
  { ...sample('Sample River Coal'), plantId: 99_606, plantName: 'Sample Harbor Diesel', generatorId: 'IC1', nameplateMw: 20, summerMw: 19, winterMw: 20, technology: 'Petroleum Liquids', energySource: 'DFO', primeMover: 'IC' },
]

/** June 2026: CISO with 150 MW of batteries (200 in September), PACW with 35 MW of hydro (40). */
const JUNE: readonly Eia860mSampleGenerator[] = EIA860M_SAMPLE_GENERATORS.filter((g) => g.ba === 'CISO' || g.ba === 'PACW').map((g) =>
  g.technology === 'Batteries' ? withMw(g, 150, 150) : g.ba === 'PACW' ? withMw(g, 35, 33) : g,
)

/** The view without what every case shares, to compare in one expectation. */
const figures = ({ respondent, all, unknown, month, previousMonth, technologies, fuels, total }: CapacityView) => ({ respondent, all, unknown, month, previousMonth, technologies, fuels, total })

beforeAll(async () => {
  test = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-capacity-' })
  setPlatform(test.platform)
  cookies.admin = await signIn('admin')
  cookies.analyst = await signIn('analyst')
  cookies.caiso = await signIn('caiso')
})

afterAll(async () => {
  await test?.close()
})

async function store(records: readonly SeriesRecord[], rawKey: string): Promise<void> {
  await insertSeriesValues(test.platform.ch, records, { ingestedAt: new Date().toISOString(), rawKey })
}

describe('loadCapacity, before any inventory is stored', () => {
  it('is empty: no balancing authority, no month, and says so for an asked one', async () => {
    const empty = await loadCapacity(test.platform.ch, 'MISO')
    expect(figures(empty)).toEqual({
      respondent: null,
      all: false,
      unknown: null,
      month: null,
      previousMonth: null,
      technologies: [],
      fuels: [],
      total: { nameplateMw: 0, summerMw: 0, generators: 0, added: null, removed: null },
    })
    expect(empty).toMatchObject({ market: 'MISO', respondents: [], source: 'eia.860m.generators' })
    expect((await loadCapacity(test.platform.ch, 'MISO', 'ALL')).all).toBe(false)
    expect((await loadCapacity(test.platform.ch, 'MISO', 'MISO')).unknown).toBe('MISO')
  })
})

describe('loadCapacity, three inventories stored', () => {
  beforeAll(async () => {
    // Stored newest first: the latest month is found by date, not by arrival.
    // The sample refuses a generator without a balancing authority code and one of SOCO (no market here).
    const september = new Uint8Array(fs.readFileSync(new URL(EIA860M_SAMPLE_FIXTURE, EIA860_FIXTURE_DIR)))
    await store(read(september, EIA860M_SAMPLE_FIXTURE, ['', 'SOCO']), 'raw/test/eia860m/2026-09')
    await store(read(workbook(AUGUST), 'august_generator2026.xlsx'), 'raw/test/eia860m/2026-08')
    await store(read(workbook(JUNE), 'june_generator2026.xlsx'), 'raw/test/eia860m/2026-06')
  })

  it("MISO (its own balancing authority by default): September's inventory by technology and fuel, and what changed since August", async () => {
    const view = await loadCapacity(test.platform.ch, 'MISO')
    const total = 650 + 780 + 1100 + 300 + 120
    expect(view.respondents).toEqual([{ code: 'MISO', name: 'Midcontinent Independent System Operator, Inc.', via: null }])
    expect(figures(view)).toEqual({
      respondent: { code: 'MISO', name: 'Midcontinent Independent System Operator, Inc.', via: null },
      all: false,
      unknown: null,
      month: '2026-09',
      previousMonth: '2026-08',
      // By fuel in CAPACITY_FUELS order, then nameplate MW.
      technologies: [
        { technology: 'Nuclear', fuel: 'nuclear', nameplateMw: 1100, summerMw: 1080, generators: 1, share: 1100 / total, change: 0 },
        { technology: 'Conventional Steam Coal', fuel: 'coal', nameplateMw: 650, summerMw: 610, generators: 1, share: 650 / total, change: -50 },
        { technology: 'Natural Gas Fired Combined Cycle', fuel: 'gas', nameplateMw: 780, summerMw: 735, generators: 1, share: 780 / total, change: 0 },
        { technology: 'Onshore Wind Turbine', fuel: 'wind', nameplateMw: 300, summerMw: 298, generators: 1, share: 300 / total, change: 50 },
        { technology: 'Solar Photovoltaic', fuel: 'solar', nameplateMw: 120, summerMw: 119, generators: 1, share: 120 / total, change: 120 },
      ],
      // Oil is listed though none is left: its 20 MW were removed.
      fuels: [
        { fuel: 'nuclear', nameplateMw: 1100, summerMw: 1080, generators: 1, share: 1100 / total, added: 0, removed: 0 },
        { fuel: 'coal', nameplateMw: 650, summerMw: 610, generators: 1, share: 650 / total, added: 0, removed: 50 },
        { fuel: 'gas', nameplateMw: 780, summerMw: 735, generators: 1, share: 780 / total, added: 0, removed: 0 },
        { fuel: 'oil', nameplateMw: 0, summerMw: 0, generators: 0, share: 0, added: 0, removed: 20 },
        { fuel: 'wind', nameplateMw: 300, summerMw: 298, generators: 1, share: 300 / total, added: 50, removed: 0 },
        { fuel: 'solar', nameplateMw: 120, summerMw: 119, generators: 1, share: 120 / total, added: 120, removed: 0 },
      ],
      total: { nameplateMw: 2950, summerMw: 2842, generators: 5, added: 170, removed: 70 },
    })
  })

  it("CAISO's own balancing authority by default (CISO): compared with June, the last month before September holding it", async () => {
    const view = await loadCapacity(test.platform.ch, 'CAISO')
    expect(view.respondents.map((r) => [r.code, r.via])).toEqual([
      ['CISO', null],
      ['PACW', 'WEIM'],
    ])
    const total = 550.5 + 150 + 200
    expect(figures(view)).toMatchObject({
      respondent: { code: 'CISO', name: 'California Independent System Operator', via: null },
      month: '2026-09',
      previousMonth: '2026-06',
      technologies: [
        { technology: 'Natural Gas Fired Combined Cycle', fuel: 'gas', nameplateMw: 550.5, summerMw: 520, generators: 1, share: 550.5 / total, change: 0 },
        { technology: 'Solar Photovoltaic', fuel: 'solar', nameplateMw: 150, summerMw: 147.5, generators: 2, share: 150 / total, change: 0 },
        { technology: 'Batteries', fuel: 'storage', nameplateMw: 200, summerMw: 200, generators: 1, share: 200 / total, change: 50 },
      ],
      total: { nameplateMw: 900.5, summerMw: 867.5, generators: 4, added: 50, removed: 0 },
    })
    expect(view.fuels.map((f) => [f.fuel, f.nameplateMw, f.added, f.removed])).toEqual([
      ['gas', 550.5, 0, 0],
      ['solar', 150, 0, 0],
      ['storage', 200, 50, 0],
    ])
  })

  it('a WEIM member shown under CAISO: PACW, named with its WEIM flag', async () => {
    const view = await loadCapacity(test.platform.ch, 'CAISO', 'PACW')
    expect(figures(view)).toEqual({
      respondent: { code: 'PACW', name: 'PacifiCorp West', via: 'WEIM' },
      all: false,
      unknown: null,
      month: '2026-09',
      previousMonth: '2026-06',
      technologies: [{ technology: 'Conventional Hydroelectric', fuel: 'hydro', nameplateMw: 40, summerMw: 38, generators: 1, share: 1, change: 5 }],
      fuels: [{ fuel: 'hydro', nameplateMw: 40, summerMw: 38, generators: 1, share: 1, added: 5, removed: 0 }],
      total: { nameplateMw: 40, summerMw: 38, generators: 1, added: 5, removed: 0 },
    })
  })

  it("all of CAISO's balancing authorities summed (CISO and PACW)", async () => {
    const view = await loadCapacity(test.platform.ch, 'CAISO', 'ALL')
    expect(view).toMatchObject({ respondent: null, all: true, unknown: null, month: '2026-09', previousMonth: '2026-06' })
    expect(view.total).toEqual({ nameplateMw: 940.5, summerMw: 905.5, generators: 5, added: 55, removed: 0 })
    expect(view.fuels.map((f) => f.fuel)).toEqual(['gas', 'hydro', 'solar', 'storage'])
    expect(view.technologies.reduce((s, t) => s + t.share, 0)).toBeCloseTo(1, 12)
  })

  it('a balancing authority the market holds none of is named, with nothing read; another market keeps its own', async () => {
    expect(figures(await loadCapacity(test.platform.ch, 'MISO', 'PACW'))).toMatchObject({ respondent: null, all: false, unknown: 'PACW', month: null, technologies: [] })
    const pjm = await loadCapacity(test.platform.ch, 'PJM')
    expect(pjm).toMatchObject({ respondent: { code: 'PJM' }, month: '2026-09', previousMonth: null, total: { nameplateMw: 1200, added: null, removed: null } })
    expect(pjm.technologies).toEqual([{ technology: 'Nuclear', fuel: 'nuclear', nameplateMw: 1200, summerMw: 1150, generators: 1, share: 1, change: null }])
  })

  it('reads the same from a catalogue the caller already holds, and never compares with a month more than a year back', async () => {
    const { series } = await listSeries(test.platform.ch, { product: 'GRID', market: 'CAISO' })
    expect(await loadCapacity(test.platform.ch, 'CAISO', 'CISO', series)).toEqual(await loadCapacity(test.platform.ch, 'CAISO', 'CISO'))
    // ERCOT: August 2025 is 13 months before the sample's September 2026, beyond the limit; September 2025 is 12.
    const ercot = EIA860M_SAMPLE_GENERATORS.filter((g) => g.ba === 'ERCO')
    expect(PREVIOUS_MONTHS_LOOKED_BACK).toBe(12)
    await store(read(workbook(ercot), 'august_generator2025.xlsx'), 'raw/test/eia860m/2025-08')
    expect(await loadCapacity(test.platform.ch, 'ERCOT')).toMatchObject({ month: '2026-09', previousMonth: null, total: { nameplateMw: 441.6, added: null, removed: null } })
    await store(read(workbook(ercot), 'september_generator2025.xlsx'), 'raw/test/eia860m/2025-09')
    expect(await loadCapacity(test.platform.ch, 'ERCOT')).toMatchObject({ month: '2026-09', previousMonth: '2025-09', total: { nameplateMw: 441.6, added: 0, removed: 0 } })
  })
})

describe('the market page and the capacity CSV, through the hub gate', () => {
  it('the MISO page carries the capacity section and audits the month served', async () => {
    const page = (await marketPage({ request: request('/markets/MISO', 'analyst'), params: { market: 'MISO' }, context: context() })) as Awaited<ReturnType<typeof marketPage>>
    expect(page.capacity).toMatchObject({ month: '2026-09', previousMonth: '2026-08', respondent: { code: 'MISO' }, total: { nameplateMw: 2950 } })
    expect(page.canDownload).toBe(false) // Prairie Trading: MISO in the hub, no downloads
    const [row] = await test.platform.pg.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.procedure, 'hub:market'), eq(auditEvents.outcome, 'allowed')))
      .orderBy(desc(auditEvents.id))
      .limit(1)
    expect(row?.details).toMatchObject({ capacity: { respondent: 'MISO', month: '2026-09', previousMonth: '2026-08' } })
    // `capacity=all` on CAISO, the fundamentals' `ba` kept apart.
    const caiso = (await marketPage({ request: request('/markets/CAISO?capacity=all&ba=PACW', 'caiso'), params: { market: 'CAISO' }, context: context() })) as Awaited<
      ReturnType<typeof marketPage>
    >
    expect(caiso.capacity).toMatchObject({ all: true, total: { nameplateMw: 940.5 } })
    expect(caiso.canDownload).toBe(true)
    // Without `capacity`, the capacity follows the fundamentals' balancing authority.
    const pacw = (await marketPage({ request: request('/markets/CAISO?ba=pacw', 'caiso'), params: { market: 'CAISO' }, context: context() })) as Awaited<ReturnType<typeof marketPage>>
    expect(pacw.capacity.respondent?.code).toBe('PACW')
  })

  it('the CSV: the technology table of the month for a user entitled to MISO downloads, audited', async () => {
    const res = await capacityCsv({ request: request('/markets/MISO/capacity.csv', 'admin'), params: { market: 'MISO' }, context: context() })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="MISO_capacity_MISO_2026-09.csv"')
    expect((await res.text()).split('\r\n')).toEqual([
      'month,balancing_authority,technology,fuel,nameplate_mw,net_summer_mw,generators,share_of_nameplate,nameplate_change_mw,previous_month',
      '2026-09,MISO,Nuclear,nuclear,1100,1080,1,0.372881,0,2026-08',
      '2026-09,MISO,Conventional Steam Coal,coal,650,610,1,0.220339,-50,2026-08',
      '2026-09,MISO,Natural Gas Fired Combined Cycle,gas,780,735,1,0.264407,0,2026-08',
      '2026-09,MISO,Onshore Wind Turbine,wind,300,298,1,0.101695,50,2026-08',
      '2026-09,MISO,Solar Photovoltaic,solar,120,119,1,0.040678,120,2026-08',
      '',
    ])
    const [row] = await test.platform.pg.db.select().from(auditEvents).where(eq(auditEvents.procedure, 'download:capacity-csv')).orderBy(desc(auditEvents.id)).limit(1)
    expect(row).toMatchObject({ outcome: 'allowed', channel: 'downloads', market: 'MISO', details: { capacity: { respondent: 'MISO', month: '2026-09' } } })
    const all = await capacityCsv({ request: request('/markets/caiso/capacity.csv?capacity=all', 'admin'), params: { market: 'caiso' }, context: context() })
    expect((await all.text()).split('\r\n').slice(1, 3)).toEqual([
      '2026-09,ALL,Natural Gas Fired Combined Cycle,gas,550.5,520,1,0.585327,0,2026-06',
      '2026-09,ALL,Conventional Hydroelectric,hydro,40,38,1,0.042531,5,2026-06',
    ])
  })

  it('refuses the CSV without the market downloads entitlement (403, audited as denied), an unknown market or balancing authority (404)', async () => {
    const refusal = async (path: string, user: string, market: string) =>
      (await capacityCsv({ request: request(path, user), params: { market }, context: context() }).catch((e: unknown) => e)) as Response
    // Cora Caiso: CAISO downloads, not MISO's. Alan Analyst: MISO in the hub only.
    for (const user of ['caiso', 'analyst']) {
      const refused = await refusal('/markets/MISO/capacity.csv', user, 'MISO')
      expect(refused).toBeInstanceOf(Response)
      expect(refused.status).toBe(403)
    }
    const [denied] = await test.platform.pg.db.select().from(auditEvents).where(eq(auditEvents.procedure, 'download:capacity-csv')).orderBy(desc(auditEvents.id)).limit(1)
    expect(denied).toMatchObject({ outcome: 'denied', status: 403, market: 'MISO' })
    const unknownMarket = await refusal('/markets/NOPE/capacity.csv', 'admin', 'NOPE')
    expect(unknownMarket.status).toBe(404)
    expect(await unknownMarket.text()).toMatch(/^There is no market called 'NOPE'/)
    const unknownBa = await refusal('/markets/MISO/capacity.csv?capacity=PACW', 'admin', 'MISO')
    expect(unknownBa.status).toBe(404)
    expect(await unknownBa.text()).toBe('MISO holds no EIA-860M inventory of balancing authority PACW; it holds MISO (or all).')
    const badChoice = await refusal('/markets/MISO/capacity.csv?capacity=no%20such', 'admin', 'MISO')
    expect(badChoice.status).toBe(400)
    expect(await badChoice.text()).toBe('capacity: a balancing authority code (e.g. CISO) or "all"')
  })
})
