import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTestPlatform, type TestPlatform } from '../../tests/support/platform.ts'
import type { Platform } from '../platform.ts'
import { startWorkerHttp, type WorkerHttp } from './worker-http.ts'

/*
 * The sidecars' listener on a free port (METRICS_PORT=0) in front of a real platform (scratch
 * PostgreSQL database, embedded chDB, in-process bus, local object store), asked with fetch.
 */

const TOKEN = 'worker-http-test-token-0123456789'
const log = pino({ level: 'silent' })
let test: TestPlatform
let platform: Platform | null = null
let http: WorkerHttp

beforeAll(async () => {
  test = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-worker-http-' })
  http = await startWorkerHttp({ env: { ...test.env, METRICS_TOKEN: TOKEN }, platform: () => platform, port: 0, host: '127.0.0.1', log })
})

afterAll(async () => {
  await http?.close()
  await test?.close()
})

const get = (path: string, init: RequestInit = {}) => fetch(`${http.url}${path}`, init)

describe('the sidecar listener', () => {
  it('listens on the free port it was given and reports it', () => {
    expect(http.port).toBeGreaterThan(0)
    expect(http.url).toBe(`http://127.0.0.1:${http.port}`)
  })

  it('answers /healthz while the process runs, before its platform is open too', async () => {
    platform = null
    const res = await get('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
  })

  it('answers /readyz 503 until the platform is open, then 200 with every store', async () => {
    platform = null
    const starting = await get('/readyz')
    expect(starting.status).toBe(503)
    expect(await starting.json()).toEqual({ ok: false, platform: { ok: false, error: 'starting' } })

    platform = test.platform
    const ready = await get('/readyz')
    const body = (await ready.json()) as Record<string, { ok: boolean } | boolean>
    expect(ready.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ ok: true, postgres: { ok: true }, clickhouse: { ok: true }, bus: { ok: true }, objects: { ok: true } })
  })

  it('answers /readyz 503 naming the store that does not answer', async () => {
    const broken = { ...test.platform, objects: { ...test.platform.objects, head: () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })) } }
    platform = broken as Platform
    try {
      const res = await get('/readyz')
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({ ok: false, postgres: { ok: true }, objects: { ok: false, error: 'ECONNREFUSED' } })
    } finally {
      platform = test.platform
    }
  })

  it('serves /metrics only with the bearer token', async () => {
    const without = await get('/metrics')
    expect(without.status).toBe(401)
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const wrong = await get('/metrics', { headers: { authorization: 'Bearer not-the-token-at-all-0123456789' } })
    expect(wrong.status).toBe(401)
    const res = await get('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toContain('# TYPE process_cpu_seconds_total counter')
    expect(body).toContain('# TYPE carbon_jobs_total counter')
  })

  it('answers 404 to any other path, and 405 to another method on a probe', async () => {
    expect((await get('/')).status).toBe(404)
    expect((await get('/api/trpc/prices.latest')).status).toBe(404)
    expect((await get('/healthz/extra')).status).toBe(404)
    const post = await get('/healthz', { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('answers 404 on /metrics while METRICS_TOKEN is unset', async () => {
    const other = await startWorkerHttp({ env: { ...test.env, METRICS_TOKEN: undefined }, platform: () => platform, port: 0, host: '127.0.0.1', log })
    try {
      expect((await fetch(`${other.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404)
    } finally {
      await other.close()
    }
  })

  it('takes a free port when METRICS_PORT is in use outside production, and refuses it in production', async () => {
    const taken = http.port
    const fallback = await startWorkerHttp({ env: { ...test.env, NODE_ENV: 'test' }, platform: () => platform, port: taken, host: '127.0.0.1', log })
    try {
      expect(fallback.port).not.toBe(taken)
      expect((await fetch(`${fallback.url}/healthz`)).status).toBe(200)
    } finally {
      await fallback.close()
    }
    await expect(startWorkerHttp({ env: { ...test.env, NODE_ENV: 'production' }, platform: () => platform, port: taken, host: '127.0.0.1', log })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    })
  })

  it('stops listening when closed', async () => {
    const other = await startWorkerHttp({ env: test.env, platform: () => platform, port: 0, host: '127.0.0.1', log })
    expect((await fetch(`${other.url}/healthz`)).status).toBe(200)
    await other.close()
    await other.close() // idempotent
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow()
  })
})
