import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { migratePostgres, openPostgres } from '../../server/adapters/postgres/client.ts'
import type { Database } from '../../server/adapters/postgres/schema/index.ts'
import { createScratchServerDatabase } from '../../server/adapters/postgres/testing.ts'
import { parseEnv } from '../../server/env.ts'
import { repoRoot } from '../../server/paths.ts'
import { seedReferenceData } from '../../server/platform.ts'
import { DEMO_USERS } from '../../server/services/auth/demo-identities.ts'
import { createApiToken } from '../../server/services/auth/tokens.ts'
import { startCarbon, type CarbonProcess } from '../support/carbon-process.ts'
import { provisionDemoUser } from '../support/demo-users.ts'
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts'

/*
 * One trace across the web process, the bus and the solver: a real `carbon serve` (embedded
 * chDB and in-process bus, PostgreSQL of the test server, no demo data, no ingest) exports its
 * spans over OTLP/HTTP to a receiver in this test (the collector side). A curve build through the
 * REST API must leave ONE trace id holding the web SERVER span -> the PRODUCER span on curves.build
 * -> the solver's CONSUMER span, the consumer's parent taken from the message headers. The spans
 * are read after a SIGTERM: the stop flushes what the batch exporter still holds.
 */
let receiver: OtlpReceiver
let database: { url: string; drop(): Promise<void> }
let serve: CarbonProcess | undefined
let dataDir = ''
let token = ''

beforeAll(async () => {
  // `carbon serve` needs the hub's build (the e2e setup makes it the same way).
  if (!fs.existsSync(path.join(repoRoot, 'build/server/index.js'))) {
    const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/ensure-build.js')], { cwd: repoRoot, stdio: 'inherit' })
    if (build.status !== 0) throw new Error('building the hub failed')
  }
  receiver = await startOtlpReceiver()
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-tracing-'))
  // What `carbon migrate` does for a server PostgreSQL: schema, markets, organizations (the demo
  // ones: the development identity provider runs), house curves.
  const pg = await openPostgres({ DATABASE_URL: database.url, dataDir })
  try {
    await migratePostgres(pg)
    await seedReferenceData(pg, parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url, NODE_ENV: 'test' }))
    token = await quinnToken(pg.db)
  } finally {
    await pg.close()
  }
})

afterAll(async () => {
  if (serve && !serve.ended()) {
    serve.child.kill('SIGTERM')
    await serve.exitWithin(10_000)
  }
  await receiver?.close()
  await database?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** A token of Quinn Quant (lakeshore-quant: MISO through the API), provisioned as a sign-in would. */
async function quinnToken(db: Database): Promise<string> {
  const quinn = DEMO_USERS.find((u) => u.username === 'quant')!
  const user = await provisionDemoUser(db, quinn)
  const created = await createApiToken(db, { userId: user.userId, name: 'tracing', scopes: ['read:curves', 'write:curves'], expiresInDays: 1 })
  return created.token
}

it('follows a curve build from the web request through curves.build to the solver in one trace', async () => {
  serve = startCarbon(['serve', '--port', '0', '--no-demo', '--no-ingest'], {
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=tracing-test-secret',
  })
  const [, baseUrl] = await serve.waitFor(/254Carbon hub: (http:\/\/\S+)/)

  const res = await fetch(`${baseUrl}/api/v1/curves/build`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-11-20', quotes: [{ contract: 'Cal-2027', block: 'onpeak', price: 58.5 }], waitMs: 60_000 }),
  })
  const body = (await res.json()) as { status?: string }
  expect(res.status, JSON.stringify(body)).toBe(200)
  expect(body.status).toBe('done')

  // The stop waits for the solver's handler and then flushes the spans still buffered: every span
  // of the trace has reached the receiver by the time the process has exited.
  serve.child.kill('SIGTERM')
  expect(await serve.exitWithin(10_000), serve.output()).toEqual({ code: 0, signal: null })
  const chain = buildChain(receiver.spans())
  expect(chain, JSON.stringify(receiver.spans().map((s) => [s.name, s.traceId, s.spanId, s.parentSpanId]))).toBeDefined()
  const { server, producer, consumer } = chain!
  expect(server).toMatchObject({ kind: SPAN_KIND.server, serviceName: 'carbon-serve', attributes: { 'http.route': '/api/v1/curves/build', 'http.response.status_code': 200 } })
  expect(producer).toMatchObject({ kind: SPAN_KIND.producer, traceId: server.traceId, attributes: { 'messaging.system': 'in-process', 'messaging.destination.name': 'curves.build' } })
  expect(ancestors(receiver.spans(), producer)).toContain(server.spanId)
  expect(consumer).toMatchObject({ kind: SPAN_KIND.consumer, traceId: server.traceId, parentSpanId: producer.spanId, serviceName: 'carbon-serve' })
  expect(consumer.attributes).toMatchObject({ 'messaging.destination.name': 'curves.build', 'messaging.consumer.group.name': expect.any(String) })
  expect(server.resource['service.version']).toEqual(expect.any(String))
  // The collector's headers are sent with every export and never written to the log.
  expect(receiver.requests().every((h) => h['x-collector-key'] === 'tracing-test-secret')).toBe(true)
  expect(serve.output()).toContain('tracing: exporting spans over OTLP/HTTP')
  expect(serve.output()).not.toContain('tracing-test-secret')
})

type Chain = { server: ReceivedSpan; producer: ReceivedSpan; consumer: ReceivedSpan }

/** The request's SERVER span, a curves.build PRODUCER span in its trace and the CONSUMER span under that producer. */
function buildChain(spans: ReceivedSpan[]): Chain | undefined {
  for (const server of spans.filter((s) => s.kind === SPAN_KIND.server && s.name === 'HTTP POST /api/v1/curves/build')) {
    for (const producer of spans.filter((s) => s.traceId === server.traceId && s.kind === SPAN_KIND.producer && s.name === 'publish curves.build')) {
      const consumer = spans.find((s) => s.kind === SPAN_KIND.consumer && s.name === 'process curves.build' && s.parentSpanId === producer.spanId)
      if (consumer) return { server, producer, consumer }
    }
  }
  return undefined
}

/** The span ids above `span` in its trace, nearest first. */
function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]))
  const out: string[] = []
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) out.push(parent.spanId)
  return out
}
