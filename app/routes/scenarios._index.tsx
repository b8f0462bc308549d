import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { column, DataTable, PageHeader, Panel, type Column } from '#app/components/scenario/page-parts.tsx'
import { RunStatusTag } from '#app/components/scenario/run-status.tsx'
import { RunTable } from '#app/components/scenario/run-table.tsx'
import { loadScenarioList } from '#app/utils/scenarios.server.ts'
import { newScenarioHref, runHref, scenarioHref, utcMinute } from '#app/utils/scenarios.ts'

export const meta: MetaFunction = () => [
  { title: 'Scenarios · 254Carbon' },
  { name: 'description', content: 'Fuel, load, policy and build assumptions run through a fundamentals model monthly to 2050.' },
]

/** The scenarios the user can see (house + own organization) and the latest runs (audited as hub:scenarios). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadScenarioList(request, context)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

const SCENARIO_COLUMNS: Column[] = [column('Scenario'), column('Extends'), column('Owner'), column('Version', 'num'), column('Updated', 'time'), column('Last run')]

function ScenarioTable({ scenarios }: { scenarios: Data['scenarios'] }) {
  return (
    <DataTable className="scenario-list" caption={<>Scenarios you can run: the house ones (254Carbon) and your organization&rsquo;s</>} columns={SCENARIO_COLUMNS}>
      {scenarios.map((s) => (
        <tr key={s.id} data-scenario={s.name}>
          <th scope="row" className="text">
            <Link to={scenarioHref(s.id)}>{s.name}</Link>
          </th>
          <td className="text">{s.extends ?? <span className="muted">—</span>}</td>
          <td className="text">{s.owner === 'house' ? <span className="tag">House</span> : 'Your organization'}</td>
          <td className="num">v{s.latestVersion}</td>
          <td className="time">{utcMinute(s.updatedAt)}</td>
          <td className="text">
            {s.lastRun ? (
              <Link to={runHref(s.lastRun.runId)} className="scenario-run-link">
                <RunStatusTag status={s.lastRun.status} /> {utcMinute(s.lastRun.finishedAt)}
              </Link>
            ) : (
              <span className="muted">Not run yet</span>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  )
}

export default function ScenariosIndex() {
  const { scenarios, runs } = useLoaderData<typeof loader>()
  return (
    <div className="page">
      <PageHeader
        trail={[{ to: '/', label: 'Overview' }]}
        here="Scenarios"
        title="Scenarios"
        lede="Change fuel, load, policy and build assumptions, run the fundamentals model monthly to 2050, and compare prices per hub and block. Runs are reproducible: the same scenario, base data and engine give the same run id and the same numbers."
        aside={
          <div className="curve-actions">
            <Link className="button button-primary" to={newScenarioHref('base')}>
              New scenario
            </Link>
          </div>
        }
      />

      <Panel id="scenarios-title" title="Scenarios">
        {scenarios.length > 0 ? (
          <ScenarioTable scenarios={scenarios} />
        ) : (
          <EmptyState title="No scenario yet">
            <p>
              The house <code>base</code> scenario appears once the platform has loaded it. <Link to={newScenarioHref('base')}>Write your own</Link>.
            </p>
          </EmptyState>
        )}
      </Panel>

      <Panel id="runs-title" title="Runs">
        {runs.length > 0 ? (
          <RunTable runs={runs} caption="Latest runs (newest first)" across />
        ) : (
          <EmptyState title="No runs yet">
            <p>Open a scenario and press Run: its prices to 2050 appear here.</p>
          </EmptyState>
        )}
      </Panel>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
