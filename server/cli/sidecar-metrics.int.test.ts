import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { startCarbon } from '../../tests/support/carbon-process.ts'
import { openKafkaWorkerBed, type KafkaWorkerBed } from '../../tests/support/platform.ts'
import { TOPICS } from '../adapters/bus/index.ts'
import { deadLetters } from '../adapters/postgres/schema/index.ts'
import { requestBuild, waitForBuild } from '../services/curves/index.ts'

/*
 * A sidecar as a real process (`carbon solver` on librdkafka's mock cluster and a scratch
 * database) with its health and metrics listener on a free port (METRICS_PORT=0, the port read
 * from its log): probes answered, and its /metrics scraped with the token after it solved a build
 * and dead-lettered a request that is not one.
 */

const TOKEN = 'sidecar-metrics-test-token-0123456789'
let bed: KafkaWorkerBed

beforeAll(async () => {
  bed = await openKafkaWorkerBed({ serverUrl: inject('postgresUrl'), name: 'sidecar-metrics' })
})

afterAll(async () => {
  await bed?.close()
})

it('serves /healthz, /readyz and /metrics with its build info, lag, job and dead-letter series', async () => {
  const { web } = bed
  const solver = startCarbon(['solver'], {
    LOG_LEVEL: 'info',
    DATA_DIR: bed.workerDir,
    DATABASE_URL: web.databaseUrl,
    KAFKA_BROKERS: bed.mock.brokers.join(','),
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    METRICS_PORT: '0',
    METRICS_TOKEN: TOKEN,
    CARBON_REVISION: 'rev-sidecar-test',
  })
  let base = ''
  try {
    const [, port] = await solver.waitFor(/"port":(\d+)[^\n]*"msg":"health and metrics listening/)
    base = `http://127.0.0.1:${port}`
    await solver.waitFor(/curve solver running/)

    const health = await fetch(`${base}/healthz`)
    expect(health.status).toBe(200)
    const ready = await fetch(`${base}/readyz`)
    const readiness = await ready.json()
    expect(ready.status, JSON.stringify(readiness)).toBe(200)
    expect(readiness).toMatchObject({ ok: true, postgres: { ok: true }, clickhouse: { ok: true }, bus: { ok: true }, objects: { ok: true } })
    expect((await fetch(`${base}/metrics`)).status).toBe(401)

    const hub = DEMO_CURVE_HUBS.find((h) => h.node === 'TH_SP15_GEN-APND')!
    const queued = await requestBuild(
      { db: web.platform.pg.db, bus: web.platform.bus },
      { market: 'CAISO', node: hub.node, asOf: '2026-11-25', quotes: demoQuotes(hub, '2026-11-25'), source: 'api' },
      { userId: null, label: 'sidecar-metrics-test', organizationId: null },
    )
    expect((await waitForBuild(web.platform.pg.db, queued.id, 90_000)).status, solver.output()).toBe('done')
    await web.platform.bus.publish(TOPICS.curvesBuild, [{ key: 'not-a-curve', value: Buffer.from('not a build request') }])
    const deadline = Date.now() + 60_000
    while ((await web.platform.pg.db.select().from(deadLetters).where(eq(deadLetters.topic, TOPICS.curvesDlq))).length === 0) {
      if (Date.now() > deadline || solver.ended()) throw new Error(`the solver dead-lettered nothing:\n${solver.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(scraped.status).toBe(200)
    const body = await scraped.text()
    expect(body).toMatch(/^carbon_build_info\{version="\d+\.\d+\.\d+[^"]*",revision="rev-sidecar-test",command="solver"\} 1$/m)
    expect(body).toMatch(/^carbon_bus_consumer_lag_messages\{topic="curves\.build",group="curve-solver"\} \d+$/m)
    expect(body).toContain('carbon_jobs_total{kind="curve_build",outcome="done"} 1')
    expect(body).toMatch(/^carbon_job_duration_seconds_count\{kind="curve_build"\} 1$/m)
    expect(body).toContain('carbon_dead_letters_total{topic="curves.dlq",kind="invalid-build-request"} 1')
    for (const store of ['postgres', 'clickhouse', 'bus', 'objects']) expect(body).toContain(`carbon_store_up{store="${store}"} 1`)
    expect(body).toContain('# TYPE nodejs_heap_size_used_bytes gauge')
  } finally {
    solver.child.kill('SIGTERM')
  }
  expect((await solver.exited).code, solver.output()).toBe(0)
  // The listener went with the process.
  await expect(fetch(`${base}/healthz`)).rejects.toThrow()
})
