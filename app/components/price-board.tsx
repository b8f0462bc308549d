import type { MarketRun } from '@carbon/schemas'
import { Link } from '@remix-run/react'
import { Fragment } from 'react'
import type { BoardPrice, BoardRow } from '#app/utils/board.ts'
import { formatPrice } from '#app/utils/format.ts'
import { nodeHref } from '#app/utils/node-view.ts'
import { formatInZone, zoneLabel } from '#app/utils/time.ts'
import { PriceChange } from './price-change.tsx'
import { Sparkline } from './sparkline.tsx'

export const RUN_LABELS: Record<MarketRun, string> = {
  DA: 'Day-ahead',
  RT5: 'Real-time 5-min',
  RT15: 'Real-time 15-min',
  RTH: 'Real-time hourly',
}

const TYPE_LABELS: Record<string, string> = { hub: 'Hubs', zone: 'Load zones', generator: 'Generators', interface: 'Interfaces' }

/** Rows grouped by node type, in the order they came (hubs first). */
function groupByType(rows: BoardRow[]): [string, BoardRow[]][] {
  const groups = new Map<string, BoardRow[]>()
  for (const row of rows) {
    const list = groups.get(row.type) ?? []
    list.push(row)
    groups.set(row.type, list)
  }
  return [...groups.entries()]
}

function IntervalCell({ price, timeZone }: { price: BoardPrice | undefined; timeZone: string }) {
  if (!price) return <td className="time muted">—</td>
  return (
    <td className="time">
      <time dateTime={price.intervalStart} title={`${formatInZone(price.intervalStart, timeZone)} – ${formatInZone(price.intervalEnd, timeZone, 'time')} ${zoneLabel(timeZone, price.intervalStart)}`}>
        {formatInZone(price.intervalStart, timeZone, 'short')}
      </time>
    </td>
  )
}

function LmpCell({ price }: { price: BoardPrice | undefined }) {
  return <td className={price && price.lmp < 0 ? 'num strong negative-price' : 'num strong'}>{formatPrice(price?.lmp)}</td>
}

/**
 * The overview board of one market: each hub and zone with the latest DA and real-time LMP,
 * the change vs the previous interval, the interval start (market clock) and a 24-hour
 * real-time sparkline. Every node name links to its node page.
 */
export function OverviewTable({
  marketId,
  timeZone,
  rows,
  rtRun,
}: {
  marketId: string
  timeZone: string
  rows: BoardRow[]
  rtRun: MarketRun
}) {
  const zone = zoneLabel(timeZone)
  return (
    <div className="table-scroll">
      <table className="data-table board-table">
        <caption>
          {marketId} hubs and zones — latest day-ahead and {RUN_LABELS[rtRun].toLowerCase()} LMP, $/MWh; times in {zone}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="text">Node</th>
            <th scope="col" className="num">DA</th>
            <th scope="col" className="num">Δ</th>
            <th scope="col" className="time">DA hour ({zone})</th>
            <th scope="col" className="num">{rtRun}</th>
            <th scope="col" className="num">Δ</th>
            <th scope="col" className="time">{rtRun} interval ({zone})</th>
            <th scope="col" className="spark">{rtRun} 24h</th>
          </tr>
        </thead>
        <tbody>
          {groupByType(rows).map(([type, group]) => (
            <Fragment key={type}>
              <tr className="group-row">
                <th scope="colgroup" colSpan={8}>
                  {TYPE_LABELS[type] ?? type}
                </th>
              </tr>
              {group.map((row) => {
                const da = row.prices.DA
                const rt = row.prices[rtRun]
                return (
                  <tr key={row.node}>
                    <th scope="row" className="text node-cell">
                      <Link to={nodeHref(marketId, row.node)} prefetch="intent" className="node-link">
                        {row.node}
                      </Link>
                    </th>
                    <LmpCell price={da} />
                    <td className="num">
                      <PriceChange value={da?.change} />
                    </td>
                    <IntervalCell price={da} timeZone={timeZone} />
                    <LmpCell price={rt} />
                    <td className="num">
                      <PriceChange value={rt?.change} />
                    </td>
                    <IntervalCell price={rt} timeZone={timeZone} />
                    <td className="spark">
                      <Sparkline values={rt?.sparkline ?? []} label={`${row.node} ${rtRun} LMP, hourly, last 24 hours`} />
                    </td>
                  </tr>
                )
              })}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * The market page's table for one run: latest LMP and its components (energy, congestion,
 * loss, and GHG where the market reports it), change, interval and a 24-hour sparkline.
 */
export function RunTable({
  marketId,
  timeZone,
  run,
  rows,
}: {
  marketId: string
  timeZone: string
  run: MarketRun
  rows: BoardRow[]
}) {
  const zone = zoneLabel(timeZone)
  const showGhg = rows.some((r) => r.prices[run]?.ghg != null)
  const columns = showGhg ? 11 : 10
  return (
    <div className="table-scroll">
      <table className="data-table board-table">
        <caption>
          {marketId} {RUN_LABELS[run].toLowerCase()} ({run}) — latest interval per node, $/MWh; times in {zone}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="text">Node</th>
            <th scope="col" className="time">Interval ({zone})</th>
            <th scope="col" className="num">LMP</th>
            <th scope="col" className="num">Δ prev.</th>
            <th scope="col" className="num">Prev.</th>
            <th scope="col" className="num">Energy</th>
            <th scope="col" className="num">Congestion</th>
            <th scope="col" className="num">Loss</th>
            {showGhg ? <th scope="col" className="num">GHG</th> : null}
            <th scope="col" className="spark">24h</th>
            <th scope="col" className="text">
              <span className="sr-only">History</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {groupByType(rows).map(([type, group]) => (
            <Fragment key={type}>
              <tr className="group-row">
                <th scope="colgroup" colSpan={columns}>
                  {TYPE_LABELS[type] ?? type}
                </th>
              </tr>
              {group.map((row) => {
                const p = row.prices[run]
                const href = nodeHref(marketId, row.node)
                return (
                  <tr key={row.node}>
                    <th scope="row" className="text node-cell">
                      <Link to={href} prefetch="intent" className="node-link">
                        {row.node}
                      </Link>
                    </th>
                    <IntervalCell price={p} timeZone={timeZone} />
                    <LmpCell price={p} />
                    <td className="num">
                      <PriceChange value={p?.change} />
                    </td>
                    <td className="num muted">{formatPrice(p?.previousLmp)}</td>
                    <td className="num">{formatPrice(p?.energy)}</td>
                    <td className="num">{formatPrice(p?.congestion)}</td>
                    <td className="num">{formatPrice(p?.loss)}</td>
                    {showGhg ? <td className="num">{formatPrice(p?.ghg)}</td> : null}
                    <td className="spark">
                      <Sparkline values={p?.sparkline ?? []} label={`${row.node} ${run} LMP, hourly, last 24 hours`} />
                    </td>
                    <td className="text">
                      <Link to={`${href}${run === 'DA' ? '' : `?rt=${run}`}`} className="row-action" aria-label={`${row.node} history`}>
                        History →
                      </Link>
                    </td>
                  </tr>
                )
              })}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}
