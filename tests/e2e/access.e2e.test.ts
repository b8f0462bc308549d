/**
 * Access control, end to end against the running platform: every procedure of the app router
 * (through /api/trpc) and every path of the OpenAPI document (through /api/v1) answers 401 to
 * anonymous callers, 403 to authenticated but unentitled ones and 200 to entitled ones. New
 * procedures are covered without editing this file: each declares `meta.example`, its input.
 */
import fs from 'node:fs'
import path from 'node:path'
import { generateKeyPair, importJWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEMO_SERVICE_CLIENT } from '../../server/services/auth/demo-identities.ts'
import { appRouter } from '../../server/trpc/root.ts'
import type { Meta } from '../../server/trpc/trpc.ts'
import { E2E_RATE_LIMIT } from '../setup/app-server.ts'
import { parseCsv } from '../support/csv.ts'
import { createApiTokenInHub, launchBrowser, signIn, cookieHeader } from './support/browser.ts'

const baseUrl = inject('baseUrl')
const dataDir = inject('dataDir')

type ProcedureInfo = { path: string; type: 'query' | 'mutation' | 'subscription'; meta: Meta | undefined }
const procedures: ProcedureInfo[] = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureInfo['type']; meta?: Meta } }>,
).map(([p, proc]) => ({ path: p, type: proc._def.type, meta: proc._def.meta }))

/** Every scope a personal token can have: the access test's tokens may call every procedure. */
const ALL_SCOPES = ['read:prices', 'read:curves', 'write:curves', 'write:compliance', 'write:series'] as const

/** Whether the demo service client (role `service`) may call the procedure: not when it needs a user role. */
const serviceMay = (p: ProcedureInfo) => !p.meta?.access?.role || p.meta.access.role === 'service'

type Credentials = { cookie?: string; bearer?: string }
const sessions: Record<string, string> = {}
const tokens: Record<string, string> = {}
let serviceJwt = ''
const browsers: { close(): Promise<void> }[] = []

/** Every data request this file makes, by request id, with the status it got (checked against the audit log). */
const calls: { requestId: string; status: number; what: string }[] = []

function headers(c: Credentials, requestId: string): Record<string, string> {
  return {
    'x-request-id': requestId,
    ...(c.cookie ? { cookie: c.cookie } : {}),
    ...(c.bearer ? { authorization: `Bearer ${c.bearer}` } : {}),
  }
}

async function tracked(url: string, c: Credentials, what: string, body?: unknown): Promise<Response> {
  const requestId = `access-${calls.length + 1}-${Date.now().toString(36)}`
  const res = await fetch(
    url,
    body === undefined
      ? { headers: headers(c, requestId) }
      : { method: 'POST', headers: { ...headers(c, requestId), 'content-type': 'application/json' }, body: JSON.stringify(body) },
  )
  calls.push({ requestId, status: res.status, what })
  return res
}

function exampleOf(p: ProcedureInfo): Record<string, unknown> {
  expect(p.meta?.example, `procedure ${p.path} must declare meta.example (its input for the access test)`).toBeDefined()
  return p.meta!.example!
}

async function callTrpc(p: ProcedureInfo, input: Record<string, unknown>, c: Credentials) {
  // Queries and subscriptions are GETs with the input in the query; mutations POST it as the body.
  const res =
    p.type === 'mutation'
      ? await tracked(`${baseUrl}/api/trpc/${p.path}`, c, `trpc ${p.path}`, input)
      : await tracked(`${baseUrl}/api/trpc/${p.path}?input=${encodeURIComponent(JSON.stringify(input))}`, c, `trpc ${p.path}`)
  // A subscription answers 200 with an event stream; a refusal is its first event (tRPC's
  // serialized-error, carrying the HTTP status the audit row records).
  if (res.ok && res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const refusal = await firstStreamError(res)
    const status = refusal?.data.httpStatus ?? 200
    calls.at(-1)!.status = status
    return { status, body: refusal ? JSON.stringify(refusal) : '(event stream)' }
  }
  return { status: res.status, body: await res.text() }
}

/**
 * Reads an SSE answer until its first event after `connected`: the error it carries if that is a
 * serialized-error, else null. A refusal follows `connected` at once; an accepted subscription may
 * stay quiet (no prices in this test), so 2 s without an event after `connected` means accepted.
 */
async function firstStreamError(res: Response): Promise<{ message: string; data: { httpStatus: number; code: string } } | null> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  const firstEvent = () => [...text.matchAll(/event: (\S+)\ndata: (.*)\n\n/g)].find((m) => m[1] !== 'connected' && m[1] !== 'ping')
  try {
    let quiet: Promise<null> | null = null
    while (!firstEvent()) {
      if (!quiet && text.includes('event: connected')) quiet = new Promise((resolve) => setTimeout(() => resolve(null), 2_000))
      const chunk = await Promise.race([reader.read(), ...(quiet ? [quiet] : [])])
      if (!chunk || chunk.done) break
      text += chunk.value
    }
  } finally {
    await reader.cancel()
  }
  const event = firstEvent()
  return event?.[1] === 'serialized-error' ? (JSON.parse(event[2]!) as { message: string; data: { httpStatus: number; code: string } }) : null
}

