import { memo } from 'react'
import { zoneLabel } from '#app/utils/time.ts'
import { ChartBox, chartDrawing } from './chart-box.tsx'
import type { PriceChartDrawingProps } from './price-chart-drawing.tsx'

export const SERIES_COLORS = { da: '#d97706', rt: '#2563eb', live: '#0891b2' } as const

const DEFAULT_WIDTH = 1200
const HEIGHT = 320

const drawing = chartDrawing(() => import('./price-chart-drawing.tsx'))
const PriceChartDrawing = drawing.Drawing

/** The drawing's props but those the chart works out itself (its size, the zero rule, the live series). */
type PriceChartProps = Omit<PriceChartDrawingProps, 'width' | 'height' | 'zeroLine' | 'hasLive'>

/**
 * DA vs real-time LMP (recharts 2, which renders the full SVG on the server). The server draws
 * it at a default width that CSS scales down through the viewBox; the browser keeps that drawing
 * until it must redraw (ChartBox: new points, a much narrower box in view, a pointer for
 * tooltips), then loads the drawing code (price-chart-drawing.tsx, with recharts) and draws at the
 * measured width. Axis ticks are computed in the market's time zone. Live real-time prices drawn
 * over an hourly or daily view are their own series ("RT5 live"). Memoized: the node page
 * re-renders on every live-connection change, and the chart only needs to when its props change.
 */
export const PriceChart = memo(function PriceChart({ points, from, to, timeZone, rtRun, resolution, title }: PriceChartProps) {
  let min = Infinity
  let max = -Infinity
  let hasLive = false
  for (const p of points) {
    if (p.live != null) hasLive = true
    for (const v of [p.da, p.rt, p.live]) {
      if (v == null) continue
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  let lastRt: number | null = null
  for (let i = points.length - 1; i >= 0 && lastRt === null; i--) lastRt = points[i]!.rt ?? points[i]!.live ?? null
  const zone = zoneLabel(timeZone, to)

  return (
    <figure className="chart" aria-label={title} data-window-end={new Date(to).toISOString()} data-last-rt={lastRt ?? undefined}>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch" style={{ background: SERIES_COLORS.da }} aria-hidden="true" />
          DA LMP
        </span>
        <span className="legend-item">
          <span className="legend-swatch" style={{ background: SERIES_COLORS.rt }} aria-hidden="true" />
          {rtRun} LMP
        </span>
        {hasLive ? (
          <span className="legend-item">
            <span className="legend-swatch" style={{ background: SERIES_COLORS.live }} aria-hidden="true" />
            {rtRun} live, per interval
          </span>
        ) : null}
        <span className="legend-note">$/MWh · {zone}</span>
      </figcaption>
      <ChartBox defaultWidth={DEFAULT_WIDTH} height={HEIGHT} content={points} drawing={drawing}>
        {(width) => (
          <PriceChartDrawing
            points={points}
            from={from}
            to={to}
            timeZone={timeZone}
            rtRun={rtRun}
            resolution={resolution}
            title={title}
            width={width}
            height={HEIGHT}
            zeroLine={min < 0 && max > 0}
            hasLive={hasLive}
          />
        )}
      </ChartBox>
    </figure>
  )
})
