import { memo } from 'react'
import { ChartBox, chartDrawing } from '../chart-box.tsx'
import type { SeriesChartDrawingProps } from './series-chart-drawing.tsx'

const DEFAULT_WIDTH = 1200
const DEFAULT_HEIGHT = 300

const drawing = chartDrawing(() => import('./series-chart-drawing.tsx'))
const SeriesChartDrawing = drawing.Drawing

/** One drawn series: a line (dashed for a reference), bars, or a band of a stacked area. */
export type ChartSeries = {
  key: string
  label: string
  color: string
  kind: 'line' | 'bar' | 'area'
  dashed?: boolean
}

export type SeriesChartProps = Omit<SeriesChartDrawingProps, 'width' | 'height'> & {
  /** What the values are in, for the legend ("$/MMBtu", "MWh, hour ending, PT"). */
  note: string
  height?: number
}

/**
 * A chart of one or more series over time (recharts 2, server-rendered like PriceChart): lines
 * for prices and basis, bars for volumes, stacked areas for generation by fuel. The server draws
 * it at a default width that CSS scales; the browser keeps that drawing until it must redraw
 * (ChartBox), then loads the drawing code (series-chart-drawing.tsx, with recharts).
 */
export const SeriesChart = memo(function SeriesChart({ note, height = DEFAULT_HEIGHT, ...props }: SeriesChartProps) {
  const { series, points, title } = props
  return (
    <figure className="chart series-chart" aria-label={title} data-points={points.length}>
      <figcaption className="chart-legend">
        {series.map((s) => (
          <span className="legend-item" key={s.key}>
            <span
              className={s.kind === 'line' ? 'legend-swatch' : 'legend-swatch legend-swatch-block'}
              style={{ background: s.dashed ? `repeating-linear-gradient(90deg, ${s.color} 0 5px, transparent 5px 9px)` : s.color }}
              aria-hidden="true"
            />
            {s.label}
          </span>
        ))}
        <span className="legend-note">{note}</span>
      </figcaption>
      <ChartBox defaultWidth={DEFAULT_WIDTH} height={height} content={points} drawing={drawing}>
        {(width) => <SeriesChartDrawing {...props} width={width} height={height} />}
      </ChartBox>
    </figure>
  )
})
