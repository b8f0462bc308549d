import { describe, expect, it } from 'vitest'
import { windowRanges } from './series-health.ts'
import { SERIES_WINDOW_SPAN_MS } from './series-periods.ts'

const HOUR = 3_600_000
const at = (iso: string) => Date.parse(iso)

const newest = (series: string, frequency: string, last: string) => ({
  product: frequency === 'hour' ? 'GRID' : 'GAS',
  series,
  measure: frequency === 'hour' ? 'demand' : 'price',
  frequency,
  first_ms: 0,
  last_ms: at(last),
  ingested_ms: at(last),
})

describe('the window terms of the series health read', () => {
  it("bounds each series by its own newest period, series ending together in one term", () => {
    const r = windowRanges([
      newest('PACW.DEMAND', 'hour', '2026-11-30T23:00:00Z'),
      newest('HENRY_HUB', 'day', '2026-11-27T00:00:00Z'),
      newest('CISO.DEMAND', 'hour', '2026-11-30T22:00:00Z'),
      // Stopped a year ago: its own term, a year back, not the others' bound.
      newest('PACE.DEMAND', 'hour', '2025-11-30T23:00:00Z'),
    ])
    expect(r.sql.split(' OR ')).toHaveLength(3)
    expect(r.sql).not.toMatch(/PACW|PACE|CISO|HENRY|GRID|GAS|hour|day/) // every value is a bound parameter
    expect(r.params).toEqual({
      p0: ['GRID'],
      s0: ['PACE.DEMAND'],
      m0: ['demand'],
      f0: ['hour'],
      from0: at('2025-11-30T23:00:00Z') - SERIES_WINDOW_SPAN_MS.hour,
      p1: ['GAS'],
      s1: ['HENRY_HUB'],
      m1: ['price'],
      f1: ['day'],
      from1: at('2026-11-27T00:00:00Z') - SERIES_WINDOW_SPAN_MS.day,
      // The earlier of the two bounds: CISO ends an hour before PACW.
      p2: ['GRID', 'GRID'],
      s2: ['CISO.DEMAND', 'PACW.DEMAND'],
      m2: ['demand', 'demand'],
      f2: ['hour', 'hour'],
      from2: at('2026-11-30T22:00:00Z') - SERIES_WINDOW_SPAN_MS.hour,
    })
  })

  it('shares a term within a day of its first bound, and no further', () => {
    const within = windowRanges([newest('A.DEMAND', 'hour', '2026-11-30T00:00:00Z'), newest('B.DEMAND', 'hour', '2026-11-30T23:00:00Z')])
    expect(within.params.s0).toEqual(['A.DEMAND', 'B.DEMAND'])
    const apart = windowRanges([newest('A.DEMAND', 'hour', '2026-11-30T00:00:00Z'), newest('B.DEMAND', 'hour', '2026-12-01T01:00:00Z')])
    expect(apart.params).toMatchObject({ s0: ['A.DEMAND'], s1: ['B.DEMAND'], from1: at('2026-12-01T01:00:00Z') - 168 * HOUR })
  })

  it('leaves out frequencies it does not know, and makes no term of nothing', () => {
    expect(windowRanges([newest('X', 'minute', '2026-11-30T00:00:00Z')])).toEqual({ sql: '', params: {} })
    expect(windowRanges([])).toEqual({ sql: '', params: {} })
  })
})
