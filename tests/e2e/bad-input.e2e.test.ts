/**
 * Bad input over HTTP, end to end against the running platform (issue 11): every tRPC procedure
 * of the app router (through /api/trpc, a hub session) and every REST path of the OpenAPI
 * document (through /api/v1, a bearer token) is fed control characters, injected text (SQL and
 * ClickHouse metacharacters, CSV formula characters, path traversal), oversized, malformed and
 * out-of-range values. Each answer is a 400 whose message names the field (or a 404 for a
 * well-formed unknown id, or a 200 carrying no data), never a 5xx, never a stack trace, and each
 * request that reached a procedure left its audit row. New procedures are covered without editing
 * this file: the inputs are derived from each procedure's `meta.example`.
 *
 * Below, the HTTP layer's own limits: body size (413), bodies without a length (411), header
 * size (431), tRPC batch size, unknown API paths (404), all as JSON; Cache-Control: no-store on
 * data; a mismatched Host/Origin on a hub action (403); /healthz and /readyz.
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { appRouter } from '../../server/trpc/root.ts'
import type { Meta } from '../../server/trpc/trpc.ts'
import { parseCsv } from '../support/csv.ts'
import { createApiTokenInHub, launchBrowser, signIn, cookieHeader } from './support/browser.ts'

const baseUrl = inject('baseUrl')
const origin = new URL(baseUrl).origin

/** The input object's fields as zod reports them (a string field's `maxLength`). */
type InputShape = Record<string, { maxLength?: number | null } | undefined>
type ProcedureInfo = { path: string; type: 'query' | 'mutation' | 'subscription'; meta: Meta | undefined; shape: InputShape }
const procedures: ProcedureInfo[] = Object.entries(
  appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: ProcedureInfo['type']; meta?: Meta; inputs?: { shape?: InputShape }[] } }
  >,
).map(([p, proc]) => ({ path: p, type: proc._def.type, meta: proc._def.meta, shape: proc._def.inputs?.[0]?.shape ?? {} }))

/**
 * An oversized value for a string field: 5,000 characters, or one past the field's own maximum where
 * the field holds a document (a scenario text may be up to 100,000 characters).
 */
function oversizedLength(p: ProcedureInfo, field: string): number {
  return Math.max(5_000, (p.shape[field]?.maxLength ?? 0) + 1)
}
// Live subscriptions are SSE handlers in front of tRPC (server/http/trpc-live.ts, stream.ts): tested with the streams.
const callable = procedures.filter((p) => p.type !== 'subscription')

/** Hub session of Alan Analyst (hub MISO and CAISO, role analyst) for tRPC; admin session for the audit export. */
let analystCookie = ''
let adminCookie = ''
/** Tokens of Quinn Quant (MISO through the API, every scope), used in turn: each has its own rate limit bucket. */
const tokens: string[] = []
const browsers: { close(): Promise<void> }[] = []

/** Every request that reached a procedure, by request id (checked against the audit log at the end). */
const audited: { requestId: string; status: number; what: string }[] = []
let sequence = 0

beforeAll(async () => {
  for (const [name, who] of [
    ['analyst', 'Alan Analyst'],
    ['admin', 'Ada Admin'],
    ['quant', 'Quinn Quant'],
  ] as const) {
    const browser = await launchBrowser()
    browsers.push(browser)
    const page = await browser.context.newPage()
    await signIn(page, baseUrl, who)
    if (name === 'analyst') analystCookie = await cookieHeader(browser.context, baseUrl)
    if (name === 'admin') adminCookie = await cookieHeader(browser.context, baseUrl)
    if (name === 'quant') {
      // Ten buckets of 120 requests a minute: the REST section sends about 1,030 requests.
      for (let i = 0; i < 10; i++) tokens.push(await createApiTokenInHub(page, baseUrl, `bad-input-${i}`, ['read:prices', 'read:curves', 'write:curves', 'write:compliance', 'write:series']))
    }
  }
}, 240_000)

afterAll(async () => {
  for (const b of browsers) await b.close()
})