/**
 * A REST path with its `{param}`s filled from the input (e.g. /scenarios/{id}/runs), and the input
 * left for the query string (GET) or the body.
 */
function restPath(p: ProcedureInfo, input: Record<string, unknown>): { path: string; rest: Record<string, unknown> } {
  const rest = { ...input }
  const path = p.meta!.openapi!.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = encodeURIComponent(String(rest[name]))
    delete rest[name]
    return value
  })
  return { path, rest }
}

function restUrl(p: ProcedureInfo, input: Record<string, unknown>): string {
  const { path, rest } = restPath(p, input)
  if (p.meta!.openapi!.method !== 'GET') return `${baseUrl}/api/v1${path}`
  const query = new URLSearchParams(Object.entries(rest).map(([k, v]) => [k, String(v)]))
  return `${baseUrl}/api/v1${path}?${query}`
}

async function callRest(p: ProcedureInfo, input: Record<string, unknown>, c: Credentials) {
  const body = p.meta!.openapi!.method === 'GET' ? undefined : restPath(p, input).rest
  const res = await tracked(restUrl(p, input), c, `rest ${p.meta!.openapi!.path}`, body)
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') }
}

beforeAll(async () => {
  for (const [username, display] of [
    ['analyst', 'Alan Analyst'],
    ['none', 'Ned None'],
    ['quant', 'Quinn Quant'],
    ['admin', 'Ada Admin'],
  ] as const) {
    const browser = await launchBrowser()
    browsers.push(browser)
    const page = await browser.context.newPage()
    await signIn(page, baseUrl, display)
    sessions[username] = await cookieHeader(browser.context, baseUrl)
    tokens[username] = await createApiTokenInHub(page, baseUrl, `access-test-${username}`, ALL_SCOPES)
  }
  const res = await fetch(`${baseUrl}/dev-idp/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${DEMO_SERVICE_CLIENT.clientId}:${DEMO_SERVICE_CLIENT.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=read:prices%20read:curves',
  })
  expect(res.status).toBe(200)
  serviceJwt = ((await res.json()) as { access_token: string }).access_token
}, 240_000)

afterAll(async () => {
  for (const b of browsers) await b.close()
})

/** Procedures that hand out files (exports): the caller's organization also needs the downloads channel. */
const needsDownloads = (p: ProcedureInfo) => p.meta?.access?.downloads === true

/**
 * The input an entitled caller sends: the example, except that a procedure on one export (`{id}`)
 * gets a job of the caller's own organization, created first with the same credentials.
 */
async function entitledInput(p: ProcedureInfo, c: Credentials, via: 'trpc' | 'rest'): Promise<Record<string, unknown>> {
  const input = exampleOf(p)
  if (!needsDownloads(p)) return input
  if (!('id' in input)) return 'dataset' in input ? withRecentRange(input) : input
  const create = procedures.find((x) => x.path === 'exports.create')!
  const example = withRecentRange(exampleOf(create))
  const made = via === 'trpc' ? await callTrpc(create, example, c) : await callRest(create, example, c)
  expect(made.status, made.body).toBe(200)
  const body = JSON.parse(made.body) as { id?: string; result?: { data: { id: string } } }
  return { ...input, id: body.id ?? body.result!.data.id }
}

/** An export example moved to yesterday (the demo holds the last 90 days; an export of nothing is refused). */
function withRecentRange(input: Record<string, unknown>): Record<string, unknown> {
  const today = Date.parse(new Date().toISOString().slice(0, 10))
  return { ...input, from: new Date(today - 86_400_000).toISOString(), to: new Date(today).toISOString() }
}

/** Cancelling a job that already finished is a conflict (409): past the gate all the same. */
function expectAllowed(p: ProcedureInfo, res: { status: number; body: string }) {
  if (p.path === 'exports.cancel' || p.meta?.openapi?.path === '/exports/{id}/cancel') expect([200, 409], res.body).toContain(res.status)
  else expect(res.status, res.body).toBe(200)
}

describe('every tRPC procedure (hub and SDK channel)', () => {
  it('has procedures to check', () => expect(procedures.length).toBeGreaterThanOrEqual(4))

  for (const p of procedures.filter(needsDownloads)) {
    it(`${p.path}: anonymous 401, no downloads 403 (analyst session, analyst token), downloads 200 (admin session, quant token)`, async () => {
      const input = exampleOf(p)
      expect((await callTrpc(p, input, {})).status).toBe(401)
      expect((await callTrpc(p, input, { cookie: sessions.none })).status).toBe(403)
      expect((await callTrpc(p, input, { cookie: sessions.analyst })).status).toBe(403)
      expect((await callTrpc(p, input, { bearer: tokens.analyst })).status).toBe(403)
      expectAllowed(p, await callTrpc(p, await entitledInput(p, { cookie: sessions.admin }, 'trpc'), { cookie: sessions.admin }))
      expectAllowed(p, await callTrpc(p, await entitledInput(p, { bearer: tokens.quant }, 'trpc'), { bearer: tokens.quant }))
    })
  }

  for (const p of procedures.filter((x) => !needsDownloads(x))) {
    it(`${p.path}: anonymous 401, unentitled 403, entitled 200`, async () => {
      const input = exampleOf(p)
      expect((await callTrpc(p, input, {})).status).toBe(401)
      expect((await callTrpc(p, input, { cookie: sessions.none })).status).toBe(403)
      const ok = await callTrpc(p, input, { cookie: sessions.analyst })
      expect(ok.status, ok.body).toBe(200)
      // The SDK sends a bearer token: the API channel decides (Lakeshore Quant has MISO API).
      expect((await callTrpc(p, input, { bearer: tokens.quant })).status).toBe(200)
      expect((await callTrpc(p, input, { bearer: tokens.analyst })).status).toBe(403)
    })
  }
})

describe('every REST path of the OpenAPI document (API channel)', () => {
  let documentPaths: string[] = []
  beforeAll(async () => {
    const doc = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, unknown> }
    documentPaths = Object.keys(doc.paths)
  })

  it('documents exactly the procedures that declare a REST mapping, the live price stream and the reports', () => {
    // One path may serve two methods (GET /scenarios lists, POST /scenarios saves).
    const mapped = procedures.filter((p) => p.meta?.openapi).map((p) => p.meta!.openapi!.path)
    expect([...documentPaths].sort()).toEqual([...new Set([...mapped, STREAM_PATH, ...REPORT_PATHS])].sort())
  })

  for (const p of procedures.filter((x) => x.meta?.openapi)) {
    it(`${p.meta!.openapi!.method} ${p.meta!.openapi!.path}: anonymous 401, unentitled 403, entitled 200 (token and client-credentials JWT)`, async () => {
      const input = exampleOf(p)
      expect((await callRest(p, input, {})).status).toBe(401)
      // A hub session is no REST credential.
      expect((await callRest(p, input, { cookie: sessions.analyst })).status).toBe(401)
      expect((await callRest(p, input, { bearer: tokens.none })).status).toBe(403)
      expect((await callRest(p, input, { bearer: tokens.analyst })).status).toBe(403)
      // Lakeshore Quant (the quant's token and the service client) has MISO API and downloads.
      expectAllowed(p, await callRest(p, await entitledInput(p, { bearer: tokens.quant }, 'rest'), { bearer: tokens.quant }))
      if (serviceMay(p)) expectAllowed(p, await callRest(p, await entitledInput(p, { bearer: serviceJwt }, 'rest'), { bearer: serviceJwt }))
      else expect((await callRest(p, input, { bearer: serviceJwt })).status).toBe(403)
    })

    if ('market' in (p.meta?.example ?? {})) {
      it(`${p.meta!.openapi!.path}: CAISO through the REST API is 403 for every user`, async () => {
        const input = { ...exampleOf(p), market: 'CAISO', ...('node' in exampleOf(p) ? { node: 'TH_SP15_GEN-APND' } : {}) }
        for (const who of Object.keys(tokens)) {
          const res = await callRest(p, input, { bearer: tokens[who] })
          expect(res.status, `${who}: ${res.body}`).toBe(403)
        }
        expect((await callRest(p, input, { bearer: serviceJwt })).status).toBe(403)
      })
    }
  }
})

/** GET /api/v1/stream/prices: a plain handler (no procedure), documented in the OpenAPI document. */
const STREAM_PATH = '/stream/prices'

/** The reports (Remix resource routes, no procedures), documented in the OpenAPI document; access checked below. */
const REPORT_PATHS = ['market-summary', 'curve', 'scenario', 'fuels'].flatMap((kind) => [`/reports/${kind}`, `/reports/${kind}.pdf`])

describe('the reports (REST, HTML and PDF)', () => {
  it('market summary: anonymous 401, hub cookie 401, unentitled token 403, entitled token and service 200; CAISO 403 for everyone', async () => {
    const call = (query: string, c: Credentials) => tracked(`${baseUrl}/api/v1/reports/market-summary.pdf?${query}`, c, `rest /reports/market-summary.pdf ${query}`)
    expect((await call('market=MISO', {})).status).toBe(401)
    expect((await call('market=MISO', { cookie: sessions.analyst })).status).toBe(401)
    for (const who of ['none', 'analyst'] as const) expect((await call('market=MISO', { bearer: tokens[who] })).status, who).toBe(403)
    for (const c of [{ bearer: tokens.quant }, { bearer: serviceJwt }]) {
      const ok = await call('market=MISO', c)
      expect(ok.status).toBe(200)
      expect(ok.headers.get('content-type')).toBe('application/pdf')
      await ok.arrayBuffer()
    }
    for (const who of Object.keys(tokens)) expect((await call('market=CAISO', { bearer: tokens[who] })).status, who).toBe(403)
  })
})

describe('the live price stream (REST, Server-Sent Events)', () => {
  async function callStream(query: string, c: Credentials) {
    const res = await tracked(`${baseUrl}/api/v1${STREAM_PATH}?${query}`, c, `rest ${STREAM_PATH} ${query}`)
    const type = res.headers.get('content-type') ?? ''
    if (type.startsWith('text/event-stream')) {
      // Accepted: the stream stays open; the answer is its status and type.
      await res.body?.cancel()
      return { status: res.status, type, body: null }
    }
    return { status: res.status, type, body: (await res.json()) as { message: string; code: string; data: { httpStatus: number } } }
  }

  it('anonymous 401, hub cookie 401, unentitled token 403 with a JSON error, entitled token and service 200 text/event-stream', async () => {
    const query = 'market=MISO&runs=RT5&types=hub'
    const anonymous = await callStream(query, {})
    expect(anonymous.status).toBe(401)
    expect(anonymous.body?.code).toBe('UNAUTHORIZED')
    // A hub session is no REST credential.
    expect((await callStream(query, { cookie: sessions.analyst })).status).toBe(401)
    for (const who of ['none', 'analyst'] as const) {
      const refused = await callStream(query, { bearer: tokens[who] })
      expect(refused.status, who).toBe(403)
      expect(refused.type, who).toMatch(/^application\/json/)
      expect(refused.body, who).toMatchObject({ code: 'FORBIDDEN', message: 'Your organization is not entitled to MISO through the API' })
    }
    const ok = await callStream(query, { bearer: tokens.quant })
    expect(ok.status).toBe(200)
    expect(ok.type).toBe('text/event-stream')
    expect((await callStream(query, { bearer: serviceJwt })).status).toBe(200)
  })

  it('CAISO through the stream is 403 for every user', async () => {
    for (const who of Object.keys(tokens)) {
      const res = await callStream('market=CAISO', { bearer: tokens[who] })
      expect(res.status, who).toBe(403)
      expect(res.body?.message, who).toBe('CAISO data is not available through the API')
    }
  })
})

describe('CAISO in the hub', () => {
  it('is allowed for entitled users and refused for the others', async () => {
    const p = procedures.find((x) => x.path === 'prices.latest')!
    const input = { market: 'CAISO', run: 'DA', nodes: 'TH_SP15_GEN-APND' }
    expect((await callTrpc(p, input, { cookie: sessions.analyst })).status).toBe(200)
    expect((await callTrpc(p, input, { cookie: sessions.admin })).status).toBe(200)
    expect((await callTrpc(p, input, { cookie: sessions.quant })).status).toBe(403)
    const page = await fetch(`${baseUrl}/markets/CAISO`, { headers: { cookie: sessions.analyst! } })
    expect(page.status).toBe(200)
    const refused = await fetch(`${baseUrl}/markets/CAISO`, { headers: { cookie: sessions.quant! } })
    expect(refused.status).toBe(403)
  })

  it('sends anonymous hub visitors to the sign-in page', async () => {
    for (const route of ['/', '/markets/MISO', '/markets/MISO/capacity.csv', '/markets/MISO/nodes/INDIANA.HUB', '/nodes?q=IND', '/markets/MISO/nodes/INDIANA.HUB/csv']) {
      const res = await fetch(`${baseUrl}${route}`, { redirect: 'manual' })
      expect(res.status, route).toBe(302)
      expect(res.headers.get('location'), route).toMatch(route === '/' ? /^\/auth\/login/ : /^\/auth\/login\?returnTo=/)
    }
  })

  it('keeps the OpenAPI document and the API reference public', async () => {
    expect((await fetch(`${baseUrl}/api/openapi.json`)).status).toBe(200)
    expect((await fetch(`${baseUrl}/api/docs`)).status).toBe(200)
  })
})

/** The markets added after the pilot: no organization is entitled to them until an administrator grants it. */
const LATER_MARKETS = ['PJM', 'ERCOT', 'SPP', 'NYISO', 'ISONE', 'IESO', 'AESO'] as const

describe('the markets added after the pilot start unentitled', () => {
  const takesMarket = (p: ProcedureInfo) => 'market' in (p.meta?.example ?? {})

  it('has procedures that take a market', () => expect(procedures.filter(takesMarket).length).toBeGreaterThanOrEqual(3))

  // One of those markets per procedure, in turn (the per-token rate limit bounds how many calls a
  // token makes here); the hub, stream and report check below takes every one of them.
  procedures.filter(takesMarket).forEach((p, i) => {
    const market = LATER_MARKETS[i % LATER_MARKETS.length]!
    it(`${p.path}: ${market} is 403 for every session and token`, async () => {
      const input = { ...exampleOf(p), market }
      for (const who of Object.keys(sessions)) expect((await callTrpc(p, input, { cookie: sessions[who] })).status, `${who} session`).toBe(403)
      for (const who of Object.keys(tokens)) expect((await callTrpc(p, input, { bearer: tokens[who] })).status, `${who} token`).toBe(403)
      if (p.meta?.openapi) {
        for (const who of Object.keys(tokens)) expect((await callRest(p, input, { bearer: tokens[who] })).status, `${who} REST`).toBe(403)
        expect((await callRest(p, input, { bearer: serviceJwt })).status, 'service REST').toBe(403)
      }
    })
  })

  it('hub pages, the live stream and the reports: 403 for every market added after the pilot', async () => {
    for (const market of LATER_MARKETS) {
      const page = await tracked(`${baseUrl}/markets/${market}`, { cookie: sessions.admin }, `hub /markets/${market}`)
      expect(page.status, `/markets/${market}`).toBe(403)
      await page.arrayBuffer()
      const stream = await tracked(`${baseUrl}/api/v1${STREAM_PATH}?market=${market}`, { bearer: tokens.quant }, `rest ${STREAM_PATH} ${market}`)
      expect(stream.status, `stream ${market}`).toBe(403)
      expect(((await stream.json()) as { message: string }).message).toBe(`Your organization is not entitled to ${market} through the API`)
      const report = await tracked(`${baseUrl}/api/v1/reports/market-summary.pdf?market=${market}`, { bearer: serviceJwt }, `rest /reports/market-summary.pdf ${market}`)
      expect(report.status, `report ${market}`).toBe(403)
      await report.arrayBuffer()
    }
  })
})

describe('bearer tokens that must be refused', () => {
  const p = () => procedures.find((x) => x.path === 'markets.list')!
  async function devKey() {
    const file = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-idp-key.json'), 'utf8')) as { keys: Record<string, string>[] }
    const jwk = file.keys[0]!
    return { key: await importJWK(jwk, 'RS256'), kid: jwk.kid! }
  }
  const claims = { org: DEMO_SERVICE_CLIENT.organization, roles: ['service'], client_id: DEMO_SERVICE_CLIENT.clientId, scope: 'read:prices' }

  async function refused(token: string, reason: RegExp) {
    const res = await callRest(p(), {}, { bearer: token })
    expect(res.status).toBe(401)
    expect(res.body).toMatch(reason)
  }

  it('forged (signed by another key)', async () => {
    const { privateKey } = await generateKeyPair('RS256')
    const { kid } = await devKey()
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(`${baseUrl}/dev-idp`)
      .setAudience('carbon-api')
      .setExpirationTime('5m')
      .sign(privateKey)
    await refused(token, /signature/i)
  })

  it('expired, wrong issuer, wrong audience (signed with the provider key)', async () => {
    const { key, kid } = await devKey()
    const sign = (issuer: string, audience: string, exp: number) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(issuer).setAudience(audience).setExpirationTime(exp).sign(key)
    const now = Math.floor(Date.now() / 1000)
    await refused(await sign(`${baseUrl}/dev-idp`, 'carbon-api', now - 3600), /expired/i)
    await refused(await sign('https://evil.example', 'carbon-api', now + 300), /issuer/i)
    await refused(await sign(`${baseUrl}/dev-idp`, 'someone-else', now + 300), /audience/i)
    // The control: the same key and claims, right issuer and audience, is accepted.
    const good = await sign(`${baseUrl}/dev-idp`, 'carbon-api', now + 300)
    expect((await callRest(p(), {}, { bearer: good })).status).toBe(200)
  })

  it('alg none', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const now = Math.floor(Date.now() / 1000)
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: `${baseUrl}/dev-idp`, aud: 'carbon-api', exp: now + 300 })}.`
    await refused(token, /algorithm/i)
  })

  it('a revoked personal token, at once', async () => {
    const browser = await launchBrowser()
    try {
      const page = await browser.context.newPage()
      await signIn(page, baseUrl, 'Quinn Quant')
      const token = await createApiTokenInHub(page, baseUrl, 'to-revoke')
      expect((await callRest(p(), {}, { bearer: token })).status).toBe(200)
      await page.goto(`${baseUrl}/settings/tokens`)
      const row = page.locator('tr', { hasText: 'to-revoke' })
      await row.getByRole('button', { name: /revoke/i }).click()
      await page.waitForLoadState('networkidle')
      await refused(token, /revoked|invalid/i)
    } finally {
      await browser.close()
    }
  })
})

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-token limit', async () => {
    const p = procedures.find((x) => x.path === 'markets.list')!
    const browser = await launchBrowser()
    try {
      const page = await browser.context.newPage()
      await signIn(page, baseUrl, 'Quinn Quant')
      const token = await createApiTokenInHub(page, baseUrl, 'rate-limited')
      let limited: { status: number; retryAfter: string | null } | null = null
      // The bucket holds E2E_RATE_LIMIT and refills at E2E_RATE_LIMIT per minute while we call.
      for (let i = 0; i <= 3 * E2E_RATE_LIMIT && !limited; i++) {
        const res = await callRest(p, {}, { bearer: token })
        if (res.status === 429) limited = res
        else expect(res.status).toBe(200)
      }
      expect(limited?.status).toBe(429)
      expect(Number(limited?.retryAfter)).toBeGreaterThanOrEqual(1)
    } finally {
      await browser.close()
    }
  })
})

