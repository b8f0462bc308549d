import { memo } from 'react'
import type { CurveChartPoint, QuoteSegment } from '#app/utils/curve-view.ts'
import { ChartBox, chartDrawing } from './chart-box.tsx'

/** The curve (blue), the compared build (grey, dashed) and the quotes (amber), as on the power curve chart. */
export const FUEL_CURVE_COLORS = { curve: '#2563eb', compare: '#6b7280', quote: '#d97706' } as const

const MINUS = '\u2212'
const fixed3 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 })

/** A $/MMBtu price with three decimals (gas trades in tenths of a cent), a true minus sign; '—' for none. */
export function formatFuelPrice(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—'
  const text = fixed3.format(Math.abs(value))
  return value < 0 && text !== '0.000' ? `${MINUS}${text}` : text
}

/** A change of a $/MMBtu price as the page shows it: signed, three decimals ('+0.150', '−0.020', '0.000'); '—' for none. */
export function formatFuelChange(value: number | null | undefined): string {
  const text = formatFuelPrice(value)
  return value == null || !Number.isFinite(value) || value < 0 || text === '0.000' ? text : `+${text}`
}

const DEFAULT_WIDTH = 1200
const HEIGHT = 340

const drawing = chartDrawing(() => import('./fuel-curve-chart-drawing.tsx'))
const Drawing = drawing.Drawing

type FuelCurveChartProps = {
  /** chartSeries(): one point per period boundary, `compare` the compared build's price there. */
  points: CurveChartPoint[]
  segments: QuoteSegment[]
  /** "As of 2026-11-20 v2". */
  seriesLabel: string
  /** "As of 2026-10-30 v1" when a compared build is drawn. */
  compareLabel?: string | null
  unit: string
  firstPeriod: string | null
  lastPeriod: string | null
  title: string
}

/**
 * A fuel forward curve to 2050 (recharts, server-rendered and kept as drawn like CurveChart): one
 * price per period as a step line over its delivery months, the compared build as a dashed step
 * line, and every quote as a segment over its months, in the curve's unit ($/MMBtu).
 */
export const FuelCurveChart = memo(function FuelCurveChart({ points, segments, seriesLabel, compareLabel = null, unit, firstPeriod, lastPeriod, title }: FuelCurveChartProps) {
  return (
    <figure
      className="chart curve-chart"
      aria-label={title}
      data-first-period={firstPeriod ?? undefined}
      data-last-period={lastPeriod ?? undefined}
      data-quotes={segments.length}
      data-compare={compareLabel ? 'true' : undefined}
    >
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch" style={{ background: FUEL_CURVE_COLORS.curve }} aria-hidden="true" />
          {seriesLabel}
        </span>
        {compareLabel ? (
          <span className="legend-item" data-compare-label>
            <span className="legend-swatch legend-swatch-dashed" aria-hidden="true" />
            {compareLabel}
          </span>
        ) : null}
        {segments.length > 0 ? (
          <span className="legend-item">
            <span className="legend-swatch legend-swatch-quote" style={{ background: FUEL_CURVE_COLORS.quote }} aria-hidden="true" />
            Quotes ({segments.length})
          </span>
        ) : null}
        <span className="legend-note">{unit} · delivery month</span>
      </figcaption>
      <ChartBox defaultWidth={DEFAULT_WIDTH} height={HEIGHT} content={points} drawing={drawing}>
        {(width) => <Drawing points={points} segments={segments} seriesLabel={seriesLabel} compareLabel={compareLabel} unit={unit} title={title} width={width} height={HEIGHT} />}
      </ChartBox>
    </figure>
  )
})
