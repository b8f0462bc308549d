/**
 * The HTTP client of the ingest: one GET per FetchRequest, made politely (a User-Agent, requests
 * of a rate group spaced) and robustly (a timeout per attempt; retries with backoff on network
 * errors, timeouts, 5xx, 429 and the HTML pages publishers answer throttled clients with).
 *
 * It makes price requests (FetchRequest) and series requests (SeriesFetchRequest,
 * series/fetch/types.ts) alike; each outcome carries back the request it answers, typed as asked.
 *
 * What an answer means:
 *   2xx data                         -> payload (the parser decides whether it is usable)
 *   2xx HTML page                    -> throttled, retried; data when the request says `htmlExpected`
 *   2xx OASIS zip with ERR_CODE 1000 -> not-published; any other ERR_CODE -> FetchError (no retry)
 *   404 with notFoundMeansNotPublished (MISO reports) -> not-published
 *   408, 429, 5xx, network, timeout  -> retried (429/503 honour Retry-After)
 *   other 4xx                        -> FetchError at once
 * The caller's AbortSignal stops everything at once with its abort reason (no retry).
 *
 * Secrets: a series request's `secretQuery` (EIA's `api_key`) is appended to the URL only on the
 * wire. Events and FetchError carry the request without it; the outcome carries it as a hidden
 * (non-enumerable) property, so `nextPage` can ask for the next page with it while logging or
 * serialising the outcome never shows it; every occurrence of a secret value in the answer's bytes
 * (EIA echoes `api_key` in `request.params`) and in a network error's text is replaced with
 * `REDACTED` before anyone sees them.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { unzipSync } from 'fflate'
import { SERIES_MIN_SPACING_MS } from '../series/fetch/spacing.ts'
import type { SeriesFetchRequest } from '../series/fetch/types.ts'
import { FetchError } from './errors.ts'
import { MARKET_MIN_SPACING_MS } from './markets.ts'
import type { AnyFetchRequest, FetchEvent, FetchOutcomeOf, HttpClient, HttpClientOptions } from './types.ts'

export const DEFAULT_TIMEOUT_MS = 120_000
export const DEFAULT_MAX_ATTEMPTS = 5
export const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 60_000 } as const
/**
 * OASIS asks for 5 s between requests (plus a margin: it measures arrivals, we measure starts);
 * MISO's Data Exchange allows 100 calls a minute; the other publishers' groups as their modules
 * say (PJM Data Miner 2: 10 s, six requests a minute for non-members; the others 1 s; the series
 * publishers' as series/fetch/spacing.ts says).
 */
export const DEFAULT_MIN_SPACING_MS: Readonly<Record<string, number>> = {
  'caiso.oasis': 5_500,
  'miso.dx': 600,
  ...MARKET_MIN_SPACING_MS,
  ...SERIES_MIN_SPACING_MS,
}

/** What replaces a secret wherever an answer or an error text holds it. */
export const SECRET_REDACTED = 'REDACTED'

/** OASIS's "No data returned for the specified selection": the window is not published (yet). */
export const OASIS_NO_DATA = 1000

type Retry = {
  kind: 'again'
  event: 'retry' | 'throttled'
  reason: string
  status: number | null
  bytes: Uint8Array | null
  retryAfterMs: number | null
}
type Attempt<R extends AnyFetchRequest> = { kind: 'done'; outcome: FetchOutcomeOf<R> } | Retry

