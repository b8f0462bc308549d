/**
 * "Did you mean ...?": the closest candidate to a mistyped token by edit distance (optimal string
 * alignment: insertions, deletions, substitutions and swaps of two neighbours each cost 1), compared
 * without case. A candidate that differs only in case is always the answer (`miso` -> `MISO`).
 */

/** Edit distance between `a` and `b` (optimal string alignment), case-sensitive. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/** How far a token may be from a candidate to be suggested: 1 for short words, about a third of longer ones. */
export function maxDistance(token: string): number {
  if (token.length <= 3) return 1
  if (token.length <= 6) return 2
  return Math.floor(token.length / 3)
}

/**
 * The candidate closest to `token` within `maxDistance(token)`, or undefined. Ties go to the earlier
 * candidate, so the answer depends only on the candidate order.
 */
export function closest(token: string, candidates: readonly string[]): string | undefined {
  const lower = token.toLowerCase()
  const sameButCase = candidates.find((c) => c.toLowerCase() === lower)
  if (sameButCase !== undefined) return sameButCase
  let best: string | undefined
  let bestDistance = maxDistance(token) + 1
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}
