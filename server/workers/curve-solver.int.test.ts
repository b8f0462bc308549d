import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { openKafkaWorkerBed, type KafkaWorkerBed } from '../../tests/support/platform.ts'
import { queryRows } from '../adapters/clickhouse/client.ts'
import { requestBuild, waitForBuild } from '../services/curves/index.ts'

/*
 * The solver sidecar as a real process (`carbon solver`: Kafka curves.build -> chDB curve points
 * and the build's Postgres row), fed by a build request published to librdkafka's mock cluster from
 * this process, as the web process would. The solver's chDB store lives in its own data directory,
 * read by this test once the solver has stopped.
 */
let bed: KafkaWorkerBed

beforeAll(async () => {
  bed = await openKafkaWorkerBed({ serverUrl: inject('postgresUrl'), name: 'solver' })
})

afterAll(async () => {
  await bed?.close()
})

it('builds a curve requested through Kafka: points in its store, the build done with diagnostics', async () => {
  const hub = DEMO_CURVE_HUBS.find((h) => h.node === 'TH_SP15_GEN-APND')!
  const { web } = bed
  const solver = bed.startWorker('solver')
  try {
    const queued = await requestBuild(
      { db: web.platform.pg.db, bus: web.platform.bus },
      { market: 'CAISO', node: hub.node, asOf: '2026-11-25', quotes: demoQuotes(hub, '2026-11-25'), source: 'api' },
      { userId: null, label: 'solver-int-test', organizationId: null },
    )
    const row = await waitForBuild(web.platform.pg.db, queued.id, 90_000)
    expect(row.status, solver.output()).toBe('done')
    expect(row.diagnostics).toMatchObject({ method: 'kkt-banded-schur', redundant: [] })
    expect(row.lastMonth).toBe('2050-12')
  } finally {
    solver.child.kill('SIGTERM')
  }
  expect((await solver.exited).code, solver.output()).toBe(0)
  // chDB opens one data directory per process: this process's platform closes first.
  await web.closePlatform()

  const [count] = await bed.readWorkerStore((ch) =>
    queryRows<{ n: string }>(ch, 'test.points', "SELECT count() AS n FROM curve_points WHERE curve_id = 'CAISO:TH_SP15_GEN-APND'"),
  )
  expect(Number(count!.n)).toBe(12 * 24 + 1)
})
