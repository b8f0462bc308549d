import { and, count, eq, isNull } from 'drizzle-orm'
import { scenarioRuns } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { createInlineModelRunner, createRun, executeRun, seedHouseScenarios } from '../scenarios/index.ts'
import { HOUSE_ACCESS } from '../scenarios/schemas.ts'

/**
 * The demo's scenario step: saves the house `base` scenario and runs it (deterministic), stored as
 * any run is (a house run: organization null, visible to everyone signed in), in this process,
 * without the bus: the hub shows the base run's prices at first start. Idempotent: the run of the
 * same inputs is found, not made again, and a done run is left as it is.
 */
export async function seedDemoScenarios(platform: Platform): Promise<{ runId: string; status: string }> {
  const base = await seedHouseScenarios(platform.pg.db)
  const { id, runId } = await createRun(platform.pg.db, HOUSE_ACCESS, { scenarioId: base.id, mode: 'deterministic' })
  // Before the web serves anything: computing in this thread costs the start about a second, no worker thread.
  const model = createInlineModelRunner()
  const row = await executeRun({ db: platform.pg.db, ch: platform.ch, bus: platform.bus, log: platform.log, model }, id)
  if (row?.status !== 'done') throw new Error(`the demo base scenario run ${runId} did not finish: ${row?.error ?? 'unknown'}`)
  platform.log.info({ runId }, 'demo base scenario run stored')
  return { runId, status: row.status }
}

/** Whether a house scenario run is stored and done (a data directory from before this step counts as loaded). */
export async function hasHouseRuns(platform: Platform): Promise<boolean> {
  const [row] = await platform.pg.db
    .select({ n: count() })
    .from(scenarioRuns)
    .where(and(isNull(scenarioRuns.organizationId), eq(scenarioRuns.status, 'done')))
  return Number(row?.n ?? 0) > 0
}
