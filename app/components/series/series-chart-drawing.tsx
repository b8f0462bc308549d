import { Area, Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { formatInZone, timeTicks } from '#app/utils/time.ts'
import { linearRounded, timeAxisProps, valueAxisProps } from '../chart-parts.tsx'
import { roundedAreaCurve } from './area-curve.ts'
import type { ChartSeries } from './series-chart.tsx'
import { axisLabel, dateTickLabel, dateTicks, DAY_MS, formatValue, periodLabel, utcDate, type ChartPoint, type PeriodStyle } from './series-view.ts'

export type SeriesChartDrawingProps = {
  /** Oldest first; each point's `t` is where its period sits (series-view.ts pointTime). */
  points: ChartPoint[]
  series: ChartSeries[]
  from: number
  to: number
  /** What a point's time is: a publisher's date (named as `period` says) or an hour's end in `timeZone`. */
  period: PeriodStyle | 'hour'
  /** The clock of an hourly axis (a date axis is the dates themselves, UTC). */
  timeZone: string
  /** The values' unit: how axis labels and the tooltip format them. */
  unit: string
  title: string
  width: number
  height: number
}

/** The time axis: date ticks (month or year starts) for dates, the clock's midnights or hours for hourly values. */
function xAxisOf(props: Pick<SeriesChartDrawingProps, 'from' | 'to' | 'period' | 'timeZone' | 'width'>) {
  const { from, to, period, timeZone, width } = props
  const maxTicks = Math.max(4, Math.floor(width / 110))
  if (period === 'hour') {
    const style = to - from <= 2 * DAY_MS ? 'time' : 'day'
    return timeAxisProps(from, to, timeTicks(from, to, timeZone, maxTicks), (ms) => formatInZone(ms, timeZone, style))
  }
  const ticks = dateTicks(from, to, maxTicks)
  return timeAxisProps(from, to, ticks, (ms) => dateTickLabel(ms, ticks))
}

/**
 * The recharts half of SeriesChart: imported lazily (React.lazy), so recharts loads only where a
 * chart is drawn in the browser, never with the page (ChartBox). Areas are stacked with positive
 * and negative values apart (`sign`): a battery charging draws below zero, not into the others.
 */
export default function SeriesChartDrawing(props: SeriesChartDrawingProps) {
  const { points, series, period, timeZone, unit, title, width, height } = props
  let min = Infinity
  let max = -Infinity
  for (const p of points) {
    for (const s of series) {
      const v = p[s.key]
      if (v == null) continue
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  const stacked = series.some((s) => s.kind === 'area')
  return (
    <ComposedChart
      id={`series-chart-${title.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`}
      width={width}
      height={height}
      data={points}
      margin={{ top: 8, right: 16, bottom: 4, left: 4 }}
      title={title}
      stackOffset={stacked ? 'sign' : undefined}
    >
      <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
      <XAxis {...xAxisOf(props)} />
      <YAxis {...valueAxisProps((v) => axisLabel(v, unit))} width={64} domain={['auto', 'auto']} />
      {min < 0 && max > 0 && !stacked ? <ReferenceLine y={0} stroke="#9ca3af" /> : null}
      <Tooltip content={<SeriesTooltip series={series} period={period} timeZone={timeZone} unit={unit} />} isAnimationActive={false} />
      {series.map((s) =>
        s.kind === 'area' ? (
          <Area
            key={s.key}
            dataKey={s.key}
            name={s.label}
            stackId="stack"
            type={roundedAreaCurve}
            // No outline: a source slightly negative at night (wind, storage) is a sliver below zero,
            // and its band's outline would draw a spike down to it.
            stroke="none"
            fill={s.color}
            fillOpacity={0.8}
            isAnimationActive={false}
            connectNulls={false}
          />
        ) : s.kind === 'bar' ? (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} maxBarSize={14} isAnimationActive={false} />
        ) : (
          <Line
            key={s.key}
            dataKey={s.key}
            name={s.label}
            type={linearRounded}
            stroke={s.color}
            strokeWidth={s.dashed ? 1.25 : 1.5}
            strokeDasharray={s.dashed ? '5 4' : undefined}
            dot={points.length <= 60 ? { r: 2, strokeWidth: 0, fill: s.color } : false}
            isAnimationActive={false}
            connectNulls={false}
          />
        ),
      )}
    </ComposedChart>
  )
}

/** A point's time in the tooltip: the period in the publisher's terms, or the hour's end in the clock. */
function tooltipTime(t: number, period: PeriodStyle | 'hour', timeZone: string): string {
  switch (period) {
    case 'hour':
      return `hour ending ${formatInZone(t, timeZone, 'datetime')}`
    case 'week-ending':
      return `week ending ${utcDate(t)}`
    case 'week-of':
      return `week of ${utcDate(t)}`
    case 'month':
      return periodLabel({ periodStart: new Date(t).toISOString(), periodEnd: new Date(t).toISOString() }, 'month')
    case 'day':
      return utcDate(t)
  }
}

function SeriesTooltip({
  active,
  payload,
  label,
  series,
  period,
  timeZone,
  unit,
}: TooltipProps<number, string> & { series: ChartSeries[]; period: PeriodStyle | 'hour'; timeZone: string; unit: string }) {
  if (!active || !payload?.length || typeof label !== 'number') return null
  const point = payload[0]?.payload as ChartPoint | undefined
  if (!point) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{tooltipTime(label, period, timeZone)}</div>
      {series.map((s) =>
        point[s.key] == null ? null : (
          <div key={s.key}>
            <span style={{ color: s.color }}>{s.label}</span> {formatValue(point[s.key], unit)}
          </div>
        ),
      )}
    </div>
  )
}