type Answer = { status: number; type: string; text: string; message: string; json: unknown }

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    // checked by the caller: every answer here must be JSON
  }
  const body = json as { message?: string; error?: { message?: string } } | null
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, message: body?.error?.message ?? body?.message ?? '', json }
}

function nextRequestId(what: string) {
  return `bad-input-${++sequence}-${Date.now().toString(36)}-${what.replace(/[^\w.-]/g, '').slice(0, 20)}`
}

async function callTrpc(p: ProcedureInfo, input: unknown, raw?: string): Promise<Answer> {
  const requestId = nextRequestId(p.path)
  // The exports need the downloads channel, which the analyst's organization lacks: the admin asks those.
  const headers = { cookie: p.meta?.access?.downloads ? adminCookie : analystCookie, 'x-request-id': requestId }
  const encoded = raw ?? JSON.stringify(input)
  const res =
    p.type === 'mutation'
      ? await fetch(`${baseUrl}/api/trpc/${p.path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', origin }, body: encoded })
      : await fetch(`${baseUrl}/api/trpc/${p.path}?input=${encodeURIComponent(encoded)}`, { headers })
  const answer = await answerOf(res)
  audited.push({ requestId, status: answer.status, what: `trpc ${p.path} ${encoded.slice(0, 80)}` })
  return answer
}

function queryString(input: Record<string, unknown>): string {
  return new URLSearchParams(
    Object.entries(input)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  ).toString()
}

async function callRest(p: ProcedureInfo, input: Record<string, unknown>): Promise<Answer> {
  const requestId = nextRequestId(p.meta!.openapi!.path)
  const headers = { authorization: `Bearer ${tokens[sequence % tokens.length]}`, 'x-request-id': requestId }
  const { method, path } = p.meta!.openapi!
  const res =
    method === 'GET'
      ? await fetch(`${baseUrl}/api/v1${path}?${queryString(input)}`, { headers })
      : await fetch(`${baseUrl}/api/v1${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input) })
  const answer = await answerOf(res)
  audited.push({ requestId, status: answer.status, what: `rest ${method} ${path} ${JSON.stringify(input).slice(0, 80)}` })
  return answer
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A 400 whose message names `field` ("field: ..." at the start or after "; "). */
function expectFieldError(answer: Answer, field: string, what: string) {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBe(400)
  expect(answer.message, what).toMatch(new RegExp(`(^|; )${escape(field)}(\\.\\d+)?(\\.\\w+)?: `))
}

/** Whether a JSON value holds any data: a non-empty array anywhere in it. */
/** An export estimate of nothing: zero rows, refused by the limits with the field to look at. */
function isEmptyEstimate(value: unknown): boolean {
  const estimate = value as { rows?: unknown; withinLimits?: unknown; limitReason?: unknown } | null
  return estimate?.rows === 0 && estimate.withinLimits === false && typeof estimate.limitReason === 'string' && /^nodes: /.test(estimate.limitReason)
}

function holdsData(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (value && typeof value === 'object') return Object.values(value).some(holdsData)
  return false
}

/** Never a 5xx, always JSON, never a stack trace. */
function expectSound(answer: Answer, what: string) {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBeLessThan(500)
  expect(answer.type, what).toMatch(/^application\/json/)
  expect(answer.text, what).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/)
}

/** The procedure's answer: tRPC wraps it in `{ result: { data } }`, REST does not. */
function unwrapTrpc(value: unknown): unknown {
  const wrapped = value as { result?: { data?: unknown } } | null
  return wrapped?.result && 'data' in wrapped.result ? wrapped.result.data : value
}

/** A validator's answer that refuses its input: `{ ok: false, diagnostics: [...] }` (scenarios.validate). */
function isValidatorRefusal(value: unknown): boolean {
  const answer = value as { ok?: unknown; diagnostics?: unknown } | null
  return answer?.ok === false && Array.isArray(answer.diagnostics) && answer.diagnostics.length > 0
}

/**
 * An upload whose file was refused as a whole (series.upload): nothing stored, the run recorded as
 * failed and the refusal named by line and field (the file itself kept as a dead letter).
 */
