import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { PriceRecord } from '@carbon/schemas'
import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { TOPICS } from '../../server/adapters/bus/index.ts'
import { migratePostgres } from '../../server/adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../../server/adapters/postgres/testing.ts'
import { parseEnv } from '../../server/env.ts'
import { PRICE_STREAM_PATH, priceStreamHandler } from '../../server/http/stream.ts'
import { TRPC_LIVE_PATH, trpcLiveHandler } from '../../server/http/trpc-live.ts'
import { openPlatform, seedReferenceData, setPlatform, type Platform } from '../../server/platform.ts'
import { setEntitlement } from '../../server/services/auth/entitlements.ts'
import { provisionUser } from '../../server/services/auth/identity.ts'
import { createApiToken } from '../../server/services/auth/tokens.ts'
import type { Principal } from '../../server/services/auth/types.ts'
import { setPriceFanout, startPriceFanout, type PriceFanout } from '../../server/services/stream/index.ts'
import type { LiveEvent } from '../../server/services/stream/schemas.ts'

/**
 * A real HTTP server with both live-price handlers as server.ts mounts them (REST
 * /api/v1/stream/prices and tRPC /api/trpc/prices.live), over a real platform (a scratch database
 * on the test PostgreSQL server, embedded chDB, the in-process bus) and the fan-out. For the
 * stream integration tests: `env` sets the STREAM_* variables under test.
 */
export type StreamServer = {
  platform: Platform
  fanout: PriceFanout
  baseUrl: string
  publish(list: PriceRecord[]): Promise<void>
  /** A user in a fresh organization entitled to MISO through the API and the hub, with an API token. */
  member(organizationSlug: string, name: string): Promise<Member>
  /** The audit rows of one request id, oldest first. */
  auditRows(requestId: string): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export type Member = { userId: string; organizationId: string; principal: Principal; token: string; tokenId: string }

const log = pino({ level: 'silent' })

export async function startStreamServer(postgresUrl: string, env: Record<string, string> = {}): Promise<StreamServer> {
  const database = await createScratchServerDatabase(postgresUrl)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-stream-'))
  const parsed = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url, RATE_LIMIT_PER_MINUTE: '10000', ...env })
  const platform = await openPlatform(parsed, log)
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, parsed)
  setPlatform(platform)
  const fanout = await startPriceFanout({ bus: platform.bus, log })
  setPriceFanout(fanout)
  const stream = priceStreamHandler({ log, keepAliveMs: 1_000 })
  const live = trpcLiveHandler({ log, keepAliveMs: 1_000 })
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    if (pathname === PRICE_STREAM_PATH) return stream(req, res)
    if (pathname === TRPC_LIVE_PATH) return live(req, res, () => res.writeHead(404).end())
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    platform,
    fanout,
    baseUrl,
    async publish(list) {
      await platform.bus.publish(
        TOPICS.pricesNormalized,
        list.map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r), headers: { 'ingest-time': new Date().toISOString() } })),
      )
    },
    async member(organizationSlug, name) {
      const db = platform.pg.db
      const { userId, organizationId, principal } = await provisionUser(db, {
        issuer: 'http://test-issuer',
        subject: `${organizationSlug}-${name}`,
        email: `${name}@${organizationSlug}.example`,
        name,
        roles: ['analyst'],
        groups: [],
        organizationSlug,
      })
      for (const channel of ['api', 'hub'] as const) {
        await setEntitlement(db, { organizationId, market: 'MISO', channel, enabled: true, grantedBy: 'test' })
      }
      const { token, info } = await createApiToken(db, { userId, name: `stream-${name}`, scopes: ['read:prices'], expiresInDays: 1 })
      return { userId, organizationId, principal, token, tokenId: info.id }
    },
    async auditRows(requestId) {
      const result = await platform.pg.db.execute(
        sql`select outcome, status, procedure, market, nodes, channel, details from audit_events where request_id = ${requestId} order by occurred_at, id`,
      )
      return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[]
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await fanout.stop()
      setPriceFanout(undefined)
      await platform.close()
      await database.drop()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export type SseMessage = { id?: string; event?: string; data?: string; retry?: number; comment?: string }

/** Parses a text/event-stream body into its messages (blocks separated by a blank line). */
export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const message: SseMessage = {}
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          message.comment = line.slice(1).trim()
          continue
        }
        const colon = line.indexOf(':')
        const field = line.slice(0, colon)
        const value = line.slice(colon + 1).replace(/^ /, '')
        if (field === 'retry') message.retry = Number(value)
        else if (field === 'id' || field === 'event') message[field] = value
        else if (field === 'data') message.data = message.data === undefined ? value : `${message.data}\n${value}`
      }
      yield message
    }
  }
}

/** tRPC's own events, around the data events. */
const CONTROL_EVENTS = new Set(['connected', 'serialized-error', 'return', 'ping'])

/** A client reading an event stream in the background; `ended` once the server closed it. */
export class StreamReader {
  readonly messages: SseMessage[] = []
  ended = false
  constructor(body: AsyncIterable<Uint8Array | string>) {
    void (async () => {
      try {
        for await (const message of readSse(body)) this.messages.push(message)
      } catch {
        // aborted by the test
      } finally {
        this.ended = true
      }
    })()
  }
  /** The data events (REST: `prices|skipped|reset|end`; tRPC: unnamed). */
  get events(): { id: string; event: string; data: LiveEvent }[] {
    return this.messages
      .filter((m) => m.data !== undefined && !CONTROL_EVENTS.has(m.event ?? 'message'))
      .map((m) => ({ id: m.id!, event: m.event ?? 'message', data: JSON.parse(m.data!) as LiveEvent }))
  }
  get prices() {
    return this.events.flatMap((e) => e.data.prices)
  }
}

/** Waits for `condition`, failing with `what` if it does not hold within the guard time (a bound, not a timing assertion). */
export async function until(condition: () => boolean | Promise<boolean>, what: string, guardMs = 30_000): Promise<void> {
  const deadline = Date.now() + guardMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting ${guardMs} ms for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
