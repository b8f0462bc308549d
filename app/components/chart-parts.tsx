/**
 * Pieces every server-rendered recharts chart needs so the server HTML and hydration match:
 * rounded line curves and plain-SVG axis ticks.
 */
import { useEffect, useRef, useState, type CSSProperties, type ReactNode, type RefObject } from 'react'
import { yearTicks } from '#app/utils/curve-view.ts'
import { formatPrice } from '#app/utils/format.ts'
type PathContext = { moveTo(x: number, y: number): void; lineTo(x: number, y: number): void }

/**
 * Line curves that round coordinates to 1/100 px before drawing. Recharts' server build (CJS)
 * bundles an older d3-path that writes full-precision numbers while the browser build rounds to
 * 3 decimals, so the same line would differ between the server HTML and hydration.
 */
export function roundedCurve(step: boolean) {
  return (context: PathContext) => {
    let started = false
    let lastY = 0
    const r = (v: number) => Math.round(v * 100) / 100
    return {
      areaStart() {},
      areaEnd() {},
      lineStart() {
        started = false
      },
      lineEnd() {},
      point(rawX: number, rawY: number) {
        const x = r(rawX)
        const y = r(rawY)
        if (!started) {
          context.moveTo(x, y)
          started = true
        } else if (step) {
          context.lineTo(x, lastY)
          context.lineTo(x, y)
        } else {
          context.lineTo(x, y)
        }
        lastY = y
      },
    }
  }
}
export const linearRounded = roundedCurve(false)
export const stepAfterRounded = roundedCurve(true)

/**
 * The props of a forward curve chart's step line (power and fuel charts): the curve, solid, or the
 * build it is compared with, dashed and thinner. Spread into recharts' `<Line>` (recharts finds its
 * lines by element type, so the line itself cannot be wrapped in a component).
 */
export function curveStepLineProps(id: string, dataKey: 'value' | 'compare', name: string, stroke: string) {
  const compare = dataKey === 'compare'
  return {
    id,
    className: compare ? 'curve-line-compare' : 'curve-line-value',
    dataKey,
    name,
    type: stepAfterRounded,
    stroke,
    strokeWidth: compare ? 1.25 : 1.5,
    strokeDasharray: compare ? '5 4' : undefined,
    dot: false,
    isAnimationActive: false,
    connectNulls: false,
  }
}

export type TickProps = { x: number; y: number; payload: { value: number } }

/**
 * The props of a time x-axis (epoch ms on `t`, fixed domain and ticks, labels from `label`), spread
 * onto recharts' XAxis: recharts finds its axes by element type, so a wrapper component would not do.
 */
export function timeAxisProps(from: number, to: number, ticks: number[], label: (ms: number) => string) {
  return {
    dataKey: 't',
    type: 'number' as const,
    domain: [from, to],
    ticks,
    allowDataOverflow: true,
    interval: 0,
    tick: (props: TickProps) => <AxisTick {...props} anchor="middle" dy={14} text={label(props.payload.value)} />,
    tickLine: { stroke: '#d1d5db' },
    axisLine: { stroke: '#d1d5db' },
  }
}

/**
 * Axis labels as plain SVG text. Recharts' own tick text measures strings in the DOM, which the
 * server cannot do, so its positions would differ between the server HTML and hydration.
 */
export function AxisTick({ x, y, dy, anchor, text }: { x: number; y: number; dy: number; anchor: 'middle' | 'end'; text: string }) {
  return (
    <text x={anchor === 'end' ? x - 2 : x} y={y} dy={dy} textAnchor={anchor} fontSize={11} fill="#4b5563">
      {text}
    </text>
  )
}


/**
 * The width of the chart's box: `initial` on the server and at first render (charts render at
 * a fixed default size in the HTML), then measured in the browser and kept current on resize.
 */
export function useChartWidth(initial: number): [RefObject<HTMLDivElement>, number] {
  const box = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(initial)
  useEffect(() => {
    const el = box.current
    if (!el) return
    const measure = () => setWidth(Math.max(320, Math.floor(el.clientWidth)))
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  return [box, width]
}

/** A price as an axis label: $/MWh with two decimals, whole prices without them ("45", "45.50"). */
export const priceTickLabel = (value: number) => formatPrice(value).replace(/\.00$/, '')

/**
 * The props of a value y-axis (labels from `format`, no tick lines, no axis line), spread onto
 * recharts' YAxis for the same reason as timeAxisProps.
 */
export function valueAxisProps(format: (value: number) => string) {
  return {
    width: 56,
    interval: 0 as const,
    tick: (props: TickProps) => <AxisTick {...props} anchor="end" dy={4} text={format(props.payload.value)} />,
    tickLine: false,
    axisLine: false,
  }
}

const yearLabel = (ms: number) => String(new Date(ms).getUTCFullYear())

/**
 * The box and width of a chart over time (useChartWidth) and the props of its x-axis: from the
 * first to the last point's `t`, a tick at year starts, about one per 80 px (at least 4).
 */
export function useYearAxis(points: readonly { t: number }[], initialWidth: number) {
  const [box, width] = useChartWidth(initialWidth)
  const from = points[0]?.t ?? 0
  const to = points.at(-1)?.t ?? 0
  const ticks = yearTicks(from, to, Math.max(4, Math.floor(width / 80)))
  return { box, width, xAxis: timeAxisProps(from, to, ticks, yearLabel) }
}

/**
 * One entry of a chart's legend: the swatch (`swatch` adds its modifier classes, e.g.
 * `legend-swatch-dashed`; `style` its colour) and the label.
 */
export function LegendItem({ swatch, style, children }: { swatch?: string; style?: CSSProperties; children: ReactNode }) {
  return (
    <span className="legend-item">
      <span className={swatch ? `legend-swatch ${swatch}` : 'legend-swatch'} style={style} aria-hidden="true" />
      {children}
    </span>
  )
}
