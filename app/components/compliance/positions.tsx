import { formatPrice } from '#app/utils/format.ts'
import type { CompliancePosition } from '#server/services/compliance/schemas.ts'

/**
 * The positions of one program (per compliance year and class) as a table, and the position by
 * year as a bar chart. Both render on the server; neither needs JavaScript.
 */

const MINUS = '\u2212'
const units = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const dollars = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** Whole certificates with a real minus sign: "−10,000". */
export function formatUnits(value: number): string {
  const text = units.format(Math.abs(value))
  return value < 0 ? `${MINUS}${text}` : text
}

/** Dollars to the cent with a real minus sign, or an em dash: "−312,500.00". */
export function formatDollars(value: number | null): string {
  if (value === null) return '—'
  const text = dollars.format(Math.abs(value))
  return value < 0 && text !== '0.00' ? `${MINUS}$${text}` : `$${text}`
}

const tone = (value: number) => (value < 0 ? 'neg' : value > 0 ? 'pos' : undefined)

/** `2026-06-01 – 2027-05-31`: the compliance year's first and last day. */
function yearSpan(p: Pick<CompliancePosition, 'periodStart' | 'periodEnd'>): string {
  const last = new Date(Date.parse(`${p.periodEnd}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
  return `${p.periodStart} – ${last}`
}

export function PositionsTable({ positions, caption }: { positions: readonly CompliancePosition[]; caption: string }) {
  const unit = positions[0]?.unit ?? ''
  return (
    <div className="table-scroll">
      <table className="data-table compliance-positions">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Year</th>
            <th scope="col">Class</th>
            <th scope="col" className="num">
              Obligation ({unit})
            </th>
            <th scope="col" className="num">
              Retired
            </th>
            <th scope="col" className="num">
              Remaining
            </th>
            <th scope="col" className="num">
              Holdings
            </th>
            <th scope="col" className="num">
              Position
            </th>
            <th scope="col" className="num">
              Price ($/{unit})
            </th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col" className="num">
              Shortfall cost
            </th>
          </tr>
        </thead>
        <tbody>
          {positions.map((p) => {
            const excluded = p.excluded.reduce((n, lot) => n + lot.quantity, 0)
            return (
              <tr key={`${p.program}-${p.period}-${p.class}`} data-period={p.period} data-class={p.class}>
                <th scope="row" title={yearSpan(p)}>
                  {p.period}
                </th>
                <td className="text mono">{p.class}</td>
                <td className="num">{formatUnits(p.obligation)}</td>
                <td className="num">{formatUnits(p.retired)}</td>
                <td className="num">{formatUnits(p.remainingObligation)}</td>
                <td className="num">
                  {formatUnits(p.holdings)}
                  {excluded > 0 ? (
                    <span className="field-hint" title={p.excluded.map((lot) => `${lot.quantity} of vintage ${lot.vintage}: ${lot.reason}`).join('\n')}>
                      {' '}
                      (+{formatUnits(excluded)} not eligible)
                    </span>
                  ) : null}
                </td>
                <td className={`num strong ${tone(p.position) ?? ''}`}>{formatUnits(p.position)}</td>
                <td className="num">
                  {p.price === null ? (
                    <span className="muted" title={p.valuationNote ?? undefined}>
                      —
                    </span>
                  ) : (
                    <>
                      {formatPrice(p.price)}
                      <span className="field-hint">
                        {' '}
                        {p.priceSeries} · <time dateTime={p.priceAsOf ?? undefined}>{p.priceAsOf}</time>
                      </span>
                    </>
                  )}
                </td>
                <td className={`num ${p.value === null ? '' : (tone(p.value) ?? '')}`}>{p.value === null ? <span className="muted">{p.valuationNote}</span> : formatDollars(p.value)}</td>
                <td className="num">{formatDollars(p.shortfallCost)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

const CHART = { width: 640, height: 200, top: 16, bottom: 28, left: 64, right: 12 }
const CLASS_FILLS = ['var(--accent)', 'var(--da)', 'var(--rt)', 'var(--muted)']

/**
 * Position by compliance year, one bar per class (above the line: long, below: short), drawn as
 * plain SVG on the server. The table beside it carries the same numbers for screen readers.
 */
export function PositionChart({ positions }: { positions: readonly CompliancePosition[] }) {
  const periods = [...new Set(positions.map((p) => p.period))].sort((a, b) => a - b)
  const classes = [...new Set(positions.map((p) => p.class))]
  const max = Math.max(1, ...positions.map((p) => Math.abs(p.position)))
  const plotHeight = CHART.height - CHART.top - CHART.bottom
  const zeroY = CHART.top + plotHeight / 2
  const scale = plotHeight / 2 / max
  const slot = (CHART.width - CHART.left - CHART.right) / Math.max(1, periods.length)
  const barWidth = Math.min(40, (slot * 0.7) / classes.length)
  const unit = positions[0]?.unit ?? ''
  const summary = periods
    .map((period) => `${period}: ${positions.filter((p) => p.period === period).map((p) => `${p.class} ${formatUnits(p.position)}`).join(', ')}`)
    .join('; ')
  return (
    <figure className="chart-panel compliance-chart">
      <svg viewBox={`0 0 ${CHART.width} ${CHART.height}`} width="100%" role="img" aria-label={`Position by compliance year (${unit}): ${summary}`}>
        <title>Position by compliance year</title>
        {[max, 0, -max].map((v) => (
          <g key={v}>
            <line x1={CHART.left} x2={CHART.width - CHART.right} y1={zeroY - v * scale} y2={zeroY - v * scale} stroke={v === 0 ? '#6b7280' : '#dde3ea'} />
            <text x={CHART.left - 6} y={zeroY - v * scale + 4} textAnchor="end" fontSize="11" fill="#4b5563">
              {formatUnits(v)}
            </text>
          </g>
        ))}
        {periods.map((period, i) => {
          const center = CHART.left + slot * (i + 0.5)
          return (
            <g key={period}>
              {classes.map((className, j) => {
                const p = positions.find((x) => x.period === period && x.class === className)
                if (!p) return null
                const h = Math.abs(p.position) * scale
                const x = center - (classes.length * barWidth) / 2 + j * barWidth
                return (
                  <rect key={className} x={x} y={p.position >= 0 ? zeroY - h : zeroY} width={barWidth - 2} height={Math.max(h, 1)} style={{ fill: CLASS_FILLS[j % CLASS_FILLS.length] }}>
                    <title>{`${period} ${className}: ${formatUnits(p.position)} ${unit}`}</title>
                  </rect>
                )
              })}
              <text x={center} y={CHART.height - 8} textAnchor="middle" fontSize="11" fill="#374151">
                {period}
              </text>
            </g>
          )
        })}
      </svg>
      <figcaption className="chart-legend">
        {classes.map((className, j) => (
          <span key={className} className="legend-item">
            <span className="legend-swatch" style={{ background: CLASS_FILLS[j % CLASS_FILLS.length], height: 10 }} aria-hidden="true" />
            {className}
          </span>
        ))}
        <span className="legend-note">Above the line: long; below: short ({unit}).</span>
      </figcaption>
    </figure>
  )
}
