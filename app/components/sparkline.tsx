import { formatPrice } from '#app/utils/format.ts'

type SparklineProps = {
  values: number[]
  width?: number
  height?: number
  /** What the line shows, for screen readers ("RT5 LMP, last 24 hours"). */
  label: string
}

/**
 * A small inline SVG line (server-rendered, no chart library): the last point is marked, a dashed
 * rule marks zero when the range crosses it. Direction is shown by the line color.
 */
export function Sparkline({ values, width = 112, height = 26, label }: SparklineProps) {
  if (values.length < 2) {
    return <span className="sparkline-empty" aria-label={`${label}: not enough data`}>—</span>
  }
  const pad = 2.5
  const min = Math.min(...values)
  const max = Math.max(...values)
  const span = max - min || 1
  const x = (i: number) => pad + (i * (width - 2 * pad)) / (values.length - 1)
  const y = (v: number) => pad + (1 - (v - min) / span) * (height - 2 * pad)
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
  const first = values[0]!
  const last = values[values.length - 1]!
  const trend = last > first ? 'up' : last < first ? 'down' : 'flat'
  const area = `${x(0).toFixed(1)},${(height - pad).toFixed(1)} ${points} ${x(values.length - 1).toFixed(1)},${(height - pad).toFixed(1)}`
  const description = `${label}: from ${formatPrice(first)} to ${formatPrice(last)}, low ${formatPrice(min)}, high ${formatPrice(max)}`
  return (
    <svg
      className={`sparkline sparkline-${trend}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={description}
    >
      <title>{description}</title>
      <polygon className="sparkline-area" points={area} />
      {min < 0 && max > 0 ? (
        <line className="sparkline-zero" x1={pad} x2={width - pad} y1={y(0)} y2={y(0)} />
      ) : null}
      <polyline className="sparkline-line" points={points} />
      <circle className="sparkline-dot" cx={x(values.length - 1)} cy={y(last)} r={2} />
    </svg>
  )
}