/** A real sleep that rejects with the caller's abort reason. */
const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch((error: unknown) => {
    throw signal?.aborted ? signal.reason : error
  })

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const fetchImpl = options.fetch ?? globalThis.fetch
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? defaultSleep
  const random = options.random ?? Math.random
  const emit = options.onEvent ?? (() => {})
  const turn = rateGroups({ ...DEFAULT_MIN_SPACING_MS, ...options.minSpacingMs }, now, sleep)

  /** Equal jitter: half the doubled delay fixed, half random (so clients do not retry in step). */
  function backoffDelay(attempt: number): number {
    const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1))
    return Math.round(base / 2 + (random() * base) / 2)
  }

  async function attemptOnce<R extends AnyFetchRequest>(request: R, attempt: number, signal?: AbortSignal): Promise<Attempt<R>> {
    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(), timeoutMs)
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal
    const started = now()
    const shown = shownRequest(request)
    emit({ type: 'request', request: shown, attempt })
    try {
      const res = await fetchImpl(wireUrl(request), { headers: requestHeaders(request, options.userAgent), signal: combined })
      const received = new Uint8Array(await res.arrayBuffer())
      emit({ type: 'response', request: shown, attempt, status: res.status, ms: now() - started, bytes: received.length })
      return classify(request, attempt, res, redactBytes(received, request))
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      if (error instanceof FetchError) throw error
      const reason = timeout.signal.aborted ? `timed out after ${timeoutMs} ms` : `network error: ${redactText(describe(error), request)}`
      return { kind: 'again', event: 'retry', reason, status: null, bytes: null, retryAfterMs: null }
    } finally {
      clearTimeout(timer)
    }
  }

  function classify<R extends AnyFetchRequest>(request: R, attempt: number, res: Response, bytes: Uint8Array): Attempt<R> {
    const status = res.status
    const contentType = res.headers.get('content-type') ?? ''
    const again = (event: Retry['event'], reason: string): Retry => ({
      kind: 'again',
      event,
      reason,
      status,
      bytes,
      retryAfterMs: retryAfter(res.headers.get('retry-after'), now()),
    })
    const series = isSeriesRequest(request) ? request : null
    const answered = outcomeRequest(request)
    if (status >= 200 && status < 300) {
      if (!series?.htmlExpected && isHtmlPage(contentType, bytes)) return again('throttled', `an HTML page instead of data (HTTP ${status})`)
      // Only OASIS answers zips holding an error document; a series workbook (.xlsx is a zip) is not inflated for nothing.
      const oasis = series ? null : oasisError(bytes)
      if (oasis && oasis.code === OASIS_NO_DATA)
        return { kind: 'done', outcome: { kind: 'not-published', request: answered, status, reason: oasis.text, bytes } }
      if (oasis) throw new FetchError({ request: shownRequest(request), status, attempts: attempt, reason: oasis.text, bytes, retryable: false })
      const lastModified = Date.parse(res.headers.get('last-modified') ?? '')
      return {
        kind: 'done',
        outcome: {
          kind: 'payload',
          payload: { request: answered, status, contentType, bytes, fetchedAt: now(), lastModified: Number.isNaN(lastModified) ? null : lastModified, attempts: attempt },
        },
      }
    }
    if (status === 404 && request.notFoundMeansNotPublished)
      return { kind: 'done', outcome: { kind: 'not-published', request: answered, status, reason: 'HTTP 404: not published yet', bytes } }
    const statusLine = `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''}`
    if (status === 429) return again('throttled', statusLine)
    if (status >= 500 || status === 408) return again('retry', statusLine)
    throw new FetchError({ request: shownRequest(request), status, attempts: attempt, reason: statusLine, bytes, retryable: false })
  }

  return {
    async fetch<R extends AnyFetchRequest>(request: R, signal?: AbortSignal): Promise<FetchOutcomeOf<R>> {
      let last: Retry | null = null
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        signal?.throwIfAborted()
        await turn(request.rateGroup, signal)
        const result = await attemptOnce(request, attempt, signal)
        if (result.kind === 'done') return result.outcome
        last = result
        if (attempt === maxAttempts) break
        const delayMs = result.retryAfterMs ?? backoffDelay(attempt)
        emit({ type: result.event, request: shownRequest(request), attempt, delayMs, reason: result.reason } satisfies FetchEvent)
        await sleep(delayMs, signal)
      }
      signal?.throwIfAborted()
      throw new FetchError({
        request: shownRequest(request),
        status: last?.status ?? null,
        attempts: maxAttempts,
        reason: `gave up: ${last?.reason ?? 'no attempt'}`,
        bytes: last?.bytes ?? null,
        retryable: true,
      })
    },
  }
}

