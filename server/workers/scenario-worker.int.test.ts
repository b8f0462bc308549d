import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { createTestOrganization, openKafkaWorkerBed, type KafkaWorkerBed } from '../../tests/support/platform.ts'
import { TOPICS } from '../adapters/bus/index.ts'
import { queryRows } from '../adapters/clickhouse/client.ts'
import { requestRun, saveScenario, seedHouseScenarios, waitForRun } from '../services/scenarios/index.ts'

/*
 * The scenario worker sidecar as a real process (`carbon scenario-worker`: Kafka scenarios.run ->
 * the model in its worker thread -> chDB scenario_prices/scenario_mix and the run's Postgres row,
 * progress on jobs.progress), fed by a Monte Carlo run request published to librdkafka's mock
 * cluster from this process, as the web process would. The worker's chDB store lives in its own
 * data directory, read by this test once the worker has stopped.
 */
let bed: KafkaWorkerBed

beforeAll(async () => {
  bed = await openKafkaWorkerBed({ serverUrl: inject('postgresUrl'), name: 'scenario' })
  await seedHouseScenarios(bed.web.platform.pg.db)
})

afterAll(async () => {
  await bed?.close()
})

it('runs a Monte Carlo scenario requested through Kafka: progress events, bands in its store, the run done', async () => {
  const { web } = bed
  const db = web.platform.pg.db
  const access = { organizationId: await createTestOrganization(db, 'worker-org'), userId: null, label: 'worker-int-test' }
  const saved = await saveScenario(db, access, { text: 'scenario "Carbon 40" extends "base"\nset policy.carbon = 40 $/t from 2030-01 escalate 3 %/yr\n' })
  const events: { runId: string; status: string; progress: number }[] = []
  const progress = await web.platform.bus.subscribe({
    topic: TOPICS.jobsProgress,
    groupId: 'scenario-worker-int-progress',
    fromBeginning: true,
    handler: async (batch) => {
      for (const m of batch.messages) events.push(JSON.parse(m.value.toString('utf8')))
    },
  })
  const worker = bed.startWorker('scenario-worker')
  let runId = ''
  try {
    const queued = await requestRun({ db, bus: web.platform.bus }, access, { scenarioId: saved.id, mode: 'montecarlo', draws: 30, seed: 11 })
    runId = queued.runId
    expect(queued.status).toBe('queued')
    // A worker that exits (a broken start) fails the test at once, with its output.
    const finished = await Promise.race([waitForRun(db, access, runId, 90_000), worker.exited.then(() => null)])
    expect(finished, `carbon scenario-worker exited:\n${worker.output()}`).not.toBeNull()
    const done = finished!
    expect(done.status, `${done.error ?? ''}\n${worker.output()}`).toBe('done')
    expect(done.summary!.length).toBe(8)
    const deadline = Date.now() + 30_000
    while (!events.some((e) => e.runId === runId && e.status === 'done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(events.filter((e) => e.runId === runId).map((e) => e.status)).toContain('running')
    expect(events.find((e) => e.runId === runId && e.status === 'done')?.progress).toBe(1)
  } finally {
    await progress.stop()
    worker.child.kill('SIGTERM')
  }
  expect((await worker.exited).code, worker.output()).toBe(0)
  // chDB opens one data directory per process: this process's platform closes first.
  await web.closePlatform()

  const { prices, mix } = await bed.readWorkerStore(async (ch) => ({
    prices: await queryRows<{ n: string; banded: string }>(
      ch,
      'test.scenario_prices',
      'SELECT count() AS n, countIf(p90 > p10) AS banded FROM scenario_prices WHERE run_id = {runId:String}',
      { runId },
    ),
    mix: await queryRows<{ n: string }>(ch, 'test.scenario_mix', "SELECT count() AS n FROM scenario_mix WHERE run_id = {runId:String} AND technology = '_system'", { runId }),
  }))
  expect(Number(prices[0]!.n)).toBe(2 * 2 * 2 * 312)
  expect(Number(prices[0]!.banded)).toBeGreaterThan(0)
  expect(Number(mix[0]!.n)).toBe(2 * 312)
})
