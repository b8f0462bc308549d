import { DEMO_CURVE_HUBS, demoAsOfDates, demoQuotes } from '@carbon/demo-data'
import { and, count, eq } from 'drizzle-orm'
import { curveBuilds, curves } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { curveId } from '../curves/catalog.ts'
import { createBuild, runBuild } from '../curves/index.ts'

/** Whether any power curve build exists (demo or not; fuel curves are a step of their own: fuel-curves.ts). */
export async function hasCurveBuilds(platform: Platform): Promise<boolean> {
  const [row] = await platform.pg.db.select({ n: count() }).from(curveBuilds).innerJoin(curves, eq(curves.id, curveBuilds.curveId)).where(eq(curves.commodity, 'power'))
  return Number(row?.n ?? 0) > 0
}

/**
 * Builds the demo curves: each demo hub's quote set on each demo trade date before `end`, stored
 * and solved as any build is (source 'demo'), in this process, without the bus: the hub shows
 * curves at first start.
 */
export async function seedDemoCurves(platform: Platform, options: { end?: Date; skipDone?: boolean } = {}): Promise<{ builds: number }> {
  const dates = demoAsOfDates(options.end ?? new Date())
  const built = options.skipDone ? await doneDemoBuilds(platform) : new Set<string>()
  let builds = 0
  for (const hub of DEMO_CURVE_HUBS) {
    for (const asOf of dates) {
      // Resuming an interrupted load: a curve and as-of date already built is not built again.
      if (built.has(`${curveId(hub.market, hub.node)}|${asOf}`)) continue
      const row = await createBuild(
        platform.pg.db,
        { market: hub.market, node: hub.node, asOf, quotes: demoQuotes(hub, asOf), source: 'demo' },
        { userId: null, label: 'demo', organizationId: null },
      )
      const done = await runBuild({ db: platform.pg.db, ch: platform.ch, log: platform.log }, row.id)
      if (done?.status !== 'done') throw new Error(`demo curve ${hub.node} as of ${asOf} did not build: ${done?.error ?? 'unknown'}`)
      builds++
    }
  }
  platform.log.info({ builds, dates }, 'demo curves built')
  return { builds }
}

/** `<curve id>|<as-of>` of every demo build that finished. */
async function doneDemoBuilds(platform: Platform): Promise<Set<string>> {
  const rows = await platform.pg.db
    .select({ curveId: curveBuilds.curveId, asOf: curveBuilds.asOf })
    .from(curveBuilds)
    .where(and(eq(curveBuilds.source, 'demo'), eq(curveBuilds.status, 'done')))
  return new Set(rows.map((r) => `${r.curveId}|${r.asOf}`))
}
