import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { AxisTick, type TickProps } from '../chart-parts.tsx'
import { axisLabel } from './series-view.ts'

/** One bar: a fuel's operable nameplate MW, and the tooltip's lines about it (written by CapacitySection). */
export type CapacityBar = {
  fuel: string
  label: string
  color: string
  nameplateMw: number
  details: string[]
}

export type CapacityChartDrawingProps = {
  bars: CapacityBar[]
  title: string
  width: number
  height: number
}

/** Room for the fuel names left of the bars. */
const CATEGORY_WIDTH = 96
const MW = 'MW'

/**
 * The recharts half of CapacityChart: horizontal bars of nameplate MW by fuel, in the order given
 * (CAPACITY_FUELS), each in its fuel's colour. Imported lazily like series-chart-drawing.tsx, so
 * recharts loads only where the browser must draw; axis labels are plain SVG text (chart-parts)
 * so the server's drawing and the browser's agree.
 */
export default function CapacityChartDrawing({ bars, title, width, height }: CapacityChartDrawingProps) {
  return (
    <BarChart
      id={`capacity-chart-${title.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`}
      layout="vertical"
      width={width}
      height={height}
      data={bars}
      margin={{ top: 4, right: 24, bottom: 4, left: 4 }}
      title={title}
      barCategoryGap={4}
    >
      <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" horizontal={false} />
      <XAxis
        type="number"
        dataKey="nameplateMw"
        domain={[0, 'auto']}
        tick={(props: TickProps) => <AxisTick {...props} anchor="middle" dy={14} text={axisLabel(props.payload.value, MW)} />}
        tickLine={{ stroke: '#d1d5db' }}
        axisLine={{ stroke: '#d1d5db' }}
      />
      <YAxis
        type="category"
        dataKey="label"
        width={CATEGORY_WIDTH}
        interval={0}
        tick={(props: TickProps & { payload: { value: number | string } }) => <AxisTick {...props} anchor="end" dy={4} text={String(props.payload.value)} />}
        tickLine={false}
        axisLine={false}
      />
      <Tooltip content={<CapacityTooltip />} isAnimationActive={false} cursor={{ fill: '#f1f5f9' }} />
      <Bar dataKey="nameplateMw" name="Nameplate MW" isAnimationActive={false} maxBarSize={22}>
        {bars.map((b) => (
          <Cell key={b.fuel} fill={b.color} />
        ))}
      </Bar>
    </BarChart>
  )
}

function CapacityTooltip({ active, payload }: TooltipProps<number, string>) {
  const bar = active ? (payload?.[0]?.payload as CapacityBar | undefined) : undefined
  if (!bar) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">
        <span style={{ color: bar.color }}>{bar.label}</span>
      </div>
      {bar.details.map((line) => (
        <div key={line}>{line}</div>
      ))}
    </div>
  )
}