/**
 * Curves belong to an organization (docs/decisions/010-curve-ownership.md): Lakeshore Quant's build
 * is private to it. 254Carbon (MISO hub, API and downloads) and Prairie Trading (MISO hub) read the
 * house curve: never Lakeshore's as-of date, quotes, curve points or who built it, through tRPC,
 * REST, the hub pages or the CSV download.
 */
describe("curves: another organization's private build", () => {
  const today = new Date().toISOString().slice(0, 10)
  const node = { market: 'MISO', node: 'INDIANA.HUB' } as const
  /** A price no house curve has: its quote, and the Cal-2032 points the curve reprices it to. */
  const SECRET = 7777.77
  let builder = ''
  const proc = (name: string) => procedures.find((x) => x.path === name)!

  beforeAll(async () => {
    const built = await callRest(
      proc('curves.build'),
      { ...node, asOf: today, quotes: [{ contract: 'Cal-2032', block: 'onpeak', price: SECRET }] },
      { bearer: tokens.quant },
    )
    expect(built.status, built.body).toBe(200)
    const build = JSON.parse(built.body) as { status: string; owner: string; requestedBy: string; asOf: string }
    expect(build).toMatchObject({ status: 'done', owner: 'organization', asOf: today })
    builder = build.requestedBy
    expect(builder).not.toBe('254Carbon')
  })

  it('shows Lakeshore its own build as its latest curve (the control)', async () => {
    const own = await callRest(proc('curves.get'), { ...node }, { bearer: tokens.quant })
    expect(own.status, own.body).toBe(200)
    const body = JSON.parse(own.body) as { build: { asOf: string; requestedBy: string }; quotes: { price: number }[] }
    expect(body.build).toMatchObject({ asOf: today, requestedBy: builder })
    expect(body.quotes.map((q) => q.price)).toEqual([SECRET])
  })

  it('tRPC and REST: other organizations get 404 for the date, and the house curve (by 254Carbon) as the latest', async () => {
    const readers: [string, Credentials, 'trpc' | 'rest'][] = [
      ['254Carbon hub', { cookie: sessions.admin }, 'trpc'],
      ['Prairie hub', { cookie: sessions.analyst }, 'trpc'],
      ['254Carbon token', { bearer: tokens.admin }, 'rest'],
    ]
    for (const [who, credentials, channel] of readers) {
      const call = channel === 'trpc' ? callTrpc : callRest
      const dated = await call(proc('curves.get'), { ...node, asOf: today }, credentials)
      expect(dated.status, `${who}: ${dated.body}`).toBe(404)
      const versioned = await call(proc('curves.get'), { ...node, asOf: today, version: 1 }, credentials)
      expect(versioned.status, `${who}: ${versioned.body}`).toBe(404)
      for (const [name, input] of [
        ['curves.get', { ...node, granularity: 'annual' }],
        ['curves.list', { market: 'MISO' }],
        ['curves.history', { ...node, month: '2032-07' }],
        ['curves.compare', { ...node, granularity: 'annual' }],
      ] as const) {
        const res = await call(proc(name), input, credentials)
        expect(res.status, `${who} ${name}: ${res.body}`).toBe(200)
        expect(res.body, `${who} ${name}`).not.toContain(String(SECRET))
        expect(res.body, `${who} ${name}`).not.toContain(builder)
        expect(res.body, `${who} ${name}`).not.toContain('lakeshore')
        expect(res.body, `${who} ${name}`).not.toContain(`"asOf":"${today}"`)
        expect(res.body, `${who} ${name}`).not.toContain(`"${today}"`)
      }
      const latest = await call(proc('curves.get'), { ...node }, credentials)
      expect(latest.body, who).toContain('"requestedBy":"254Carbon"')
      expect(latest.body, who).toContain('"owner":"house"')
    }
  })

  it('hub pages and the CSV download: 404 for the date, and nothing of the build on the pages', async () => {
    for (const [who, cookie] of [
      ['254Carbon', sessions.admin!],
      ['Prairie', sessions.analyst!],
    ] as const) {
      const get = (p: string) => fetch(`${baseUrl}${p}`, { headers: { cookie } })
      expect((await get(`/curves/MISO/INDIANA.HUB?asOf=${today}`)).status, who).toBe(404)
      for (const page of ['/curves', '/curves/MISO/INDIANA.HUB?granularity=annual', '/curves/MISO/INDIANA.HUB/build']) {
        const res = await get(page)
        expect(res.status, `${who} ${page}`).toBe(200)
        const html = await res.text()
        expect(html, `${who} ${page}`).not.toContain(builder)
        expect(html, `${who} ${page}`).not.toContain('lakeshore')
        expect(html, `${who} ${page}`).not.toContain('7,777.77')
        expect(html, `${who} ${page}`).not.toContain(String(SECRET))
      }
    }
    // Only 254Carbon has MISO downloads.
    const csv = (q: string) => fetch(`${baseUrl}/curves/MISO/INDIANA.HUB/csv${q}`, { headers: { cookie: sessions.admin! } })
    expect((await csv(`?asOf=${today}`)).status).toBe(404)
    const latest = await csv('?granularity=annual')
    expect(latest.status).toBe(200)
    expect(await latest.text()).not.toContain(String(SECRET))
  })

  it('refuses an as-of date in the future, naming asOf (tRPC, REST and the hub form)', async () => {
    const input = { ...node, asOf: '2040-01-02', quotes: [{ contract: 'Cal-2041', block: 'onpeak', price: 60 }] }
    const rest = await callRest(proc('curves.build'), input, { bearer: tokens.quant })
    expect(rest.status).toBe(400)
    expect(rest.body).toContain('asOf 2040-01-02 is in the future')
    const trpc = await callTrpc(proc('curves.build'), input, { cookie: sessions.analyst })
    expect(trpc.status).toBe(400)
    expect(trpc.body).toContain('asOf 2040-01-02 is in the future')
    const form = new FormData()
    form.set('asOf', '2040-01-02')
    form.set('quotes', 'contract,block,price\nCal-2041,onpeak,60\n')
    const hub = await fetch(`${baseUrl}/curves/MISO/INDIANA.HUB/build`, { method: 'POST', headers: { cookie: sessions.analyst! }, body: form })
    expect(hub.status).toBe(400)
    expect(await hub.text()).toContain('asOf 2040-01-02 is in the future')
  })

  it('refuses a -1e308 quote and a history range with from after to, naming the field', async () => {
    const quote = await callRest(proc('curves.build'), { ...node, asOf: '2026-11-20', quotes: [{ contract: 'Cal-2027', block: 'onpeak', price: -1e308 }] }, { bearer: tokens.quant })
    expect(quote.status).toBe(400)
    expect(quote.body).toContain('price -1e+308 $/MWh is outside -100000..100000 $/MWh')
    const history = await callRest(proc('curves.history'), { ...node, month: '2027-07', from: '2026-11-30', to: '2026-10-01' }, { bearer: tokens.quant })
    expect(history.status).toBe(400)
    expect(history.body).toContain('from 2026-11-30 is after to 2026-10-01')
  })
})

