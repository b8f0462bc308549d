/**
 * The HTTP client against a real local server. The clock and the sleep are injected (sleeping
 * advances the fake clock at once) so backoff, Retry-After and spacing are checked exactly and
 * without waiting; only the per-attempt timeout uses real time (a short one).
 */
import { strToU8, zipSync } from 'fflate'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FetchError } from './errors.ts'
import type { SeriesFetchRequest } from '../series/fetch/types.ts'
import { createHttpClient, isHtmlPage, oasisError, redactBytes, SECRET_REDACTED, wireUrl } from './http.ts'
import { reply, startTestServer, type TestServer } from './test-server.ts'
import type { AnyFetchRequest, FetchEvent, FetchOutcomeOf, FetchRequest, HttpClientOptions } from './types.ts'

const T0 = Date.parse('2026-07-14T12:00:00Z')
const UA = '254Carbon-ingest/test (+ops@example.test)'
let server: TestServer
let clock: number
let sleeps: number[]
let events: FetchEvent[]

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  clock = T0
  sleeps = []
  events = []
  server.seen.length = 0
})

/**
 * A client on the fake clock: a sleep yields to the event loop once (so whatever was already
 * under way runs first, as it would during a real wait), then advances the clock by its length.
 */
function client(options: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    userAgent: UA,
    backoff: { initialMs: 1000, maxMs: 3000 },
    now: () => clock,
    sleep: async (ms, signal) => {
      sleeps.push(ms)
      await new Promise((resolve) => setImmediate(resolve))
      signal?.throwIfAborted()
      clock += ms
    },
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...options,
  })
}

let paths = 0
/** A fresh path (handlers count requests per path) and a request for it. */
function request(extra: Partial<FetchRequest> = {}): FetchRequest {
  const path = `/file-${++paths}.csv`
  return {
    dataset: 'miso.da_expost_lmp',
    url: `${server.url}${path}`,
    window: { start: T0, end: T0 + 3_600_000 },
    file: `file-${paths}.csv`,
    rateGroup: 'test',
    ...extra,
  }
}
const pathOf = (r: AnyFetchRequest) => new URL(r.url).pathname + new URL(r.url).search
const text = (bytes: Uint8Array | null) => (bytes ? new TextDecoder().decode(bytes) : null)
const payload = <R extends AnyFetchRequest>(o: FetchOutcomeOf<R>) => {
  if (o.kind !== 'payload') throw new Error(`expected a payload, got ${o.kind}: ${o.reason}`)
  return o.payload
}
async function fetchError(promise: Promise<unknown>): Promise<FetchError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(FetchError)
  return error as FetchError
}
const retries = () => events.filter((e) => e.type === 'retry' || e.type === 'throttled')
const CSV = { 'Content-Type': 'text/csv' }
const HTML_PAGE = '<!DOCTYPE html>\n<html><head><title>Busy</title></head><body>Too many requests</body></html>\n'

describe('a plain answer', () => {
  it('sends the User-Agent and the Accept of the request, and returns the bytes with their metadata', async () => {
    const r = request({ headers: { Accept: 'text/csv' } })
    server.on(pathOf(r), (_req, res) => reply(res, 200, { ...CSV, 'Last-Modified': 'Mon, 13 Jul 2026 19:00:00 GMT' }, 'a,b\n1,2\n'))
    const p = payload(await client().fetch(r))
    expect(server.seen[0]!.headers['user-agent']).toBe(UA)
    expect(server.seen[0]!.headers.accept).toBe('text/csv')
    expect(p).toMatchObject({ request: r, status: 200, contentType: 'text/csv', fetchedAt: T0, attempts: 1 })
    expect(p.lastModified).toBe(Date.parse('2026-07-13T19:00:00Z'))
    expect(text(p.bytes)).toBe('a,b\n1,2\n')
    expect(events.map((e) => e.type)).toEqual(['request', 'response'])
  })

  it('a request cannot replace the User-Agent; Accept defaults to */*', async () => {
    const r = request({ headers: { 'user-agent': 'other' } })
    server.on(pathOf(r), (_req, res) => reply(res, 200, CSV, 'x'))
    await client().fetch(r)
    expect(server.seen[0]!.headers['user-agent']).toBe(UA)
    expect(server.seen[0]!.headers.accept).toBe('*/*')
  })
})

