import { memo } from 'react'
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { formatPrice } from '#app/utils/format.ts'
import { yearTicks, type CurveChartPoint, type QuoteSegment } from '#app/utils/curve-view.ts'
import { ChartBox } from './chart-box.tsx'
import { AxisTick, stepAfterRounded, timeAxisProps, type TickProps } from './chart-parts.tsx'

/** The curve (blue as the hub's real-time line), the compared date (grey, dashed) and the quotes (amber). */
export const CURVE_COLORS = { curve: '#2563eb', compare: '#6b7280', quote: '#d97706' } as const

const DEFAULT_WIDTH = 1200
const HEIGHT = 340

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

const round2 = (v: number) => Math.round(v * 100) / 100

/** A quote as a thick horizontal segment with its contract and prices as the hover title. */
function QuoteLine(props: { x1?: number; y1?: number; x2?: number; y2?: number; segment: QuoteSegment }) {
  const { x1 = 0, y1 = 0, x2 = 0, y2 = 0, segment } = props
  const repriced = segment.repriced === null ? '' : `, curve ${formatPrice(segment.repriced)}`
  return (
    <line
      className="curve-quote"
      data-contract={segment.contract}
      x1={round2(x1)}
      y1={round2(y1)}
      x2={round2(x2)}
      y2={round2(y2)}
      stroke={CURVE_COLORS.quote}
      strokeWidth={3}
      strokeLinecap="butt"
    >
      <title>{`${segment.contract}: quote ${formatPrice(segment.price)}${repriced} $/MWh`}</title>
    </line>
  )
}

/**
 * A forward curve to 2050 (recharts 2, server-rendered like PriceChart): the chosen block as a
 * step line over its delivery periods (x = delivery month, UTC month starts), the compared as-of
 * date as a dashed step line, and the quotes of the block as segments over their delivery months,
 * so how the curve honours each quote shows at a glance. Coordinates are rounded so the server
 * HTML and hydration agree. The browser keeps the server's drawing until it must redraw
 * (ChartBox), and the chart is memoized so the page's other state leaves it alone.
 */
export const CurveChart = memo(function CurveChart({ points, segments, seriesLabel, compareLabel, firstPeriod, lastPeriod, title }: CurveChartProps) {
  const from = points[0]?.t ?? 0
  const to = points.at(-1)?.t ?? 0
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
      <ChartBox defaultWidth={DEFAULT_WIDTH} content={points}>
        {(width) => (
        <LineChart id="curve-chart" width={width} height={HEIGHT} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} title={title}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis {...timeAxisProps(from, to, yearTicks(from, to, Math.max(4, Math.floor(width / 80))), (ms) => String(new Date(ms).getUTCFullYear()))} />
          <YAxis
            width={56}
            domain={['auto', 'auto']}
            interval={0}
            tick={(props: TickProps) => <AxisTick {...props} anchor="end" dy={4} text={formatPrice(props.payload.value).replace(/\.00$/, '')} />}
            tickLine={false}
            axisLine={false}
          />
          <Tooltip content={<CurveTooltip seriesLabel={seriesLabel} compareLabel={compareLabel} />} isAnimationActive={false} />
          {segments.map((s) => (
            <ReferenceLine
              key={`${s.contract}:${s.x1}`}
              className="curve-quote-ref"
              segment={[
                { x: s.x1, y: s.price },
                { x: s.x2, y: s.price },
              ]}
              ifOverflow="extendDomain"
              shape={(props: { x1?: number; y1?: number; x2?: number; y2?: number }) => <QuoteLine {...props} segment={s} />}
            />
          ))}
          {compareLabel ? (
            <Line
              id="curve-chart-compare"
              className="curve-line-compare"
              dataKey="compare"
              name={compareLabel}
              type={stepAfterRounded}
              stroke={CURVE_COLORS.compare}
              strokeWidth={1.25}
              strokeDasharray="5 4"
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />
          ) : null}
          <Line
            id="curve-chart-value"
            className="curve-line-value"
            dataKey="value"
            name={seriesLabel}
            type={stepAfterRounded}
            stroke={CURVE_COLORS.curve}
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
            connectNulls={false}
          />
        </LineChart>
        )}
      </ChartBox>
    </figure>
  )
})

function CurveTooltip({ active, payload, seriesLabel, compareLabel }: TooltipProps<number, string> & { seriesLabel: string; compareLabel: string | null }) {
  if (!active || !payload?.length) return null
  const point = payload[0]?.payload as CurveChartPoint | undefined
  if (!point) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{point.period ?? new Date(point.t).toISOString().slice(0, 7)}</div>
      <div>
        <span style={{ color: CURVE_COLORS.curve }}>{seriesLabel}</span> {formatPrice(point.value)}
      </div>
      {compareLabel ? (
        <div>
          <span style={{ color: CURVE_COLORS.compare }}>{compareLabel}</span> {formatPrice(point.compare)}
        </div>
      ) : null}
    </div>
  )
}
