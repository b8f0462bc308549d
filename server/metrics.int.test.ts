import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { provisionDemoUser } from '../tests/support/demo-users.ts'
import { openTestPlatform, type TestPlatform } from '../tests/support/platform.ts'
import { TOPICS } from './adapters/bus/index.ts'
import { metrics } from './metrics.ts'
import { DEMO_USERS } from './services/auth/demo-identities.ts'
import type { Principal } from './services/auth/types.ts'
import { requestBuild, waitForBuild } from './services/curves/index.ts'
import { createDeadLetterStore } from './services/dlq/index.ts'
import { createCaller } from './trpc/root.ts'
import type { Context } from './trpc/trpc.ts'
import { CURVE_SOLVER_GROUP, startCurveSolver } from './workers/curve-solver.ts'

/*
 * The service-level counters where the work happens, on a real platform (scratch PostgreSQL
 * database, embedded chDB, in-process bus): the tRPC data gate, the dead-letter store and the
 * curve solver's jobs.
 */

let test: TestPlatform
let analyst: Principal

beforeAll(async () => {
  test = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-metrics-int-' })
  analyst = (await provisionDemoUser(test.platform.pg.db, DEMO_USERS.find((u) => u.username === 'analyst')!)).principal
})

afterAll(async () => {
  await test?.close()
})

async function value(metric: { get(): Promise<{ values: { labels: object; value: number }[] }> }, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get()
  return values.find((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))?.value ?? 0
}

function caller(principal: Principal | null, channel: Context['auth']['channel']) {
  const { platform } = test
  return createCaller({
    platform,
    log: platform.log,
    requestId: `metrics-${Math.random().toString(36).slice(2)}`,
    auth: { principal, channel, failure: null },
    client: { address: '127.0.0.1', userAgent: 'vitest' },
    responseHeaders: new Headers(),
  })
}

describe('carbon_data_requests_total through the tRPC data gate', () => {
  it('counts an allowed call with its market and channel, a refused one as denied', async () => {
    const allowed = { market: 'MISO', channel: 'hub', outcome: 'allowed' }
    const denied = { market: 'MISO', channel: 'hub', outcome: 'denied' }
    const none = { market: 'none', channel: 'hub', outcome: 'allowed' }
    const before = { allowed: await value(metrics.dataRequests, allowed), denied: await value(metrics.dataRequests, denied), none: await value(metrics.dataRequests, none) }

    await caller(analyst, 'hub').nodes.search({ market: 'MISO', q: 'INDIANA' })
    await caller(analyst, 'hub').markets.list()
    const refused = await caller(null, 'hub')
      .nodes.search({ market: 'MISO' })
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(TRPCError)
    expect((refused as TRPCError).code).toBe('UNAUTHORIZED')

    expect(await value(metrics.dataRequests, allowed)).toBe(before.allowed + 1)
    expect(await value(metrics.dataRequests, none)).toBe(before.none + 1)
    expect(await value(metrics.dataRequests, denied)).toBe(before.denied + 1)
    const { values } = await metrics.dataRequestDuration.get()
    expect(values.find((v) => v.metricName === 'carbon_data_request_duration_seconds_count' && v.labels.market === 'MISO' && v.labels.channel === 'hub')?.value).toBeGreaterThanOrEqual(2)
  })
})

describe('carbon_dead_letters_total', () => {
  it('counts every dead letter the store keeps, a repeated one included, by topic and kind', async () => {
    const labels = { topic: TOPICS.pricesDlq, kind: 'parse-issue' }
    const before = await value(metrics.deadLetters, labels)
    const store = createDeadLetterStore(test.platform.pg.db, test.platform.log)
    const letter = { key: 'MISO:X', value: Buffer.from('{"row":1}'), headers: { kind: 'parse-issue', reason: 'bad row', file: 'f.csv', line: '2' } }
    await store.record(TOPICS.pricesDlq, [letter, letter, { ...letter, headers: { ...letter.headers, line: '3' } }])
    expect(await value(metrics.deadLetters, labels)).toBe(before + 3)
  })
})

describe('carbon_jobs_total in the curve solver', () => {
  it('counts a build once when it is done, however often its request is delivered', async () => {
    const { platform } = test
    const labels = { kind: 'curve_build', outcome: 'done' }
    const before = await value(metrics.jobs, labels)
    const durationCount = async () =>
      (await metrics.jobDuration.get()).values.find((v) => v.metricName === 'carbon_job_duration_seconds_count' && v.labels.kind === 'curve_build')?.value ?? 0
    const beforeDurations = await durationCount()
    const solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log: platform.log, relay: false })
    try {
      const hub = DEMO_CURVE_HUBS.find((h) => h.node === 'TH_SP15_GEN-APND')!
      const queued = await requestBuild(
        { db: platform.pg.db, bus: platform.bus },
        { market: 'CAISO', node: hub.node, asOf: '2026-11-25', quotes: demoQuotes(hub, '2026-11-25'), source: 'api' },
        { userId: null, label: 'metrics-int-test', organizationId: null },
      )
      expect((await waitForBuild(platform.pg.db, queued.id, 60_000)).status).toBe('done')
      // The same request again (a redelivery): the solver leaves the finished build alone.
      await platform.bus.publish(TOPICS.curvesBuild, [{ key: queued.curveId, value: Buffer.from(JSON.stringify({ buildId: queued.id })) }])
      while ((await platform.bus.lag(TOPICS.curvesBuild, CURVE_SOLVER_GROUP)) !== 0) await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await solver.stop()
    }
    expect(await value(metrics.jobs, labels)).toBe(before + 1)
    expect(await durationCount()).toBe(beforeDurations + 1)
  })
})
