import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { yearTicks, type CurveChartPoint, type QuoteSegment } from '#app/utils/curve-view.ts'
import { formatPrice } from '#app/utils/format.ts'
import { curveStepLineProps, priceTickLabel, timeAxisProps, valueAxisProps } from './chart-parts.tsx'
import { CURVE_COLORS } from './curve-chart.tsx'

export type CurveChartDrawingProps = {
  points: CurveChartPoint[]
  segments: QuoteSegment[]
  seriesLabel: string
  compareLabel: string | null
  title: string
  width: number
  height: number
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
 * The recharts half of CurveChart: imported lazily (React.lazy), so recharts loads only where a
 * chart is drawn in the browser, never with the page (ChartBox).
 */
export default function CurveChartDrawing({ points, segments, seriesLabel, compareLabel, title, width, height }: CurveChartDrawingProps) {
  const from = points[0]?.t ?? 0
  const to = points.at(-1)?.t ?? 0
  return (
    <LineChart id="curve-chart" width={width} height={height} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} title={title}>
      <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
      <XAxis {...timeAxisProps(from, to, yearTicks(from, to, Math.max(4, Math.floor(width / 80))), (ms) => String(new Date(ms).getUTCFullYear()))} />
      <YAxis {...valueAxisProps(priceTickLabel)} domain={['auto', 'auto']} />
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
        <Line {...curveStepLineProps('curve-chart-compare', 'compare', compareLabel, CURVE_COLORS.compare)} />
      ) : null}
      <Line {...curveStepLineProps('curve-chart-value', 'value', seriesLabel, CURVE_COLORS.curve)} />
    </LineChart>
  )
}

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
