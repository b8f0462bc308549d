/**
 * The built-in base scenario, resolved and run once per process: the curve solver's default prior
 * (no stored run needed) and the run the server stores under the same run id.
 */
import { BASE_SCENARIO_TEXT } from './base.ts'
import { runIdentity } from './identity.ts'
import { canonicalText, checkScenario, formatDiagnostic } from './language/index.ts'
import { BASE_DATA_VERSION, ENGINE_VERSION, runScenario } from './model/index.ts'
import { type Assumptions, type ScenarioResult } from './types.ts'

/** The file name the base text's diagnostics carry. */
export const BASE_SCENARIO_FILE = 'base.scn'

/** BASE_SCENARIO_TEXT parsed and resolved (it extends nothing); throws listing the diagnostics if the text is broken. */
export function resolveBase(): Assumptions {
  const checked = checkScenario(BASE_SCENARIO_TEXT, BASE_SCENARIO_FILE, () => undefined)
  if (!checked.assumptions) {
    throw new Error(`the built-in base scenario does not check:\n${checked.diagnostics.map(formatDiagnostic).join('\n')}`)
  }
  return checked.assumptions
}

export type BaseRunIdentity = { runId: string; inputsHash: string; canonical: string; assumptions: Assumptions }
export type BaseRun = { runId: string; inputsHash: string; canonical: string; result: ScenarioResult }

let identityMemo: BaseRunIdentity | null = null
let memo: BaseRun | null = null

/**
 * The base run's identity (run id, inputs hash, canonical text), once per process, without running the
 * model: what a caller that only names the base run needs (a curve summary, a prior request).
 */
export function baseRunIdentity(): BaseRunIdentity {
  if (!identityMemo) {
    const assumptions = resolveBase()
    const canonical = canonicalText(assumptions)
    const identity = runIdentity({ canonical, baseDataVersion: BASE_DATA_VERSION, engineVersion: ENGINE_VERSION, mode: 'deterministic' })
    identityMemo = { ...identity, canonical, assumptions }
  }
  return identityMemo
}

/** The deterministic run of the base scenario, computed once per process. */
export function runBaseScenario(): BaseRun {
  if (!memo) {
    const { runId, inputsHash, canonical, assumptions } = baseRunIdentity()
    memo = { runId, inputsHash, canonical, result: runScenario(assumptions) }
  }
  return memo
}
