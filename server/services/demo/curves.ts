import { DEMO_CURVE_HUBS, demoAsOfDates, demoQuotes } from '@carbon/demo-data'
import { count } from 'drizzle-orm'
import { curveBuilds } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { createBuild, runBuild } from '../curves/index.ts'

/** Whether any curve build exists (demo or not). */
export async function hasCurveBuilds(platform: Platform): Promise<boolean> {
  const [row] = await platform.pg.db.select({ n: count() }).from(curveBuilds)
  return Number(row?.n ?? 0) > 0
}

/**
 * Builds the demo curves: each demo hub's quote set on each demo trade date before `end`, stored
 * and solved as any build is (source 'demo'), in this process, without the bus: the hub shows
 * curves at first start.
 */
export async function seedDemoCurves(platform: Platform, options: { end?: Date } = {}): Promise<{ builds: number }> {
  const dates = demoAsOfDates(options.end ?? new Date())
  let builds = 0
  for (const hub of DEMO_CURVE_HUBS) {
    for (const asOf of dates) {
      const row = await createBuild(
        platform.pg.db,
        { market: hub.market, node: hub.node, asOf, quotes: demoQuotes(hub, asOf), source: 'demo' },
        { userId: null, label: 'demo' },
      )
      const done = await runBuild({ db: platform.pg.db, ch: platform.ch, log: platform.log }, row.id)
      if (done?.status !== 'done') throw new Error(`demo curve ${hub.node} as of ${asOf} did not build: ${done?.error ?? 'unknown'}`)
      builds++
    }
  }
  platform.log.info({ builds, dates }, 'demo curves built')
  return { builds }
}
