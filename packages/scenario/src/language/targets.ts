/**
 * The concrete targets of `set` (SET_TARGETS with `<market>` and `<tech>` expanded), and the range
 * of values each accepts. Ranges are the language's decision (types.ts leaves them open):
 * - prices and costs ($/MMBtu, $/t, $/MWh: fuel, carbon, scarcity cap, VOM) are >= 0, except the gas
 *   basis, which is a difference to Henry Hub and may be negative;
 * - `load.<market>.growth` and `macro.inflation` may be negative (shrinking load, deflation) but
 *   above -100 %/yr; `escalate` likewise (falling prices) above -100 %/yr;
 * - `load.<market>.peak` (MW) is > 0; `power.<market>.reserve_target` (%) is >= 0;
 * - `build`/`retire` capacities are > 0 MW (a retirement larger than what exists is the model's call).
 */
import { SCENARIO_MARKETS, SET_TARGETS, TECHNOLOGIES, type TargetSpec } from '../types.ts'

export type ConcreteTarget = { target: string; spec: TargetSpec }

function expand(pattern: string): string[] {
  let targets = [pattern]
  for (const [placeholder, values] of [
    ['<market>', SCENARIO_MARKETS],
    ['<tech>', TECHNOLOGIES],
  ] as const) {
    targets = targets.flatMap((t) => (t.includes(placeholder) ? values.map((v) => t.replace(placeholder, v)) : [t]))
  }
  return targets
}

/** Every target a `set` may name, in SET_TARGETS order. */
export const CONCRETE_TARGETS: readonly ConcreteTarget[] = SET_TARGETS.flatMap((spec) => expand(spec.pattern).map((target) => ({ target, spec })))

const BY_NAME = new Map(CONCRETE_TARGETS.map((t) => [t.target, t]))
export const TARGET_NAMES: readonly string[] = CONCRETE_TARGETS.map((t) => t.target)
/** The targets `= forward` may set (SET_TARGETS with `forward`): fuel.gas. */
export const FORWARD_TARGET_NAMES: readonly string[] = CONCRETE_TARGETS.filter((t) => t.spec.forward).map((t) => t.target)

export function findTarget(name: string): ConcreteTarget | undefined {
  return BY_NAME.get(name)
}

/** Lowest allowed value of a target (in its unit; percentages as fractions) and whether it is included. */
export function valueRange(spec: TargetSpec): { min: number; inclusive: boolean } {
  if (spec.pattern === 'fuel.gas.basis.<market>') return { min: -Infinity, inclusive: false }
  if (spec.unit === '%/yr') return { min: -1, inclusive: false }
  if (spec.unit === 'MW') return { min: 0, inclusive: false }
  return { min: 0, inclusive: true }
}

/** "at least 0", "greater than 0", "greater than -100 %/yr" */
export function describeRange(spec: TargetSpec): string {
  const { min, inclusive } = valueRange(spec)
  const shown = spec.unit === '%/yr' || spec.unit === '%' ? `${min * 100} ${spec.unit}` : `${min} ${spec.unit}`
  return inclusive ? `at least ${shown}` : `greater than ${shown}`
}

export function inRange(spec: TargetSpec, value: number): boolean {
  const { min, inclusive } = valueRange(spec)
  return inclusive ? value >= min : value > min
}

/**
 * For a name that is no target: the segment that is an unknown market or technology in a name that
 * otherwise fits a pattern (`load.PJM.growth` -> segment 1, kind market), so the message can name it.
 */
export function misfitSegment(name: string): { index: number; kind: 'market' | 'technology'; value: string } | undefined {
  const parts = name.split('.')
  for (const spec of SET_TARGETS) {
    const pattern = spec.pattern.split('.')
    if (pattern.length !== parts.length) continue
    let misfit: { index: number; kind: 'market' | 'technology'; value: string } | undefined
    let fits = true
    for (let i = 0; i < pattern.length && fits; i++) {
      const p = pattern[i]!
      const v = parts[i]!
      if (p === '<market>' || p === '<tech>') {
        const known = p === '<market>' ? (SCENARIO_MARKETS as readonly string[]).includes(v) : (TECHNOLOGIES as readonly string[]).includes(v)
        if (!known) {
          if (misfit) fits = false
          else misfit = { index: i, kind: p === '<market>' ? 'market' : 'technology', value: v }
        }
      } else if (p !== v) fits = false
    }
    if (fits && misfit) return misfit
  }
  return undefined
}
