/**
 * EIA-860M on the simulator through the connectors' own dataset (plan, publishedUntil,
 * notPublished), the real HTTP client over real HTTP and the registered reader: one workbook per
 * month, earlier months from the archive folder and the latest from `xls/`, each read with the
 * month its file name gives; a month the simulated EIA has not put out, or has moved to the
 * archive, is "not published" (EIA's landing page, HTTP 200), never data. The workbooks hold the
 * demo's full-scale inventory (@carbon/demo-data/capacity): its own months as the demo stores
 * them, other months its September built out (eia860.ts).
 */
import {
  type ConnectorConfig,
  createHttpClient,
  fetchSeriesWindow,
  SERIES_DATASETS,
  SERIES_SOURCES,
  type SeriesFetchedPayload,
  type SeriesFetchOutcome,
  simulatorUrls,
  technologyFuel,
  type Window,
} from '@carbon/connectors'
import { demoInventoryGenerators, demoInventoryWorkbook } from '@carbon/demo-data/capacity'
import { SeriesRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublisherSimulator, type PublisherSimulator, type RequestLogEntry } from '../server.ts'
import { eia860mBuildOut } from './eia860.ts'

const ms = (iso: string) => Date.parse(iso)
const DATASET = SERIES_DATASETS['eia.860m.generators']

let sim: PublisherSimulator
let config: ConnectorConfig
const log: RequestLogEntry[] = []

beforeAll(async () => {
  sim = await createPublisherSimulator({ fixturesDir: null, nodes: { miso: 10, caiso: 10 }, marketRoutes: [], onRequest: (e) => log.push(e) })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL' }
})
afterAll(async () => {
  await sim.close()
})

/** Every outcome of the window at `now`, the simulated EIA at `simNow` (default the same instant). */
async function fetchAll(window: Window, now: number, simNow = now): Promise<SeriesFetchOutcome[]> {
  sim.setNow(new Date(simNow))
  log.length = 0
  const client = createHttpClient({ userAgent: '254Carbon-ingest/test (+ops@example.test)', maxAttempts: 3, backoff: { initialMs: 5, maxMs: 10 }, minSpacingMs: { 'eia.www': 0 }, now: () => now })
  const outcomes: SeriesFetchOutcome[] = []
  for await (const outcome of fetchSeriesWindow(client, DATASET, window, config, { now })) outcomes.push(outcome)
  return outcomes
}

function payload(outcome: SeriesFetchOutcome | undefined): SeriesFetchedPayload {
  if (outcome?.kind !== 'payload') throw new Error(`not data: ${JSON.stringify(outcome && { kind: outcome.kind, file: outcome.request.file })}`)
  return outcome.payload
}

/** The payload's records by its source's reader: every one a valid SeriesRecord, no generator refused (the demo keeps only mapped balancing authorities). */
function read(p: SeriesFetchedPayload): SeriesRecord[] {
  const { records, errors } = SERIES_SOURCES[p.request.dataset].parse(p.bytes, p.request.file)
  expect(errors).toEqual([])
  for (const record of records) expect(SeriesRecord.parse(record)).toEqual(record)
  return records
}

const nameplate = (records: SeriesRecord[], series: string) => records.find((r) => r.series === series && r.measure === 'nameplate_capacity')?.value

/** The nameplate MW the reader should sum for a balancing authority and technology in `month`, from the demo's September generators (built out for solar, wind and storage). */
function expectedNameplate(ba: string, technology: string, month: string): number {
  const factor = ['solar', 'wind', 'storage'].includes(technologyFuel(technology)) ? eia860mBuildOut('2026-09', month) : 1
  const rows = demoInventoryGenerators('2026-09').filter((g) => g.ba === ba && g.technology === technology)
  if (rows.length === 0) throw new Error(`no ${ba} ${technology} generator in the demo's September`)
  return Math.round(rows.reduce((sum, g) => sum + Math.round(g.nameplateMw * factor * 10) / 10, 0) * 1000) / 1000
}

