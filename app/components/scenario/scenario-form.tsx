import { Form, useNavigation } from '@remix-run/react'
import { useState, type Ref } from 'react'
import type { DiagnosticLike } from '#app/utils/scenarios.ts'
import type { ParentText } from './scenario-check.ts'
import { ScenarioEditor, type ScenarioEditorHandle } from './scenario-editor.tsx'

/** What the action answered when it refused (the ScenarioAnswer of scenarios.server.ts). */
export type FormAnswer = { ok: false; message: string; diagnostics: DiagnosticLike[]; text: string } | undefined

type ScenarioFormProps = {
  /** Remounts the editor when the page shows another scenario or version. */
  editorKey: string
  text: string
  parents: ParentText[]
  file: string
  /** A house scenario: read-only, run as it is. */
  house: boolean
  answer: FormAnswer
  /** Set to the editor's handle, for controls outside the form that add to the text (the fleet check). */
  editorHandle?: Ref<ScenarioEditorHandle>
}

/**
 * The editor with Save and Run (one POST form, so both work without JavaScript): Save stores a new
 * version; Run saves first, then asks for a run with the chosen mode (a Monte Carlo run draws gas
 * and load around the scenario: draws and seed make it reproducible).
 */
export function ScenarioForm({ editorKey, text, parents, file, house, answer, editorHandle }: ScenarioFormProps) {
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting' && navigation.formMethod?.toLowerCase() === 'post'
  const intent = busy ? navigation.formData?.get('intent') : null
  const [mode, setMode] = useState<'deterministic' | 'montecarlo'>('deterministic')
  return (
    <Form method="post" className="scenario-form" aria-label="Scenario">
      {answer ? (
        <div className="flash flash-error scenario-answer" role="alert">
          <strong>{answer.message}</strong>
        </div>
      ) : null}
      <ScenarioEditor
        key={editorKey}
        id="scenario-text"
        name="text"
        label={house ? 'Scenario text (house scenario: read only)' : 'Scenario text'}
        initialText={answer?.text ?? text}
        parents={parents}
        file={file}
        readOnly={house}
        serverDiagnostics={answer?.diagnostics.length ? answer.diagnostics : undefined}
        handle={editorHandle}
      />
      <div className="scenario-actions">
        <fieldset className="field-set scenario-mode">
          <legend>Run mode</legend>
          <div className="checks">
            <label className="check">
              <input type="radio" name="mode" value="deterministic" checked={mode === 'deterministic'} onChange={() => setMode('deterministic')} /> Deterministic
            </label>
            <label className="check">
              <input type="radio" name="mode" value="montecarlo" checked={mode === 'montecarlo'} onChange={() => setMode('montecarlo')} /> Monte Carlo (P10–P90 bands)
            </label>
          </div>
        </fieldset>
        <div className="field scenario-mc-field">
          <label htmlFor="run-draws">Draws</label>
          <input id="run-draws" name="draws" type="number" min={10} max={2000} step={1} placeholder="200" disabled={mode !== 'montecarlo'} />
        </div>
        <div className="field scenario-mc-field">
          <label htmlFor="run-seed">Seed</label>
          <input id="run-seed" name="seed" type="number" min={0} step={1} placeholder="1" disabled={mode !== 'montecarlo'} />
        </div>
        <div className="field-actions scenario-buttons">
          {house ? null : (
            <button type="submit" name="intent" value="save" className="button" disabled={busy}>
              {intent === 'save' ? 'Saving…' : 'Save'}
            </button>
          )}
          <button type="submit" name="intent" value="run" className="button button-primary" disabled={busy}>
            {intent === 'run' ? 'Starting the run…' : house ? 'Run' : 'Save and run'}
          </button>
        </div>
      </div>
    </Form>
  )
}
