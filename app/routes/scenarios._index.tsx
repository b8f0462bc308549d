import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { RunStatusTag } from '#app/components/scenario/run-status.tsx'
import { loadScenarioList } from '#app/utils/scenarios.server.ts'
import { newScenarioHref, runHref, scenarioHref } from '#app/utils/scenarios.ts'

export const meta: MetaFunction = () => [
  { title: 'Scenarios · 254Carbon' },
  { name: 'description', content: 'Fuel, load, policy and build assumptions run through a fundamentals model monthly to 2050.' },
]

/** The scenarios the user can see (house + own organization) and the latest runs (audited as hub:scenarios). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadScenarioList(request, context)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : '—')

function ScenarioTable({ scenarios }: { scenarios: Data['scenarios'] }) {
  return (
    <div className="table-scroll">
      <table className="data-table scenario-list">
        <caption>Scenarios you can run: the house ones (254Carbon) and your organization&rsquo;s</caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Scenario
            </th>
            <th scope="col" className="text">
              Extends
            </th>
            <th scope="col" className="text">
              Owner
            </th>
            <th scope="col" className="num">
              Version
            </th>
            <th scope="col" className="time">
              Updated
            </th>
            <th scope="col" className="text">
              Last run
            </th>
          </tr>
        </thead>
        <tbody>
          {scenarios.map((s) => (
            <tr key={s.id} data-scenario={s.name}>
              <th scope="row" className="text">
                <Link to={scenarioHref(s.id)}>{s.name}</Link>
              </th>
              <td className="text">{s.extends ?? <span className="muted">—</span>}</td>
              <td className="text">{s.owner === 'house' ? <span className="tag">House</span> : 'Your organization'}</td>
              <td className="num">v{s.latestVersion}</td>
              <td className="time">{when(s.updatedAt)}</td>
              <td className="text">
                {s.lastRun ? (
                  <Link to={runHref(s.lastRun.runId)} className="scenario-run-link">
                    <RunStatusTag status={s.lastRun.status} /> {when(s.lastRun.finishedAt)}
                  </Link>
                ) : (
                  <span className="muted">Not run yet</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function RunTable({ runs }: { runs: Data['runs'] }) {
  return (
    <div className="table-scroll">
      <table className="data-table scenario-runs">
        <caption>Latest runs (newest first)</caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Run
            </th>
            <th scope="col" className="text">
              Scenario
            </th>
            <th scope="col" className="text">
              Mode
            </th>
            <th scope="col" className="text">
              Status
            </th>
            <th scope="col" className="time">
              Requested
            </th>
            <th scope="col" className="time">
              Finished
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.runId} data-run={r.runId}>
              <th scope="row" className="text mono">
                <Link to={runHref(r.runId)} title={`Run ${r.runId}`}>
                  {r.runId.slice(0, 12)}
                </Link>
              </th>
              <td className="text">
                {r.scenarioName} <span className="muted">v{r.version}</span>
              </td>
              <td className="text">{r.mode === 'montecarlo' ? 'Monte Carlo' : 'Deterministic'}</td>
              <td className="text">
                <RunStatusTag status={r.status} progress={r.progress} />
              </td>
              <td className="time">{when(r.requestedAt)}</td>
              <td className="time">{when(r.finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function ScenariosIndex() {
  const { scenarios, runs } = useLoaderData<typeof loader>()
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / <span aria-current="page">Scenarios</span>
          </p>
          <h1>Scenarios</h1>
          <p className="page-lede">
            Change fuel, load, policy and build assumptions, run the fundamentals model monthly to 2050, and compare prices per hub and block.
            Runs are reproducible: the same scenario, base data and engine give the same run id and the same numbers.
          </p>
        </div>
        <div className="curve-actions">
          <Link className="button button-primary" to={newScenarioHref('base')}>
            New scenario
          </Link>
        </div>
      </header>

      <section className="panel" aria-labelledby="scenarios-title">
        <div className="panel-header">
          <h2 id="scenarios-title">Scenarios</h2>
        </div>
        {scenarios.length > 0 ? (
          <ScenarioTable scenarios={scenarios} />
        ) : (
          <EmptyState title="No scenario yet">
            <p>
              The house <code>base</code> scenario appears once the platform has loaded it. <Link to={newScenarioHref('base')}>Write your own</Link>.
            </p>
          </EmptyState>
        )}
      </section>

      <section className="panel" aria-labelledby="runs-title">
        <div className="panel-header">
          <h2 id="runs-title">Runs</h2>
        </div>
        {runs.length > 0 ? (
          <RunTable runs={runs} />
        ) : (
          <EmptyState title="No runs yet">
            <p>Open a scenario and press Run: its prices to 2050 appear here.</p>
          </EmptyState>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
