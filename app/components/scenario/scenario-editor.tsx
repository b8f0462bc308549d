import { completions } from '@carbon/scenario/language'
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react'
import { diagnosticText, type DiagnosticLike } from '#app/utils/scenarios.ts'
import { makeScenarioChecker, type ParentText } from './scenario-check.ts'

/**
 * The scenario editor. The server renders a plain textarea holding the text (readable, and the
 * form posts it without JavaScript); in the browser CodeMirror 6 mounts over it (loaded on demand)
 * with the scenario highlighter and a linter that runs the same parser as the server
 * (packages/scenario/src/language) on every change, 150 ms after the last keystroke: errors are
 * underlined in the text and listed below the editor with their line and column; while typing a
 * word, the language's keywords, targets, units, technologies and markets are suggested. The textarea stays
 * in the form (hidden) and follows the editor, so Save and Run post what is on screen.
 */

export const LINT_DELAY_MS = 150

/** What a page may do to the editor's text from outside it (the fleet check's "Add to scenario"). */
export type ScenarioEditorHandle = { append(line: string): void }

/** `text` with `line` as its new last line: one line break before it unless the text is empty or ends with one, one after. */
export function appendLine(text: string, line: string): string {
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`
  return `${body}${line}\n`
}

type EditorProps = {
  /** The textarea's id (the label points at it) and form field name. */
  id: string
  name: string
  label: string
  initialText: string
  /** Scenarios this one may extend (house + own organization), for `extends` in the browser. */
  parents: ParentText[]
  /** The file name diagnostics carry (`file:line:col`). */
  file: string
  readOnly?: boolean
  /** Diagnostics the server returned (a refused save), shown until the browser checks the text itself. */
  serverDiagnostics?: DiagnosticLike[]
  /** Set to the editor's handle (append a line), for controls outside the form. */
  handle?: Ref<ScenarioEditorHandle>
}

type CodeMirrorView = { destroy(): void; dispatch(spec: unknown): void; focus(): void; state: { doc: { toString(): string } } }

export function ScenarioEditor({ id, name, label, initialText, parents, file, readOnly = false, serverDiagnostics, handle }: EditorProps) {
  const host = useRef<HTMLDivElement>(null)
  const textarea = useRef<HTMLTextAreaElement>(null)
  const view = useRef<CodeMirrorView | null>(null)
  const [mounted, setMounted] = useState(false)
  const [diagnostics, setDiagnostics] = useState<DiagnosticLike[] | null>(serverDiagnostics ?? null)
  const check = useMemo(() => makeScenarioChecker(parents, file), [parents, file])
  const checkRef = useRef(check)
  checkRef.current = check
  const listId = `${id}-problems`
  const labelId = `${id}-label`

  useEffect(() => {
    let cancelled = false
    const parent = host.current
    if (!parent) return
    void mountCodeMirror({
      parent,
      doc: textarea.current?.value ?? initialText,
      labelledBy: labelId,
      describedBy: listId,
      readOnly,
      lint: (text) => {
        const found = checkRef.current(text)
        if (!cancelled) setDiagnostics(found)
        return found
      },
      onChange: (text) => {
        if (textarea.current) textarea.current.value = text
      },
    }).then((created) => {
      if (cancelled) {
        created.destroy()
        return
      }
      view.current = created
      setMounted(true)
    })
    return () => {
      cancelled = true
      view.current?.destroy()
      view.current = null
    }
    // Mounted once per page: the text lives in the editor from then on.
  }, [])

  // Appended in CodeMirror once mounted (its change listener updates the textarea, and the linter checks it), else in the textarea.
  useImperativeHandle(
    handle,
    () => ({
      append(line: string) {
        const v = view.current
        if (!v) {
          if (textarea.current) textarea.current.value = appendLine(textarea.current.value, line)
          return
        }
        const doc = v.state.doc.toString()
        v.dispatch({ changes: { from: doc.length, insert: appendLine(doc, line).slice(doc.length) }, scrollIntoView: true })
      },
    }),
    [],
  )

  const jumpTo = useCallback((d: DiagnosticLike) => {
    const v = view.current
    if (!v) return
    v.dispatch({ selection: { anchor: d.from, head: Math.max(d.from, d.to) }, scrollIntoView: true })
    v.focus()
  }, [])

  return (
    <div className="scenario-editor" data-editor={mounted ? 'codemirror' : 'plain'}>
      {/* Once the editor is mounted, the label names it (aria-labelledby) and a click on it focuses it. */}
      <label htmlFor={id} id={labelId} className="scenario-editor-label" onClick={() => view.current?.focus()}>
        {label}
      </label>
      <textarea
        ref={textarea}
        id={id}
        name={name}
        defaultValue={initialText}
        readOnly={readOnly}
        rows={Math.min(30, Math.max(10, initialText.split('\n').length + 2))}
        spellCheck={false}
        autoComplete="off"
        className="scenario-textarea mono"
        hidden={mounted}
        aria-describedby={listId}
      />
      <div ref={host} className="scenario-editor-host" hidden={!mounted} />
      <DiagnosticList id={listId} diagnostics={diagnostics} checked={mounted} onJump={jumpTo} />
    </div>
  )
}

function DiagnosticList({
  id,
  diagnostics,
  checked,
  onJump,
}: {
  id: string
  diagnostics: DiagnosticLike[] | null
  checked: boolean
  onJump: (d: DiagnosticLike) => void
}) {
  const count = diagnostics?.length ?? 0
  return (
    <div id={id} className="scenario-problems" aria-live="polite" data-problems={diagnostics ? count : undefined}>
      {diagnostics === null || (!checked && count === 0) ? null : count === 0 ? (
        <p className="scenario-problems-ok">No problems: the scenario is valid.</p>
      ) : (
        <>
          <p className="scenario-problems-title">
            {count === 1 ? '1 problem' : `${count} problems`}
          </p>
          <ul className="scenario-problem-list">
            {diagnostics.map((d, i) => (
              <li key={`${d.from}:${d.to}:${i}`} className="scenario-problem" data-line={d.line} data-col={d.col}>
                {checked ? (
                  <button type="button" className="scenario-problem-at mono" onClick={() => onJump(d)} title="Show in the editor">
                    {d.line}:{d.col}
                  </button>
                ) : (
                  <span className="scenario-problem-at mono">
                    {d.line}:{d.col}
                  </span>
                )}{' '}
                <span className="scenario-problem-message">{diagnosticText(d)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}

type MountOptions = {
  parent: HTMLElement
  doc: string
  labelledBy: string
  describedBy: string
  readOnly: boolean
  lint: (text: string) => DiagnosticLike[]
  onChange: (text: string) => void
}

/** Loads CodeMirror (its own chunk: the server never imports it) and mounts an editor in `parent`. */
async function mountCodeMirror(options: MountOptions): Promise<CodeMirrorView> {
  const [view, state, commands, language, lint, scenario, complete] = await Promise.all([
    import('@codemirror/view'),
    import('@codemirror/state'),
    import('@codemirror/commands'),
    import('@codemirror/language'),
    import('@codemirror/lint'),
    import('./scenario-language.ts'),
    import('./scenario-complete.ts'),
  ])
  const { EditorView } = view
  const scenarioLinter = lint.linter(
    (editor) => {
      const text = editor.state.doc.toString()
      return options.lint(text).map((d) => {
        const from = Math.min(Math.max(0, d.from), text.length)
        const to = Math.min(Math.max(from, d.to), text.length)
        return { from, to, severity: 'error' as const, message: diagnosticText(d), source: `line ${d.line}, column ${d.col}` }
      })
    },
    { delay: LINT_DELAY_MS },
  )
  const editor = new EditorView({
    parent: options.parent,
    state: state.EditorState.create({
      doc: options.doc,
      extensions: [
        view.lineNumbers(),
        view.highlightActiveLine(),
        view.drawSelection(),
        commands.history(),
        view.keymap.of([...commands.defaultKeymap, ...commands.historyKeymap]),
        language.syntaxHighlighting(language.defaultHighlightStyle),
        scenario.scenarioLanguage(),
        scenarioLinter,
        lint.lintGutter(),
        options.readOnly ? [] : complete.scenarioCompletion(completions()),
        EditorView.lineWrapping,
        state.EditorState.readOnly.of(options.readOnly),
        EditorView.contentAttributes.of({ 'aria-labelledby': options.labelledBy, 'aria-describedby': options.describedBy, 'aria-multiline': 'true' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString())
        }),
      ],
    }),
  })
  return editor as unknown as CodeMirrorView
}
