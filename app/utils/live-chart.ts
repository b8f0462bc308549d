import type { MarketRun } from '@carbon/schemas'
import type { LivePrice } from './live-client.ts'
import type { ChartPoint, ViewResolution } from './node-view.ts'
import { addLocalDays, ceilToHour, floorToHour } from './time.ts'

/**
 * Live points on the node page's chart, as pure functions over the loader's points.
 *
 * Raw resolution: a live real-time price is a point of the real-time series (same resolution);
 * a live DA hour sets the DA value of the points it covers. Hourly and daily: the chart's points
 * are averages over buckets the page cannot recompute exactly (it does not know how many
 * intervals the loader averaged), so live real-time prices are drawn as their own series at
 * their own interval ("RT5 live"), and a live DA hour is an hourly point (exact: DA is hourly);
 * daily DA averages are left to the next page load. The window keeps its length and slides
 * forward when live prices pass its end.
 */

/** A chart point with the live real-time series (hourly and daily views). */
export type LiveChartPoint = ChartPoint & { live?: number | null }

/** A live price as the chart needs it. */
export type LiveSample = { run: MarketRun; start: number; end: number; lmp: number }

/** At most this many live samples are kept (about 3.5 days of 5-minute prices). */
export const MAX_LIVE_SAMPLES = 1_000

export function toSample(price: Pick<LivePrice, 'run' | 'intervalStart' | 'intervalEnd' | 'lmp'>): LiveSample {
  return { run: price.run, start: Date.parse(price.intervalStart), end: Date.parse(price.intervalEnd), lmp: price.lmp }
}

/** The samples with `incoming` added: one per run and interval (a revision replaces), in interval order. */
export function addSamples(samples: readonly LiveSample[], incoming: readonly LiveSample[], max = MAX_LIVE_SAMPLES): LiveSample[] {
  const byKey = new Map(samples.map((s) => [`${s.run}@${s.start}`, s]))
  for (const s of incoming) byKey.set(`${s.run}@${s.start}`, s)
  const sorted = [...byKey.values()].sort((a, b) => a.start - b.start || a.run.localeCompare(b.run))
  return sorted.length > max ? sorted.slice(-max) : sorted
}

export type LiveChartOptions = {
  resolution: ViewResolution
  rtRun: MarketRun
  /** The run whose latest interval anchors the window's end ('DA' when the view ends at the last DA hour). */
  anchorRun: MarketRun
  timeZone: string
}

/** The window moved forward (whole hours; whole market days for daily) so it ends after `latest`, same length. */
export function slideWindow(window: { from: number; to: number }, latest: number, resolution: ViewResolution, timeZone: string) {
  let { from, to } = window
  if (latest <= to) return { from, to }
  if (resolution === 'daily') {
    for (let i = 0; to < latest && i < 366; i++) {
      to = addLocalDays(new Date(to), 1, timeZone).getTime()
      from = addLocalDays(new Date(from), 1, timeZone).getTime()
    }
    return { from, to }
  }
  const end = ceilToHour(new Date(latest)).getTime()
  return { from: from + (end - to), to: end }
}

/** The chart's points and window with the live samples added. */
export function liveChart(
  base: readonly ChartPoint[],
  window: { from: number; to: number },
  samples: readonly LiveSample[],
  options: LiveChartOptions,
): { points: LiveChartPoint[]; from: number; to: number } {
  if (samples.length === 0) return { points: [...base], ...window }
  let latest = -Infinity
  for (const s of samples) if (s.run === options.anchorRun) latest = Math.max(latest, s.end)
  const { from, to } = slideWindow(window, latest, options.resolution, options.timeZone)

  const byTime = new Map<number, LiveChartPoint>(base.map((p) => [p.t, { ...p }]))
  const at = (t: number) => {
    let point = byTime.get(t)
    if (!point) byTime.set(t, (point = { t, da: null, rt: null }))
    return point
  }
  const raw = options.resolution === 'raw'
  const daHours = samples.filter((s) => s.run === 'DA')
  for (const s of samples) {
    if (s.run === 'DA') {
      if (options.resolution === 'daily') continue
      at(raw ? s.start : floorToHour(new Date(s.start)).getTime()).da = s.lmp
      if (raw) for (const point of byTime.values()) if (point.t >= s.start && point.t < s.end) point.da = s.lmp
    } else if (s.run === options.rtRun) {
      if (raw) {
        const point = at(s.start)
        point.rt = s.lmp
        point.da ??= daHours.find((h) => h.start <= s.start && s.start < h.end)?.lmp ?? daOfHour(byTime, s.start)
      } else {
        at(s.start).live = s.lmp
      }
    }
  }
  const points = [...byTime.values()].filter((p) => p.t >= from && p.t <= to).sort((a, b) => a.t - b.t)
  return { points, from, to }
}

/** The DA value a raw point earlier in the same hour already carries (raw rows hold their hour's DA). */
function daOfHour(points: ReadonlyMap<number, LiveChartPoint>, t: number): number | null {
  const hour = floorToHour(new Date(t)).getTime()
  let found: LiveChartPoint | null = null
  for (const point of points.values()) {
    if (point.t >= hour && point.t < t && point.da != null && (!found || point.t > found.t)) found = point
  }
  return found?.da ?? null
}
