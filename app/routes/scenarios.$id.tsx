import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useRef } from 'react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadFleetCheck } from '#app/utils/fleet-check.server.ts'
import { FleetCheckPanel } from '#app/components/scenario/fleet-check.tsx'
import { LanguageHelp } from '#app/components/scenario/language-help.tsx'
import { column, DataTable, PageHeader, Panel, type Column } from '#app/components/scenario/page-parts.tsx'
import { RunTable } from '#app/components/scenario/run-table.tsx'
import type { ScenarioEditorHandle } from '#app/components/scenario/scenario-editor.tsx'
import { ScenarioForm } from '#app/components/scenario/scenario-form.tsx'
import { loadScenario, submitScenario } from '#app/utils/scenarios.server.ts'
import { newScenarioHref, scenarioHref, shortId, utcMinute } from '#app/utils/scenarios.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.scenario.name} · Scenarios · 254Carbon` : 'Scenario not found · 254Carbon' }]

/**
 * One scenario at a version (default the latest) with its versions and runs (audited as
 * hub:scenario), and the fleet check of that version as saved (its canonical form) against the
 * stored EIA-860M inventory (audited apart).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const page = await loadScenario(request, context, params)
  const { scenario } = page
  const fleet = await loadFleetCheck(request, context, { text: scenario.canonical, parents: [], saved: { id: scenario.id, version: scenario.version } })
  return { ...page, fleet }
}

/** Save (a new version when the text changed) or save and run; a refusal comes back with its diagnostics. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return submitScenario(request, context, params)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

const VERSION_COLUMNS: Column[] = [column('Version'), column('Saved', 'time'), column('By'), column('Canonical hash')]

function Versions({ scenario }: { scenario: Data['scenario'] }) {
  return (
    <DataTable
      className="scenario-versions"
      caption="Versions (newest first) · the hash is the SHA-256 of the resolved assumptions in canonical form"
      columns={VERSION_COLUMNS}
    >
      {scenario.versions.map((v) => (
        <tr key={v.version} data-version={v.version} className={v.version === scenario.version ? 'scenario-version-current' : undefined}>
          <th scope="row" className="text">
            {v.version === scenario.version ? (
              <span aria-current="page">v{v.version} (shown)</span>
            ) : (
              <Link to={scenarioHref(scenario.id, v.version)}>v{v.version}</Link>
            )}
          </th>
          <td className="time">{utcMinute(v.createdAt)}</td>
          <td className="text">{v.createdByLabel}</td>
          <td className="text mono" title={v.canonicalHash}>
            {shortId(v.canonicalHash)}
          </td>
        </tr>
      ))}
    </DataTable>
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
  return <RunTable runs={runs} caption="Runs of this scenario (newest first)" across={false} />
}

export default function ScenarioPage() {
  const { scenario, parents, fleet } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const editor = useRef<ScenarioEditorHandle>(null)
  const house = scenario.owner === 'house'
  const latest = scenario.versions[0]?.version ?? scenario.version
  return (
    <div className="page" data-scenario={scenario.name} data-version={scenario.version}>
      <PageHeader
        trail={[{ to: '/scenarios', label: 'Scenarios' }]}
        here={scenario.name}
        title={
          <>
            {scenario.name}{' '}
            <span className="h1-sub">
              {house ? 'house scenario' : 'your organization'} · v{scenario.version}
              {scenario.version !== latest ? ` (latest v${latest})` : ''}
            </span>
          </>
        }
        lede={
          <>
            {scenario.extends ? (
              <>
                Extends <strong>{scenario.extends}</strong> ·{' '}
              </>
            ) : (
              'A root scenario · '
            )}
            canonical hash <span className="mono" title={scenario.canonicalHash}>{shortId(scenario.canonicalHash)}</span>
          </>
        }
        aside={
          <div className="curve-actions">
            <Link className="button" to={newScenarioHref(scenario.name)}>
              New scenario extending this
            </Link>
          </div>
        }
      />

      <section className="panel scenario-editor-panel" aria-label="Editor">
        <ScenarioForm
          editorKey={`${scenario.id}:${scenario.version}`}
          text={scenario.text}
          parents={parents}
          file={scenario.name}
          house={house}
          answer={answer}
          editorHandle={editor}
        />
      </section>

      <FleetCheckPanel check={fleet} onAdd={house ? undefined : (line) => editor.current?.append(line)} />

      <Panel id="runs-title" title="Runs">
        <Runs runs={scenario.runs} />
      </Panel>

      <Panel id="versions-title" title="Versions">
        <Versions scenario={scenario} />
        <details className="scenario-canonical">
          <summary>Canonical form of v{scenario.version} (what is hashed)</summary>
          <pre className="mono">{scenario.canonical}</pre>
        </details>
      </Panel>

      <LanguageHelp />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
