/**
 * Identity of scenario inputs and runs (server side: node:crypto).
 *
 * Exact bytes hashed (UTF-8, `\n` = one LF byte, no trailing spaces):
 * - `inputsHash` = sha256 hex (64 characters) of the canonical text itself (language/canonical.ts,
 *   which ends with one LF).
 * - `runId` = the first 32 hex characters of the sha256 of
 *   ```
 *   carbon-scenario-run/1\n
 *   base-data <baseDataVersion>\n
 *   engine <engineVersion>\n
 *   mode deterministic\n                      or: mode montecarlo\n draws <draws>\n seed <seed>\n
 *   \n
 *   <canonical text>
 *   ```
 *   A deterministic run's identity ignores `draws` and `seed`; a Monte Carlo run needs both
 *   (integers, draws >= 1, seed 0..2^32-1, printed in decimal). Versions may not contain a line break.
 */
import { createHash } from 'node:crypto'

export type RunMode = 'deterministic' | 'montecarlo'

export type RunIdentityInput = {
  canonical: string
  baseDataVersion: string
  engineVersion: string
  mode: RunMode
  draws?: number
  seed?: number
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** sha256 hex of the canonical text (64 characters). */
export function canonicalHash(canonical: string): string {
  return sha256Hex(canonical)
}

function versionLine(label: string, value: string): string {
  if (value.length === 0 || /[\r\n]/.test(value)) throw new Error(`runIdentity: ${label} must be one non-empty line, got ${JSON.stringify(value)}`)
  return `${label} ${value}\n`
}

function modeLines(input: RunIdentityInput): string {
  if (input.mode === 'deterministic') return 'mode deterministic\n'
  if (input.mode !== 'montecarlo') throw new Error(`runIdentity: mode must be deterministic or montecarlo, got ${JSON.stringify(input.mode)}`)
  const { draws, seed } = input
  if (draws === undefined || !Number.isSafeInteger(draws) || draws < 1) throw new Error(`runIdentity: a Monte Carlo run needs draws, an integer >= 1, got ${draws}`)
  if (seed === undefined || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`runIdentity: a Monte Carlo run needs seed, an integer 0..4294967295, got ${seed}`)
  return `mode montecarlo\ndraws ${draws}\nseed ${seed}\n`
}

/** The run id (32 hex characters) and inputs hash (64) of a run; see the top of this file for the bytes. */
export function runIdentity(input: RunIdentityInput): { runId: string; inputsHash: string } {
  const preamble = `carbon-scenario-run/1\n${versionLine('base-data', input.baseDataVersion)}${versionLine('engine', input.engineVersion)}${modeLines(input)}\n`
  return { runId: sha256Hex(preamble + input.canonical).slice(0, 32), inputsHash: canonicalHash(input.canonical) }
}