describe('retries', () => {
  it('retries 5xx with doubling backoff and jitter, then returns the answer', async () => {
    const r = request()
    server.on(pathOf(r), (_req, res, n) => (n <= 2 ? reply(res, 503, { 'Content-Type': 'text/plain' }, 'down') : reply(res, 200, CSV, 'ok')))
    const p = payload(await client().fetch(r))
    expect(p.attempts).toBe(3)
    // random() = 0.5: half the delay fixed plus a quarter: 0.75 of 1000, then of 2000.
    expect(retries()).toEqual([
      { type: 'retry', request: r, attempt: 1, delayMs: 750, reason: 'HTTP 503 Service Unavailable' },
      { type: 'retry', request: r, attempt: 2, delayMs: 1500, reason: 'HTTP 503 Service Unavailable' },
    ])
    expect(sleeps).toEqual([750, 1500])
  })

  it('caps the backoff and gives up after maxAttempts with the last status and body', async () => {
    const r = request()
    server.on(pathOf(r), (_req, res, n) => reply(res, 500, { 'Content-Type': 'text/plain' }, `boom ${n}`))
    const error = await fetchError(client({ random: () => 1 }).fetch(r))
    expect(sleeps).toEqual([1000, 2000, 3000, 3000])
    expect(server.seen).toHaveLength(5)
    expect(error).toMatchObject({ status: 500, attempts: 5, retryable: true, reason: 'gave up: HTTP 500 Internal Server Error' })
    expect(error.request).toMatchObject({ url: r.url, file: r.file, dataset: r.dataset })
    expect(text(error.bytes)).toBe('boom 5')
    expect(error.message).toContain(r.url)
    expect(error.message).toContain(r.file)
  })

  it('jitter spreads the delay between half and all of the doubled step', async () => {
    const r = request()
    server.on(pathOf(r), (_req, res, n) => (n <= 2 ? reply(res, 502, {}, '') : reply(res, 200, CSV, 'ok')))
    await client({ random: () => 0 }).fetch(r)
    expect(sleeps).toEqual([500, 1000])
  })

  it('honours Retry-After seconds on 429, and backs off when there is none', async () => {
    const r = request()
    server.on(pathOf(r), (_req, res, n) => {
      if (n === 1) reply(res, 429, { 'Retry-After': '7' }, 'slow down')
      else if (n === 2) reply(res, 429, {}, 'slow down')
      else reply(res, 200, CSV, 'ok')
    })
    const p = payload(await client().fetch(r))
    expect(p.attempts).toBe(3)
    expect(retries().map((e) => [e.type, e.delayMs, e.reason])).toEqual([
      ['throttled', 7000, 'HTTP 429 Too Many Requests'],
      ['throttled', 1500, 'HTTP 429 Too Many Requests'],
    ])
  })

  it('honours a Retry-After date', async () => {
    const r = request()
    server.on(pathOf(r), (_req, res, n) => (n === 1 ? reply(res, 503, { 'Retry-After': new Date(T0 + 4000).toUTCString() }) : reply(res, 200, CSV, 'ok')))
    await client().fetch(r)
    expect(sleeps).toEqual([4000])
  })

  it('retries an HTML page answered with 200 (by content type, or by its first bytes)', async () => {
    const r = request()
    server.on(pathOf(r), (_req, res, n) => {
      if (n === 1) reply(res, 200, { 'Content-Type': 'text/html; charset=utf-8' }, HTML_PAGE)
      else if (n === 2) reply(res, 200, { 'Content-Type': 'text/csv' }, `\r\n  ${HTML_PAGE}`)
      else reply(res, 200, CSV, 'ok')
    })
    const p = payload(await client().fetch(r))
    expect(text(p.bytes)).toBe('ok')
    expect(retries().map((e) => [e.type, e.reason])).toEqual([
      ['throttled', 'an HTML page instead of data (HTTP 200)'],
      ['throttled', 'an HTML page instead of data (HTTP 200)'],
    ])
  })

  it('retries timeouts (per attempt) and reports the last as the reason', async () => {
    const r = request()
    server.on(pathOf(r), () => {}) // never answers
    const error = await fetchError(client({ timeoutMs: 100, maxAttempts: 2 }).fetch(r))
    expect(server.seen).toHaveLength(2)
    expect(error).toMatchObject({ status: null, attempts: 2, retryable: true, reason: 'gave up: timed out after 100 ms', bytes: null })
  })

  it('retries network errors', async () => {
    const closed = await startTestServer()
    await closed.close()
    const r = { ...request(), url: `${closed.url}/gone.csv` }
    const error = await fetchError(client({ maxAttempts: 2 }).fetch(r))
    expect(error.status).toBeNull()
    expect(error.reason).toMatch(/^gave up: network error: fetch failed/)
    expect(retries().map((e) => e.type)).toEqual(['retry'])
  })
})

