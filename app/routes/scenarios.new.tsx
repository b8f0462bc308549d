import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useRef } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadFleetCheck } from '#app/utils/fleet-check.server.ts'
import { FleetCheckPanel } from '#app/components/scenario/fleet-check.tsx'
import { LanguageHelp } from '#app/components/scenario/language-help.tsx'
import { PageHeader } from '#app/components/scenario/page-parts.tsx'
import type { ScenarioEditorHandle } from '#app/components/scenario/scenario-editor.tsx'
import { ScenarioForm } from '#app/components/scenario/scenario-form.tsx'
import { loadNewScenario, submitScenario } from '#app/utils/scenarios.server.ts'

export const meta: MetaFunction = () => [{ title: 'New scenario · 254Carbon' }]

/**
 * A starter text extending `?extends=` (default base), the texts `extends` may name, and the fleet
 * check of that text (its parent's fleet) against the stored EIA-860M inventory (audited apart).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const page = await loadNewScenario(request, context)
  const fleet = await loadFleetCheck(request, context, { text: page.text, parents: page.parents })
  return { ...page, fleet }
}

/** Saves the first version (and with Run, runs it); a refusal comes back with its diagnostics. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return submitScenario(request, context, params)
}

export default function NewScenario() {
  const { text, parents, fleet } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const editor = useRef<ScenarioEditorHandle>(null)
  return (
    <div className="page">
      <PageHeader
        trail={[{ to: '/scenarios', label: 'Scenarios' }]}
        here="New"
        title="New scenario"
        lede="Name it on the first line and change what differs from its parent; everything else comes from the parent. Problems are underlined as you type and listed under the editor. Your scenarios are private to your organization."
      />
      <section className="panel scenario-editor-panel" aria-label="Editor">
        <ScenarioForm editorKey="new" text={text} parents={parents} file="scenario" house={false} answer={answer} editorHandle={editor} />
      </section>
      <FleetCheckPanel check={fleet} onAdd={(line) => editor.current?.append(line)} />
      <LanguageHelp />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