/** Whether a request is a series file's (only those carry the data key they are ingested under). */
function isSeriesRequest(request: AnyFetchRequest): request is SeriesFetchRequest {
  return 'key' in request
}

/** The secret query parameters of a request, or null when it has none. */
function secretsOf(request: AnyFetchRequest): Record<string, string> | null {
  if (!isSeriesRequest(request) || !request.secretQuery) return null
  return Object.keys(request.secretQuery).length > 0 ? request.secretQuery : null
}

/**
 * The URL the request is sent to: its `url`, then its secret parameters. Appended as text, not
 * through URLSearchParams, so the parameters already in `url` go out exactly as written (EIA's
 * `data[0]=value` keeps its brackets).
 */
export function wireUrl(request: AnyFetchRequest): string {
  const secrets = secretsOf(request)
  if (!secrets) return request.url
  const query = Object.entries(secrets)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&')
  const [beforeFragment, fragment] = splitFragment(request.url)
  const joiner = beforeFragment.includes('?') ? (/[?&]$/.test(beforeFragment) ? '' : '&') : '?'
  return `${beforeFragment}${joiner}${query}${fragment}`
}

function splitFragment(url: string): [string, string] {
  const hash = url.indexOf('#')
  return hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)]
}

/** The request without its secrets (itself when it has none): what events and FetchError carry. */
function withoutSecrets<R extends AnyFetchRequest>(request: R): R {
  if (!secretsOf(request)) return request
  const { secretQuery: _secretQuery, ...rest } = request as SeriesFetchRequest
  return rest as R
}

/** The request as events and FetchError carry it: without its secrets. */
function shownRequest(request: AnyFetchRequest): AnyFetchRequest {
  return withoutSecrets(request)
}

/**
 * The request an outcome carries back: the caller's own, or, when it has secrets, a copy holding
 * them as a non-enumerable `secretQuery`. `nextPage` reads it to ask for the next page; JSON,
 * loggers, spreads and deep-equality checks do not see it.
 */
function outcomeRequest<R extends AnyFetchRequest>(request: R): R {
  const secrets = secretsOf(request)
  if (!secrets) return request
  const copy = withoutSecrets(request)
  Object.defineProperty(copy, 'secretQuery', { value: secrets, enumerable: false, writable: false, configurable: false })
  return copy
}

/** Every form a secret value may be echoed in: as sent, URL-encoded, and escaped in JSON (PHP's encoder writes `/` as `\/`). */
function secretForms(request: AnyFetchRequest): string[] {
  const secrets = secretsOf(request)
  if (!secrets) return []
  const forms = new Set<string>()
  for (const value of Object.values(secrets)) {
    if (value === '') continue
    const json = JSON.stringify(value).slice(1, -1)
    for (const form of [value, encodeURIComponent(value), json, json.replaceAll('/', '\\/')]) forms.add(form)
  }
  // Longest first, so a form holding another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length)
}

/** `bytes` with every occurrence of the request's secret values replaced by REDACTED (the same array when none occurs). */
export function redactBytes(bytes: Uint8Array, request: AnyFetchRequest): Uint8Array {
  let out = bytes
  for (const form of secretForms(request)) out = replaceAll(out, Buffer.from(form, 'utf8'), Buffer.from(SECRET_REDACTED, 'utf8'))
  return out
}

/** `text` with every occurrence of the request's secret values replaced by REDACTED. */
function redactText(text: string, request: AnyFetchRequest): string {
  let out = text
  for (const form of secretForms(request)) out = out.replaceAll(form, SECRET_REDACTED)
  return out
}

function replaceAll(bytes: Uint8Array, needle: Buffer, replacement: Buffer): Uint8Array {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = haystack.indexOf(needle)
  if (at < 0) return bytes
  const parts: Buffer[] = []
  let from = 0
  while (at >= 0) {
    parts.push(haystack.subarray(from, at), replacement)
    from = at + needle.length
    at = haystack.indexOf(needle, from)
  }
  parts.push(haystack.subarray(from))
  return new Uint8Array(Buffer.concat(parts))
}