describe('answers that are not retried', () => {
  it('a 404 of a file that is published later is "not published"', async () => {
    const r = request({ notFoundMeansNotPublished: true })
    server.on(pathOf(r), (_req, res) => reply(res, 404, { 'Content-Type': 'text/html' }, HTML_PAGE))
    const outcome = await client().fetch(r)
    expect(outcome).toMatchObject({ kind: 'not-published', request: r, status: 404, reason: 'HTTP 404: not published yet' })
    expect(server.seen).toHaveLength(1)
  })

  it('any other 404 and 400/401/403 fail at once, naming the URL and status but no header value', async () => {
    for (const status of [404, 400, 401, 403]) {
      server.seen.length = 0
      const r = request({ headers: { 'Ocp-Apim-Subscription-Key': 'secret-key-123' } })
      server.on(pathOf(r), (_req, res) => reply(res, status, { 'Content-Type': 'text/plain' }, 'no'))
      const error = await fetchError(client().fetch(r))
      expect(server.seen).toHaveLength(1)
      expect(server.seen[0]!.headers['ocp-apim-subscription-key']).toBe('secret-key-123')
      expect(error).toMatchObject({ status, attempts: 1, retryable: false })
      expect(error.message).toContain(r.url)
      expect(error.message).toContain(`HTTP ${status}`)
      expect(error.message).not.toContain('secret-key-123')
      expect(JSON.stringify(error.request)).not.toContain('secret-key-123')
      expect(text(error.bytes)).toBe('no')
    }
    expect(retries()).toEqual([])
  })
})

describe('OASIS zip answers', () => {
  const ZIP = { 'Content-Type': 'application/x-zip-compressed' }
  const errorZip = (code: number, description: string) =>
    zipSync({
      'INVALID_REQUEST.xml': strToU8(
        '<?xml version="1.0" encoding="UTF-8"?>\n<m:OASISReport xmlns:m="http://www.caiso.com/soa/OASISReport_v1.xsd"><m:MessagePayload><m:RTO><m:ERROR>' +
          `<m:ERR_CODE>${code}</m:ERR_CODE><m:ERR_DESC>${description}</m:ERR_DESC></m:ERROR></m:RTO></m:MessagePayload></m:OASISReport>\n`
      ),
    })

  it('ERR_CODE 1000 (no data) is "not published", with the bytes', async () => {
    const r = request({ dataset: 'caiso.oasis.prc_lmp', rateGroup: 'oasis' })
    const body = errorZip(1000, 'No data returned for the specified selection')
    server.on(pathOf(r), (_req, res) => reply(res, 200, ZIP, body))
    const outcome = await client().fetch(r)
    expect(outcome).toMatchObject({ kind: 'not-published', status: 200, reason: 'OASIS ERR_CODE 1000: No data returned for the specified selection' })
    expect(outcome.kind === 'not-published' && outcome.bytes).toEqual(body)
  })

  it('any other ERR_CODE is a FetchError naming the code, keeping the bytes, not retried', async () => {
    const r = request({ dataset: 'caiso.oasis.prc_lmp', rateGroup: 'oasis' })
    const body = errorZip(1004, 'The date range of the request exceeds the allowed maximum: at most 1 hours &#60;ALL_APNODES&#62;')
    server.on(pathOf(r), (_req, res) => reply(res, 200, ZIP, body))
    const error = await fetchError(client().fetch(r))
    expect(error).toMatchObject({
      status: 200,
      attempts: 1,
      retryable: false,
      reason: 'OASIS ERR_CODE 1004: The date range of the request exceeds the allowed maximum: at most 1 hours <ALL_APNODES>',
    })
    expect(error.bytes).toEqual(body)
    expect(server.seen).toHaveLength(1)
  })

  it('a data zip, and a zip that does not open, are payloads (the parser judges them)', async () => {
    const data = zipSync({ 'x.csv': strToU8('A,B\n1,2\n') })
    const r1 = request({ rateGroup: 'oasis' })
    const r2 = request({ rateGroup: 'oasis' })
    server.on(pathOf(r1), (_req, res) => reply(res, 200, ZIP, data))
    server.on(pathOf(r2), (_req, res) => reply(res, 200, ZIP, data.slice(0, 20)))
    expect(payload(await client().fetch(r1)).bytes).toEqual(data)
    expect(payload(await client().fetch(r2)).bytes).toEqual(data.slice(0, 20))
  })

  it('oasisError reads only error documents', () => {
    expect(oasisError(strToU8('A,B\n'))).toBeNull()
    expect(oasisError(zipSync({ 'x.csv': strToU8('ERR_CODE') }))).toBeNull()
    expect(oasisError(errorZip(1015, 'x'))).toMatchObject({ code: 1015, description: 'x' })
  })
})