/**
 * Scenarios belong to an organization (issue 12): Lakeshore Quant's scenario and its run are its own.
 * Other organizations get 404 for them through tRPC and REST and never see them listed; the house base
 * and its run are everyone's. Run results are market data: a market the caller is not entitled to on
 * the channel is refused (CAISO through the API for everyone, CAISO in the hub for Lakeshore), audited
 * like every call of this file (see 'audit' below).
 */
describe("scenarios: another organization's scenario and run", () => {
  const SECRET_NAME = 'Lakeshore secret gas 9137'
  const proc = (name: string) => procedures.find((x) => x.path === name)!
  let scenarioId = ''
  let runId = ''

  beforeAll(async () => {
    const saved = await callRest(proc('scenarios.save'), { text: `scenario "${SECRET_NAME}" extends "base"\nset fuel.gas = 9.137 $/MMBtu from 2027-01\n` }, { bearer: tokens.quant })
    expect(saved.status, saved.body).toBe(200)
    scenarioId = (JSON.parse(saved.body) as { id: string }).id
    const run = await callRest(proc('scenarios.run'), { id: scenarioId, mode: 'deterministic', waitMs: 60_000 }, { bearer: tokens.quant })
    expect(run.status, run.body).toBe(200)
    const status = JSON.parse(run.body) as { runId: string; status: string; owner: string }
    expect(status).toMatchObject({ status: 'done', owner: 'organization' })
    runId = status.runId
  })

  it('Lakeshore reads its own scenario, run and MISO results (the control); CAISO results through the API are 403', async () => {
    expect((await callRest(proc('scenarios.get'), { id: scenarioId }, { bearer: tokens.quant })).status).toBe(200)
    expect((await callRest(proc('scenarios.status'), { runId }, { bearer: tokens.quant })).status).toBe(200)
    const miso = await callRest(proc('scenarios.results'), { runId, market: 'MISO' }, { bearer: tokens.quant })
    expect(miso.status, miso.body).toBe(200)
    const caiso = await callRest(proc('scenarios.results'), { runId, market: 'CAISO' }, { bearer: tokens.quant })
    expect(caiso.status).toBe(403)
    expect(caiso.body).toContain('CAISO data is not available through the API')
    const hubCaiso = await callTrpc(proc('scenarios.results'), { runId: 'base', market: 'CAISO' }, { cookie: sessions.quant })
    expect(hubCaiso.status).toBe(403)
  })

  it('other organizations: 404 for the scenario, the run, its results and a diff against it; not in their lists', async () => {
    const readers: [string, Credentials, 'trpc' | 'rest'][] = [
      ['254Carbon hub', { cookie: sessions.admin }, 'trpc'],
      ['Prairie hub', { cookie: sessions.analyst }, 'trpc'],
      ['254Carbon token', { bearer: tokens.admin }, 'rest'],
    ]
    for (const [who, credentials, channel] of readers) {
      const call = channel === 'trpc' ? callTrpc : callRest
      for (const [name, input] of [
        ['scenarios.get', { id: scenarioId }],
        ['scenarios.status', { runId }],
        ['scenarios.results', { runId, market: 'MISO' }],
        ['scenarios.diff', { a: 'base', b: runId, market: 'MISO' }],
        ['scenarios.run', { id: scenarioId, mode: 'deterministic' }],
      ] as const) {
        const res = await call(proc(name), input, credentials)
        expect(res.status, `${who} ${name}: ${res.body}`).toBe(404)
      }
      for (const name of ['scenarios.list', 'scenarios.runs'] as const) {
        const res = await call(proc(name), {}, credentials)
        expect(res.status, `${who} ${name}: ${res.body}`).toBe(200)
        expect(res.body, `${who} ${name}`).not.toContain(SECRET_NAME)
        expect(res.body, `${who} ${name}`).not.toContain(runId)
      }
    }
  })
})

