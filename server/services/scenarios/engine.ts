import {
  BASE_DATA_VERSION,
  BASE_SCENARIO_TEXT,
  canonicalChange,
  canonicalHash,
  canonicalSet,
  checkScenario,
  ENGINE_VERSION,
  formatDiagnostic,
  FUEL_HISTORY_ID,
  parseScenario,
  runIdentity,
  type Assumptions,
  type Diagnostic,
} from '@carbon/scenario'
import type { RunMode } from './schemas.ts'

/**
 * The scenario service's one door to packages/scenario: the language (check, canonical form), the
 * run identity and the versions of the engine and its data. Everything else in this folder talks
 * to these functions, not to the package.
 */

/** The house root scenario every other one extends, built into the engine (packages/scenario/src/base.ts). */
export const BASE_SCENARIO_NAME = 'base'

export { formatDiagnostic }

export function baseScenarioText(): string {
  return BASE_SCENARIO_TEXT
}

/**
 * The versions a run on the bundled Henry Hub workbook is identified by (with the canonical
 * scenario) and its lineage records; a run on the stored series has its own base-data version and
 * fuel history id (fuel-inputs.ts).
 */
export function engineVersions(): { engineVersion: string; baseDataVersion: string; fuelHistoryId: string } {
  return { engineVersion: ENGINE_VERSION, baseDataVersion: BASE_DATA_VERSION, fuelHistoryId: FUEL_HISTORY_ID }
}

export type CheckedText = {
  text: string
  diagnostics: Diagnostic[]
  /** The text's own name and its parent's (from the resolved chain), when it resolved. */
  name: string | null
  extends: string | null
  assumptions: Assumptions | null
  canonical: string | null
  canonicalHash: string | null
}

/**
 * Parses and resolves a text; `parentText(name)` gives the text of a scenario the text may extend
 * (the latest version the caller sees), undefined when there is none (the language then reports
 * an unknown parent, with a suggestion).
 */
export function checkText(text: string, parentText: (name: string) => string | undefined, options: { file?: string; knownNames?: readonly string[] } = {}): CheckedText {
  const parsed = new Map<string, ReturnType<typeof parseScenario>['document'] | undefined>()
  const lookup = (name: string) => {
    if (!parsed.has(name)) {
      const source = parentText(name)
      parsed.set(name, source === undefined ? undefined : parseScenario(source, name).document)
    }
    return parsed.get(name)
  }
  const result = checkScenario(text, options.file ?? 'scenario', lookup, { knownNames: options.knownNames })
  const assumptions = result.diagnostics.length === 0 ? (result.assumptions ?? null) : null
  const canonical = assumptions ? (result.canonical ?? null) : null
  const chain = assumptions?.chain ?? []
  return {
    text,
    diagnostics: result.diagnostics,
    name: assumptions?.name ?? null,
    extends: chain.length >= 2 ? chain[chain.length - 2]! : null,
    assumptions,
    canonical,
    canonicalHash: canonical === null ? null : canonicalHash(canonical),
  }
}

/** The assumptions a stored canonical form stands for (it resolves without parents: it is already resolved). */
export function assumptionsOfCanonical(canonical: string): Assumptions {
  const checked = checkText(canonical, () => undefined, { file: 'canonical' })
  if (!checked.assumptions) throw new Error(`the stored canonical scenario does not parse: ${describeDiagnostics(checked.diagnostics)}`)
  return checked.assumptions
}

/** "file:line:col: message" of the first diagnostics, for an error message (all of them travel in details). */
export function describeDiagnostics(diagnostics: Diagnostic[], max = 3): string {
  if (diagnostics.length === 0) return 'the scenario is not valid'
  const shown = diagnostics.slice(0, max).map(formatDiagnostic)
  if (diagnostics.length > max) shown.push(`and ${diagnostics.length - max} more`)
  return shown.join('; ')
}

/**
 * The run id and inputs hash of a canonical scenario run in a mode (packages/scenario identity.ts),
 * on the base-data version of its fuel input (fuel-inputs.ts; default: the bundled workbook's).
 */
export function identityOf(
  canonical: string,
  mode: RunMode,
  draws: number | null,
  seed: number | null,
  baseDataVersion: string = engineVersions().baseDataVersion,
): { runId: string; inputsHash: string } {
  const { engineVersion } = engineVersions()
  return runIdentity(
    mode === 'montecarlo'
      ? { canonical, baseDataVersion, engineVersion, mode, draws: draws ?? undefined, seed: seed ?? undefined }
      : { canonical, baseDataVersion, engineVersion, mode },
  )
}

/**
 * The statements of a stored canonical form by what they assign, without their origin (`by`): a
 * `set` by its target (a piecewise path is its statements, one per line), a build or retirement by
 * kind, technology, market and month. What a diff of two runs' assumptions compares.
 */
export function statementsByTarget(canonical: string): Map<string, string> {
  const assumptions = assumptionsOfCanonical(canonical)
  const byTarget = new Map<string, string[]>()
  const add = (target: string, statement: string) => byTarget.set(target, [...(byTarget.get(target) ?? []), statement])
  for (const s of assumptions.sets) add(s.target, canonicalSet(s))
  for (const c of assumptions.changes) add(`${c.kind} ${c.technology} in ${c.market} at ${c.at}`, canonicalChange(c))
  return new Map([...byTarget].map(([target, statements]) => [target, statements.join('\n')]))
}
