/**
 * The canonical form of resolved Assumptions: what gets hashed. One statement per line, LF line ends,
 * a final LF, no comments, single spaces:
 * ```
 * scenario "High gas" chain "base" "High gas"
 * set fuel.coal = 2.1 $/MMBtu by "base"
 * set fuel.gas = 5.5 $/MMBtu from 2027-01 escalate 2 %/yr
 * build solar 5000 MW in MISO at 2028-06
 * ```
 * - the header names the whole chain (root first), so the text is self-contained: it parses and
 *   resolves alone (no parents needed) to Assumptions equal to the ones it was made from;
 * - sets in canonical order (target, then from; an absent `from` and `from <MODEL_FIRST_MONTH>` are the
 *   same and print as absent), then builds and retirements (market, at, technology, kind, mw);
 * - `set fuel.gas = forward [from YYYY-MM]` (the run's forward curve) prints with neither unit nor
 *   escalate; a set with a number prints exactly as it did before `forward` existed, so the
 *   canonical text, its hash and the run ids of every scenario without `forward` are unchanged;
 * - `by "<scenario>"` ends a statement that came from an ancestor (absent when it is the scenario's own);
 * - numbers in their shortest decimal form (5.50 -> 5.5, 1e21 -> 1000000000000000000000, -0 -> 0);
 *   percentages as percent (a fraction 0.02 prints as 2 %/yr).
 * Two texts that differ only in comments, blank space, the order of statements of different targets,
 * or the spelling of numbers have the same canonical form.
 */
import { FORWARD_VALUE, type Assumptions, type CapacityChange, type SetAssumption } from '../types.ts'
import { formatNumber, formatPercent } from './numbers.ts'
import { sortAssumptions } from './resolve.ts'

function quote(name: string): string {
  return `"${name}"`
}

function by(scenario: string, own: string): string {
  return scenario === own ? '' : ` by ${quote(scenario)}`
}

/** The value of a set as written: `forward`, or the number and its unit (percentages as percent). */
function canonicalValue(s: SetAssumption): string {
  if (s.value === null) return FORWARD_VALUE
  return `${s.unit === '%/yr' || s.unit === '%' ? formatPercent(s.value) : formatNumber(s.value)} ${s.unit}`
}

/** One `set` in canonical form (without a `by`). */
export function canonicalSet(s: SetAssumption): string {
  const from = s.from === null ? '' : ` from ${s.from}`
  const escalate = s.escalate === null ? '' : ` escalate ${formatPercent(s.escalate)} %/yr`
  return `set ${s.target} = ${canonicalValue(s)}${from}${escalate}`
}

/** One `build`/`retire` in canonical form (without a `by`). */
export function canonicalChange(c: CapacityChange): string {
  return `${c.kind} ${c.technology} ${formatNumber(c.mw)} MW in ${c.market} at ${c.at}`
}

/**
 * The canonical statements with a key each, for diffs of two runs' assumptions (the header is not
 * included): `set <target>[ <from>]` for a set (so a changed value pairs with the old one), the
 * statement itself for a build or retirement, with ` #2`, ` #3` ... on repeats, so keys are unique.
 */
export function canonicalStatements(assumptions: Assumptions): { key: string; text: string }[] {
  const sorted = sortAssumptions(assumptions)
  const seen = new Map<string, number>()
  const unique = (key: string) => {
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    return n === 1 ? key : `${key} #${n}`
  }
  return [
    ...sorted.sets.map((s) => ({ key: unique(s.from === null ? `set ${s.target}` : `set ${s.target} ${s.from}`), text: `${canonicalSet(s)}${by(s.scenario, sorted.name)}` })),
    ...sorted.changes.map((c) => ({ key: unique(canonicalChange(c)), text: `${canonicalChange(c)}${by(c.scenario, sorted.name)}` })),
  ]
}

/** The canonical text of `assumptions` (see above). */
export function canonicalText(assumptions: Assumptions): string {
  const header = `scenario ${quote(assumptions.name)} chain ${assumptions.chain.map(quote).join(' ')}`
  return `${[header, ...canonicalStatements(assumptions).map((s) => s.text)].join('\n')}\n`
}
