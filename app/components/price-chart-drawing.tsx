import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { formatPrice } from '#app/utils/format.ts'
import type { LiveChartPoint } from '#app/utils/live-chart.ts'
import type { ViewResolution } from '#app/utils/node-view.ts'
import { DAY_MS, formatInZone, timeTicks } from '#app/utils/time.ts'
import { linearRounded, priceTickLabel, stepAfterRounded, timeAxisProps, valueAxisProps } from './chart-parts.tsx'
import { SERIES_COLORS } from './price-chart.tsx'

export type PriceChartDrawingProps = {
  /** Oldest first; `live` holds live real-time prices at their own interval (hourly and daily views). */
  points: LiveChartPoint[]
  from: number
  to: number
  timeZone: string
  rtRun: string
  resolution: ViewResolution
  title: string
  width: number
  height: number
  /** A grey rule at zero (the prices cross it). */
  zeroLine: boolean
  /** Draw the live real-time series ("RT5 live"). */
  hasLive: boolean
}

/**
 * The recharts half of PriceChart: imported lazily (React.lazy), so recharts loads only where a
 * chart is drawn in the browser, never with the page (ChartBox).
 */
export default function PriceChartDrawing({ points, from, to, timeZone, rtRun, resolution, title, width, height, zeroLine, hasLive }: PriceChartDrawingProps) {
  const tickStyle = to - from <= 2 * DAY_MS ? 'time' : 'day'
  const step = resolution !== 'daily'
  return (
    <LineChart id="price-chart" width={width} height={height} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} title={title}>
      <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
      <XAxis {...timeAxisProps(from, to, timeTicks(from, to, timeZone, Math.max(4, Math.floor(width / 110))), (ms) => formatInZone(ms, timeZone, tickStyle))} />
      <YAxis {...valueAxisProps(priceTickLabel)} domain={['auto', 'auto']} />
      {zeroLine ? <ReferenceLine y={0} stroke="#9ca3af" /> : null}
      <Tooltip content={<ChartTooltip timeZone={timeZone} rtRun={rtRun} resolution={resolution} />} isAnimationActive={false} />
      <Line
        id="price-chart-da"
        dataKey="da"
        name="DA"
        type={step ? stepAfterRounded : linearRounded}
        stroke={SERIES_COLORS.da}
        strokeWidth={1.5}
        dot={false}
        isAnimationActive={false}
        connectNulls={false}
      />
      <Line
        id="price-chart-rt"
        dataKey="rt"
        name={rtRun}
        type={resolution === 'hourly' ? stepAfterRounded : linearRounded}
        stroke={SERIES_COLORS.rt}
        strokeWidth={1.25}
        dot={false}
        isAnimationActive={false}
        connectNulls={false}
      />
      {hasLive ? (
        <Line
          id="price-chart-live"
          dataKey="live"
          name={`${rtRun} live`}
          type={linearRounded}
          stroke={SERIES_COLORS.live}
          strokeWidth={1.25}
          dot={{ r: 1.5, strokeWidth: 0, fill: SERIES_COLORS.live }}
          isAnimationActive={false}
          connectNulls
        />
      ) : null}
    </LineChart>
  )
}

function ChartTooltip({
  active,
  payload,
  label,
  timeZone,
  rtRun,
  resolution,
}: TooltipProps<number, string> & { timeZone: string; rtRun: string; resolution: ViewResolution }) {
  if (!active || !payload?.length || typeof label !== 'number') return null
  const point = payload[0]?.payload as LiveChartPoint | undefined
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{formatInZone(label, timeZone, resolution === 'daily' ? 'date' : 'datetime')}</div>
      <div>
        <span style={{ color: SERIES_COLORS.da }}>DA</span> {formatPrice(point?.da)}
      </div>
      <div>
        <span style={{ color: SERIES_COLORS.rt }}>{rtRun}</span> {formatPrice(point?.rt)}
      </div>
      {point?.live != null ? (
        <div>
          <span style={{ color: SERIES_COLORS.live }}>{rtRun} live</span> {formatPrice(point.live)}
        </div>
      ) : null}
      {point?.da != null && point.rt != null ? <div className="muted">DA−RT {formatPrice(point.da - point.rt)}</div> : null}
    </div>
  )
}
