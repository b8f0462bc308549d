/**
 * `extends` resolution: a scenario's Assumptions are its ancestors' with its own statements on top.
 * - A child's `set` of a target replaces every statement of its ancestors for that target; several
 *   `set`s of one target in one file (different `from`) make a piecewise path.
 * - Builds and retirements accumulate along the chain.
 * - The result is sorted canonically: sets by target then from (absent first); changes by market,
 *   at, technology, kind, mw, then the scenario that made them. Strings compare by code unit, never
 *   by locale, so the order is the same everywhere.
 * A canonical text (`scenario "X" chain ...`) is already resolved: its statements carry their origin
 * (`by`) and it is not followed further.
 *
 * Every problem of the chain (unknown parent, cycle, a parent with errors) is reported at the
 * `extends` of the document being resolved: that is the file in front of the user.
 */
import { type Assumptions, type CapacityChange, type SetAssumption } from '../types.ts'
import { diagnosticAt, type Diagnostic } from './diagnostics.ts'
import { type ScenarioDocument } from './parser.ts'
import { closest } from './suggest.ts'

/** The parsed document of a parent scenario by name, or undefined when there is none. */
export type ScenarioLookup = (name: string) => ScenarioDocument | undefined

export type ResolveOptions = {
  /** Names of the scenarios `lookup` knows, for "did you mean" on an unknown parent. */
  knownNames?: readonly string[]
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function compareSets(a: SetAssumption, b: SetAssumption): number {
  return compareText(a.target, b.target) || compareText(a.from ?? '', b.from ?? '') || compareText(a.scenario, b.scenario)
}

export function compareChanges(a: CapacityChange, b: CapacityChange): number {
  return (
    compareText(a.market, b.market) ||
    compareText(a.at, b.at) ||
    compareText(a.technology, b.technology) ||
    compareText(a.kind, b.kind) ||
    a.mw - b.mw ||
    compareText(a.scenario, b.scenario)
  )
}

/** Sorts `sets` and `changes` canonically (new arrays). */
export function sortAssumptions(assumptions: Assumptions): Assumptions {
  return { ...assumptions, chain: [...assumptions.chain], sets: [...assumptions.sets].sort(compareSets), changes: [...assumptions.changes].sort(compareChanges) }
}

/** The documents from the oldest ancestor to `doc`, or the diagnostic that stops the walk. */
function lineage(doc: ScenarioDocument, lookup: ScenarioLookup, options: ResolveOptions): { docs: ScenarioDocument[]; diagnostics: Diagnostic[] } {
  const header = doc.header!
  const docs = [doc]
  const seen = new Set([header.name])
  const fail = (message: string, suggestion?: string) => {
    const span = header.parentSpan ?? header.nameSpan
    return { docs, diagnostics: [diagnosticAt(doc.file, span, header.parentSpan ? `"${header.parent}"` : `"${header.name}"`, message, suggestion)] }
  }
  let current = doc
  while (current.parent !== null && current.header?.chain === null) {
    const wanted = current.parent
    const parent = lookup(wanted)
    const path = docs.map((d) => d.name).join(' -> ')
    if (!parent) {
      const where = current === doc ? '' : ` (named by ${current.file}, chain ${path} -> ${wanted})`
      const candidates = (options.knownNames ?? []).filter((n) => !seen.has(n))
      const suggestion = current === doc ? closest(wanted, candidates) : undefined
      return fail(`unknown parent scenario "${wanted}"${where}`, suggestion === undefined ? undefined : `"${suggestion}"`)
    }
    const ancestors = parent.header?.chain ?? [parent.name ?? wanted]
    if (ancestors.some((n) => seen.has(n))) return fail(`extends makes a cycle: ${path} -> ${wanted}`)
    if (parent.diagnostics.length > 0 || !parent.header) {
      const first = parent.diagnostics[0]
      const detail = first ? `; first: ${first.file}:${first.line}:${first.col}: ${first.message}` : ''
      return fail(`parent scenario "${wanted}" has ${parent.diagnostics.length} error${parent.diagnostics.length === 1 ? '' : 's'}${detail}`)
    }
    docs.push(parent)
    seen.add(parent.header.name)
    current = parent
  }
  return { docs: docs.reverse(), diagnostics: [] }
}

function setsOf(doc: ScenarioDocument): SetAssumption[] {
  const own = doc.name!
  return doc.sets.map((s) => ({ target: s.target, value: s.value, unit: s.unit, from: s.from, escalate: s.escalate, scenario: s.by ?? own }))
}

function changesOf(doc: ScenarioDocument): CapacityChange[] {
  const own = doc.name!
  return doc.changes.map((c) => ({ kind: c.kind, technology: c.technology, mw: c.mw, market: c.market, at: c.at, scenario: c.by ?? own }))
}

/** Applies `doc`'s statements on top of `base` (the merge rule above). */
function applyDocument(base: Assumptions, doc: ScenarioDocument): Assumptions {
  const own = setsOf(doc)
  const replaced = new Set(own.map((s) => s.target))
  return {
    name: doc.name!,
    chain: [...base.chain, doc.name!],
    sets: [...base.sets.filter((s) => !replaced.has(s.target)), ...own],
    changes: [...base.changes, ...changesOf(doc)],
  }
}

/** The Assumptions of the oldest document of a lineage: a root, or a canonical text. */
function rootAssumptions(doc: ScenarioDocument): Assumptions {
  return { name: doc.name!, chain: doc.header!.chain ?? [doc.name!], sets: setsOf(doc), changes: changesOf(doc) }
}

/**
 * Resolves `doc` along its `extends` chain. `assumptions` is set only when `doc` and every ancestor
 * are free of errors and the chain resolves; `diagnostics` holds the chain's problems (not `doc`'s
 * own parse problems, which parseScenario returned).
 */
export function resolveScenario(doc: ScenarioDocument, lookup: ScenarioLookup, options: ResolveOptions = {}): { assumptions?: Assumptions; diagnostics: Diagnostic[] } {
  if (!doc.header) return { diagnostics: [] }
  const { docs, diagnostics } = lineage(doc, lookup, options)
  if (diagnostics.length > 0 || doc.diagnostics.length > 0) return { diagnostics }
  let assumptions = rootAssumptions(docs[0]!)
  for (const d of docs.slice(1)) assumptions = applyDocument(assumptions, d)
  return { assumptions: sortAssumptions(assumptions), diagnostics: [] }
}
