import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { column, DataTable, PageHeader, Panel, type Column } from '#app/components/scenario/page-parts.tsx'
import { PriceDeltaChart } from '#app/components/scenario/scenario-charts.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import { changeDirection, formatChange, formatPrice } from '#app/utils/format.ts'
import { loadCompare } from '#app/utils/scenarios.server.ts'
import { compareHref, runHref, SCENARIO_BLOCK_LABELS, SCENARIO_BLOCKS, type RunQuery, type ScenarioBlock } from '#app/utils/scenarios.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.b.name} against ${data.a.name} · Scenarios · 254Carbon` : 'Compare runs · 254Carbon' },
]

/** Two runs (b against a): assumption changes and one market's price change by year (audited as hub:scenario-compare). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadCompare(request, context)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

const blockLabel = (b: string) => SCENARIO_BLOCK_LABELS[b as ScenarioBlock] ?? b

function ChangeCell({ value, suffix = '' }: { value: number | null; suffix?: string }) {
  const direction = changeDirection(value)
  return (
    <td className={direction === 'up' ? 'num pos' : direction === 'down' ? 'num neg' : 'num'}>
      {formatChange(value)}
      {value !== null && suffix ? suffix : ''}
    </td>
  )
}

function RunLabel({ run }: { run: Data['a'] }) {
  return (
    <Link to={runHref(run.runId)} title={`Run ${run.runId}`}>
      {run.name} v{run.version}
      {run.mode === 'montecarlo' ? ' (Monte Carlo)' : ''}
    </Link>
  )
}

function Assumptions({ data }: { data: Data }) {
  if (data.assumptions.length === 0) {
    return (
      <EmptyState title="Same assumptions">
        <p>Both runs resolve to the same statements: any price difference comes from the run mode, draws or seed.</p>
      </EmptyState>
    )
  }
  const columns = [column('Target'), column(`${data.a.name} v${data.a.version}`), column(`${data.b.name} v${data.b.version}`)]
  return (
    <DataTable className="scenario-assumptions" caption="Statements that differ (canonical form)" columns={columns}>
      {data.assumptions.map((change) => (
        <tr key={change.target} data-target={change.target}>
          <th scope="row" className="text mono">
            {change.target}
          </th>
          <td className="text mono scenario-statement">{change.a ?? <span className="muted">— (not set)</span>}</td>
          <td className="text mono scenario-statement">{change.b ?? <span className="muted">— (not set)</span>}</td>
        </tr>
      ))}
    </DataTable>
  )
}

/** The price columns of both runs and their change (the summary and the years tables end with them). */
function priceColumns(data: Data): Column[] {
  return [column(data.a.name, 'num'), column(data.b.name, 'num'), column('Change', 'num')]
}

function SummaryTable({ data }: { data: Data }) {
  const columns = [column('Hub'), column('Block'), ...priceColumns(data)]
  return (
    <DataTable className="scenario-compare-summary" caption={`${data.market} mean of the monthly prices 2030–2035, $/MWh`} columns={columns}>
      {data.summary.map((row) => (
        <tr key={`${row.hub}:${row.block}`} data-hub={row.hub} data-block={row.block}>
          <th scope="row" className="text">
            {row.hub}
          </th>
          <td className="text">{blockLabel(row.block)}</td>
          <td className="num">{formatPrice(row.a)}</td>
          <td className="num">{formatPrice(row.b)}</td>
          <ChangeCell value={row.delta} />
        </tr>
      ))}
    </DataTable>
  )
}

function YearsTable({ data }: { data: Data }) {
  const columns = [column('Year'), ...priceColumns(data), column('Change %', 'num')]
  return (
    <DataTable
      className="scenario-delta-table"
      caption={
        <>
          {data.market} {data.hub} {blockLabel(data.block).toLowerCase()} by year (mean of the monthly prices), $/MWh · change = {data.b.name} − {data.a.name}
        </>
      }
      columns={columns}
    >
      {data.years.map((y) => (
        <tr key={y.year} data-year={y.year}>
          <th scope="row" className="text">
            {y.year}
          </th>
          <td className="num">{formatPrice(y.a)}</td>
          <td className="num">{formatPrice(y.b)}</td>
          <ChangeCell value={y.delta} />
          <ChangeCell value={y.deltaPct} suffix=" %" />
        </tr>
      ))}
    </DataTable>
  )
}

export default function CompareRuns() {
  const data = useLoaderData<typeof loader>()
  const base: Partial<RunQuery> = { market: data.market, hub: data.hub, block: data.block }
  const href = (q: Partial<RunQuery>) => compareHref(data.a.runId, data.b.runId, { ...base, ...q })
  const label = `${data.hub ?? ''} ${blockLabel(data.block).toLowerCase()}`
  return (
    <div className="page scenario-compare-page" data-a={data.a.runId} data-b={data.b.runId}>
      <PageHeader
        trail={[{ to: '/scenarios', label: 'Scenarios' }]}
        here="Compare"
        title={
          <>
            {data.b.name} <span className="h1-sub">against {data.a.name}</span>
          </>
        }
        lede={
          <>
            <RunLabel run={data.b} /> compared with <RunLabel run={data.a} /> · changes are {data.b.name} minus {data.a.name} ·{' '}
            <Link to={compareHref(data.b.runId, data.a.runId, base)}>Swap</Link>
          </>
        }
      />

      <Panel
        id="assumptions-title"
        title="Assumptions"
        meta={data.assumptions.length === 1 ? '1 statement differs' : `${data.assumptions.length} statements differ`}
      >
        <Assumptions data={data} />
      </Panel>

      <div className="toolbar" role="group" aria-label="View options">
        <Segmented label="Market" current={data.market} options={data.markets.map((m) => ({ value: m, label: m, href: href({ market: m, hub: null }) }))} />
        <Segmented label="Hub" current={data.hub ?? ''} options={data.hubs.map((h) => ({ value: h, label: h, href: href({ hub: h }) }))} />
        <Segmented label="Block" current={data.block} options={SCENARIO_BLOCKS.map((b) => ({ value: b, label: blockLabel(b), href: href({ block: b }) }))} />
      </div>

      <Panel
        id="delta-title"
        title="Price change"
        className="chart-panel"
        meta={
          <>
            {data.market} {label}
          </>
        }
      >
        {data.years.length > 0 ? (
          <PriceDeltaChart rows={data.years} label={`${data.market} ${label}`} title={`${data.market} ${label}: price change by year, ${data.b.name} against ${data.a.name}`} />
        ) : (
          <p className="muted panel-empty">These runs have no {data.market} prices.</p>
        )}
      </Panel>

      <Panel id="summary-title" title="2030–2035">
        <SummaryTable data={data} />
      </Panel>

      <Panel id="years-title" title="By year">
        <YearsTable data={data} />
      </Panel>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
