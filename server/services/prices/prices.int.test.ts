import { isOnPeak, type MarketId, type MarketRun, type PriceRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { AppError } from '../../errors.ts'
import { insertPrices, latestPrices, priceHistories, priceHistory, priceSummaries } from './index.ts'
import { LatestPricesOutput, PriceHistoryOutput, type HistoryPoint, type PriceHistoryInput } from './schemas.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** `count` consecutive intervals of `minutes` from `start`, with unrounded, known values. */
function series(
  market: MarketId,
  node: string,
  run: MarketRun,
  start: string,
  count: number,
  minutes: number,
  seed = 0,
): PriceRecord[] {
  const t0 = Date.parse(start)
  return Array.from({ length: count }, (_, i) => {
    const lmp = 25 + 12 * Math.sin((i + seed) / 9) + ((i + seed) % 7) * 0.35
    return {
      market,
      node,
      run,
      intervalStart: new Date(t0 + i * minutes * MINUTE).toISOString(),
      intervalEnd: new Date(t0 + (i + 1) * minutes * MINUTE).toISOString(),
      lmp,
      energy: lmp - 2,
      congestion: i % 5 === 0 ? null : 1.5 + (i % 3) * 0.1,
      loss: 0.5,
      ghg: null,
      source: 'test',
      publishedAt: new Date(t0 + (i + 1) * minutes * MINUTE + 30_000).toISOString(),
    }
  })
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)
const nonNull = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null)

type Expected = Omit<HistoryPoint, 'intervalStart' | 'intervalEnd'>

/** The bucket values computed here, from the records, independently of the SQL. */
function aggregate(records: PriceRecord[]): Expected {
  const lmps = records.map((r) => r.lmp)
  const on = records.filter((r) => isOnPeak(r.market, new Date(r.intervalStart))).map((r) => r.lmp)
  const off = records.filter((r) => !isOnPeak(r.market, new Date(r.intervalStart))).map((r) => r.lmp)
  return {
    lmp: mean(lmps) as number,
    min: Math.min(...lmps),
    max: Math.max(...lmps),
    energy: mean(nonNull(records.map((r) => r.energy))),
    congestion: mean(nonNull(records.map((r) => r.congestion))),
    loss: mean(nonNull(records.map((r) => r.loss))),
    ghg: mean(nonNull(records.map((r) => r.ghg))),
    onPeak: mean(on),
    offPeak: mean(off),
    samples: records.length,
  }
}

function groupBy(records: PriceRecord[], key: (r: PriceRecord) => string): Map<string, PriceRecord[]> {
  const out = new Map<string, PriceRecord[]>()
  for (const r of records) {
    const k = key(r)
    out.set(k, [...(out.get(k) ?? []), r])
  }
  return out
}

function expectClose(actual: number | null, expected: number | null) {
  if (expected === null) expect(actual).toBeNull()
  else expect(actual).toBeCloseTo(expected, 9)
}

function expectPoint(point: HistoryPoint, expected: Expected) {
  expect(point.samples).toBe(expected.samples)
  expect(point.min).toBe(expected.min)
  expect(point.max).toBe(expected.max)
  for (const k of ['lmp', 'energy', 'congestion', 'loss', 'ghg', 'onPeak', 'offPeak'] as const) {
    expectClose(point[k], expected[k])
  }
}

function inRange(records: PriceRecord[], from: string, to: string) {
  return records.filter((r) => Date.parse(r.intervalStart) >= Date.parse(from) && Date.parse(r.intervalStart) < Date.parse(to))
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected a failure, it succeeded')
}

async function history(input: PriceHistoryInput) {
  return PriceHistoryOutput.parse(await priceHistory(ch, input))
}

let ch: Awaited<ReturnType<typeof openScratchClickHouse>>

