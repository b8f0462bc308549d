import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createApiTokenInHub, launchBrowser, signIn } from './support/browser.ts'

/**
 * The scenario API over HTTP against `carbon serve` (embedded stores, demo data: the house base
 * scenario saved and run at first start, the scenario worker in the web process): validate, save,
 * run, poll and read results through REST with a personal token of Quinn Quant (Lakeshore Quant:
 * MISO through the API); the same results twice are the same bytes; CAISO results are refused
 * through the API (the pilot offers CAISO in the hub only).
 */

const baseUrl = inject('baseUrl')
let token = ''
let closeBrowser: () => Promise<void> = async () => {}

beforeAll(async () => {
  const browser = await launchBrowser()
  closeBrowser = browser.close
  const page = await browser.context.newPage()
  await signIn(page, baseUrl, 'Quinn Quant')
  token = await createApiTokenInHub(page, baseUrl, 'scenarios-e2e', ['read:prices', 'read:curves', 'write:curves'])
}, 120_000)

afterAll(() => closeBrowser())

type Json = Record<string, any>

async function rest(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string; json: Json }> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, text, json: JSON.parse(text) as Json }
}

async function pollRun(runId: string): Promise<Json> {
  const deadline = Date.now() + 120_000
  for (;;) {
    const { status, json } = await rest('GET', `/scenario-runs/${runId}`)
    expect(status).toBe(200)
    if (json.status === 'done' || json.status === 'failed' || Date.now() > deadline) return json
    await new Promise((r) => setTimeout(r, 250))
  }
}

const TEXT = `# Carbon from 2030, more solar in MISO
scenario "E2E carbon 35" extends "base"
set policy.carbon = 35 $/t from 2030-01 escalate 3 %/yr
build solar 4000 MW in MISO at 2029-06
`

describe('scenarios through REST', () => {
  it('lists the house base scenario, and its run done at first start', async () => {
    const list = await rest('GET', '/scenarios')
    expect(list.status, list.text).toBe(200)
    expect(list.json.scenarios[0]).toMatchObject({ name: 'base', owner: 'house', extends: null })
    const base = await rest('GET', '/scenario-runs/base')
    expect(base.status, base.text).toBe(200)
    expect(base.json).toMatchObject({ status: 'done', owner: 'house', mode: 'deterministic', scenario: { name: 'base' } })
    expect(base.json.lineage.requestedByLabel).toBe('254Carbon')
  })

  it('validates a text: the error with its line, column and suggestion, then the fixed text', async () => {
    const bad = await rest('POST', '/scenarios/validate', { text: TEXT.replace('policy.carbon', 'policy.carbn') })
    expect(bad.status, bad.text).toBe(200)
    expect(bad.json.ok).toBe(false)
    expect(bad.json.diagnostics[0]).toMatchObject({ line: 3, col: 5, token: 'policy.carbn' })
    expect(bad.json.diagnostics[0].message).toContain('did you mean policy.carbon?')
    const good = await rest('POST', '/scenarios/validate', { text: TEXT })
    expect(good.json).toMatchObject({ ok: true, diagnostics: [] })
    expect(good.json.canonicalHash).toMatch(/^[0-9a-f]{64}$/)
    const refused = await rest('POST', '/scenarios', { text: TEXT.replace('35 $/t', '35 $/MWh') })
    expect(refused.status).toBe(400)
    expect(refused.json.code).toBe('BAD_REQUEST')
    expect(refused.json.message).toMatch(/^text: scenario:3:\d+: .*\$\/MWh/)
  })

  it('saves, runs, polls and reads results; running again is the same run, and the results are the same bytes', async () => {
    const saved = await rest('POST', '/scenarios', { text: TEXT })
    expect(saved.status, saved.text).toBe(200)
    expect(saved.json).toMatchObject({ version: 1, created: true })
    const id = saved.json.id as string
    expect((await rest('POST', '/scenarios', { text: TEXT })).json).toEqual({ id, version: 1, created: false })

    const run = await rest('POST', `/scenarios/${id}/runs`, { mode: 'deterministic' })
    expect(run.status, run.text).toBe(200)
    expect(run.json.runId).toMatch(/^[0-9a-f]{32}$/)
    const done = await pollRun(run.json.runId)
    expect(done.status, done.error ?? '').toBe('done')
    expect(done.lineage.chain.map((l: { name: string }) => l.name)).toEqual(['E2E carbon 35', 'base'])
    expect(done.summary.length).toBe(8)

    const again = await rest('POST', `/scenarios/${id}/runs`, { mode: 'deterministic' })
    expect(again.json).toEqual(done)

    const path = `/scenario-runs/${done.runId}/results?market=MISO`
    const first = await rest('GET', path)
    expect(first.status, first.text).toBe(200)
    const second = await rest('GET', path)
    expect(second.text).toBe(first.text)
    expect(first.json.prices.length).toBe(2 * 2 * 312)
    expect(first.json.prices.every((p: { market: string }) => p.market === 'MISO')).toBe(true)
    expect(first.json.mix.some((m: { technology: string }) => m.technology === 'solar')).toBe(true)
    expect(first.json.system.length).toBe(312)

    const diff = await rest('GET', `/scenario-runs/diff?a=base&b=${done.runId}&market=MISO`)
    expect(diff.status, diff.text).toBe(200)
    expect(diff.json.assumptions.map((c: { target: string }) => c.target)).toEqual(expect.arrayContaining(['policy.carbon', 'build solar in MISO at 2029-06']))
    const carbon2035 = diff.json.prices.filter((p: { month: string; delta: number }) => p.month.startsWith('2035'))
    expect(carbon2035.reduce((s: number, p: { delta: number }) => s + p.delta, 0)).toBeGreaterThan(0)
  })

  it('refuses CAISO results through the API (403, pilot: no CAISO API) and allows MISO', async () => {
    const caiso = await rest('GET', '/scenario-runs/base/results?market=CAISO')
    expect(caiso.status).toBe(403)
    expect(caiso.json.message).toBe('CAISO data is not available through the API')
    const miso = await rest('GET', '/scenario-runs/base/results?market=MISO&from=2030-01&to=2030-12')
    expect(miso.status, miso.text).toBe(200)
    expect(miso.json.prices.map((p: { month: string }) => p.month)).toContain('2030-06')
    expect(miso.json.prices.every((p: { month: string }) => p.month >= '2030-01' && p.month <= '2030-12')).toBe(true)
  })
})
