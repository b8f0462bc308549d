import { memo, useMemo } from 'react'
import { formatInZone, zoneLabel } from '#app/utils/time.ts'
import { Segmented, type SegmentOption } from '../segmented.tsx'
import { EmptyState } from '../empty-state.tsx'
import { fuelStyle, SERIES_COLORS } from './products.ts'
import { SeriesChart, type ChartSeries } from './series-chart.tsx'
import { formatValue, mergePoints, pointTime, type Period } from './series-view.ts'

type ValueRow = Period & { value: number }

/** What the market page's loader sends (hub-products.server.ts FundamentalsView, serialized). */
export type FundamentalsData = {
  respondents: { code: string; name: string; via: string | null }[]
  respondent: { code: string; name: string; via: string | null } | null
  window: { from: string; to: string } | null
  unit: string
  demand: ValueRow[]
  fuels: { code: string; name: string; values: ValueRow[] }[]
}

/** The fuels in stacking order (steady sources at the bottom), each with its colour. */
export function fuelSeries(fuels: readonly { code: string; name: string }[]): ChartSeries[] {
  return [...fuels]
    .sort((a, b) => fuelStyle(a.code).order - fuelStyle(b.code).order || a.code.localeCompare(b.code))
    .map((f) => ({ key: f.code, label: f.name, color: fuelStyle(f.code).color, kind: 'area' as const }))
}

/**
 * A market's fundamentals on its page: one EIA-930 respondent's hourly demand and net generation
 * by energy source (stacked) over the last days of data held, hour ending in the market's clock.
 * The respondent is named; a member of the Western Energy Imbalance Market shown under CAISO says
 * why it is there. An empty state when the market holds none. Memoized: the market page re-renders
 * on every live price, and this section only needs to when its data changes.
 */
export const Fundamentals = memo(function Fundamentals({
  data,
  marketLabel,
  timeZone,
  run,
  days,
}: {
  data: FundamentalsData
  marketLabel: string
  timeZone: string
  /** The market page's run, kept when another respondent is chosen. */
  run: string
  days: number
}) {
  const { respondent, window, unit } = data
  const demand = useMemo(() => mergePoints({ demand: data.demand.map((v) => ({ t: pointTime(v, 'hour'), value: v.value })) }), [data.demand])
  const generation = useMemo(
    () => mergePoints(Object.fromEntries(data.fuels.map((f) => [f.code, f.values.map((v) => ({ t: pointTime(v, 'hour'), value: v.value }))]))),
    [data.fuels],
  )
  const stack = useMemo(() => fuelSeries(data.fuels), [data.fuels])
  const latestDemand = data.demand.at(-1)
  const zone = window ? zoneLabel(timeZone, window.to) : zoneLabel(timeZone)
  const options: SegmentOption[] = data.respondents.map((r) => ({ value: r.code, label: r.code, href: `?run=${run}&ba=${r.code}`, title: r.name }))
  return (
    <section className="panel fundamentals" aria-labelledby="fundamentals-title">
      <header className="panel-header">
        <h2 id="fundamentals-title">
          Fundamentals <span className="panel-subtitle">EIA-930 hourly demand and generation by fuel, last {days} days of data held</span>
        </h2>
        {data.respondents.length > 1 ? <Segmented label="Balancing authority" current={respondent?.code ?? ''} options={options} /> : null}
      </header>
      {!respondent ? (
        <EmptyState title={data.respondents.length === 0 ? `No EIA-930 fundamentals stored for ${marketLabel} yet` : 'No such balancing authority here'}>
          {data.respondents.length === 0
            ? 'Hourly demand and net generation by fuel of the balancing authorities that map to this market appear once the EIA-930 ingest has run.'
            : `Choose one of ${data.respondents.map((r) => r.code).join(', ')}.`}
        </EmptyState>
      ) : (
        <div className="fundamentals-body" data-respondent={respondent.code}>
          <p className="fundamentals-respondent">
            EIA-930 respondent: <strong>{respondent.name}</strong> (<span className="mono">{respondent.code}</span>)
            {latestDemand ? (
              <>
                {' '}
                · demand {formatValue(latestDemand.value, unit)} {unit} in the hour ending{' '}
                <time dateTime={latestDemand.periodEnd}>{formatInZone(latestDemand.periodEnd, timeZone, 'datetime')}</time> {zoneLabel(timeZone, latestDemand.periodEnd)}
              </>
            ) : null}
          </p>
          {respondent.via === 'WEIM' ? (
            <p className="notice fundamentals-note" role="note">
              {respondent.name} is not inside {marketLabel}&rsquo;s balancing area: it takes part in the Western Energy Imbalance Market, which{' '}
              {marketLabel} operates, so its real-time imbalance is dispatched and priced by {marketLabel}&rsquo;s market and its fundamentals are
              shown here.
            </p>
          ) : null}
          {window && demand.length > 0 ? (
            <SeriesChart
              points={demand}
              series={[{ key: 'demand', label: `${respondent.code} demand`, color: SERIES_COLORS.demand, kind: 'line' }]}
              from={Date.parse(window.from)}
              to={Date.parse(window.to)}
              period="hour"
              timeZone={timeZone}
              unit={unit}
              note={`${unit} per hour · hour ending, ${zone}`}
              title={`${respondent.name} hourly demand`}
              height={220}
            />
          ) : (
            <p className="muted panel-empty">No hourly demand of {respondent.code} stored.</p>
          )}
          {window && stack.length > 0 ? (
            <SeriesChart
              points={generation}
              series={stack}
              from={Date.parse(window.from)}
              to={Date.parse(window.to)}
              period="hour"
              timeZone={timeZone}
              unit={unit}
              note={`${unit} per hour, stacked · hour ending, ${zone}`}
              title={`${respondent.name} net generation by fuel`}
              height={260}
            />
          ) : (
            <p className="muted panel-empty">No net generation by fuel of {respondent.code} stored.</p>
          )}
        </div>
      )}
    </section>
  )
})