/** Default Accept, the request's own headers, then the User-Agent (which a request cannot drop). */
function requestHeaders(request: AnyFetchRequest, userAgent: string): Headers {
  const headers = new Headers({ Accept: '*/*' })
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value)
  headers.set('User-Agent', userAgent)
  return headers
}

/**
 * Spacing per rate group: requests of a group start at least `gaps[group]` ms apart, in the
 * order they asked (each waits for the one before it on a promise chain). A caller aborting
 * while queued leaves at once and gives its slot to the next.
 */
function rateGroups(gaps: Record<string, number>, now: () => number, sleep: (ms: number, signal?: AbortSignal) => Promise<void>) {
  const tails = new Map<string, Promise<void>>()
  const lastStart = new Map<string, number>()
  return async function turn(group: string, signal?: AbortSignal): Promise<void> {
    const gap = gaps[group] ?? 0
    if (gap <= 0) return
    const mine = (tails.get(group) ?? Promise.resolve()).then(async () => {
      signal?.throwIfAborted()
      for (;;) {
        const last = lastStart.get(group)
        const wait = last === undefined ? 0 : last + gap - now()
        if (wait <= 0) break
        await sleep(wait, signal)
        signal?.throwIfAborted()
      }
      lastStart.set(group, now())
    })
    tails.set(group, mine.catch(() => {}))
    await untilAborted(mine, signal)
  }
}

/** `promise`, or the abort reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Retry-After in ms: delta seconds or an HTTP date; null when absent or unreadable. */
export function retryAfter(value: string | null, now: number): number | null {
  if (value === null) return null
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

const HTML_START = /^(?:\uFEFF)?\s*<(?:!doctype\s+html|html[\s>])/i

/** Whether an answer is an HTML page (by content type, or by its first bytes whatever the type says). */
export function isHtmlPage(contentType: string, bytes: Uint8Array): boolean {
  if (/^\s*text\/html\b/i.test(contentType)) return true
  return HTML_START.test(new TextDecoder('utf-8').decode(bytes.subarray(0, 256)))
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]
const ERR_CODE = /<(?:[\w-]+:)?ERR_CODE>\s*(\d+)\s*<\/(?:[\w-]+:)?ERR_CODE>/
const ERR_DESC = /<(?:[\w-]+:)?ERR_DESC>([\s\S]*?)<\/(?:[\w-]+:)?ERR_DESC>/

/**
 * The OASIS error document in a zip answer (`INVALID_REQUEST.xml` holding ERR_CODE/ERR_DESC), or
 * null. Only the zip's XML entries are inflated; a zip that does not open is left to the parser.
 */
export function oasisError(bytes: Uint8Array): { code: number; description: string; text: string } | null {
  if (!ZIP_MAGIC.every((b, i) => bytes[i] === b)) return null
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(bytes, { filter: (file) => file.name.toLowerCase().endsWith('.xml') })
  } catch {
    return null
  }
  for (const data of Object.values(entries)) {
    const xml = new TextDecoder('utf-8').decode(data)
    const code = ERR_CODE.exec(xml)
    if (!code) continue
    const description = decodeXml(ERR_DESC.exec(xml)?.[1]?.trim() ?? '')
    return { code: Number(code[1]), description, text: `OASIS ERR_CODE ${code[1]}: ${description}` }
  }
  return null
}

const XML_NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
function decodeXml(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (whole, dec?: string, hex?: string, name?: string) => {
    if (dec) return String.fromCodePoint(Number(dec))
    if (hex) return String.fromCodePoint(parseInt(hex, 16))
    return XML_NAMED[name!.toLowerCase()] ?? whole
  })
}

/** A network error's cause, e.g. `fetch failed: connect ECONNREFUSED 127.0.0.1:9`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return `${error.message}${cause}`
}
