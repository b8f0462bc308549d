import { formatNumber } from './format.ts'

/**
 * Chart geometry shared by the HTML pages (inline SVG) and the PDFs (react-pdf's Svg
 * primitives): both draw the same polylines, ticks and labels from one layout, in the same
 * coordinate space. Pure (no server imports).
 */

export type ChartSeries = {
  name: string
  /** x in the caller's units (hours, period index, year), y in $/MWh; null y breaks the line. */
  points: { x: number; y: number | null }[]
  dashed?: boolean
}

export type ChartLine = { name: string; color: string; dashed: boolean; segments: string[] }
export type ChartTick = { position: number; label: string }

export type ChartLayout = {
  width: number
  height: number
  plot: { left: number; top: number; right: number; bottom: number }
  xTicks: ChartTick[]
  yTicks: ChartTick[]
  lines: ChartLine[]
  yLabel: string
  /** True when no series has a point: the renderers show a message instead. */
  empty: boolean
}

/** A palette readable in print (and distinct in grey scale by order and dash). */
export const CHART_COLORS = ['#1f5fa8', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#4b5563', '#be185d', '#65a30d', '#1e3a8a', '#9a3412']

const MARGIN = { left: 48, right: 12, top: 10, bottom: 28 }

/** Round numbers for an axis: about `count` steps of 1, 2 or 5 times a power of ten covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1
    return niceTicks(min - pad, max + pad, count)
  }
  const raw = (max - min) / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power
  const decimals = Math.max(0, -Math.floor(Math.log10(step)))
  const tick = (k: number) => Number((k * step).toFixed(decimals))
  const ticks: number[] = []
  for (let k = Math.floor(min / step); tick(k) <= max + step * 1e-9 || ticks.length === 0 || ticks[ticks.length - 1]! < max; k++) ticks.push(tick(k))
  return ticks
}

const coordinate = (v: number) => Math.round(v * 10) / 10

/**
 * Lays out line series in a width x height box: y axis from round ticks around the data, x axis
 * over [xMin, xMax] with the given labelled ticks.
 */
export function lineChart(options: {
  series: ChartSeries[]
  width: number
  height: number
  xDomain: [number, number]
  xTicks: { value: number; label: string }[]
  yLabel: string
}): ChartLayout {
  const { width, height, series } = options
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom }
  const ys = series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])))
  const empty = ys.length === 0
  const ticks = empty ? [0, 1] : niceTicks(Math.min(...ys), Math.max(...ys))
  const yMin = ticks[0]!
  const yMax = ticks[ticks.length - 1]!
  const [xMin, xMax] = options.xDomain
  const sx = (x: number) => coordinate(plot.left + ((x - xMin) / (xMax - xMin || 1)) * (plot.right - plot.left))
  const sy = (y: number) => coordinate(plot.bottom - ((y - yMin) / (yMax - yMin || 1)) * (plot.bottom - plot.top))
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1
  const decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : 2
  const lines = series.map((s, i): ChartLine => {
    const segments: string[] = []
    let current: string[] = []
    for (const p of s.points) {
      if (p.y === null) {
        if (current.length) segments.push(current.join(' '))
        current = []
      } else current.push(`${sx(p.x)},${sy(p.y)}`)
    }
    if (current.length) segments.push(current.join(' '))
    return { name: s.name, color: CHART_COLORS[i % CHART_COLORS.length]!, dashed: s.dashed ?? false, segments }
  })
  return {
    width,
    height,
    plot,
    xTicks: options.xTicks.map((t) => ({ position: sx(t.value), label: t.label })),
    yTicks: ticks.map((t) => ({ position: sy(t), label: formatNumber(t, decimals) })),
    lines,
    yLabel: options.yLabel,
    empty,
  }
}
