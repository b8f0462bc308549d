import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { LineagePanel } from '#app/components/scenario/lineage-panel.tsx'
import { column, DataTable, PageHeader, Panel } from '#app/components/scenario/page-parts.tsx'
import { RunProgress } from '#app/components/scenario/run-status.tsx'
import { CapacityChart, GenerationMixChart, ScenarioPriceChart } from '#app/components/scenario/scenario-charts.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import { formatPrice } from '#app/utils/format.ts'
import { loadRun } from '#app/utils/scenarios.server.ts'
import { columnKey, runHref, SCENARIO_BLOCK_LABELS, SCENARIO_BLOCKS, scenarioHref, utcMinute, type RunQuery, type ScenarioBlock } from '#app/utils/scenarios.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Run ${data.run.runId.slice(0, 12)} of ${data.run.scenario.name} · 254Carbon` : 'Run not found · 254Carbon' },
]

/**
 * A run: status and progress while it runs (the page reloads its data every 500 ms), then one
 * market's results (the query's, entitled on the hub channel; audited as hub:scenario-run).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadRun(request, context, params)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>
type Results = NonNullable<Data['results']>

const blockLabel = (b: string) => SCENARIO_BLOCK_LABELS[b as ScenarioBlock] ?? b

function SummaryCards({ summary }: { summary: Data['run']['summary'] }) {
  if (summary.length === 0) return null
  return (
    <dl className="cards scenario-summary" aria-label="Average 2030 to 2035">
      {summary.map((row) => (
        <div className="card" key={`${row.market}:${row.hub}:${row.block}`} data-hub={row.hub} data-block={row.block}>
          <dt>
            {row.hub} · {blockLabel(row.block)}
          </dt>
          <dd>
            <span className="card-value">{formatPrice(row.avg2030to2035)}</span> <span className="muted">avg 2030–2035</span>
          </dd>
        </div>
      ))}
    </dl>
  )
}

function AnnualTable({ annual, market }: { annual: Results['annual']; market: string }) {
  const columns = [column('Year'), ...annual.columns.map((c) => column(`${c.hub} ${blockLabel(c.block)}`, 'num', c.key))]
  return (
    <DataTable className="scenario-annual" caption={`${market} yearly averages of the monthly prices, $/MWh`} columns={columns}>
      {annual.years.map((y) => (
        <tr key={y.year} data-year={y.year}>
          <th scope="row" className="text">
            {y.year}
          </th>
          {annual.columns.map((c) => (
            <td className="num" key={c.key} data-column={columnKey(c.hub, c.block)}>
              {formatPrice(y.values[c.key])}
            </td>
          ))}
        </tr>
      ))}
    </DataTable>
  )
}

function ComparePicker({ data }: { data: Data }) {
  if (data.others.length === 0) {
    return <p className="muted">No other finished run to compare with yet.</p>
  }
  return (
    <Form method="get" action="/scenarios/compare" className="inline-form scenario-compare-form">
      <input type="hidden" name="b" value={data.run.runId} />
      {data.market ? <input type="hidden" name="market" value={data.market} /> : null}
      <label htmlFor="compare-with">Compare with</label>
      <select id="compare-with" name="a" defaultValue={data.others.find((r) => r.owner === 'house')?.runId ?? data.others[0]?.runId}>
        {data.others.map((r) => (
          <option key={r.runId} value={r.runId}>
            {r.scenarioName} v{r.version} · {r.mode === 'montecarlo' ? 'Monte Carlo' : 'deterministic'} · {r.runId.slice(0, 8)}
          </option>
        ))}
      </select>
      <button type="submit" className="button">
        Compare
      </button>
    </Form>
  )
}

function ResultsView({ data, results }: { data: Data; results: Results }) {
  const market = data.market ?? ''
  const base: Partial<RunQuery> = { market: data.query.market, hub: data.query.hub, block: data.query.block }
  const href = (q: Partial<RunQuery>) => runHref(data.run.runId, { ...base, ...q })
  const block = data.query.block
  const label = `${results.hub ?? ''} ${blockLabel(block).toLowerCase()}`
  return (
    <>
      <div className="toolbar" role="group" aria-label="View options">
        <Segmented label="Market" current={market} options={data.markets.map((m) => ({ value: m, label: m, href: href({ market: m, hub: null }) }))} />
        <Segmented label="Hub" current={results.hub ?? ''} options={results.hubs.map((h) => ({ value: h, label: h, href: href({ hub: h }) }))} />
        <Segmented label="Block" current={block} options={SCENARIO_BLOCKS.map((b) => ({ value: b, label: blockLabel(b), href: href({ block: b }) }))} />
      </div>
      <Panel
        id="prices-title"
        title="Prices to 2050"
        className="chart-panel"
        meta={
          <>
            {market} {label} · monthly{results.bands ? ' · P10–P90 band from the Monte Carlo draws' : ''}
          </>
        }
      >
        {results.series.length > 0 ? (
          <ScenarioPriceChart points={results.series} label={label} bands={results.bands} title={`${market} ${label} prices by month to 2050`} />
        ) : (
          <p className="muted panel-empty">This run has no {market} prices.</p>
        )}
      </Panel>
      <Panel id="annual-title" title="Yearly averages">
        <AnnualTable annual={results.annual} market={market} />
      </Panel>
      <Panel id="mix-title" title="Generation mix" className="chart-panel" meta={`${market} · by technology, per year`}>
        {results.generation.length > 0 ? (
          <GenerationMixChart points={results.generation} technologies={results.technologies} title={`${market} generation by technology per year`} />
        ) : (
          <p className="muted panel-empty">This run has no {market} generation.</p>
        )}
      </Panel>
      <Panel id="capacity-title" title="Capacity" className="chart-panel" meta={`${market} · installed by technology at each year’s end`}>
        {results.capacity.length > 0 ? (
          <CapacityChart points={results.capacity} technologies={results.technologies} title={`${market} installed capacity by technology per year`} />
        ) : (
          <p className="muted panel-empty">This run has no {market} capacity.</p>
        )}
      </Panel>
    </>
  )
}

export default function RunPage() {
  const data = useLoaderData<typeof loader>()
  const { run, results } = data
  return (
    <div className="page scenario-run-page" data-run={run.runId} data-status={run.status}>
      <PageHeader
        trail={[
          { to: '/scenarios', label: 'Scenarios' },
          { to: scenarioHref(run.scenario.id, run.scenario.version), label: run.scenario.name },
        ]}
        here={`Run ${run.runId.slice(0, 12)}`}
        title={
          <>
            {run.scenario.name} v{run.scenario.version} <span className="h1-sub">run {run.runId.slice(0, 12)}</span>
          </>
        }
        lede={
          <>
            {run.mode === 'montecarlo' ? `Monte Carlo, ${run.draws ?? '—'} draws (seed ${run.seed ?? '—'})` : 'Deterministic'} · requested {utcMinute(run.requestedAt)}
            {run.finishedAt ? ` · finished ${utcMinute(run.finishedAt)}` : ''}
          </>
        }
      />

      {run.status === 'queued' || run.status === 'running' ? (
        <section className="panel scenario-progress-panel" aria-label="Progress">
          <RunProgress status={run.status} progress={run.progress} mode={run.mode} />
        </section>
      ) : null}

      {run.status === 'failed' ? (
        <div className="flash flash-error scenario-run-failed" role="alert">
          <strong>The run failed.</strong> {run.error ?? 'The worker gave no reason.'}
        </div>
      ) : null}

      {run.status === 'done' ? (
        <>
          <SummaryCards summary={run.summary} />
          <section className="panel scenario-compare-panel" aria-label="Compare">
            <ComparePicker data={data} />
          </section>
          {results ? (
            <ResultsView data={data} results={results} />
          ) : (
            <EmptyState title="No market to show">
              <p>Your organization is entitled to no market in the hub, so no results are shown.</p>
            </EmptyState>
          )}
        </>
      ) : null}

      <LineagePanel runId={run.runId} inputsHash={run.inputsHash} mode={run.mode} draws={run.draws} seed={run.seed} lineage={run.lineage} />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