describe('EIA-860M on the simulator', () => {
  it('a backfill window: one archived workbook per month, each read as its own month, months differing', async () => {
    const now = ms('2026-12-07T12:00:00Z')
    const outcomes = await fetchAll({ start: ms('2025-01-01T00:00:00Z'), end: ms('2025-04-01T00:00:00Z') }, now)
    expect(log.map((e) => [e.path, e.status])).toEqual([
      ['/eia/electricity/data/eia860m/archive/xls/january_generator2025.xlsx', 200],
      ['/eia/electricity/data/eia860m/archive/xls/february_generator2025.xlsx', 200],
      ['/eia/electricity/data/eia860m/archive/xls/march_generator2025.xlsx', 200],
    ])
    const months = outcomes.map(payload).map(read)
    expect(months.map((records) => [...new Set(records.map((r) => r.periodStart))])).toEqual([
      ['2025-01-01T00:00:00.000Z'],
      ['2025-02-01T00:00:00.000Z'],
      ['2025-03-01T00:00:00.000Z'],
    ])
    const wind = months.map((records) => nameplate(records, 'MISO.CAPACITY.ONSHORE_WIND_TURBINE'))
    expect(wind).toEqual(['2025-01', '2025-02', '2025-03'].map((month) => expectedNameplate('MISO', 'Onshore Wind Turbine', month)))
    expect(wind[0]).toBeLessThan(wind[1]!)
    expect(wind[1]).toBeLessThan(wind[2]!)
    const nuclear = expectedNameplate('MISO', 'Nuclear', '2025-01')
    expect(months.map((records) => nameplate(records, 'MISO.CAPACITY.NUCLEAR'))).toEqual([nuclear, nuclear, nuclear])
    expect(new Set(months[0]!.map((r) => r.market))).toEqual(new Set(['CAISO', 'ERCOT', 'MISO', 'PJM']))
  })

  it('the latest month from xls/ once the dataset takes it as out (August 2026 on 2026-09-28, 12:00 Eastern)', async () => {
    const now = ms('2026-09-28T16:00:00Z')
    expect(DATASET.publishedUntil(now)).toBe(ms('2026-09-01T00:00:00Z'))
    const [august, ...rest] = await fetchAll({ start: ms('2026-08-01T00:00:00Z'), end: DATASET.publishedUntil(now) }, now)
    expect(rest).toEqual([])
    const p = payload(august)
    expect(p.request).toMatchObject({ file: 'august_generator2026.xlsx', url: `${sim.url}/eia/electricity/data/eia860m/xls/august_generator2026.xlsx`, key: 'MISO' })
    expect(p.lastModified).toBe(ms('2026-09-24T14:00:00Z'))
    // The demo's own August, byte for byte: a live ingest stores what the demo stored.
    expect(Buffer.from(p.bytes).equals(Buffer.from(demoInventoryWorkbook('2026-08')))).toBe(true)
    // Without the batteries that came online in September.
    expect(nameplate(read(p), 'CISO.CAPACITY.BATTERIES')).toBeLessThan(expectedNameplate('CISO', 'Batteries', '2026-09'))
  })

  it('EIA late (its landing page in place of the month): "not published", not data', async () => {
    const now = ms('2026-09-28T16:00:00Z')
    const outcomes = await fetchAll({ start: ms('2026-08-01T00:00:00Z'), end: DATASET.publishedUntil(now) }, now, ms('2026-09-20T00:00:00Z'))
    expect(outcomes).toMatchObject([{ kind: 'not-published', status: 200, reason: expect.stringContaining('in place of xls/august_generator2026.xlsx') }])
    expect(log.map((e) => [e.path, e.status])).toEqual([['/eia/electricity/data/eia860m/xls/august_generator2026.xlsx', 200]])
  })

  it('a lagging window asked between EIA\'s release and the assumed one finds its month moved to the archive: "not published", then taken from the archive', async () => {
    // 2026-10-26: EIA put out September on 10-24; the dataset takes August as the latest until 10-28.
    const early = ms('2026-10-26T12:00:00Z')
    const window = { start: ms('2026-08-01T00:00:00Z'), end: ms('2026-10-01T00:00:00Z') }
    expect(await fetchAll(window, early)).toMatchObject([{ kind: 'not-published', request: { file: 'august_generator2026.xlsx' }, reason: expect.stringContaining('not (any longer) in that folder') }])
    const later = ms('2026-10-28T16:00:00Z')
    const outcomes = await fetchAll(window, later)
    expect(log.map((e) => e.path)).toEqual(['/eia/electricity/data/eia860m/archive/xls/august_generator2026.xlsx', '/eia/electricity/data/eia860m/xls/september_generator2026.xlsx'])
    expect(outcomes.map((o) => payload(o).request.file)).toEqual(['august_generator2026.xlsx', 'september_generator2026.xlsx'])
  })
})
