import { memo } from 'react'
import type { CurveChartPoint, QuoteSegment } from '#app/utils/curve-view.ts'
import { ChartBox, chartDrawing } from './chart-box.tsx'

/** The curve (blue) and its quotes (amber), as on the power curve chart. */
export const FUEL_CURVE_COLORS = { curve: '#2563eb', quote: '#d97706' } as const

const MINUS = '\u2212'
const fixed3 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 })

/** A $/MMBtu price with three decimals (gas trades in tenths of a cent), a true minus sign; '—' for none. */
export function formatFuelPrice(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—'
  const text = fixed3.format(Math.abs(value))
  return value < 0 && text !== '0.000' ? `${MINUS}${text}` : text
}

const DEFAULT_WIDTH = 1200
const HEIGHT = 340

const drawing = chartDrawing(() => import('./fuel-curve-chart-drawing.tsx'))
const Drawing = drawing.Drawing

type FuelCurveChartProps = { points: CurveChartPoint[]; segments: QuoteSegment[]; seriesLabel: string; unit: string; firstPeriod: string | null; lastPeriod: string | null; title: string }

/**
 * A fuel forward curve to 2050 (recharts, server-rendered and kept as drawn like CurveChart): one
 * price per period as a step line over its delivery months, and every quote as a segment over its
 * months, in the curve's unit ($/MMBtu).
 */
export const FuelCurveChart = memo(function FuelCurveChart({ points, segments, seriesLabel, unit, firstPeriod, lastPeriod, title }: FuelCurveChartProps) {
  return (
    <figure className="chart curve-chart" aria-label={title} data-first-period={firstPeriod ?? undefined} data-last-period={lastPeriod ?? undefined} data-quotes={segments.length}>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch" style={{ background: FUEL_CURVE_COLORS.curve }} aria-hidden="true" />
          {seriesLabel}
        </span>
        {segments.length > 0 ? (
          <span className="legend-item">
            <span className="legend-swatch legend-swatch-quote" style={{ background: FUEL_CURVE_COLORS.quote }} aria-hidden="true" />
            Quotes ({segments.length})
          </span>
        ) : null}
        <span className="legend-note">{unit} · delivery month</span>
      </figcaption>
      <ChartBox defaultWidth={DEFAULT_WIDTH} height={HEIGHT} content={points} drawing={drawing}>
        {(width) => <Drawing points={points} segments={segments} seriesLabel={seriesLabel} unit={unit} title={title} width={width} height={HEIGHT} />}
      </ChartBox>
    </figure>
  )
})
