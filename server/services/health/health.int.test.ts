/**
 * Readiness against real stores: the embedded ones of a platform and a real PostgreSQL server
 * answer; a PostgreSQL port nobody listens on and one that accepts but never answers do not, and
 * the answer names the store and why, without the URL or its password.
 */
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openPostgres } from '../../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../../adapters/postgres/testing.ts'
import { parseEnv } from '../../env.ts'
import { openPlatform, type Platform } from '../../platform.ts'
import { checkReadiness, platformProbes } from './index.ts'

const log = pino({ level: 'silent' })
let platform: Platform
let dataDir: string
let database: Awaited<ReturnType<typeof createScratchServerDatabase>>
let proxy: PostgresProxy

/**
 * A TCP forwarder in front of the real PostgreSQL server whose behaviour the test switches:
 * 'forward' (a working database), 'refuse' (nothing listens: ECONNREFUSED) or 'silent' (accepts
 * and never answers). Open connections are cut at every switch.
 */
type PostgresProxy = { port: number; set(mode: 'forward' | 'refuse' | 'silent'): Promise<void>; close(): Promise<void> }

async function startProxy(target: URL): Promise<PostgresProxy> {
  let mode: 'forward' | 'refuse' | 'silent' = 'forward'
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  }
  const server = net.createServer((client) => {
    track(client)
    if (mode !== 'forward') return
    const upstream = net.connect(Number(target.port || 5432), target.hostname)
    track(upstream)
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  await listen(0)
  const port = (server.address() as net.AddressInfo).port
  const cut = () => sockets.forEach((s) => s.destroy())
  return {
    port,
    async set(next) {
      cut()
      if (next === 'refuse' && server.listening) await new Promise((resolve) => server.close(resolve))
      if (next !== 'refuse' && !server.listening) await listen(port)
      mode = next
    },
    async close() {
      cut()
      if (server.listening) await new Promise((resolve) => server.close(resolve))
    },
  }
}

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-health-'))
  platform = await openPlatform(parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url }), log, { migrateEmbedded: false })
  proxy = await startProxy(new URL(database.url))
})

afterAll(async () => {
  await proxy?.close()
  await platform?.close()
  await database?.drop()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('checkReadiness', () => {
  it('is ready when PostgreSQL, ClickHouse, the bus and the object store answer', async () => {
    const state = await checkReadiness(platformProbes(platform))
    expect(state).toMatchObject({ ok: true, postgres: { ok: true }, clickhouse: { ok: true }, bus: { ok: true }, objects: { ok: true } })
    expect(Object.keys(state).sort(), JSON.stringify(state)).toEqual(['bus', 'clickhouse', 'objects', 'ok', 'postgres'])
  })

  /** A PostgreSQL handle through the proxy, with the password of the real URL. */
  async function throughProxy() {
    const url = new URL(database.url)
    url.host = `127.0.0.1:${proxy.port}`
    await proxy.set('forward')
    return { pg: await openPostgres(parseEnv({ DATA_DIR: dataDir, DATABASE_URL: url.toString() }), log), password: decodeURIComponent(url.password) }
  }

  it('names PostgreSQL refusing connections, and says nothing of its URL or password', async () => {
    const { pg, password } = await throughProxy()
    try {
      const probes = { ...platformProbes(platform), postgres: platformProbes({ ...platform, pg }).postgres }
      expect((await checkReadiness(probes)).ok).toBe(true)
      await proxy.set('refuse')
      const state = await checkReadiness(probes)
      expect(state.ok).toBe(false)
      expect(state.postgres).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED|ECONNRESET|CONNECTION_/) })
      expect(state.clickhouse.ok).toBe(true)
      expect(state.bus.ok).toBe(true)
      expect(state.objects.ok).toBe(true)
      const json = JSON.stringify(state)
      expect(json).not.toContain(String(proxy.port))
      if (password) expect(json).not.toContain(password)
      // And back: readiness follows the store.
      await proxy.set('forward')
      expect((await checkReadiness(probes)).postgres.ok).toBe(true)
    } finally {
      await pg.close()
    }
  })

  it('names a PostgreSQL that accepts connections but never answers, after the timeout', async () => {
    const { pg } = await throughProxy()
    try {
      await proxy.set('silent')
      // The connection cut by the switch fails its next query at once; the one after waits for an answer.
      await checkReadiness({ ...platformProbes(platform), postgres: platformProbes({ ...platform, pg }).postgres }, { timeoutMs: 300 })
      const state = await checkReadiness({ ...platformProbes(platform), postgres: platformProbes({ ...platform, pg }).postgres }, { timeoutMs: 300 })
      expect(state.ok).toBe(false)
      expect(state.postgres).toMatchObject({ ok: false, error: 'no answer within 300 ms' })
      expect(state.objects.ok).toBe(true)
    } finally {
      await proxy.set('forward')
      await pg.close()
    }
  })

  it('names a store whose probe throws, keeping the others', async () => {
    const failing = { ...platformProbes(platform), bus: async () => Promise.reject(Object.assign(new Error('broker kafka-0:9092 down'), { code: 'ECONNREFUSED' })) }
    const state = await checkReadiness(failing)
    expect(state).toMatchObject({ ok: false, bus: { ok: false, error: 'ECONNREFUSED' }, postgres: { ok: true } })
    expect(JSON.stringify(state)).not.toMatch(/kafka-0/)
  })
})
