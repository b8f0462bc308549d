import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { formatChange, formatPrice } from '#app/utils/format.ts'
import {
  TECHNOLOGY_COLORS,
  TECHNOLOGY_LABELS,
  type AnnualDiffRow,
  type AnnualStackPoint,
  type PricePoint,
} from '#app/utils/scenarios.ts'
import { AxisTick, LegendItem, linearRounded, priceTickLabel, useChartWidth, useYearAxis, valueAxisProps, type TickProps } from '../chart-parts.tsx'

/**
 * The scenario results charts (recharts 2, server-rendered like the curve chart; coordinates rounded
 * so the server HTML and hydration agree): monthly prices of a hub and block to 2050 with the
 * P10-P90 band of a Monte Carlo run, the generation mix and the installed capacity per year stacked
 * by technology, and the yearly price difference of two runs.
 */

export const SCENARIO_COLORS = { price: '#2563eb', band: '#93c5fd', up: '#047857', down: '#c0262d' } as const

const DEFAULT_WIDTH = 1200
const HEIGHT = 300
const MARGIN = { top: 8, right: 16, bottom: 4, left: 4 }

type PathContext = { moveTo(x: number, y: number): void; lineTo(x: number, y: number): void; closePath(): void }

/**
 * A straight-segment curve for areas (a filled band or a stack layer) that rounds coordinates to
 * 1/100 px, for the same reason as chart-parts' roundedCurve: the top edge is drawn forward, the
 * base edge backward, and the path is closed. The area's outline (drawn as a line) stays open; a
 * line of a single point is closed, so it shows as a dot.
 */
export function roundedAreaCurve(context: PathContext) {
  const r = (v: number) => Math.round(v * 100) / 100
  let line = NaN
  let point = 0
  return {
    areaStart() {
      line = 0
    },
    areaEnd() {
      line = NaN
    },
    lineStart() {
      point = 0
    },
    lineEnd() {
      if (line || (line !== 0 && point === 1)) context.closePath()
      line = 1 - line
    },
    point(x: number, y: number) {
      if (point === 0) {
        point = 1
        if (line) context.lineTo(r(x), r(y))
        else context.moveTo(r(x), r(y))
      } else {
        point = 2
        context.lineTo(r(x), r(y))
      }
    },
  }
}

const plainTick = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 10) / 10))

/** Monthly prices of one hub and block to 2050, with the P10-P90 band when the run has one. */
export function ScenarioPriceChart({ points, label, bands, title }: { points: PricePoint[]; label: string; bands: boolean; title: string }) {
  const { box, width, xAxis } = useYearAxis(points, DEFAULT_WIDTH)
  return (
    <figure className="chart scenario-chart scenario-price-chart" aria-label={title} data-months={points.length} data-bands={bands ? 'yes' : 'no'}>
      <figcaption className="chart-legend">
        <LegendItem style={{ background: SCENARIO_COLORS.price }}>{label}</LegendItem>
        {bands ? (
          <LegendItem swatch="legend-swatch-band" style={{ background: SCENARIO_COLORS.band }}>
            P10–P90 band
          </LegendItem>
        ) : null}
        <span className="legend-note">$/MWh · month</span>
      </figcaption>
      <div className="chart-box" ref={box}>
        <ComposedChart id="scenario-price-chart" width={width} height={HEIGHT} data={points} margin={MARGIN} title={title}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis {...xAxis} />
          <YAxis {...valueAxisProps(priceTickLabel)} domain={['auto', 'auto']} />
          <Tooltip content={<PriceTooltip label={label} bands={bands} />} isAnimationActive={false} />
          {bands ? (
            <Area
              id="scenario-price-band"
              className="scenario-band"
              dataKey="band"
              name="P10–P90"
              type={roundedAreaCurve}
              stroke="none"
              fill={SCENARIO_COLORS.band}
              fillOpacity={0.55}
              isAnimationActive={false}
              activeDot={false}
            />
          ) : null}
          <Line
            id="scenario-price-line"
            className="scenario-price-line"
            dataKey="price"
            name={label}
            type={linearRounded}
            stroke={SCENARIO_COLORS.price}
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </div>
    </figure>
  )
}

function PriceTooltip({ active, payload, label, bands }: TooltipProps<number, string> & { label: string; bands: boolean }) {
  const point = active ? (payload?.[0]?.payload as PricePoint | undefined) : undefined
  if (!point) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{point.month}</div>
      <div>
        <span style={{ color: SCENARIO_COLORS.price }}>{label}</span> {formatPrice(point.price)}
      </div>
      {bands ? (
        <div className="muted">
          P10 {formatPrice(point.p10)} · P90 {formatPrice(point.p90)}
        </div>
      ) : null}
    </div>
  )
}

function TechLegend({ technologies, unit }: { technologies: string[]; unit: string }) {
  return (
    <figcaption className="chart-legend">
      {technologies.map((t) => (
        <LegendItem key={t} swatch="legend-swatch-block" style={{ background: TECHNOLOGY_COLORS[t] ?? '#9ca3af' }}>
          {TECHNOLOGY_LABELS[t] ?? t}
        </LegendItem>
      ))}
      <span className="legend-note">{unit}</span>
    </figcaption>
  )
}

