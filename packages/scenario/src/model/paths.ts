/**
 * Assumptions -> monthly paths. A `set` applies from its `from` month (MODEL_FIRST_MONTH when
 * absent) until the next `set` of the same target; with `escalate` e it compounds monthly after
 * `from`: value x (1 + e)^(k / 12) in the k-th month after. Before the first `set` of a target the
 * base data's default applies. Money defaults are in base-year dollars. A `set fuel.gas = forward`
 * (value null) takes each month's value from the run's forward curve (engine.ts gasPath): only a
 * path given a `forward` source reads such sets, every other target's sets are numbers.
 */
import { monthIndex } from '@carbon/curves'
import { MODEL_FIRST_MONTH, type Assumptions, type MonthKey, type SetAssumption } from '../types.ts'

/** A path over `months` (consecutive). */
export type Path = Float64Array

/** A set with a number: every set but `= forward`. */
export type NumberSet = SetAssumption & { value: number }

/** The sets of one concrete target, ordered by `from`, `= forward` sets among them (fuel.gas only). */
export function allSetsFor(assumptions: Assumptions, target: string): SetAssumption[] {
  return assumptions.sets
    .filter((s) => s.target === target)
    .sort((a, b) => monthIndex(a.from ?? MODEL_FIRST_MONTH) - monthIndex(b.from ?? MODEL_FIRST_MONTH))
}

/**
 * The sets of a target that takes numbers only, ordered by `from`. A `= forward` set of it (the
 * language allows one on fuel.gas only; Assumptions built by hand could hold another) is an Error
 * naming the target and the scenario that set it.
 */
export function setsFor(assumptions: Assumptions, target: string): NumberSet[] {
  const sets = allSetsFor(assumptions, target)
  for (const s of sets) {
    if (s.value === null) throw new Error(`${target} = forward (set by "${s.scenario}"): only fuel.gas can follow the forward curve`)
  }
  return sets as NumberSet[]
}

/** The set in force at month index `mi`, or null. */
function inForce(sets: readonly SetAssumption[], mi: number): SetAssumption | null {
  let found: SetAssumption | null = null
  for (const s of sets) if (monthIndex(s.from ?? MODEL_FIRST_MONTH) <= mi) found = s
  return found
}

/**
 * Value path of a target over `months`: sets as described above, `fallback(k)` where none is in
 * force. `inflation` (an index per month, or null) multiplies values of sets without `escalate`,
 * relative to the index at their `from` month (so "5 $/MWh from 2030-01" is 2030 money, escalated
 * by inflation after), for targets escalated by macro.inflation. `forward(k)` is the value of
 * month k where a `= forward` set is in force (as quoted: neither escalated nor inflated); a
 * forward set without it is an Error naming the target.
 */
export function valuePath(
  sets: readonly SetAssumption[],
  months: readonly MonthKey[],
  fallback: (k: number) => number,
  inflation: Path | null = null,
  forward: ((k: number) => number) | null = null,
): Path {
  const out = new Float64Array(months.length)
  const first = monthIndex(months[0]!)
  for (let k = 0; k < months.length; k++) {
    const mi = first + k
    const s = inForce(sets, mi)
    if (!s) {
      out[k] = fallback(k)
      continue
    }
    if (s.value === null) {
      if (!forward) throw new Error(`${s.target} = forward (set by "${s.scenario}") has no forward curve to follow`)
      out[k] = forward(k)
      continue
    }
    const fromIndex = monthIndex(s.from ?? MODEL_FIRST_MONTH)
    const elapsed = mi - fromIndex
    if (s.escalate !== null) out[k] = s.value * Math.pow(1 + s.escalate, elapsed / 12)
    else if (inflation) {
      // money of the `from` month (base-year money when `from` is before the first month)
      const at = fromIndex - first
      const ref = at >= 0 && at < months.length ? inflation[at]! : 1
      out[k] = (s.value * inflation[k]!) / ref
    } else out[k] = s.value
  }
  return out
}

/**
 * Cumulative index of a rate path (fractions per year, compounding monthly): index[k] =
 * prod_{j <= k} (1 + rate[j])^(1/12). index is relative to the month before months[0].
 */
export function compoundIndex(rates: Path): Path {
  const out = new Float64Array(rates.length)
  let acc = 1
  for (let k = 0; k < rates.length; k++) {
    acc *= Math.pow(1 + rates[k]!, 1 / 12)
    out[k] = acc
  }
  return out
}