function isUploadRefusal(value: unknown): boolean {
  const answer = value as { status?: unknown; records?: unknown; refused?: { line?: unknown; field?: unknown }[] } | null
  return answer?.status === 'failed' && answer.records === 0 && Array.isArray(answer.refused) && answer.refused.length > 0 && answer.refused.every((r) => typeof r.field === 'string')
}

/**
 * Refused naming the field, a 404 for a well-formed unknown id, a validator's or an upload's
 * refusal, or a 200 that carries no data.
 */
function expectRefusedOrEmpty(answer: Answer, field: string, what: string) {
  expectSound(answer, what)
  if (answer.status === 400) return expectFieldError(answer, field, what)
  if (answer.status === 404) return
  if (answer.status === 200 && isValidatorRefusal(unwrapTrpc(answer.json))) return
  if (answer.status === 200 && isUploadRefusal(unwrapTrpc(answer.json))) return
  if (answer.status === 200 && isEmptyEstimate(unwrapTrpc(answer.json))) return
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBe(200)
  expect(holdsData(answer.json), `${what} served data: ${answer.text.slice(0, 300)}`).toBe(false)
}

/** Text an attacker might put into a node name, a search, an id. */
const INJECTED = [
  "' OR 1=1 --",
  "'; DROP TABLE audit_events; --",
  'INDIANA.HUB\\',
  '`prices` FINAL; SELECT * FROM system.users',
  "x' UNION ALL SELECT name FROM system.tables --",
  "=cmd|' /C calc'!A0",
  '+SUM(1+1)*cmd|',
  '@SUM(A1)',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '{{7*7}}${7*7}<script>alert(1)</script>',
]

type Case = { name: string; input: Record<string, unknown>; field: string; expect: 'field' | 'refused-or-empty' }

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}/.test(v)

/** The bad inputs of one procedure, derived from its example. */
function casesOf(p: ProcedureInfo): Case[] {
  const example = p.meta?.example ?? {}
  const cases: Case[] = []
  for (const [field, value] of Object.entries(example)) {
    const base = { ...example }
    if (typeof value === 'string') {
      cases.push({ name: `NUL in ${field}`, input: { ...base, [field]: `${value}\u0000` }, field, expect: 'field' })
      cases.push({ name: `escape sequence in ${field}`, input: { ...base, [field]: `\u001b[2J${value}` }, field, expect: 'field' })
      cases.push({ name: `oversized ${field}`, input: { ...base, [field]: 'A'.repeat(oversizedLength(p, field)) }, field, expect: 'field' })
      for (const text of INJECTED) cases.push({ name: `${field} = ${text}`, input: { ...base, [field]: text }, field, expect: 'refused-or-empty' })
      if (isDate(value)) {
        cases.push({ name: `${field} in year 0`, input: { ...base, [field]: value.replace(/^\d{4}/, '0000') }, field, expect: 'field' })
        cases.push({ name: `${field} in year 9999`, input: { ...base, [field]: value.replace(/^\d{4}/, '9999') }, field, expect: 'field' })
        cases.push({ name: `${field} not a date`, input: { ...base, [field]: 'yesterday' }, field, expect: 'field' })
      }
    } else if (typeof value === 'number') {
      for (const bad of [-1, 1e12, 0.5]) cases.push({ name: `${field} = ${bad}`, input: { ...base, [field]: bad }, field, expect: 'field' })
    } else if (Array.isArray(value) && value[0] && typeof value[0] === 'object') {
      for (const [inner, v] of Object.entries(value[0] as Record<string, unknown>)) {
        if (typeof v === 'string') {
          cases.push({ name: `NUL in ${field}.0.${inner}`, input: { ...base, [field]: [{ ...(value[0] as object), [inner]: `${v}\u0000` }] }, field: `${field}.0.${inner}`, expect: 'field' })
        } else if (typeof v === 'number') {
          cases.push({ name: `${field}.0.${inner} = -1e308`, input: { ...base, [field]: [{ ...(value[0] as object), [inner]: -1e308 }] }, field, expect: 'field' })
        }
      }
      cases.push({ name: `${field} oversized`, input: { ...base, [field]: Array.from({ length: 5_000 }, () => value[0]) }, field, expect: 'field' })
    }
  }
  // A from/to pair the wrong way round.
  if (typeof example.from === 'string' && typeof example.to === 'string' && example.from < example.to) {
    cases.push({ name: 'from after to', input: { ...example, from: example.to, to: example.from }, field: '(from|to)', expect: 'field' })
  }
  // A field the procedure does not know carrying hostile text: the input check reads every field.
  cases.push({ name: 'NUL in an unknown field', input: { ...example, extra: 'x\u0000' }, field: 'extra', expect: 'field' })
  return cases
}

