import type { PriceRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { encodeRowBinary } from '../../adapters/clickhouse/row-binary.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { ingestRuns } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { insertPrices } from '../prices/index.ts'
import { PRICE_COLUMNS, writePriceRow } from '../prices/helpers.ts'
import { completeness, dataHealth, freshness, gaps, lateArrivals, recordArrivals, revisions } from './index.ts'
import { DataHealth } from './schemas.ts'

/*
 * The quality queries against real rows: chDB (prices, price_arrivals) and a scratch database on
 * the PostgreSQL test server (ingest_runs). Fixture, as of NOW = yesterday 12:00 UTC (recent: rows
 * of price_arrivals expire 90 days after they arrived) with a 6-hour window [06:00, 12:00):
 *
 * A  MISO miso.api.rt5_expost (RT5), written through insertPrices + recordArrivals like the consumer:
 *    nodes A1..A4, intervals 06:00..11:50 (71 on the grid) except 08:00 and 08:05 (a gap of 2);
 *    A4 missing from 10:00..10:55 (12 intervals); A5 delivered only two days before (expected, never
 *    in the window). Arrivals one minute after each interval's end, except: 11:00 arrives at 11:25
 *    (4 late values, 15 min past the deadline) and again at 11:30 (redelivery); 06:00 again at 11:50
 *    (redelivery of an on-time batch); A2@10:15 published at 10:30 and stored 10:33 (not late: the
 *    deadline follows the publication); A1@09:00 revised at 09:40 (a second LMP, 30 min late).
 * B  CAISO test.direct (RT15), written straight into `prices` (as the demo is) with ingested_at
 *    09:00: nodes B1, B2, intervals 06:00..08:45, complete. No arrivals.
 * C  CAISO caiso.oasis.prc_lmp: ingest runs only (the last one failed), no prices.
 */

const MIN = 60_000
const DAY = 24 * 60 * MIN
/** 00:00 UTC yesterday. */
const DAY0 = Math.floor(Date.now() / DAY) * DAY - DAY
/** hh:mm UTC of yesterday, or of `days` days later. */
const at = (hhmm: string, days = 0) => DAY0 + days * DAY + Date.parse(`1970-01-01T${hhmm}:00.000Z`)
const iso = (ms: number) => new Date(ms).toISOString()
const NOW = at('12:00')
const WINDOW = 6 * 60 * MIN
const A = 'miso.api.rt5_expost'

let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
let pg: PostgresHandle

function record(market: PriceRecord['market'], source: string, run: PriceRecord['run'], node: string, start: number, minutes: number, lmp: number, publishedAt: number | null = null): PriceRecord {
  return {
    market,
    node,
    run,
    intervalStart: iso(start),
    intervalEnd: iso(start + minutes * MIN),
    lmp,
    energy: lmp - 1,
    congestion: 0.5,
    loss: 0.5,
    ghg: null,
    source,
    publishedAt: publishedAt === null ? null : iso(publishedAt),
  }
}

/** Dataset A's records in the window, each with the time it is first recorded as arrived. */
function datasetA(): { record: PriceRecord; arrived: number }[] {
  const out: { record: PriceRecord; arrived: number }[] = []
  for (let t = at('06:00'), k = 0; t <= at('11:50'); t += 5 * MIN, k++) {
    if (t === at('08:00') || t === at('08:05')) continue
    for (const [i, node] of ['A1', 'A2', 'A3', 'A4'].entries()) {
      if (node === 'A4' && t >= at('10:00') && t < at('11:00')) continue
      const published = node === 'A2' && t === at('10:15') ? at('10:30') : null
      const arrived = t === at('11:00') ? at('11:25') : published !== null ? at('10:33') : t + 6 * MIN
      out.push({ record: record('MISO', A, 'RT5', node, t, 5, 30 + k * 0.25 + i, published), arrived })
    }
  }
  return out
}

const a = datasetA()
const revisedOld = a.find((x) => x.record.node === 'A1' && x.record.intervalStart === iso(at('09:00')))!.record
const revisedNew = { ...revisedOld, lmp: revisedOld.lmp + 1.5 }

beforeAll(async () => {
  ch = await openScratchClickHouse()
  pg = await openScratchDatabase('postgres', { serverUrl: inject('postgresUrl') })
  await migratePostgres(pg)
  await seedMarkets(pg.db)

  // A: prices hold the latest value of each interval; arrivals are recorded per arrival time.
  const latest = a.map((x) => (x.record === revisedOld ? revisedNew : x.record))
  await insertPrices(ch, [...latest, record('MISO', A, 'RT5', 'A5', at('12:00', -2), 5, 25)])
  const byArrival = new Map<number, PriceRecord[]>()
  for (const x of a) byArrival.set(x.arrived, [...(byArrival.get(x.arrived) ?? []), x.record])
  for (const [arrived, records] of byArrival) await recordArrivals(ch, records, new Date(arrived))
  await recordArrivals(ch, [revisedNew], new Date(at('09:40')))
  await recordArrivals(ch, byArrival.get(at('11:25'))!, new Date(at('11:30')))
  await recordArrivals(ch, byArrival.get(at('06:06'))!, new Date(at('11:50')))

  // B: straight into prices with a known ingested_at.
  const b: PriceRecord[] = []
  for (let t = at('06:00'); t <= at('08:45'); t += 15 * MIN) {
    for (const node of ['B1', 'B2']) b.push(record('CAISO', 'test.direct', 'RT15', node, t, 15, 40))
  }
  const body = await encodeRowBinary(b, (writer, r) => {
    writePriceRow(writer, r)
    writer.dateTime64ms(at('09:00'))
  })
  await ch.insertEncoded('prices', [...PRICE_COLUMNS, 'ingested_at'], body, 'RowBinary')

  // Ingest runs of A and C.
  const run = (market: string, dataset: string, status: string, started: number, extra: { records?: number; issues?: number; error?: string } = {}) => ({
    market,
    dataset,
    trigger: 'schedule',
    windowStart: new Date(started - 5 * MIN),
    windowEnd: new Date(started),
    url: 'http://publisher.test/file',
    file: `${dataset}-${started}.json`,
    status,
    records: extra.records ?? 0,
    issues: extra.issues ?? 0,
    error: extra.error ?? null,
    startedAt: new Date(started),
    finishedAt: new Date(started + 10_000),
  })
  await pg.db.insert(ingestRuns).values([
    run('MISO', A, 'ok', at('11:55'), { records: 4 }),
    run('MISO', A, 'partial', at('11:50'), { records: 3, issues: 2 }),
    run('MISO', A, 'failed', at('08:10'), { error: 'HTTP 500 from the publisher after 5 attempts' }),
    run('MISO', A, 'failed', at('06:00', -1), { error: 'older failure' }),
    run('MISO', A, 'ok', at('12:30'), { records: 4 }), // after NOW: ignored
    run('CAISO', 'caiso.oasis.prc_lmp', 'ok', at('10:00'), { records: 100 }),
    run('CAISO', 'caiso.oasis.prc_lmp', 'no-data', at('10:30')),
    run('CAISO', 'caiso.oasis.prc_lmp', 'failed', at('11:00'), { error: 'OASIS answered 503' }),
    run('CAISO', 'caiso.oasis.prc_lmp', 'ok', at('06:00', -1)), // 30 h before NOW: not in the 24 h counts
  ])
})

afterAll(async () => {
  await ch?.close()
  await pg?.close()
})

const input = { markets: ['MISO', 'CAISO'] as ('MISO' | 'CAISO')[], now: new Date(NOW), window: WINDOW }
const window = { from: iso(at('06:00')), to: iso(NOW) }

describe('completeness', () => {
  it('counts received nodes against the nodes of the last 7 days, missing intervals as 0', async () => {
    const out = await completeness(ch, { ...input, series: { market: 'MISO', dataset: A } })
    expect(out.window).toEqual(window)
    expect(out.datasets.map((d) => [d.market, d.dataset])).toEqual([
      ['CAISO', 'test.direct:RT15'],
      ['MISO', A],
    ])
    const [b, miso] = out.datasets
    expect(miso).toMatchObject({
      source: A,
      run: 'RT5',
      intervalMinutes: 5,
      expectedNodes: 5,
      expectedIntervals: 71,
      deliveredIntervals: 69,
      firstInterval: iso(at('06:00')),
      lastInterval: iso(at('11:50')),
    })
    // 57 intervals x 4 nodes + 12 intervals x 3 nodes, of 5 nodes x 71 intervals.
    expect(miso!.ratio).toBeCloseTo(264 / 355, 12)
    expect(miso!.worstIntervals).toHaveLength(10)
    expect(miso!.worstIntervals[0]).toEqual({ intervalStart: iso(at('10:00')), received: 3, ratio: 0.6 })
    expect(miso!.worstIntervals.map((p) => p.intervalStart)).toEqual(
      Array.from({ length: 10 }, (_, i) => iso(at('10:00') + i * 5 * MIN)),
    )
    expect(b).toMatchObject({ source: 'test.direct', run: 'RT15', expectedNodes: 2, expectedIntervals: 12, deliveredIntervals: 12, ratio: 1, worstIntervals: [] })

    expect(out.series).toMatchObject({ market: 'MISO', dataset: A, expectedNodes: 5, intervalMinutes: 5 })
    const points = out.series!.points
    expect(points).toHaveLength(71)
    expect(points.find((p) => p.intervalStart === iso(at('08:00')))).toEqual({ intervalStart: iso(at('08:00')), received: 0, ratio: 0 })
    expect(points.find((p) => p.intervalStart === iso(at('10:55')))?.received).toBe(3)
    expect(points.find((p) => p.intervalStart === iso(at('11:00')))?.received).toBe(4)
    expect(points.reduce((sum, p) => sum + p.received, 0)).toBe(264)
  })

  it('filters to the given markets', async () => {
    const out = await completeness(ch, { ...input, markets: ['CAISO'] })
    expect(out.datasets.map((d) => d.dataset)).toEqual(['test.direct:RT15'])
    expect(out.series).toBeNull()
  })

  it('refuses a window longer than the 7-day lookback', async () => {
    await expect(completeness(ch, { ...input, window: 8 * 24 * 60 * MIN })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})

describe('gaps', () => {
  it('lists the missing interval starts between the first and last interval as ranges', async () => {
    const out = await gaps(ch, input)
    const byName = Object.fromEntries(out.datasets.map((d) => [d.dataset, d]))
    expect(byName[A]).toMatchObject({
      missingIntervals: 2,
      ranges: [{ from: iso(at('08:00')), to: iso(at('08:10')), intervals: 2 }],
      truncated: false,
    })
    expect(byName['test.direct:RT15']).toMatchObject({ missingIntervals: 0, ranges: [] })
  })
})

describe('late arrivals and revisions', () => {
  it('counts values first stored more than 5 minutes after max(interval end, published at), once each', async () => {
    const out = await lateArrivals(ch, input)
    expect(out.datasets).toEqual([
      // 264 values + the revised one; late: the four of 11:00 (15 min) and the revision (30 min).
      { market: 'MISO', dataset: A, source: A, run: 'RT5', arrivals: 265, late: 5, maxDelaySeconds: 1800 },
    ])
  })

  it('finds the interval that arrived with two LMPs, with its old and new value', async () => {
    const out = await revisions(ch, input)
    expect(out.datasets).toEqual([
      {
        market: 'MISO',
        dataset: A,
        source: A,
        run: 'RT5',
        revised: 1,
        examples: [{ node: 'A1', intervalStart: iso(at('09:00')), oldLmp: revisedOld.lmp, newLmp: revisedNew.lmp, values: 2 }],
      },
    ])
  })

  it('ignores arrivals after now', async () => {
    const before = { ...input, now: new Date(at('09:30')), window: 3.5 * 60 * MIN }
    expect((await revisions(ch, before)).datasets).toEqual([])
    // Stored by 09:30: the intervals 06:00..09:20 (41 on the grid, less the gap of 2) x 4 nodes;
    // 09:25 arrives at 09:31, the revision at 09:40.
    const late = await lateArrivals(ch, before)
    expect(late.datasets).toEqual([{ market: 'MISO', dataset: A, source: A, run: 'RT5', arrivals: 39 * 4, late: 0, maxDelaySeconds: null }])
  })
})

describe('freshness', () => {
  it('measures the age of the newest arrival, else of the newest price, and reads the ingest runs', async () => {
    const out = await freshness(ch, pg.db, input)
    expect(out.now).toBe(iso(NOW))
    expect(out.datasets.map((d) => [d.market, d.dataset])).toEqual([
      ['CAISO', 'caiso.oasis.prc_lmp'],
      ['CAISO', 'test.direct:RT15'],
      ['MISO', A],
    ])
    const [c, b, miso] = out.datasets
    expect(miso).toMatchObject({
      lastIngestedAt: iso(at('11:56')),
      ageSeconds: 240,
      measuredFrom: 'arrivals',
      lastIntervalEnd: iso(at('11:55')),
      // rt5_expost publishes an interval at its end; 5 minutes ago that was through 11:55.
      expectedThrough: iso(at('11:55')),
      stale: false,
    })
    expect(miso!.ingest).toEqual({
      lastRun: {
        status: 'ok',
        file: `${A}-${at('11:55')}.json`,
        startedAt: iso(at('11:55')),
        finishedAt: iso(at('11:55') + 10_000),
        records: 4,
        issues: 0,
        newNodes: 0,
        error: null,
      },
      lastFailure: { finishedAt: iso(at('08:10') + 10_000), error: 'HTTP 500 from the publisher after 5 attempts' },
      runs24h: { ok: 1, partial: 1, 'no-data': 0, failed: 1 },
      records24h: 7,
      issues24h: 2,
    })
    expect(b).toMatchObject({
      source: 'test.direct',
      run: 'RT15',
      lastIngestedAt: iso(at('09:00')),
      ageSeconds: 3 * 3600,
      measuredFrom: 'prices',
      lastIntervalEnd: iso(at('09:00')),
      // Held to CAISO's RTPD dataset: published at the interval's start, so through 12:00.
      expectedThrough: iso(at('12:00')),
      stale: true,
    })
    expect(b!.ingest.lastRun).toBeNull()
    expect(c).toMatchObject({
      source: 'caiso.oasis.prc_lmp',
      run: 'DA',
      lastIngestedAt: null,
      ageSeconds: null,
      measuredFrom: null,
      lastIntervalEnd: null,
      stale: true,
    })
    expect(c!.ingest).toMatchObject({
      lastRun: { status: 'failed', error: 'OASIS answered 503' },
      lastFailure: { error: 'OASIS answered 503' },
      runs24h: { ok: 1, partial: 0, 'no-data': 1, failed: 1 },
      records24h: 100,
      issues24h: 0,
    })
  })

  it('turns stale once the next published interval is more than 5 minutes overdue', async () => {
    const later = await freshness(ch, pg.db, { ...input, markets: ['MISO'], now: new Date(at('12:10')) })
    expect(later.datasets).toHaveLength(1)
    expect(later.datasets[0]).toMatchObject({ dataset: A, ageSeconds: 840, expectedThrough: iso(at('12:05')), stale: true })
  })
})

describe('dataHealth', () => {
  it('combines everything per market and dataset, filtered to the given markets', async () => {
    const health = await dataHealth(ch, pg.db, { ...input, series: { market: 'MISO', dataset: A } })
    expect(() => DataHealth.parse(health)).not.toThrow()
    expect(health.generatedAt).toBe(iso(NOW))
    expect(health.window).toEqual(window)
    expect(health.freshnessTargetSeconds).toBe(300)
    expect(health.markets.map((m) => [m.market, m.datasets.map((d) => d.dataset)])).toEqual([
      ['MISO', [A]],
      ['CAISO', ['caiso.oasis.prc_lmp', 'test.direct:RT15']],
    ])
    const miso = health.markets[0]!.datasets[0]!
    expect(miso.completeness?.ratio).toBeCloseTo(264 / 355, 12)
    expect(miso.completeness).toMatchObject({ expectedNodes: 5, expectedIntervals: 71, deliveredIntervals: 69 })
    expect(miso.gaps).toMatchObject({ missingIntervals: 2 })
    expect(miso.late).toEqual({ arrivals: 265, late: 5, maxDelaySeconds: 1800 })
    expect(miso.revisions.revised).toBe(1)
    expect(miso.freshness).toMatchObject({ ageSeconds: 240, stale: false, measuredFrom: 'arrivals' })
    expect(miso.ingest.runs24h).toEqual({ ok: 1, partial: 1, 'no-data': 0, failed: 1 })
    expect(health.series?.points).toHaveLength(71)

    const [c, b] = health.markets[1]!.datasets
    expect(c).toMatchObject({ run: 'DA', completeness: null, gaps: null, late: { arrivals: 0, late: 0, maxDelaySeconds: null } })
    expect(c!.freshness.stale).toBe(true)
    expect(b).toMatchObject({ completeness: { ratio: 1 }, gaps: { missingIntervals: 0 }, revisions: { revised: 0, examples: [] } })
    expect(b!.freshness).toMatchObject({ ageSeconds: 10800, measuredFrom: 'prices' })

    const misoOnly = await dataHealth(ch, pg.db, { ...input, markets: ['MISO'] })
    expect(misoOnly.markets.map((m) => m.market)).toEqual(['MISO'])
    expect(misoOnly.markets[0]!.datasets.map((d) => d.dataset)).toEqual([A])
    expect(misoOnly.series).toBeNull()
  })
})
