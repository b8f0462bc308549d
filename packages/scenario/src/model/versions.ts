/**
 * Version ids of a run's inputs: the gas history's content id (fuel-history.ts `fuelHistoryId`) and
 * the base data's (every table + that id: index.ts `baseDataVersionOf`). sha256 over canonical JSON
 * (keys sorted, arrays in order), hex prefix.
 */
import { createHash } from 'node:crypto'

/** JSON with object keys sorted at every level (arrays keep their order), typed arrays as arrays. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (ArrayBuffer.isView(value)) return canonicalJson(Array.from(value as unknown as ArrayLike<number>))
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
  return `{${entries.join(',')}}`
}

export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256')
  for (const p of parts) hash.update(p)
  return hash.digest('hex')
}

/** Prefix length of the version ids (64 bits). */
export const VERSION_HEX = 16
