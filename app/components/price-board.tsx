import type { MarketRun } from '@carbon/schemas'
import { Link } from '@remix-run/react'
import { Fragment } from 'react'
import type { BoardPrice, BoardRow } from '#app/utils/board.ts'
import { formatAge, isStaleAt, priceAge, STALE_GRACE_MS, type LiveOverlay } from '#app/utils/board-live.ts'
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

/**
 * Rows grouped by node type, in the order they came (hubs first); within a group, rows whose
 * price in `run` is stale sink to the end so the live ones read as one block.
 */
function groupByType(rows: BoardRow[], run: MarketRun): [string, BoardRow[]][] {
  const newest = newestEnd(rows, run)
  const groups = new Map<string, BoardRow[]>()
  for (const row of rows) {
    const list = groups.get(row.type) ?? []
    list.push(row)
    groups.set(row.type, list)
  }
  const rank = (r: BoardRow) => (!r.prices[run] || isStale(r.prices[run], newest) ? 1 : 0)
  return [...groups.entries()].map(([type, list]) => [type, [...list].sort((a, b) => rank(a) - rank(b))])
}

const STALE_MS = 24 * 3_600_000

/** The newest interval end of a run across the board (what "current" means for staleness). */
function newestEnd(rows: BoardRow[], run: MarketRun): number {
  let newest = 0
  for (const r of rows) {
    const end = r.prices[run]?.intervalEnd
    if (end) newest = Math.max(newest, Date.parse(end))
  }
  return newest
}

function isStale(price: BoardPrice | undefined, newest: number): boolean {
  return Boolean(price && newest - Date.parse(price.intervalEnd) > STALE_MS)
}

/** Splits rows into those with a price in any of the runs and the names of those without. */
function withPrices(rows: BoardRow[], runs: MarketRun[]): { shown: BoardRow[]; missing: string[] } {
  const shown = rows.filter((r) => runs.some((run) => r.prices[run]))
  const missing = rows.filter((r) => !runs.some((run) => r.prices[run])).map((r) => r.node)
  return { shown, missing }
}

function MissingNote({ missing, runs }: { missing: string[]; runs: string }) {
  if (missing.length === 0) return null
  return (
    <p className="table-note">
      No {runs} prices for {missing.length} more node{missing.length === 1 ? '' : 's'}: {missing.join(', ')}.
    </p>
  )
}

const DAY_STALE_NOTE = 'More than a day older than the latest interval of this run'

function IntervalCell({
  price,
  timeZone,
  stale = false,
  staleNote = DAY_STALE_NOTE,
}: {
  price: BoardPrice | undefined
  timeZone: string
  stale?: boolean
  staleNote?: string
}) {
  if (!price) return <td className="time muted">—</td>
  return (
    <td className={stale ? 'time stale' : 'time'}>
      <time dateTime={price.intervalStart} title={`${formatInZone(price.intervalStart, timeZone)} – ${formatInZone(price.intervalEnd, timeZone, 'time')} ${zoneLabel(timeZone, price.intervalStart)}`}>
        {formatInZone(price.intervalStart, timeZone, 'short')}
      </time>
      {stale ? <span className="stale-tag" title={staleNote}>stale</span> : null}
    </td>
  )
}

/** The LMP; after a live update it flashes green or red (keyed by the update, so each one restarts the flash). */
function LmpCell({ price, flash }: { price: BoardPrice | undefined; flash?: { moved: string; seq: number } }) {
  return (
    <td className={price && price.lmp < 0 ? 'num strong negative-price' : 'num strong'}>
      {flash ? (
        <span key={flash.seq} className={`live-flash live-flash-${flash.moved}`}>
          {formatPrice(price?.lmp)}
        </span>
      ) : (
        formatPrice(price?.lmp)
      )}
    </td>
  )
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
  const { shown, missing } = withPrices(rows, ['DA', rtRun])
  const newestDa = newestEnd(rows, 'DA')
  const newestRt = newestEnd(rows, rtRun)
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
          {groupByType(shown, rtRun).map(([type, group]) => (
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
                    <IntervalCell price={da} timeZone={timeZone} stale={isStale(da, newestDa)} />
                    <LmpCell price={rt} />
                    <td className="num">
                      <PriceChange value={rt?.change} />
                    </td>
                    <IntervalCell price={rt} timeZone={timeZone} stale={isStale(rt, newestRt)} />
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
      <MissingNote missing={missing} runs={`DA or ${rtRun}`} />
    </div>
  )
}

/** What a live board adds to the run table: the clock, the run's cadence and the live updates received. */
export type RunTableLive = {
  /** Now (ms): the loader's time until the page is hydrated, then a ticking clock. */
  now: number
  /** One interval of the run: a value older than this plus STALE_GRACE_MS is stale. */
  cadenceMs: number
  overlay: LiveOverlay
}

/**
 * The market page's table for one run: latest LMP and its components (energy, congestion,
 * loss, and GHG where the market reports it), change, interval, its age and a 24-hour
 * sparkline. Rows carry data-node, data-lmp and data-interval-start (the shown value), which
 * the live page updates in place.
 */
export function RunTable({
  marketId,
  timeZone,
  run,
  rows,
  live,
}: {
  marketId: string
  timeZone: string
  run: MarketRun
  rows: BoardRow[]
  live: RunTableLive
}) {
  const zone = zoneLabel(timeZone)
  const { shown, missing } = withPrices(rows, [run])
  const showGhg = rows.some((r) => r.prices[run]?.ghg != null)
  const columns = showGhg ? 12 : 11
  const minutes = Math.round(live.cadenceMs / 60_000)
  const staleNote = `No newer price for more than ${minutes + STALE_GRACE_MS / 60_000} minutes (one ${minutes}-minute interval plus 5)`
  return (
    <div className="table-scroll">
      <table className="data-table board-table live-board">
        <caption>
          {marketId} {RUN_LABELS[run].toLowerCase()} ({run}) — latest interval per node, $/MWh; times in {zone}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="text">Node</th>
            <th scope="col" className="time">Interval ({zone})</th>
            <th scope="col" className="time" title="Time since the interval ended">Age</th>
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
          {groupByType(shown, run).map(([type, group]) => (
            <Fragment key={type}>
              <tr className="group-row">
                <th scope="colgroup" colSpan={columns}>
                  {TYPE_LABELS[type] ?? type}
                </th>
              </tr>
              {group.map((row) => {
                const p = row.prices[run]
                const href = nodeHref(marketId, row.node)
                const stale = isStaleAt(p, live.now, live.cadenceMs)
                const cell = live.overlay[row.node]
                const flash = cell && p === cell.price ? cell : undefined
                return (
                  <tr key={row.node} data-node={row.node} data-lmp={p?.lmp} data-interval-start={p ? new Date(p.intervalStart).toISOString() : undefined}>
                    <th scope="row" className="text node-cell">
                      <Link to={href} prefetch="intent" className="node-link">
                        {row.node}
                      </Link>
                    </th>
                    <IntervalCell price={p} timeZone={timeZone} stale={stale} staleNote={staleNote} />
                    <td className={stale ? 'time age stale' : 'time age'}>{p ? formatAge(priceAge(p, live.now)) : '—'}</td>
                    <LmpCell price={p} flash={flash} />
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
      <MissingNote missing={missing} runs={run} />
    </div>
  )
}
