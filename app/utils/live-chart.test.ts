import { describe, expect, it } from 'vitest'
import { addSamples, liveChart, slideWindow, type LiveSample } from './live-chart.ts'
import type { ChartPoint } from './node-view.ts'

const H = 3_600_000
const M5 = 300_000
const t0 = Date.parse('2026-07-01T10:00:00Z')

const rt = (start: number, lmp: number): LiveSample => ({ run: 'RT5', start, end: start + M5, lmp })
const da = (start: number, lmp: number): LiveSample => ({ run: 'DA', start, end: start + H, lmp })

describe('addSamples', () => {
  it('keeps one sample per run and interval (a revision replaces), in order, at most max', () => {
    const out = addSamples([rt(t0, 1), rt(t0 + M5, 2)], [rt(t0, 3), da(t0, 9), rt(t0 + 2 * M5, 4)], 3)
    expect(out.map((s) => [s.run, s.start - t0, s.lmp])).toEqual([
      ['RT5', 0, 3],
      ['RT5', M5, 2],
      ['RT5', 2 * M5, 4],
    ])
  })
})

describe('slideWindow', () => {
  it('keeps the window when the data stays inside it', () => {
    expect(slideWindow({ from: t0 - 24 * H, to: t0 }, t0, 'raw', 'UTC')).toEqual({ from: t0 - 24 * H, to: t0 })
  })
  it('moves by whole hours, same length', () => {
    expect(slideWindow({ from: t0 - 24 * H, to: t0 }, t0 + M5, 'hourly', 'UTC')).toEqual({ from: t0 - 23 * H, to: t0 + H })
  })
  it('moves daily views by market days', () => {
    const to = Date.parse('2026-07-02T05:00:00Z') // midnight EST
    const out = slideWindow({ from: to - 7 * 24 * H, to }, to + M5, 'daily', 'Etc/GMT+5')
    expect(out).toEqual({ from: to - 6 * 24 * H, to: to + 24 * H })
  })
})

describe('liveChart', () => {
  const base: ChartPoint[] = [
    { t: t0 - 2 * H, da: 40, rt: 38 },
    { t: t0 - M5, da: 41, rt: 39 },
  ]
  const window = { from: t0 - 2 * H, to: t0 }

  it('raw: live real-time prices extend the series and carry their DA hour; the window slides', () => {
    const out = liveChart(base, window, [rt(t0 - M5, 39.5), rt(t0, 42), da(t0, 45), rt(t0 + M5, 43)], {
      resolution: 'raw',
      rtRun: 'RT5',
      anchorRun: 'RT5',
      timeZone: 'UTC',
    })
    expect(out.to).toBe(t0 + H)
    expect(out.from).toBe(t0 - H)
    expect(out.points).toEqual([
      { t: t0 - M5, da: 41, rt: 39.5 },
      { t: t0, da: 45, rt: 42 },
      { t: t0 + M5, da: 45, rt: 43 },
    ])
  })

  it('raw: without a live DA hour, a new point takes the DA of its hour from the points before it', () => {
    const hourBase: ChartPoint[] = [{ t: t0, da: 50, rt: 49 }]
    const out = liveChart(hourBase, { from: t0 - H, to: t0 + H }, [rt(t0 + M5, 48), rt(t0 + H, 47)], {
      resolution: 'raw',
      rtRun: 'RT5',
      anchorRun: 'RT5',
      timeZone: 'UTC',
    })
    expect(out.points.map((p) => [p.t - t0, p.da, p.rt])).toEqual([
      [0, 50, 49],
      [M5, 50, 48],
      [H, null, 47],
    ])
  })

  it('hourly: live real-time prices are their own series; a live DA hour is an hourly point', () => {
    const out = liveChart(base, window, [rt(t0, 42), rt(t0 + M5, 43), da(t0, 45)], {
      resolution: 'hourly',
      rtRun: 'RT5',
      anchorRun: 'RT5',
      timeZone: 'UTC',
    })
    expect(out.points.map((p) => [p.t - t0, p.da, p.rt, p.live ?? null])).toEqual([
      [-M5, 41, 39, null],
      [0, 45, null, 42],
      [M5, null, null, 43],
    ])
  })

  it('ignores samples of other real-time runs and draws nothing new without samples', () => {
    const other: LiveSample = { run: 'RT15', start: t0, end: t0 + 3 * M5, lmp: 1 }
    expect(liveChart(base, window, [], { resolution: 'raw', rtRun: 'RT5', anchorRun: 'RT5', timeZone: 'UTC' }).points).toEqual(base)
    const out = liveChart(base, window, [other], { resolution: 'raw', rtRun: 'RT5', anchorRun: 'RT5', timeZone: 'UTC' })
    expect(out.points).toEqual(base)
  })
})
