import { memo } from 'react'
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { formatPrice } from '#app/utils/format.ts'
import type { LiveChartPoint } from '#app/utils/live-chart.ts'
import type { ViewResolution } from '#app/utils/node-view.ts'
import { DAY_MS, formatInZone, timeTicks, zoneLabel } from '#app/utils/time.ts'
import { ChartBox } from './chart-box.tsx'
import { AxisTick, linearRounded, stepAfterRounded, timeAxisProps, type TickProps } from './chart-parts.tsx'

export const SERIES_COLORS = { da: '#d97706', rt: '#2563eb', live: '#0891b2' } as const

const DEFAULT_WIDTH = 1200
const HEIGHT = 320

type PriceChartProps = {
  /** Oldest first; `live` holds live real-time prices at their own interval (hourly and daily views). */
  points: LiveChartPoint[]
  from: number
  to: number
  timeZone: string
  rtRun: string
  resolution: ViewResolution
  title: string
}

/**
 * DA vs real-time LMP (recharts 2, which renders the full SVG on the server). The server draws
 * it at a default width that CSS scales down through the viewBox; the browser keeps that drawing
 * until it must redraw (ChartBox: new points, a much narrower box, a pointer for tooltips), then
 * draws at the measured width. Axis ticks are computed in the market's time zone. Live real-time
 * prices drawn over an hourly or daily view are their own series ("RT5 live"). Memoized: the
 * node page re-renders on every live-connection change, and the chart only needs to when its
 * props change.
 */
export const PriceChart = memo(function PriceChart({ points, from, to, timeZone, rtRun, resolution, title }: PriceChartProps) {
  const span = to - from
  const tickStyle = span <= 2 * DAY_MS ? 'time' : 'day'
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
  const crossesZero = min < 0 && max > 0
  let lastRt: number | null = null
  for (let i = points.length - 1; i >= 0 && lastRt === null; i--) lastRt = points[i]!.rt ?? points[i]!.live ?? null
  const step = resolution !== 'daily'
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
      <ChartBox defaultWidth={DEFAULT_WIDTH} content={points}>
        {(width) => (
        <LineChart id="price-chart" width={width} height={HEIGHT} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} title={title}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis {...timeAxisProps(from, to, timeTicks(from, to, timeZone, Math.max(4, Math.floor(width / 110))), (ms) => formatInZone(ms, timeZone, tickStyle))} />
          <YAxis
            width={56}
            domain={['auto', 'auto']}
            interval={0}
            tick={(props: TickProps) => (
              <AxisTick {...props} anchor="end" dy={4} text={formatPrice(props.payload.value).replace(/\.00$/, '')} />
            )}
            tickLine={false}
            axisLine={false}
          />
          {crossesZero ? <ReferenceLine y={0} stroke="#9ca3af" /> : null}
          <Tooltip
            content={<ChartTooltip timeZone={timeZone} rtRun={rtRun} resolution={resolution} />}
            isAnimationActive={false}
          />
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
        )}
      </ChartBox>
    </figure>
  )
})

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