describe('isHtmlPage', () => {
  it('tells pages from data', () => {
    expect(isHtmlPage('text/html', strToU8('anything'))).toBe(true)
    expect(isHtmlPage('', strToU8('\uFEFF <html lang="en">'))).toBe(true)
    expect(isHtmlPage('text/plain', strToU8('<!doctype HTML>'))).toBe(true)
    expect(isHtmlPage('text/csv', strToU8('NODE,<html>\n'))).toBe(false)
    expect(isHtmlPage('application/json', strToU8('{"html":"<html>"}'))).toBe(false)
  })
})

describe('the caller aborting', () => {
  it('stops a request in flight at once, without retrying', async () => {
    const r = request()
    const controller = new AbortController()
    server.on(pathOf(r), () => controller.abort())
    const error = await client().fetch(r, controller.signal).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AbortError' })
    expect(server.seen).toHaveLength(1)
    expect(retries()).toEqual([])
  })

  it('stops during the backoff', async () => {
    const r = request()
    const controller = new AbortController()
    server.on(pathOf(r), (_req, res) => reply(res, 503, {}, ''))
    const c = client({ onEvent: (e) => e.type === 'retry' && controller.abort() })
    await expect(c.fetch(r, controller.signal)).rejects.toMatchObject({ name: 'AbortError' })
    expect(server.seen).toHaveLength(1)
  })

  it('stops while queued behind another request of the group', async () => {
    const first = request({ rateGroup: 'caiso.oasis' })
    const second = request({ rateGroup: 'caiso.oasis' })
    server.on(pathOf(first), (_req, res) => reply(res, 200, CSV, 'ok'))
    server.on(pathOf(second), (_req, res) => reply(res, 200, CSV, 'ok'))
    // A sleep that only ends by abort: the second request waits for its slot until the caller gives up.
    const c = client({ sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))) })
    await c.fetch(first)
    const controller = new AbortController()
    const pending = c.fetch(second, controller.signal)
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(server.seen.map((s) => s.path)).toEqual([pathOf(first)])
  })
})

describe('rate groups', () => {
  it('spaces the starts of one group by minSpacingMs (default 5.5 s for caiso.oasis), in call order', async () => {
    const at: [string, number][] = []
    const c = client({ onEvent: (e) => e.type === 'request' && at.push([e.request.file, clock]) })
    const rs = [1, 2, 3].map(() => request({ rateGroup: 'caiso.oasis' }))
    for (const r of rs) server.on(pathOf(r), (_req, res) => reply(res, 200, CSV, 'ok'))
    await Promise.all(rs.map((r) => c.fetch(r)))
    expect(at).toEqual(rs.map((r, i) => [r.file, T0 + i * 5500]))
  })

  it('does not delay other groups, and honours configured spacings', async () => {
    const at: [string, number][] = []
    const c = client({ minSpacingMs: { 'miso.api': 300 }, onEvent: (e) => e.type === 'request' && at.push([e.request.rateGroup, clock]) })
    const api = [1, 2].map(() => request({ rateGroup: 'miso.api' }))
    const reports = [1, 2].map(() => request({ rateGroup: 'miso.reports' }))
    for (const r of [...api, ...reports]) server.on(pathOf(r), (_req, res) => reply(res, 200, CSV, 'ok'))
    await Promise.all([...reports, ...api].map((r) => c.fetch(r)))
    expect(sleeps).toEqual([300])
    const apiStarts = at.filter(([g]) => g === 'miso.api').map(([, t]) => t)
    expect(apiStarts[1]! - apiStarts[0]!).toBe(300)
  })

  it('spaces retries too: the backoff counts toward the spacing', async () => {
    const at: number[] = []
    const c = client({ onEvent: (e) => e.type === 'request' && at.push(clock) })
    const r = request({ rateGroup: 'caiso.oasis' })
    server.on(pathOf(r), (_req, res, n) => (n === 1 ? reply(res, 503, {}, '') : reply(res, 200, CSV, 'ok')))
    await c.fetch(r)
    expect(sleeps).toEqual([750, 4750])
    expect(at).toEqual([T0, T0 + 5500])
  })
})

