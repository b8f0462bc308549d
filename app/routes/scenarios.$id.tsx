import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { LanguageHelp } from '#app/components/scenario/language-help.tsx'
import { RunStatusTag } from '#app/components/scenario/run-status.tsx'
import { ScenarioForm } from '#app/components/scenario/scenario-form.tsx'
import { loadScenario, submitScenario } from '#app/utils/scenarios.server.ts'
import { newScenarioHref, runHref, scenarioHref, shortId } from '#app/utils/scenarios.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.scenario.name} · Scenarios · 254Carbon` : 'Scenario not found · 254Carbon' }]

/** One scenario at a version (default the latest) with its versions and runs (audited as hub:scenario). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadScenario(request, context, params)
}

/** Save (a new version when the text changed) or save and run; a refusal comes back with its diagnostics. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return submitScenario(request, context, params)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : '—')

function Versions({ scenario }: { scenario: Data['scenario'] }) {
  return (
    <div className="table-scroll">
      <table className="data-table scenario-versions">
        <caption>Versions (newest first) · the hash is the SHA-256 of the resolved assumptions in canonical form</caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Version
            </th>
            <th scope="col" className="time">
              Saved
            </th>
            <th scope="col" className="text">
              By
            </th>
            <th scope="col" className="text">
              Canonical hash
            </th>
          </tr>
        </thead>
        <tbody>
          {scenario.versions.map((v) => (
            <tr key={v.version} data-version={v.version} className={v.version === scenario.version ? 'scenario-version-current' : undefined}>
              <th scope="row" className="text">
                {v.version === scenario.version ? (
                  <span aria-current="page">v{v.version} (shown)</span>
                ) : (
                  <Link to={scenarioHref(scenario.id, v.version)}>v{v.version}</Link>
                )}
              </th>
              <td className="time">{when(v.createdAt)}</td>
              <td className="text">{v.createdByLabel}</td>
              <td className="text mono" title={v.canonicalHash}>
                {shortId(v.canonicalHash)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Runs({ runs }: { runs: Data['scenario']['runs'] }) {
  if (runs.length === 0) {
    return (
      <EmptyState title="No runs yet">
        <p>Press Run above: the model prices the scenario monthly to 2050 (a deterministic run takes about a second).</p>
      </EmptyState>
    )
  }
  return (
    <div className="table-scroll">
      <table className="data-table scenario-runs">
        <caption>Runs of this scenario (newest first)</caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Run
            </th>
            <th scope="col" className="text">
              Version
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
              <td className="text">v{r.version}</td>
              <td className="text">{r.mode === 'montecarlo' ? 'Monte Carlo' : 'Deterministic'}</td>
              <td className="text">
                <RunStatusTag status={r.status} progress={r.progress} />
              </td>
              <td className="time">{when(r.requestedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function ScenarioPage() {
  const { scenario, parents } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const house = scenario.owner === 'house'
  const latest = scenario.versions[0]?.version ?? scenario.version
  return (
    <div className="page" data-scenario={scenario.name} data-version={scenario.version}>
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/scenarios">Scenarios</Link> / <span aria-current="page">{scenario.name}</span>
          </p>
          <h1>
            {scenario.name}{' '}
            <span className="h1-sub">
              {house ? 'house scenario' : 'your organization'} · v{scenario.version}
              {scenario.version !== latest ? ` (latest v${latest})` : ''}
            </span>
          </h1>
          <p className="page-lede">
            {scenario.extends ? (
              <>
                Extends <strong>{scenario.extends}</strong> ·{' '}
              </>
            ) : (
              'A root scenario · '
            )}
            canonical hash <span className="mono" title={scenario.canonicalHash}>{shortId(scenario.canonicalHash)}</span>
          </p>
        </div>
        <div className="curve-actions">
          <Link className="button" to={newScenarioHref(scenario.name)}>
            New scenario extending this
          </Link>
        </div>
      </header>

      <section className="panel scenario-editor-panel" aria-label="Editor">
        <ScenarioForm
          editorKey={`${scenario.id}:${scenario.version}`}
          text={scenario.text}
          parents={parents}
          file={scenario.name}
          house={house}
          answer={answer}
        />
      </section>

      <section className="panel" aria-labelledby="runs-title">
        <div className="panel-header">
          <h2 id="runs-title">Runs</h2>
        </div>
        <Runs runs={scenario.runs} />
      </section>

      <section className="panel" aria-labelledby="versions-title">
        <div className="panel-header">
          <h2 id="versions-title">Versions</h2>
        </div>
        <Versions scenario={scenario} />
        <details className="scenario-canonical">
          <summary>Canonical form of v{scenario.version} (what is hashed)</summary>
          <pre className="mono">{scenario.canonical}</pre>
        </details>
      </section>

      <LanguageHelp />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