// MISO hub, three days of 5-minute intervals (MISO days are fixed EST, its peak hours Eastern prevailing).
const hub = series('MISO', 'MISO.HUB', 'RT5', '2026-06-09T00:00:00.000Z', 3 * 288, 5)
// Revisions ingested after the first (repeated) delivery: one interval mid-range and the latest.
const revised = [
  { ...(hub[400] as PriceRecord), lmp: 999.125, source: 'revision' },
  { ...(hub[863] as PriceRecord), lmp: 77.5, source: 'revision' },
]
const hubNow = hub.map((r) => revised.find((v) => v.intervalStart === r.intervalStart) ?? r)
// MISO day-ahead around Memorial Day (Mon 2026-05-25), three EST days from Sunday.
const memorial = series('MISO', 'MISO.HUB', 'DA', '2026-05-24T05:00:00.000Z', 72, 60, 3)
// CAISO day-ahead across both 2026 DST changes (Pacific days).
const spring = series('CAISO', 'TH_NP15', 'DA', '2026-03-07T08:00:00.000Z', 71, 60, 5)
const fall = series('CAISO', 'TH_NP15', 'DA', '2026-10-31T07:00:00.000Z', 73, 60, 7)
// Latest edge cases: one interval; a gap before the latest; a name full of SQL punctuation.
const single = series('MISO', 'MISO.SINGLE', 'RT5', '2026-06-11T12:00:00.000Z', 1, 5)
const gap = [
  ...series('MISO', 'MISO.GAP', 'RT5', '2026-06-11T10:00:00.000Z', 2, 5),
  ...series('MISO', 'MISO.GAP', 'RT5', '2026-06-11T11:00:00.000Z', 1, 5, 4),
]
// A node whose prices stopped long before the others (widens the latest query's read range).
const old = series('MISO', 'MISO.OLD', 'RT5', '2026-06-01T08:00:00.000Z', 2, 5, 2)
const ODD_NAME = `O'Brien "Hub" \\ ;--`
const odd = series('MISO', ODD_NAME, 'RT5', '2026-06-11T12:00:00.000Z', 2, 5)

beforeAll(async () => {
  ch = await openScratchClickHouse()
  // The same delivery twice (a redelivered batch), then the revisions.
  await insertPrices(ch, [...hub, ...memorial, ...spring, ...fall, ...single, ...gap, ...old, ...odd])
  await insertPrices(ch, [...hub])
  await insertPrices(ch, revised)
})
afterAll(async () => {
  await ch?.close()
})

describe('insertPrices', () => {
  it('keeps one row per interval after re-ingestion, with the latest values', async () => {
    const [row] = await queryRows<{ n: number; revised: number; last: number }>(
      ch,
      'test',
      `SELECT count() AS n, countIf(source = 'revision') AS revised, argMax(lmp, interval_start) AS last
       FROM prices FINAL WHERE market = 'MISO' AND node = 'MISO.HUB' AND run = 'RT5'`,
    )
    expect(Number(row?.n)).toBe(hub.length)
    expect(Number(row?.revised)).toBe(2)
    expect(row?.last).toBe(77.5)
  })

  it('lets the later copy of an interval win within one call', async () => {
    const [a] = series('MISO', 'MISO.DUP', 'RT5', '2026-06-11T12:00:00.000Z', 1, 5) as [PriceRecord]
    expect(await insertPrices(ch, [a, { ...a, lmp: 1 }, { ...a, lmp: 2 }])).toEqual({ inserted: 1 })
    const out = await latestPrices(ch, { market: 'MISO', run: 'RT5', nodes: ['MISO.DUP'] })
    expect(out.prices[0]?.lmp).toBe(2)
  })

  it('refuses an invalid record with BAD_REQUEST and writes nothing', async () => {
    const [a] = series('MISO', 'MISO.BAD', 'RT5', '2026-06-11T12:00:00.000Z', 1, 5) as [PriceRecord]
    const bad = [a, { ...a, lmp: Number.NaN }]
    const error = await failure(insertPrices(ch, bad))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.details?.index).toBe(1)
    const reversed = await failure(insertPrices(ch, [{ ...a, intervalEnd: a.intervalStart }]))
    expect(reversed.code).toBe('BAD_REQUEST')
    expect((await latestPrices(ch, { market: 'MISO', run: 'RT5', nodes: ['MISO.BAD'] })).prices).toEqual([])
  })

  it('writes nothing and answers 0 for no records', async () => {
    expect(await insertPrices(ch, [])).toEqual({ inserted: 0 })
  })
})

