import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { yearTicks, type CurveChartPoint, type QuoteSegment } from '#app/utils/curve-view.ts'
import { curveStepLineProps, priceTickLabel, timeAxisProps, valueAxisProps } from './chart-parts.tsx'
import { FUEL_CURVE_COLORS, formatFuelPrice } from './fuel-curve-chart.tsx'

export type FuelCurveChartDrawingProps = {
  points: CurveChartPoint[]
  segments: QuoteSegment[]
  seriesLabel: string
  compareLabel: string | null
  unit: string
  title: string
  width: number
  height: number
}

const round2 = (v: number) => Math.round(v * 100) / 100

function QuoteLine(props: { x1?: number; y1?: number; x2?: number; y2?: number; segment: QuoteSegment; unit: string }) {
  const { x1 = 0, y1 = 0, x2 = 0, y2 = 0, segment, unit } = props
  const repriced = segment.repriced === null ? '' : `, curve ${formatFuelPrice(segment.repriced)}`
  return (
    <line className="curve-quote" data-contract={segment.contract} x1={round2(x1)} y1={round2(y1)} x2={round2(x2)} y2={round2(y2)} stroke={FUEL_CURVE_COLORS.quote} strokeWidth={3} strokeLinecap="butt">
      <title>{`${segment.contract}: quote ${formatFuelPrice(segment.price)}${repriced} ${unit}`}</title>
    </line>
  )
}

/** The recharts half of FuelCurveChart, loaded lazily like the power curve's (ChartBox). */
export default function FuelCurveChartDrawing({ points, segments, seriesLabel, compareLabel, unit, title, width, height }: FuelCurveChartDrawingProps) {
  const from = points[0]?.t ?? 0
  const to = points.at(-1)?.t ?? 0
  return (
    <LineChart id="fuel-curve-chart" width={width} height={height} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} title={title}>
      <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
      <XAxis {...timeAxisProps(from, to, yearTicks(from, to, Math.max(4, Math.floor(width / 80))), (ms) => String(new Date(ms).getUTCFullYear()))} />
      <YAxis {...valueAxisProps(priceTickLabel)} domain={['auto', 'auto']} />
      <Tooltip content={<FuelTooltip seriesLabel={seriesLabel} compareLabel={compareLabel} />} isAnimationActive={false} />
      {segments.map((s) => (
        <ReferenceLine
          key={`${s.contract}:${s.x1}`}
          className="curve-quote-ref"
          segment={[
            { x: s.x1, y: s.price },
            { x: s.x2, y: s.price },
          ]}
          ifOverflow="extendDomain"
          shape={(props: { x1?: number; y1?: number; x2?: number; y2?: number }) => <QuoteLine {...props} segment={s} unit={unit} />}
        />
      ))}
      {compareLabel ? (
        <Line {...curveStepLineProps('fuel-curve-chart-compare', 'compare', compareLabel, FUEL_CURVE_COLORS.compare)} />
      ) : null}
      <Line {...curveStepLineProps('fuel-curve-chart-value', 'value', seriesLabel, FUEL_CURVE_COLORS.curve)} />
    </LineChart>
  )
}

function FuelTooltip({ active, payload, seriesLabel, compareLabel }: TooltipProps<number, string> & { seriesLabel: string; compareLabel: string | null }) {
  if (!active || !payload?.length) return null
  const point = payload[0]?.payload as CurveChartPoint | undefined
  if (!point) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{point.period ?? new Date(point.t).toISOString().slice(0, 7)}</div>
      <div>
        <span style={{ color: FUEL_CURVE_COLORS.curve }}>{seriesLabel}</span> {formatFuelPrice(point.value)}
      </div>
      {compareLabel ? (
        <div>
          <span style={{ color: FUEL_CURVE_COLORS.compare }}>{compareLabel}</span> {formatFuelPrice(point.compare)}
        </div>
      ) : null}
    </div>
  )
}
