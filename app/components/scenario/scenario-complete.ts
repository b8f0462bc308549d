import { Prec, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state'
import { keymap, showTooltip, type EditorView, type Tooltip } from '@codemirror/view'

/**
 * Suggestions while typing in the scenario editor: the language's completions() (keywords, among
 * them `forward` for `set fuel.gas = forward`, targets with their unit, units, technologies,
 * markets) whose name starts with the word before the cursor,
 * in a small list under it. ArrowDown/ArrowUp choose, Enter or Tab insert, Escape closes; a click
 * inserts too. Opens only while typing a word of 2+ characters; Enter on a word that is already
 * complete is a plain new line.
 */

export type CompletionItem = { label: string; type: string; detail: string }

const MAX_SHOWN = 8
const WORD = /[\w.$/%]+$/

/** The word that ends at `pos` on its line (targets with dots, units with `$`, `/` and `%`), and where it starts. */
export function wordBefore(lineText: string, column: number): { word: string; start: number } {
  const match = WORD.exec(lineText.slice(0, column))
  return match ? { word: match[0], start: column - match[0].length } : { word: '', start: column }
}

/** The items starting with `word` (case-insensitive), at most MAX_SHOWN; none when `word` is the only, already complete one. */
export function matchingItems(items: readonly CompletionItem[], word: string): CompletionItem[] {
  if (word.length < 2) return []
  const lower = word.toLowerCase()
  const found = items.filter((i) => i.label.toLowerCase().startsWith(lower)).slice(0, MAX_SHOWN)
  return found.length === 1 && found[0]!.label === word ? [] : found
}

type Open = { from: number; to: number; word: string; items: CompletionItem[]; selected: number }

const select = StateEffect.define<number>()
const close = StateEffect.define<null>()

function openAt(state: EditorState, items: readonly CompletionItem[]): Open | null {
  const { head, empty } = state.selection.main
  if (!empty) return null
  const line = state.doc.lineAt(head)
  const { word, start } = wordBefore(line.text, head - line.from)
  const found = matchingItems(items, word)
  return found.length > 0 ? { from: line.from + start, to: head, word, items: found, selected: 0 } : null
}

function accept(view: EditorView, open: Open, index: number): boolean {
  const item = open.items[index]
  if (!item) return false
  view.dispatch({
    changes: { from: open.from, to: open.to, insert: item.label },
    selection: { anchor: open.from + item.label.length },
    effects: close.of(null),
    userEvent: 'input.complete',
  })
  return true
}

function listDom(view: EditorView, open: Open): HTMLElement {
  const list = document.createElement('ul')
  list.className = 'scenario-complete'
  list.setAttribute('role', 'listbox')
  list.setAttribute('aria-label', 'Suggestions')
  open.items.forEach((item, i) => {
    const option = document.createElement('li')
    option.className = i === open.selected ? 'scenario-complete-option scenario-complete-selected' : 'scenario-complete-option'
    option.setAttribute('role', 'option')
    option.setAttribute('aria-selected', String(i === open.selected))
    option.dataset.label = item.label
    const label = document.createElement('span')
    label.className = 'scenario-complete-label'
    label.textContent = item.label
    const detail = document.createElement('span')
    detail.className = 'scenario-complete-detail'
    detail.textContent = item.type === 'target' ? item.detail : item.type
    option.append(label, detail)
    option.addEventListener('mousedown', (event) => {
      event.preventDefault()
      accept(view, open, i)
    })
    list.append(option)
  })
  return list
}

/** The editor extension: the suggestion state, its tooltip and its keys (ahead of the default keymap). */
export function scenarioCompletion(items: readonly CompletionItem[]): Extension {
  const field: StateField<Open | null> = StateField.define<Open | null>({
    create: () => null,
    update(value, tr) {
      for (const effect of tr.effects) {
        if (effect.is(close)) return null
        if (effect.is(select) && value) return { ...value, selected: effect.value }
      }
      if (tr.docChanged && tr.isUserEvent('input.type')) return openAt(tr.state, items)
      if (tr.docChanged || tr.selection) return null
      return value
    },
    provide: (f) =>
      showTooltip.compute([f], (state): Tooltip | null => {
        const open = state.field(f)
        if (!open) return null
        return { pos: open.from, above: false, create: (view) => ({ dom: listDom(view, open) }) }
      }),
  })
  const move = (step: number) => (view: EditorView) => {
    const open = view.state.field(field)
    if (!open) return false
    view.dispatch({ effects: select.of((open.selected + step + open.items.length) % open.items.length) })
    return true
  }
  const take = (view: EditorView) => {
    const open = view.state.field(field)
    if (!open) return false
    // A word already typed in full: Enter is a new line, not a replacement by itself.
    if (open.items[open.selected]?.label === open.word) {
      view.dispatch({ effects: close.of(null) })
      return false
    }
    return accept(view, open, open.selected)
  }
  return [
    field,
    Prec.highest(
      keymap.of([
        { key: 'ArrowDown', run: move(1) },
        { key: 'ArrowUp', run: move(-1) },
        { key: 'Enter', run: take },
        { key: 'Tab', run: take },
        {
          key: 'Escape',
          run: (view) => {
            if (!view.state.field(field)) return false
            view.dispatch({ effects: close.of(null) })
            return true
          },
        },
      ]),
    ),
  ]
}