describe('latestPrices', () => {
  it('gives the latest interval, the interval before it and the change, per node in request order', async () => {
    const out = LatestPricesOutput.parse(
      await latestPrices(ch, { market: 'MISO', run: 'RT5', nodes: ['MISO.SINGLE', 'MISO.NONE', 'MISO.HUB'] }),
    )
    expect(out.market).toBe('MISO')
    expect(out.run).toBe('RT5')
    expect(out.prices.map((p) => p.node)).toEqual(['MISO.SINGLE', 'MISO.HUB'])
    const last = hubNow.at(-1) as PriceRecord
    const before = hubNow.at(-2) as PriceRecord
    expect(out.prices[1]).toEqual({
      node: 'MISO.HUB',
      intervalStart: last.intervalStart,
      intervalEnd: last.intervalEnd,
      lmp: 77.5,
      energy: last.energy,
      congestion: last.congestion,
      loss: last.loss,
      ghg: null,
      previousLmp: before.lmp,
      change: 77.5 - before.lmp,
      sparkline: [],
    })
  })

  it('has no previous interval for a single interval or after a gap', async () => {
    const out = await latestPrices(ch, { market: 'MISO', run: 'RT5', nodes: ['MISO.SINGLE', 'MISO.GAP', 'MISO.OLD'] })
    expect(out.prices.map((p) => [p.node, p.intervalStart, p.previousLmp, p.change])).toEqual([
      ['MISO.SINGLE', '2026-06-11T12:00:00.000Z', null, null],
      ['MISO.GAP', '2026-06-11T11:00:00.000Z', null, null],
      ['MISO.OLD', '2026-06-01T08:05:00.000Z', old[0]?.lmp, (old[1]?.lmp as number) - (old[0]?.lmp as number)],
    ])
  })

  it('reads only the requested run', async () => {
    const da = await latestPrices(ch, { market: 'MISO', run: 'DA', nodes: ['MISO.HUB', 'MISO.SINGLE'] })
    expect(da.prices.map((p) => [p.node, p.intervalStart])).toEqual([['MISO.HUB', '2026-05-27T04:00:00.000Z']])
    expect(da.prices[0]?.previousLmp).toBe(memorial.at(-2)?.lmp)
  })

  it('adds the hourly averages of the last N hours up to the latest interval, oldest first', async () => {
    const out = await latestPrices(ch, { market: 'MISO', run: 'RT5', nodes: ['MISO.HUB', 'MISO.GAP'], sparklineHours: 3 })
    const hourly = groupBy(hubNow, (r) => new Date(Math.floor(Date.parse(r.intervalStart) / HOUR) * HOUR).toISOString())
    const expected = ['2026-06-11T21:00:00.000Z', '2026-06-11T22:00:00.000Z', '2026-06-11T23:00:00.000Z'].map(
      (h) => mean((hourly.get(h) ?? []).map((r) => r.lmp)) as number,
    )
    const hubLine = out.prices[0]?.sparkline ?? []
    expect(hubLine).toHaveLength(3)
    hubLine.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 9))
    // MISO.GAP has data in 10:00 and 11:00 only; the empty 09:00 hour is skipped.
    const gapLine = out.prices[1]?.sparkline ?? []
    expect(gapLine).toHaveLength(2)
    expect(gapLine[0]).toBeCloseTo(((gap[0]?.lmp as number) + (gap[1]?.lmp as number)) / 2, 9)
    expect(gapLine[1]).toBe(gap[2]?.lmp)
  })

  it('treats a node name full of SQL as data', async () => {
    const none = await latestPrices(ch, { market: 'MISO', run: 'RT5', nodes: ["x' OR 1=1 --", "'); DROP TABLE prices; --"] })
    expect(none.prices).toEqual([])
    const out = await latestPrices(ch, { market: 'MISO', run: 'RT5', nodes: [ODD_NAME] })
    expect(out.prices.map((p) => [p.node, p.lmp, p.previousLmp])).toEqual([[ODD_NAME, odd[1]?.lmp, odd[0]?.lmp]])
  })
})