describe('audit', () => {
  it('has one row per data request of this file, with the outcome and status it got', async () => {
    expect(calls.length).toBeGreaterThan(50)
    const res = await fetch(`${baseUrl}/admin/audit.csv`, { headers: { cookie: sessions.admin! } })
    expect(res.status).toBe(200)
    const [header, ...rows] = parseCsv(await res.text())
    const col = (name: string) => header!.indexOf(name)
    const byRequest = new Map(rows.map((r) => [r[col('request_id')], r]))
    for (const call of calls) {
      const row = byRequest.get(call.requestId)
      expect(row, `no audit row for ${call.what} (${call.requestId})`).toBeDefined()
      expect(row![col('status')], call.what).toBe(String(call.status))
      expect(row![col('outcome')], call.what).toBe(call.status === 200 ? 'allowed' : 'denied')
    }
  })

  it('records allowed and denied data requests, with principal and market', async () => {
    const res = await fetch(`${baseUrl}/admin/audit.csv?procedure=prices.latest`, { headers: { cookie: sessions.admin! } })
    expect(res.status).toBe(200)
    const csv = await res.text()
    const lines = csv.trim().split(/\r?\n/)
    expect(lines.length).toBeGreaterThan(10)
    expect(csv).toMatch(/allowed/)
    expect(csv).toMatch(/denied/)
    expect(csv).toMatch(/CAISO/)
    expect(csv).toMatch(/lakeshore-quant/)
  })
})

describe('hardening', () => {
  it('sends a nonce-based CSP, frame-ancestors none and nosniff on hub pages', async () => {
    const res = await fetch(`${baseUrl}/`, { headers: { cookie: sessions.analyst! } })
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy') ?? ''
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    // Every inline script Remix writes carries the nonce.
    const html = await res.text()
    const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attributes] of scripts) expect(attributes).toContain(`nonce="${nonce}"`)
  })

  it('refuses a cross-site form post (CSRF) and accepts a same-origin one', async () => {
    const post = (origin: string) =>
      fetch(`${baseUrl}/auth/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: sessions.none!, origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      })
    const refused = await post('https://evil.example')
    expect(refused.status).toBe(403)
    // The session survived the forged post.
    const still = await fetch(`${baseUrl}/settings/tokens`, { headers: { cookie: sessions.none! }, redirect: 'manual' })
    expect(still.status).toBe(200)
  })
})