/** Yearly generation by technology as stacked areas (TWh). */
export function GenerationMixChart({ points, technologies, title }: { points: AnnualStackPoint[]; technologies: string[]; title: string }) {
  const { box, width, xAxis } = useYearAxis(points, DEFAULT_WIDTH)
  return (
    <figure className="chart scenario-chart scenario-mix-chart" aria-label={title} data-years={points.length}>
      <TechLegend technologies={technologies} unit="TWh per year" />
      <div className="chart-box" ref={box}>
        <AreaChart id="scenario-mix-chart" width={width} height={HEIGHT} data={points} margin={MARGIN} title={title}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis {...xAxis} />
          <YAxis {...valueAxisProps(plainTick)} />
          <Tooltip content={<StackTooltip technologies={technologies} unit="TWh" />} isAnimationActive={false} />
          {technologies.map((t) => (
            <Area
              key={t}
              id={`scenario-mix-${t}`}
              className="scenario-mix-area"
              dataKey={t}
              name={TECHNOLOGY_LABELS[t] ?? t}
              stackId="mix"
              type={roundedAreaCurve}
              stroke={TECHNOLOGY_COLORS[t] ?? '#9ca3af'}
              fill={TECHNOLOGY_COLORS[t] ?? '#9ca3af'}
              fillOpacity={0.8}
              isAnimationActive={false}
              activeDot={false}
            />
          ))}
        </AreaChart>
      </div>
    </figure>
  )
}

/** Installed capacity by technology at each year's end as stacked bars (GW). */
export function CapacityChart({ points, technologies, title }: { points: AnnualStackPoint[]; technologies: string[]; title: string }) {
  const [box, width] = useChartWidth(DEFAULT_WIDTH)
  return (
    <figure className="chart scenario-chart scenario-capacity-chart" aria-label={title} data-years={points.length}>
      <TechLegend technologies={technologies} unit="GW installed at year end" />
      <div className="chart-box" ref={box}>
        <BarChart id="scenario-capacity-chart" width={width} height={HEIGHT} data={points} margin={MARGIN} title={title} barCategoryGap={2}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis dataKey="year" {...yearCategoryAxis(points.length)} />
          <YAxis {...valueAxisProps(plainTick)} />
          <Tooltip content={<StackTooltip technologies={technologies} unit="GW" />} isAnimationActive={false} cursor={{ fill: '#f1f5f9' }} />
          {technologies.map((t) => (
            <Bar key={t} id={`scenario-capacity-${t}`} dataKey={t} name={TECHNOLOGY_LABELS[t] ?? t} stackId="capacity" fill={TECHNOLOGY_COLORS[t] ?? '#9ca3af'} isAnimationActive={false} />
          ))}
        </BarChart>
      </div>
    </figure>
  )
}

/** A year axis over categories that labels every 5th year (every year when there are few). */
function yearCategoryAxis(years: number) {
  const every = years > 12 ? 5 : 1
  return {
    type: 'category' as const,
    interval: 0 as const,
    tick: (props: TickProps) => (props.payload.value % every === 0 ? <AxisTick {...props} anchor="middle" dy={14} text={String(props.payload.value)} /> : <g />),
    tickLine: { stroke: '#d1d5db' },
    axisLine: { stroke: '#d1d5db' },
  }
}

function StackTooltip({ active, payload, technologies, unit }: TooltipProps<number, string> & { technologies: string[]; unit: string }) {
  const point = active ? (payload?.[0]?.payload as AnnualStackPoint | undefined) : undefined
  if (!point) return null
  const total = technologies.reduce((sum, t) => sum + (point[t] ?? 0), 0)
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{point.year}</div>
      {[...technologies].reverse().map((t) => (
        <div key={t}>
          <span style={{ color: TECHNOLOGY_COLORS[t] }}>■</span> {TECHNOLOGY_LABELS[t] ?? t} {plainTick(point[t] ?? 0)} {unit}
        </div>
      ))}
      <div className="strong">
        Total {plainTick(total)} {unit}
      </div>
    </div>
  )
}

/** The yearly price change of one hub and block between two runs (compared minus base), as bars. */
export function PriceDeltaChart({ rows, title, label }: { rows: AnnualDiffRow[]; title: string; label: string }) {
  const [box, width] = useChartWidth(DEFAULT_WIDTH)
  return (
    <figure className="chart scenario-chart scenario-delta-chart" aria-label={title} data-years={rows.length}>
      <figcaption className="chart-legend">
        <LegendItem swatch="legend-swatch-block" style={{ background: SCENARIO_COLORS.up }}>
          Higher
        </LegendItem>
        <LegendItem swatch="legend-swatch-block" style={{ background: SCENARIO_COLORS.down }}>
          Lower
        </LegendItem>
        <span className="legend-note">{label} · $/MWh, yearly mean</span>
      </figcaption>
      <div className="chart-box" ref={box}>
        <BarChart id="scenario-delta-chart" width={width} height={260} data={rows} margin={MARGIN} title={title} barCategoryGap={2}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis dataKey="year" {...yearCategoryAxis(rows.length)} />
          <YAxis {...valueAxisProps(priceTickLabel)} />
          <ReferenceLine y={0} stroke="#9ca3af" />
          <Tooltip content={<DeltaTooltip />} isAnimationActive={false} cursor={{ fill: '#f1f5f9' }} />
          <Bar id="scenario-delta-bars" dataKey="delta" name="Change" isAnimationActive={false}>
            {rows.map((r) => (
              <Cell key={r.year} fill={r.delta >= 0 ? SCENARIO_COLORS.up : SCENARIO_COLORS.down} />
            ))}
          </Bar>
        </BarChart>
      </div>
    </figure>
  )
}

function DeltaTooltip({ active, payload }: TooltipProps<number, string>) {
  const row = active ? (payload?.[0]?.payload as AnnualDiffRow | undefined) : undefined
  if (!row) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{row.year}</div>
      <div>
        {formatPrice(row.a)} → {formatPrice(row.b)} ({formatChange(row.delta)})
      </div>
    </div>
  )
}