function check(c: Case, answer: Answer, what: string) {
  expectSound(answer, what)
  if (c.expect === 'field') {
    expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBe(400)
    expect(answer.message, what).toMatch(new RegExp(`(^|; )${c.field === '(from|to)' ? c.field : escape(c.field)}(\\.\\d+)?(\\.\\w+)?: `))
  } else {
    expectRefusedOrEmpty(answer, c.field, what)
  }
}

describe('every tRPC procedure refuses bad input naming the field (hub session)', () => {
  it('has procedures to check', () => expect(callable.length).toBeGreaterThanOrEqual(8))

  for (const p of callable) {
    it(`${p.path}`, async () => {
      for (const c of casesOf(p)) check(c, await callTrpc(p, c.input), `trpc ${p.path}: ${c.name}`)
      // Malformed: not JSON at all, and JSON of the wrong shape.
      const notJson = await callTrpc(p, undefined, '{"market": "MISO",')
      expectSound(notJson, `trpc ${p.path}: not JSON`)
      expect(notJson.status, notJson.text).toBe(400)
      const wrongShape = await callTrpc(p, ['MISO'])
      expectSound(wrongShape, `trpc ${p.path}: an array`)
      expect(wrongShape.status, wrongShape.text).toBe(400)
    }, 180_000)
  }
})

