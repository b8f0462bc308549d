import { formatInteger, formatPrice } from '#app/utils/format.ts'

type Summary = {
  count: number
  min: number | null
  max: number | null
  atc: number | null
  onPeak: number | null
  offPeak: number | null
}

const CARDS = [
  { key: 'atc', label: 'ATC', hint: 'Around-the-clock average' },
  { key: 'onPeak', label: 'On-peak', hint: 'Average of on-peak hours (market peak definition, NERC holidays off-peak)' },
  { key: 'offPeak', label: 'Off-peak', hint: 'Average of off-peak hours' },
  { key: 'min', label: 'Min', hint: 'Lowest interval LMP in the range' },
  { key: 'max', label: 'Max', hint: 'Highest interval LMP in the range' },
] as const

/** ATC, on-peak, off-peak, min and max of the range, DA and real-time side by side. */
export function SummaryCards({ da, rt, rtRun }: { da: Summary | null; rt: Summary | null; rtRun: string }) {
  const spread = da?.atc != null && rt?.atc != null ? da.atc - rt.atc : null
  return (
    <dl className="cards" aria-label="Range summary, $/MWh">
      {CARDS.map((card) => (
        <div className="card" key={card.key} title={card.hint}>
          <dt>{card.label}</dt>
          <dd>
            <span className="card-row">
              <span className="card-run card-run-da">DA</span>
              <span className="card-value">{formatPrice(da?.[card.key])}</span>
            </span>
            <span className="card-row">
              <span className="card-run card-run-rt">{rtRun}</span>
              <span className="card-value">{formatPrice(rt?.[card.key])}</span>
            </span>
          </dd>
        </div>
      ))}
      <div className="card" title="Day-ahead ATC minus real-time ATC">
        <dt>DA−RT (ATC)</dt>
        <dd>
          <span className={`card-value card-value-big ${spread == null ? '' : spread >= 0.005 ? 'pos' : spread <= -0.005 ? 'neg' : ''}`}>
            {spread == null ? '—' : `${spread > 0 ? '+' : ''}${formatPrice(spread)}`}
          </span>
          <span className="card-foot">
            {formatInteger(da?.count ?? 0)} DA · {formatInteger(rt?.count ?? 0)} {rtRun} intervals
          </span>
        </dd>
      </div>
    </dl>
  )
}
