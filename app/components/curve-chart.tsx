import { memo } from 'react'
import type { CurveChartPoint, QuoteSegment } from '#app/utils/curve-view.ts'
import { ChartBox, chartDrawing } from './chart-box.tsx'

/** The curve (blue as the hub's real-time line), the compared date (grey, dashed) and the quotes (amber). */
export const CURVE_COLORS = { curve: '#2563eb', compare: '#6b7280', quote: '#d97706' } as const

const DEFAULT_WIDTH = 1200
const HEIGHT = 340

const drawing = chartDrawing(() => import('./curve-chart-drawing.tsx'))
const CurveChartDrawing = drawing.Drawing

type CurveChartProps = {
  /** chartSeries(): one point per period boundary, the last at the end of the last period. */
  points: CurveChartPoint[]
  /** The quotes of the shown block (quoteSegments()). */
  segments: QuoteSegment[]
  /** "On-peak, as of 2026-11-20 v2". */
  seriesLabel: string
  /** "as of 2026-10-30" when a comparison is drawn. */
  compareLabel: string | null
  firstPeriod: string | null
  lastPeriod: string | null
  title: string
}

/**
 * A forward curve to 2050 (recharts 2, server-rendered like PriceChart): the chosen block as a
 * step line over its delivery periods (x = delivery month, UTC month starts), the compared as-of
 * date as a dashed step line, and the quotes of the block as segments over their delivery months,
 * so how the curve honours each quote shows at a glance. Coordinates are rounded so the server
 * HTML and the browser's drawing agree. The browser keeps the server's drawing until it must
 * redraw (ChartBox), then loads the drawing code (curve-chart-drawing.tsx, with recharts); the
 * chart is memoized so the page's other state leaves it alone.
 */
export const CurveChart = memo(function CurveChart({ points, segments, seriesLabel, compareLabel, firstPeriod, lastPeriod, title }: CurveChartProps) {
  return (
    <figure className="chart curve-chart" aria-label={title} data-first-period={firstPeriod ?? undefined} data-last-period={lastPeriod ?? undefined} data-quotes={segments.length}>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch" style={{ background: CURVE_COLORS.curve }} aria-hidden="true" />
          {seriesLabel}
        </span>
        {compareLabel ? (
          <span className="legend-item">
            <span className="legend-swatch legend-swatch-dashed" aria-hidden="true" />
            {compareLabel}
          </span>
        ) : null}
        {segments.length > 0 ? (
          <span className="legend-item">
            <span className="legend-swatch legend-swatch-quote" style={{ background: CURVE_COLORS.quote }} aria-hidden="true" />
            Quotes ({segments.length})
          </span>
        ) : null}
        <span className="legend-note">$/MWh · delivery month</span>
      </figcaption>
      <ChartBox defaultWidth={DEFAULT_WIDTH} height={HEIGHT} content={points} drawing={drawing}>
        {(width) => (
          <CurveChartDrawing
            points={points}
            segments={segments}
            seriesLabel={seriesLabel}
            compareLabel={compareLabel}
            title={title}
            width={width}
            height={HEIGHT}
          />
        )}
      </ChartBox>
    </figure>
  )
})
