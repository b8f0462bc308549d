import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { LanguageHelp } from '#app/components/scenario/language-help.tsx'
import { PageHeader } from '#app/components/scenario/page-parts.tsx'
import { ScenarioForm } from '#app/components/scenario/scenario-form.tsx'
import { loadNewScenario, submitScenario } from '#app/utils/scenarios.server.ts'

export const meta: MetaFunction = () => [{ title: 'New scenario · 254Carbon' }]

/** A starter text extending `?extends=` (default base), and the texts `extends` may name. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadNewScenario(request, context)
}

/** Saves the first version (and with Run, runs it); a refusal comes back with its diagnostics. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return submitScenario(request, context, params)
}

export default function NewScenario() {
  const { text, parents } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  return (
    <div className="page">
      <PageHeader
        trail={[{ to: '/scenarios', label: 'Scenarios' }]}
        here="New"
        title="New scenario"
        lede="Name it on the first line and change what differs from its parent; everything else comes from the parent. Problems are underlined as you type and listed under the editor. Your scenarios are private to your organization."
      />
      <section className="panel scenario-editor-panel" aria-label="Editor">
        <ScenarioForm editorKey="new" text={text} parents={parents} file="scenario" house={false} answer={answer} />
      </section>
      <LanguageHelp />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