describe('series requests', () => {
  const SECRET = 'eia-key-0123456789abcdef'
  let seriesPaths = 0
  /** A series request for a fresh path with `data[0]=value` in its query (brackets kept as written). */
  function seriesRequest(extra: Partial<SeriesFetchRequest> = {}): SeriesFetchRequest {
    const n = ++seriesPaths
    return {
      dataset: 'eia.930.region_data',
      key: 'CAISO',
      url: `${server.url}/v2/series-${n}/data/?frequency=hourly&data[0]=value&offset=0`,
      window: { start: T0, end: T0 + 3_600_000 },
      file: `series-${n}_p1.json`,
      rateGroup: 'test',
      ...extra,
    }
  }
  const withKey = (extra: Partial<SeriesFetchRequest> = {}) => seriesRequest({ secretQuery: { api_key: SECRET }, ...extra })
  /** The path the server sees: the request's own query, then the secret. */
  const sentPath = (r: SeriesFetchRequest) => `${new URL(r.url).pathname}${r.url.slice(r.url.indexOf('?'))}&api_key=${SECRET}`
  /** EIA echoes the request's parameters, the key among them. */
  const echo = (path: string) => JSON.stringify({ response: { total: '0', data: [] }, request: { params: { path, api_key: SECRET } } })
  const JSON_TYPE = { 'Content-Type': 'application/json' }

  it('sends the secret query on the wire only: not in the request, the events, the outcome or the bytes', async () => {
    const r = withKey()
    server.on(sentPath(r), (_req, res) => reply(res, 200, JSON_TYPE, echo(sentPath(r))))
    const outcome = await client().fetch(r)
    expect(server.seen.map((s) => s.path)).toEqual([sentPath(r)])
    const p = payload(outcome)
    expect(r.url).not.toContain(SECRET)
    expect(p.request.url).toBe(r.url)
    expect(p.request).toMatchObject({ dataset: r.dataset, key: 'CAISO', file: r.file, window: r.window })
    expect(text(p.bytes)).not.toContain(SECRET)
    expect(JSON.parse(text(p.bytes)!)).toMatchObject({ request: { params: { api_key: SECRET_REDACTED } } })
    expect(JSON.stringify(outcome)).not.toContain(SECRET)
    expect(JSON.stringify(events)).not.toContain(SECRET)
    expect(events.map((e) => e.type)).toEqual(['request', 'response'])
    expect(Object.keys(p.request)).not.toContain('secretQuery')
    // Hidden, not gone: the dataset's nextPage carries it to the next page.
    expect(p.request.secretQuery).toEqual({ api_key: SECRET })
  })

  it('keeps the secret out of a FetchError and its bytes (a 403 echoing the key)', async () => {
    const r = withKey()
    server.on(sentPath(r), (_req, res) => reply(res, 403, JSON_TYPE, JSON.stringify({ error: { code: 'API_KEY_INVALID', message: `bad key ${SECRET}` } })))
    const error = await fetchError(client().fetch(r))
    expect(error).toMatchObject({ status: 403, attempts: 1, retryable: false })
    expect(error.message).toContain(r.url)
    expect(error.message).not.toContain(SECRET)
    expect(JSON.stringify(error.request)).not.toContain(SECRET)
    expect(text(error.bytes)).toBe(JSON.stringify({ error: { code: 'API_KEY_INVALID', message: `bad key ${SECRET_REDACTED}` } }))
    expect(JSON.stringify(events)).not.toContain(SECRET)
  })

  it('keeps the secret out of a network error that names the URL, through the retries and the final FetchError', async () => {
    const failing: typeof globalThis.fetch = async (input) => {
      throw new TypeError('fetch failed', { cause: new Error(`cannot reach ${String(input)}`) })
    }
    const r = withKey()
    const error = await fetchError(client({ fetch: failing, maxAttempts: 2 }).fetch(r))
    expect(error).toMatchObject({ status: null, attempts: 2, retryable: true })
    expect(error.message).toContain('cannot reach')
    expect(error.message).toContain(SECRET_REDACTED)
    expect(error.message).not.toContain(SECRET)
    expect(retries()).toHaveLength(1)
    expect(JSON.stringify(events)).not.toContain(SECRET)
  })

  it('a not-published 404 carries the request back without showing the secret', async () => {
    const r = withKey({ notFoundMeansNotPublished: true })
    server.on(sentPath(r), (_req, res) => reply(res, 404, { 'Content-Type': 'text/plain' }, `no such file for ${SECRET}`))
    const outcome = await client().fetch(r)
    expect(outcome).toMatchObject({ kind: 'not-published', status: 404, reason: 'HTTP 404: not published yet' })
    expect(JSON.stringify(outcome)).not.toContain(SECRET)
    if (outcome.kind !== 'not-published') throw new Error('expected not-published')
    expect(text(outcome.bytes)).toBe(`no such file for ${SECRET_REDACTED}`)
  })

  it('an HTML answer is data when the request expects HTML (EIA fragments), and a throttle page otherwise', async () => {
    const fragment = '<html><body><ul><li>For the week ending September 23:</li></ul></body></html>\n'
    const expected = seriesRequest({ htmlExpected: true })
    server.on(pathOf(expected), (_req, res) => reply(res, 200, { 'Content-Type': 'text/html; charset=UTF-8' }, fragment))
    const p = payload(await client().fetch(expected))
    expect(text(p.bytes)).toBe(fragment)
    expect(p).toMatchObject({ request: expected, attempts: 1, contentType: 'text/html; charset=UTF-8' })
    expect(retries()).toEqual([])

    const unexpected = seriesRequest()
    server.on(pathOf(unexpected), (_req, res, n) => (n === 1 ? reply(res, 200, { 'Content-Type': 'text/html' }, HTML_PAGE) : reply(res, 200, JSON_TYPE, '{}')))
    const q = payload(await client().fetch(unexpected))
    expect(q.attempts).toBe(2)
    expect(retries().map((e) => [e.type, e.reason])).toEqual([['throttled', 'an HTML page instead of data (HTTP 200)']])
  })

  it('does not look for an OASIS error document in a series zip (an .xlsx workbook is a zip)', async () => {
    const r = seriesRequest({ dataset: 'eia.ice.next_day_gas', key: 'GAS' })
    const workbook = zipSync({ 'INVALID_REQUEST.xml': strToU8('<ERR_CODE>1000</ERR_CODE><ERR_DESC>looks like OASIS</ERR_DESC>') })
    server.on(pathOf(r), (_req, res) => reply(res, 200, { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, workbook))
    const p = payload(await client().fetch(r))
    expect(p.bytes).toEqual(workbook)
  })

  it('a price request comes back as the very object that was asked', async () => {
    const r = request()
    server.on(pathOf(r), (_req, res) => reply(res, 200, CSV, 'x'))
    expect(payload(await client().fetch(r)).request).toBe(r)
  })
})

describe('wireUrl and redactBytes', () => {
  const base: SeriesFetchRequest = {
    dataset: 'eia.930.region_data',
    key: 'PJM',
    url: 'https://api.eia.gov/v2/electricity/rto/region-data/data/?data[0]=value&facets[respondent][]=PJM',
    window: { start: 0, end: 1 },
    file: 'f.json',
    rateGroup: 'eia.api',
  }
  it('appends the secrets as text, encoded, leaving the rest of the URL as written', () => {
    expect(wireUrl({ ...base, secretQuery: { api_key: 'a b&c' } })).toBe(`${base.url}&api_key=a%20b%26c`)
    expect(wireUrl({ ...base, url: 'https://example.test/file.xls', secretQuery: { k: 'v' } })).toBe('https://example.test/file.xls?k=v')
    expect(wireUrl({ ...base, url: 'https://example.test/x?', secretQuery: { k: 'v' } })).toBe('https://example.test/x?k=v')
    expect(wireUrl(base)).toBe(base.url)
  })
  it('replaces the secret, its URL-encoded and its JSON-escaped forms wherever they occur, leaving other bytes alone', () => {
    const r = { ...base, secretQuery: { api_key: 'k/ey+1' } }
    const body = new TextEncoder().encode('a k/ey+1 b k%2Fey%2B1 c k/ey+1 d "k\\/ey+1"')
    expect(new TextDecoder().decode(redactBytes(body, r))).toBe(`a ${SECRET_REDACTED} b ${SECRET_REDACTED} c ${SECRET_REDACTED} d "${SECRET_REDACTED}"`)
    const clean = new TextEncoder().encode('nothing to hide')
    expect(redactBytes(clean, r)).toBe(clean)
    expect(redactBytes(body, base)).toBe(body)
  })
})
