/** What this folder's tests share (not exported from the package). */
import { readFileSync } from 'node:fs'
import type { ConnectorConfig } from '../../fetch/types.ts'
import { PUBLISHER_URLS } from '../../fetch/urls.ts'
import type { SeriesFetchedPayload, SeriesFetchRequest } from './types.ts'

export const ms = (iso: string) => Date.parse(iso)
export const iso = (at: number) => new Date(at).toISOString()
export const KEY = 'test-eia-key-0123456789'
export const config: ConnectorConfig = { urls: PUBLISHER_URLS, caisoNodes: 'ALL', eiaKey: KEY }

export const fixture = (dir: URL, name: string) => new Uint8Array(readFileSync(new URL(name, dir)))

/** An answer of `bytes` to `request`, fetched at `fetchedAt`. */
export function answer(request: SeriesFetchRequest, bytes: Uint8Array | string, fetchedAt = request.window.end): SeriesFetchedPayload {
  return {
    request,
    status: 200,
    contentType: 'application/octet-stream',
    bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes,
    fetchedAt,
    lastModified: null,
    attempts: 1,
  }
}

/** The only request of a plan. */
export function only(requests: SeriesFetchRequest[]): SeriesFetchRequest {
  if (requests.length !== 1) throw new Error(`expected one request, got ${requests.length}`)
  return requests[0]!
}
