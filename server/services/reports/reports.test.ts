import { describe, expect, it } from 'vitest'
import { lineChart, niceTicks } from './chart.ts'
import { formatChange, formatPercent, formatPrice, round, roundOrNull } from './format.ts'
import { topMovers } from './market-summary.ts'
import { reportQueryString, reportRequestFromQuery } from './query.ts'
import type { NodeDay } from './schemas.ts'

describe('format', () => {
  it('rounds half away from zero once, to cents, and prints the same strings everywhere', () => {
    expect(round(1.005)).toBe(1.01)
    expect(round(-1.005)).toBe(-1.01)
    expect(round(-0.001)).toBe(0)
    expect(round(99.95, 1)).toBe(100)
    expect(roundOrNull(null)).toBeNull()
    expect(roundOrNull(Number.NaN)).toBeNull()
    expect(formatPrice(1204.5)).toBe('1,204.50')
    expect(formatPrice(-3.05)).toBe('-3.05')
    expect(formatPrice(null)).toBe('n/a')
    expect(formatChange(1.25)).toBe('+1.25')
    expect(formatChange(-0.4)).toBe('-0.40')
    expect(formatChange(0)).toBe('0.00')
    expect(formatPercent(99.75)).toBe('99.8 %')
  })
})


describe('chart', () => {
  it('picks round ticks covering the data', () => {
    expect(niceTicks(17.3, 48.2)).toEqual([10, 20, 30, 40, 50])
    expect(niceTicks(0.12, 0.47)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5])
    expect(niceTicks(5, 5)[0]).toBeLessThan(5)
  })

  it('lays out lines in the plot box and breaks them at missing points', () => {
    const chart = lineChart({
      width: 200,
      height: 100,
      series: [{ name: 'a', points: [{ x: 0, y: 10 }, { x: 1, y: null }, { x: 2, y: 20 }, { x: 3, y: 30 }] }],
      xDomain: [0, 3],
      xTicks: [{ value: 0, label: 'zero' }],
      yLabel: '$/MWh',
    })
    expect(chart.empty).toBe(false)
    expect(chart.lines[0]!.segments).toHaveLength(2)
    const [x, y] = chart.lines[0]!.segments[0]!.split(',').map(Number)
    expect(x).toBe(chart.plot.left)
    expect(y).toBe(chart.plot.bottom)
    expect(chart.yTicks.map((t) => t.label)).toEqual(['10', '15', '20', '25', '30'])
    expect(lineChart({ width: 10, height: 10, series: [], xDomain: [0, 1], xTicks: [], yLabel: '' }).empty).toBe(true)
  })
})

describe('query', () => {
  const q = (s: string) => new URLSearchParams(s)

  it('reads a report request from the query, market upper-cased, empty values left out', () => {
    expect(reportRequestFromQuery('market-summary', q('market=miso&date='))).toEqual({ request: { kind: 'market-summary', params: { market: 'MISO' } } })
    const curve = reportRequestFromQuery('curve', q('market=MISO&node=INDIANA.HUB&asOf=2026-10-30'))
    expect('request' in curve && reportQueryString(curve.request)).toBe('?market=MISO&node=INDIANA.HUB&asOf=2026-10-30')
  })

  it('names the parameter and the value it refuses', () => {
    expect(reportRequestFromQuery('market-summary', q('market=MISO&date=2026-02-30'))).toEqual({
      problem: { field: 'date', value: '2026-02-30', message: 'date: a date as YYYY-MM-DD (got "2026-02-30")' },
    })
    expect(reportRequestFromQuery('market-summary', q('market=ENTSOE'))).toMatchObject({ problem: { field: 'market', message: 'market: must be one of MISO, CAISO, PJM, ERCOT, SPP, NYISO, ISONE, IESO, AESO (got "ENTSOE")' } })
    expect(reportRequestFromQuery('curve', q('market=MISO'))).toMatchObject({ problem: { field: 'node', message: 'node: required (missing)' } })
    expect(reportRequestFromQuery('scenario', q('runId=xyz'))).toMatchObject({ problem: { field: 'runId', message: 'runId: a scenario run id (hex) (got "xyz")' } })
    expect(reportRequestFromQuery('scenario', q('runId=ab&foo=1'))).toMatchObject({ problem: { field: 'foo', message: 'foo: not a parameter of this report (it takes runId)' } })
    expect(reportRequestFromQuery('market-summary', q('market=MISO&market=CAISO'))).toMatchObject({ problem: { field: 'market', message: 'market: give it once (got 2 values)' } })
  })
})

describe('top movers', () => {
  const row = (node: string, change: number | null): NodeDay => ({ node, type: 'hub', da: 1, rt: null, onPeak: null, offPeak: null, spread: null, previousDa: null, change })

  it('orders by absolute change, then name, and leaves out nodes without the day before', () => {
    const movers = topMovers([row('B', 1), row('A', -3), row('C', null), row('D', 3), row('E', 0.5)], 3)
    expect(movers.map((m) => m.node)).toEqual(['A', 'D', 'B'])
  })
})