describe('priceHistory', () => {
  const day = { from: '2026-06-10T05:00:00.000Z', to: '2026-06-11T05:00:00.000Z' } // one MISO (EST) day

  it('returns raw intervals as stored, with their peak class', async () => {
    const out = await history({ market: 'MISO', node: 'MISO.HUB', run: 'RT5', resolution: 'raw', ...day })
    const expected = inRange(hubNow, day.from, day.to)
    expect(out.points).toHaveLength(288)
    expect(out.points).toEqual(
      expected.map((r) => {
        const on = isOnPeak('MISO', new Date(r.intervalStart))
        return {
          intervalStart: r.intervalStart,
          intervalEnd: r.intervalEnd,
          lmp: r.lmp,
          min: r.lmp,
          max: r.lmp,
          energy: r.energy,
          congestion: r.congestion,
          loss: r.loss,
          ghg: r.ghg,
          onPeak: on ? r.lmp : null,
          offPeak: on ? null : r.lmp,
          samples: 1,
        }
      }),
    )
    expect(out.points.some((p) => p.lmp === 999.125)).toBe(true)
  })

  it('rolls up UTC hours', async () => {
    const out = await history({ market: 'MISO', node: 'MISO.HUB', run: 'RT5', resolution: 'hourly', ...day })
    const hours = groupBy(inRange(hubNow, day.from, day.to), (r) =>
      new Date(Math.floor(Date.parse(r.intervalStart) / HOUR) * HOUR).toISOString(),
    )
    expect(out.points.map((p) => p.intervalStart)).toEqual([...hours.keys()])
    for (const p of out.points) {
      expect(Date.parse(p.intervalEnd) - Date.parse(p.intervalStart)).toBe(HOUR)
      expectPoint(p, aggregate(hours.get(p.intervalStart) ?? []))
    }
    // Both peak classes occur in this Wednesday, and the revised interval is in its hour's average.
    expect(out.points.filter((p) => p.onPeak !== null && p.offPeak === null).length).toBeGreaterThan(10)
    expect(out.points.filter((p) => p.onPeak === null && p.offPeak !== null).length).toBeGreaterThan(5)
    expect(out.points.some((p) => p.max === 999.125)).toBe(true)
  })

  it("rolls up days of the market's time zone, with the whole-range summary", async () => {
    const from = '2026-06-09T00:00:00.000Z'
    const to = '2026-06-12T00:00:00.000Z'
    const out = await history({ market: 'MISO', node: 'MISO.HUB', run: 'RT5', resolution: 'daily', from, to })
    expect(out.timeZone).toBe('Etc/GMT+5')
    // Fixed EST: a day starts at 05:00Z whatever the season.
    const estDay = (r: PriceRecord) => new Date(Date.parse(r.intervalStart) - 5 * HOUR).toISOString().slice(0, 10)
    const days = groupBy(hubNow, estDay)
    expect(out.points.map((p) => [p.intervalStart, p.intervalEnd])).toEqual(
      [...days.keys()].map((d) => [`${d}T05:00:00.000Z`, new Date(Date.parse(`${d}T05:00:00Z`) + 24 * HOUR).toISOString()]),
    )
    out.points.forEach((p, i) => expectPoint(p, aggregate(days.get([...days.keys()][i] as string) ?? [])))
    // The first and last EST days are partial: [from, to) is in UTC.
    expect(out.points.map((p) => p.samples)).toEqual([5 * 12, 288, 288, 19 * 12])

    const all = aggregate(hubNow)
    expect(out.summary.count).toBe(hubNow.length)
    expect(out.summary.min).toBe(all.min)
    expect(out.summary.max).toBe(999.125)
    expectClose(out.summary.atc, all.lmp)
    expectClose(out.summary.onPeak, all.onPeak)
    expectClose(out.summary.offPeak, all.offPeak)
  })

  it('accepts from and to with an offset', async () => {
    const out = await history({
      market: 'MISO',
      node: 'MISO.HUB',
      run: 'RT5',
      resolution: 'hourly',
      from: '2026-06-10T00:00:00-05:00',
      to: '2026-06-10T01:00:00-05:00',
    })
    expect(out.points.map((p) => [p.intervalStart, p.samples])).toEqual([['2026-06-10T05:00:00.000Z', 12]])
  })

  it('makes a CAISO day 23 hours long when clocks spring forward and 25 when they fall back', async () => {
    const springOut = await history({
      market: 'CAISO',
      node: 'TH_NP15',
      run: 'DA',
      resolution: 'daily',
      from: '2026-03-07T08:00:00Z',
      to: '2026-03-10T07:00:00Z',
    })
    expect(springOut.timeZone).toBe('America/Los_Angeles')
    expect(springOut.points.map((p) => [p.intervalStart, p.intervalEnd, p.samples])).toEqual([
      ['2026-03-07T08:00:00.000Z', '2026-03-08T08:00:00.000Z', 24],
      ['2026-03-08T08:00:00.000Z', '2026-03-09T07:00:00.000Z', 23],
      ['2026-03-09T07:00:00.000Z', '2026-03-10T07:00:00.000Z', 24],
    ])
    const fallOut = await history({
      market: 'CAISO',
      node: 'TH_NP15',
      run: 'DA',
      resolution: 'daily',
      from: '2026-10-31T07:00:00Z',
      to: '2026-11-03T08:00:00Z',
    })
    expect(fallOut.points.map((p) => [p.intervalStart, p.intervalEnd, p.samples])).toEqual([
      ['2026-10-31T07:00:00.000Z', '2026-11-01T07:00:00.000Z', 24],
      ['2026-11-01T07:00:00.000Z', '2026-11-02T08:00:00.000Z', 25],
      ['2026-11-02T08:00:00.000Z', '2026-11-03T08:00:00.000Z', 24],
    ])
    // Values, peak split included (Saturdays are on-peak in CAISO, Sundays are not).
    const pacificDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' })
    for (const [records, out] of [
      [spring, springOut],
      [fall, fallOut],
    ] as const) {
      const days = groupBy(records, (r) => pacificDay.format(new Date(r.intervalStart)))
      expect(out.points).toHaveLength(days.size)
      out.points.forEach((p, i) => expectPoint(p, aggregate(days.get([...days.keys()][i] as string) ?? [])))
    }
    expect(springOut.points.map((p) => p.onPeak === null)).toEqual([false, true, false])
  })

  it('counts a NERC holiday as off-peak all day', async () => {
    const out = await history({
      market: 'MISO',
      node: 'MISO.HUB',
      run: 'DA',
      resolution: 'daily',
      from: '2026-05-24T05:00:00Z',
      to: '2026-05-27T05:00:00Z',
    })
    // Sunday, Memorial Day (Monday), Tuesday.
    expect(out.points.map((p) => p.intervalStart)).toEqual([
      '2026-05-24T05:00:00.000Z',
      '2026-05-25T05:00:00.000Z',
      '2026-05-26T05:00:00.000Z',
    ])
    const monday = memorial.slice(24, 48)
    expect(monday.filter((r) => isOnPeak('MISO', new Date(r.intervalStart)))).toEqual([])
    expect(out.points[1]?.onPeak).toBeNull()
    expectClose(out.points[1]?.offPeak ?? null, mean(monday.map((r) => r.lmp)))
    // The Tuesday after has its 16 on-peak hours (HE8-HE23 Eastern).
    const tuesday = memorial.slice(48, 72)
    expect(tuesday.filter((r) => isOnPeak('MISO', new Date(r.intervalStart)))).toHaveLength(16)
    expectPoint(out.points[2] as HistoryPoint, aggregate(tuesday))
    expect(out.points[2]?.onPeak).not.toBeNull()
    const raw = await history({
      market: 'MISO',
      node: 'MISO.HUB',
      run: 'DA',
      resolution: 'raw',
      from: '2026-05-25T05:00:00Z',
      to: '2026-05-26T05:00:00Z',
    })
    expect(raw.points.every((p) => p.onPeak === null && p.offPeak === p.lmp)).toBe(true)
    expect(raw.summary.onPeak).toBeNull()
  })

  it('answers an empty range with no points and an empty summary', async () => {
    const out = await history({ market: 'MISO', node: 'MISO.HUB', run: 'RT5', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' })
    expect(out.resolution).toBe('hourly')
    expect(out.points).toEqual([])
    expect(out.summary).toEqual({ count: 0, min: null, max: null, atc: null, onPeak: null, offPeak: null })
  })

  it('refuses from >= to with BAD_REQUEST', async () => {
    const base = { market: 'MISO', node: 'MISO.HUB', run: 'RT5' } as const
    for (const [from, to] of [
      ['2026-06-10T00:00:00Z', '2026-06-10T00:00:00Z'],
      ['2026-06-11T00:00:00Z', '2026-06-10T00:00:00Z'],
      ['2026-06-10T00:00:00Z', '2026-06-09T19:00:00-05:00'],
    ] as const) {
      const error = await failure(priceHistory(ch, { ...base, from, to }))
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.status).toBe(400)
      expect(error.message).toMatch(/must be after from/)
    }
  })

  it('refuses more than MAX_HISTORY_POINTS buckets, asking for a coarser resolution or a shorter range', async () => {
    const base = { market: 'MISO', node: 'MISO.HUB', run: 'RT5' } as const
    const raw = await failure(
      priceHistory(ch, { ...base, resolution: 'raw', from: '2026-01-01T00:00:00Z', to: '2028-01-01T00:00:00Z' }),
    )
    expect(raw.code).toBe('BAD_REQUEST')
    expect(raw.userMessage).toMatch(/coarser resolution \(hourly or daily\) or a shorter range/)
    const hourly = await failure(
      priceHistory(ch, { ...base, resolution: 'hourly', from: '2000-01-01T00:00:00Z', to: '2013-01-01T00:00:00Z' }),
    )
    expect(hourly.userMessage).toMatch(/daily/)
    // A (leap) year of 5-minute intervals is allowed.
    const year = await history({ ...base, resolution: 'raw', from: '2028-01-01T00:00:00Z', to: '2029-01-01T00:00:00Z' })
    expect(year.points).toEqual([])
  })

  it('refuses invalid input with BAD_REQUEST', async () => {
    const error = await failure(
      priceHistory(ch, { market: 'ENTSOE' as 'MISO', node: 'X', run: 'RT5', from: '2026-06-10T00:00:00Z', to: '2026-06-11T00:00:00Z' }),
    )
    expect(error.code).toBe('BAD_REQUEST')
  })

  it('treats a node name full of SQL as data', async () => {
    const range = { from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' }
    for (const node of ["x' OR 1=1 --", "MISO.HUB' --", "'); DROP TABLE prices; --"]) {
      const out = await history({ market: 'MISO', node, run: 'RT5', resolution: 'daily', ...range })
      expect(out.points).toEqual([])
      expect(out.summary.count).toBe(0)
    }
    const odd2 = await history({ market: 'MISO', node: ODD_NAME, run: 'RT5', resolution: 'raw', ...range })
    expect(odd2.node).toBe(ODD_NAME)
    expect(odd2.points.map((p) => p.lmp)).toEqual(odd.map((r) => r.lmp))
    const [row] = await queryRows<{ n: number }>(ch, 'test', 'SELECT count() AS n FROM prices FINAL')
    expect(Number(row?.n)).toBeGreaterThan(hub.length)
  })
})

describe('priceSummaries and priceHistories (several nodes, one query)', () => {
  const ranges = [
    // MISO RT5: a day of both peak classes, with the revised interval; the whole series (partial EST days).
    { market: 'MISO', run: 'RT5', from: '2026-06-10T05:00:00.000Z', to: '2026-06-11T05:00:00.000Z' },
    { market: 'MISO', run: 'RT5', from: '2026-06-01T00:00:00.000Z', to: '2026-06-12T00:00:00.000Z' },
    // MISO DA around Memorial Day (a holiday: off-peak all day); CAISO DA across both DST changes.
    { market: 'MISO', run: 'DA', from: '2026-05-24T05:00:00.000Z', to: '2026-05-27T05:00:00.000Z' },
    { market: 'CAISO', run: 'DA', from: '2026-03-07T08:00:00.000Z', to: '2026-03-10T07:00:00.000Z' },
    { market: 'CAISO', run: 'DA', from: '2026-10-31T07:00:00.000Z', to: '2026-11-03T08:00:00.000Z' },
  ] as const
  const NODES = { MISO: ['MISO.HUB', 'MISO.SINGLE', 'MISO.GAP', 'MISO.OLD', ODD_NAME, 'MISO.NONE'], CAISO: ['TH_NP15', 'TH_SP15'] }

  it("gives each node priceHistory's summary, a node without prices the empty one, in request order", async () => {
    for (const range of ranges) {
      const nodes = NODES[range.market]
      const summaries = await priceSummaries(ch, { ...range, nodes: [...nodes, nodes[0]!] })
      expect([...summaries.keys()], JSON.stringify(range)).toEqual(nodes)
      for (const node of nodes) {
        const { summary } = await history({ ...range, node, resolution: 'daily' })
        const got = summaries.get(node)!
        expect({ count: got.count, min: got.min, max: got.max }, node).toEqual({ count: summary.count, min: summary.min, max: summary.max })
        for (const k of ['atc', 'onPeak', 'offPeak'] as const) expectClose(got[k], summary[k])
      }
    }
    const day = await priceSummaries(ch, { ...ranges[0], nodes: ['MISO.HUB', 'MISO.NONE'] })
    // Both peak classes on the Wednesday; the Memorial Day holiday has no on-peak hour.
    expect(day.get('MISO.HUB')).toMatchObject({ count: 288, max: 999.125 })
    expect(day.get('MISO.HUB')!.onPeak).not.toBeNull()
    expect(day.get('MISO.HUB')!.offPeak).not.toBeNull()
    expect(day.get('MISO.NONE')).toEqual({ count: 0, min: null, max: null, atc: null, onPeak: null, offPeak: null })
    const holiday = await priceSummaries(ch, { market: 'MISO', run: 'DA', nodes: ['MISO.HUB'], from: '2026-05-25T05:00:00Z', to: '2026-05-26T05:00:00Z' })
    expect(holiday.get('MISO.HUB')).toMatchObject({ count: 24, onPeak: null })
    expectClose(holiday.get('MISO.HUB')!.offPeak, holiday.get('MISO.HUB')!.atc)
  })

  it("gives each node priceHistory's points at every resolution, none for a node without prices", async () => {
    for (const range of ranges) {
      const nodes = NODES[range.market]
      for (const resolution of ['raw', 'hourly', 'daily'] as const) {
        const histories = await priceHistories(ch, { ...range, nodes, resolution })
        expect([...histories.keys()]).toEqual(nodes)
        for (const node of nodes) {
          const { points } = await history({ ...range, node, resolution })
          const got = histories.get(node)!
          expect(got.map((p) => [p.intervalStart, p.intervalEnd, p.samples, p.min, p.max]), `${node} ${resolution}`).toEqual(
            points.map((p) => [p.intervalStart, p.intervalEnd, p.samples, p.min, p.max]),
          )
          got.forEach((p, i) => {
            for (const k of ['lmp', 'energy', 'congestion', 'loss', 'ghg', 'onPeak', 'offPeak'] as const) expectClose(p[k], points[i]![k])
          })
        }
        expect(histories.get(nodes.at(-1)!)).toEqual([])
      }
    }
  })

  it('treats node names full of SQL as data', async () => {
    const range = { market: 'MISO', run: 'RT5', from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' } as const
    const nodes = [ODD_NAME, "x' OR 1=1 --", "'); DROP TABLE prices; --"]
    const summaries = await priceSummaries(ch, { ...range, nodes })
    expect(nodes.map((n) => summaries.get(n)!.count)).toEqual([odd.length, 0, 0])
    const raw = await priceHistories(ch, { ...range, nodes, resolution: 'raw' })
    expect(raw.get(ODD_NAME)!.map((p) => p.lmp)).toEqual(odd.map((r) => r.lmp))
  })

  it('refuses from >= to, no nodes, and more than MAX_HISTORY_POINTS buckets over all the nodes', async () => {
    const base = { market: 'MISO' as const, run: 'RT5' as const, nodes: ['MISO.HUB'] }
    const backwards = { from: '2026-06-11T00:00:00Z', to: '2026-06-10T00:00:00Z' }
    expect((await failure(priceSummaries(ch, { ...base, ...backwards }))).message).toMatch(/must be after from/)
    expect((await failure(priceHistories(ch, { ...base, ...backwards }))).message).toMatch(/must be after from/)
    const day = { from: '2026-06-10T00:00:00Z', to: '2026-06-11T00:00:00Z' }
    expect((await failure(priceSummaries(ch, { ...base, ...day, nodes: [] }))).code).toBe('BAD_REQUEST')
    // Eight months of 5-minute intervals (~70,000) fit for one node, not for two.
    const half = { from: '2026-01-01T00:00:00Z', to: '2026-09-01T00:00:00Z', resolution: 'raw' } as const
    expect((await priceHistories(ch, { ...base, ...half })).get('MISO.HUB')).toHaveLength(hub.length)
    const two = await failure(priceHistories(ch, { ...base, ...half, nodes: ['MISO.HUB', 'MISO.GAP'] }))
    expect(two.code).toBe('BAD_REQUEST')
    expect(two.userMessage).toMatch(/coarser resolution \(hourly or daily\) or a shorter range/)
  })
})