describe('every REST path refuses bad input naming the field (bearer token)', () => {
  it('covers every path of the OpenAPI document but the live stream and the reports (their parameters: reports.e2e.test.ts)', async () => {
    const doc = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, unknown> }
    const mapped = callable.filter((p) => p.meta?.openapi).map((p) => p.meta!.openapi!.path)
    // A path may serve several methods (GET and POST /scenarios): each path once.
    const procedurePaths = Object.keys(doc.paths).filter((path) => path !== '/stream/prices' && !path.startsWith('/reports/'))
    expect(procedurePaths.sort()).toEqual([...new Set(mapped)].sort())
  })

  for (const p of callable.filter((x) => x.meta?.openapi)) {
    it(`${p.meta!.openapi!.method} ${p.meta!.openapi!.path}`, async () => {
      for (const c of casesOf(p)) {
        // A query string carries no arrays of objects: those cases are the JSON body's (POST) only.
        if (p.meta!.openapi!.method === 'GET' && Object.values(c.input).some((v) => typeof v === 'object' && v !== null)) continue
        check(c, await callRest(p, c.input), `rest ${p.meta!.openapi!.path}: ${c.name}`)
      }
    }, 180_000)
  }

  it('answers a numeric parameter that is no number with a 400 naming it', async () => {
    const nodes = callable.find((p) => p.path === 'nodes.search')!
    expectFieldError(await callRest(nodes, { market: 'MISO', limit: 'abc' }), 'limit', 'limit=abc')
  })

  it('answers a malformed JSON body with a 400 JSON error', async () => {
    const build = callable.find((p) => p.meta?.openapi?.method === 'POST')
    if (!build) return
    const res = await fetch(`${baseUrl}/api/v1${build.meta!.openapi!.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
      body: '{"market": "MISO",',
    })
    const answer = await answerOf(res)
    expectSound(answer, 'malformed JSON body')
    expect(answer.status).toBe(400)
  })
})

describe('the hub refuses hostile parameters with a 400 naming them, and audits it', () => {
  it('/nodes?q=A%00, a NUL in a node page path, a date in year 0', async () => {
    for (const path of ['/nodes?q=A%00', '/markets/MISO/nodes/INDIANA.HUB%00', `/markets/MISO/nodes/INDIANA.HUB?from=${encodeURIComponent('0000-01-01')}`]) {
      const requestId = nextRequestId('hub')
      const res = await fetch(`${baseUrl}${path}`, { headers: { cookie: analystCookie, 'x-request-id': requestId } })
      const text = await res.text()
      expect(res.status, `${path}: ${text.slice(0, 200)}`).toBe(400)
      expect(text, path).not.toMatch(/\n\s+at /)
      audited.push({ requestId, status: 400, what: `hub ${path}` })
    }
  })

  it('a query its page refuses before it knows the market (schema, unknown market) is audited too', async () => {
    const cases: [string, number][] = [
      ['/nodes?type=bogus', 400],
      ['/nodes?market=NOPE', 400],
      ['/markets/MISO?run=XX', 400],
      ['/markets/NOPE', 404],
      ['/markets/MISO/nodes/INDIANA.HUB?resolution=weekly', 400],
      ['/markets/MISO/nodes/INDIANA.HUB?page=0', 400],
      ['/data-health?window=1y', 400],
      [`/curves/MISO/INDIANA.HUB?granularity=${'x'.repeat(40)}`, 400],
      ['/curves/NOPE/INDIANA.HUB', 404],
    ]
    for (const [path, status] of cases) {
      const requestId = nextRequestId('hub-schema')
      const res = await fetch(`${baseUrl}${path}`, { headers: { cookie: analystCookie, 'x-request-id': requestId } })
      const text = await res.text()
      expect(res.status, `${path}: ${text.slice(0, 200)}`).toBe(status)
      expect(text, path).not.toMatch(/\n\s+at /)
      audited.push({ requestId, status, what: `hub ${path}` })
    }
  })
})

describe('HTTP limits answer JSON', () => {
  it('413 for a body over the limit, before it is read (API, tRPC, hub form)', async () => {
    const big = 'x'.repeat(1_100_000)
    for (const [path, headers] of [
      ['/api/v1/nodes', { authorization: `Bearer ${tokens[0]}` }],
      ['/api/trpc/nodes.search', { cookie: analystCookie, origin }],
      ['/auth/login', { origin }],
    ] as const) {
      const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: big })
      const answer = await answerOf(res)
      expect(answer.status, path).toBe(413)
      expect(answer.json, path).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/larger than the limit of 1 MB/) })
    }
    // The curve build takes quotes as CSV: up to 2 MB.
    const build = await fetch(`${baseUrl}/api/v1/curves/build`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-11-20', quotesCsv: 'contract,block,price\n' + 'x'.repeat(1_100_000) }),
    })
    expect(build.status).not.toBe(413)
    await build.body?.cancel()
    const tooBig = await fetch(`${baseUrl}/api/v1/curves/build`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
      body: 'x'.repeat(2_200_000),
    })
    expect(tooBig.status).toBe(413)
    await tooBig.body?.cancel()
  })

  it('411 for a body sent without Content-Length (chunked)', async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"market":"MISO"}'))
        controller.close()
      },
    })
    const res = await fetch(`${baseUrl}/api/v1/curves/build`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    const answer = await answerOf(res)
    expect(answer.status).toBe(411)
    expect(answer.json).toMatchObject({ code: 'LENGTH_REQUIRED' })
  })

  it('431 JSON for a huge nodes= (headers over the server limit)', async () => {
    const nodes = Array.from({ length: 4_000 }, (_, i) => `NODE.${i}`).join(',')
    const res = await fetch(`${baseUrl}/api/v1/prices/latest?market=MISO&run=DA&nodes=${nodes}`, { headers: { authorization: `Bearer ${tokens[0]}` } })
    const answer = await answerOf(res)
    expect(answer.status).toBe(431)
    expect(answer.type).toMatch(/^application\/json/)
    expect(answer.json).toMatchObject({ code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' })
  })

  it('caps tRPC batches at 10 calls with a 400 naming the limit', async () => {
    const batch = (n: number) => `${baseUrl}/api/trpc/${Array.from({ length: n }, () => 'markets.list').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]))))}`
    const ok = await fetch(batch(10), { headers: { cookie: analystCookie } })
    expect(ok.status).toBe(200)
    await ok.body?.cancel()
    const refused = await answerOf(await fetch(batch(11), { headers: { cookie: analystCookie } }))
    expect(refused.status).toBe(400)
    expect(refused.json).toMatchObject({ code: 'BAD_REQUEST', message: 'batch: at most 10 calls per tRPC batch, got 11' })
  })

  it('404 JSON for API paths that do not exist', async () => {
    for (const path of ['/api/nothing', '/api/v1/nothing', '/api/trpc/nothing.here']) {
      const answer = await answerOf(await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${tokens[0]}` } }))
      expect(answer.status, path).toBe(404)
      expect(answer.type, path).toMatch(/^application\/json/)
    }
  })
})

