import type { AnyFetchRequest } from './types.ts'

export type FetchErrorInit = {
  request: AnyFetchRequest
  /** The last HTTP status, or null when no answer came (network error, timeout). */
  status: number | null
  attempts: number
  reason: string
  /** The last body received, kept so the caller can archive what the publisher said. */
  bytes?: Uint8Array | null
  /** Whether a later cycle may succeed (attempts ran out) or asking again is pointless (4xx, OASIS error document). */
  retryable: boolean
}

/**
 * A request that gave no usable answer: a 4xx, an OASIS error document, or every attempt failed.
 * The message names the dataset, file, URL, status and reason; request headers never appear in
 * it (they may carry a subscription key).
 */
export class FetchError extends Error {
  /** The request, without its headers (errors get logged whole; headers may hold a key). */
  readonly request: AnyFetchRequest
  readonly status: number | null
  readonly attempts: number
  readonly reason: string
  readonly bytes: Uint8Array | null
  readonly retryable: boolean

  constructor(init: FetchErrorInit) {
    const status = init.status === null ? 'no answer' : `HTTP ${init.status}`
    const tries = init.attempts === 1 ? '1 attempt' : `${init.attempts} attempts`
    super(`${init.request.dataset} ${init.request.file}: ${init.reason} (${status}, ${tries}) GET ${init.request.url}`)
    this.name = 'FetchError'
    const { headers: _headers, ...request } = init.request
    this.request = request
    this.status = init.status
    this.attempts = init.attempts
    this.reason = init.reason
    this.bytes = init.bytes ?? null
    this.retryable = init.retryable
  }
}