describe('data answers are never cached', () => {
  it('sends Cache-Control: no-store on REST, tRPC, hub pages and downloads', async () => {
    const answers = [
      await fetch(`${baseUrl}/api/v1/markets`, { headers: { authorization: `Bearer ${tokens[1]}` } }),
      await fetch(`${baseUrl}/api/trpc/markets.list`, { headers: { cookie: analystCookie } }),
      await fetch(`${baseUrl}/markets/MISO`, { headers: { cookie: analystCookie } }),
      // Ada Admin's organization has MISO downloads.
      await fetch(`${baseUrl}/markets/MISO/nodes/INDIANA.HUB/csv`, { headers: { cookie: adminCookie } }),
    ]
    for (const res of answers) {
      expect(res.status, res.url).toBe(200)
      expect(res.headers.get('cache-control'), res.url).toMatch(/no-store/)
      await res.body?.cancel()
    }
  })
})

/** A request with headers fetch will not send (Host). */
function rawRequest(path: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const url = new URL(path, baseUrl)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method, headers: options.headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

describe('a hub action whose Host and Origin disagree', () => {
  it('answers 403, not 500', async () => {
    const form = 'returnTo=%2F'
    const base = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(form.length) }
    const cases: Record<string, string>[] = [
      { origin, host: 'evil.example' },
      { origin, host: new URL(baseUrl).host, 'x-forwarded-host': 'evil.example' },
      { origin: 'http://evil.example', host: 'evil.example' },
      { origin: 'not a url', host: new URL(baseUrl).host },
    ]
    for (const headers of cases) {
      const res = await rawRequest('/auth/login', { method: 'POST', headers: { ...base, ...headers }, body: form })
      expect(res.status, JSON.stringify(headers)).toBe(403)
    }
    const malformed = await rawRequest('/auth/login', { method: 'POST', headers: { ...base, origin, host: 'bad host!' }, body: form })
    expect(malformed.status).toBe(400)
  })
})

describe('liveness and readiness', () => {
  it('/healthz answers ok without asking a store; /readyz names every store and its state', async () => {
    const health = await fetch(`${baseUrl}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ ok: true })
    const ready = await fetch(`${baseUrl}/readyz`)
    expect(ready.status).toBe(200)
    const body = (await ready.json()) as Record<string, { ok: boolean; ms: number }>
    expect(body).toMatchObject({ ok: true, postgres: { ok: true }, clickhouse: { ok: true }, bus: { ok: true }, objects: { ok: true } })
  })
})

describe('audit', () => {
  it('has a row for every request that reached a procedure, with the status it got', async () => {
    expect(audited.length).toBeGreaterThan(100)
    const res = await fetch(`${baseUrl}/admin/audit.csv`, { headers: { cookie: adminCookie } })
    expect(res.status).toBe(200)
    const [header, ...rows] = parseCsv(await res.text())
    const col = (name: string) => header!.indexOf(name)
    const byRequest = new Map(rows.map((r) => [r[col('request_id')], r]))
    const missing = audited.filter((call) => !byRequest.has(call.requestId))
    expect(missing.map((m) => m.what).slice(0, 10), `${missing.length} requests left no audit row`).toEqual([])
    for (const call of audited) {
      expect(byRequest.get(call.requestId)![col('status')], call.what).toBe(String(call.status))
    }
  }, 120_000)
})
