import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MarketId } from '@carbon/schemas'
import { stringify } from 'yaml'
import { describe, expect, it } from 'vitest'
import { DASHBOARDS_DIR, dashboardFiles, renderDashboard } from '../../ops/dashboards/index.ts'
import { DATASOURCE_VARIABLE } from '../../ops/dashboards/panels.ts'
import { allowedMetricNames, marketLabelled, metricNames, repoRoot, selectorsOf } from './contract.ts'

/*
 * The committed dashboards (chart/files/dashboards) are exactly what ops/dashboards builds, read
 * only metrics that exist, are valid PromQL (promtool parses them), and each market's dashboard
 * reads its own market.
 */

const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool'

type Target = { expr?: string; refId?: string; datasource?: { type?: string; uid?: string } }
type AnyPanel = {
  id?: number
  type: string
  title?: string
  datasource?: { type?: string; uid?: string }
  targets?: Target[]
  panels?: AnyPanel[]
  fieldConfig?: { defaults?: { unit?: string } }
}

const files = dashboardFiles()

function panelsOf(dashboard: { panels?: unknown[] }): AnyPanel[] {
  const top = (dashboard.panels ?? []) as AnyPanel[]
  return top.flatMap((p) => [p, ...(p.panels ?? [])])
}

function exprsOf(dashboard: { panels?: unknown[] }): { panel: string; expr: string }[] {
  return panelsOf(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? '?', expr: t.expr ?? '' })))
}

describe('metricNames (the extractor the checks rely on)', () => {
  it('finds metric names and nothing else', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (dataset, le) (rate(carbon_ingest_fetch_seconds_bucket{market="MISO", dataset=~"a|b"}[$__rate_interval]))) ' +
          '/ on (job) group_left (version) carbon:http_errors:ratio_rate5m > 1e3 or vector(0) and time() - up',
      ),
    ).toEqual(['carbon_ingest_fetch_seconds_bucket', 'carbon:http_errors:ratio_rate5m', 'up'])
    expect(selectorsOf('a_total{x="1"} / a_total + a_total_sum', 'a_total')).toEqual(['{x="1"}', ''])
  })
})

describe('committed dashboards', () => {
  it('are exactly what ops/dashboards generates (run `npm run dashboards` after a change)', () => {
    const dir = path.join(repoRoot, DASHBOARDS_DIR)
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(files.map((f) => f.file).sort())
    for (const { file, dashboard } of files) {
      expect(readFileSync(path.join(dir, file), 'utf8'), file).toBe(renderDashboard(dashboard))
    }
  })

  it('are one per market of @carbon/schemas plus the platform dashboard, with unique uids', () => {
    expect(files.map((f) => f.file)).toEqual([...MarketId.options.map((m) => `carbon-market-${m.toLowerCase()}.json`), 'carbon-platform.json'])
    const uids = files.map((f) => f.dashboard.uid)
    for (const uid of uids) expect(uid).toMatch(/^[a-z0-9-]{1,40}$/)
    expect(new Set(uids).size).toBe(uids.length)
  })

  it('each has a prometheus datasource variable that every panel and query uses', () => {
    for (const { file, dashboard } of files) {
      const variables = dashboard.templating?.list ?? []
      expect(variables.find((v) => v.name === DATASOURCE_VARIABLE), file).toMatchObject({ type: 'datasource', query: 'prometheus' })
      const ref = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` }
      for (const panel of panelsOf(dashboard).filter((p) => p.type !== 'row')) {
        expect(panel.datasource, `${file}: ${panel.title}`).toEqual(ref)
        expect(panel.targets?.length, `${file}: ${panel.title} has no query`).toBeGreaterThan(0)
        for (const t of panel.targets ?? []) expect(t.datasource, `${file}: ${panel.title}`).toEqual(ref)
      }
    }
  })

  it('each panel has a unit, a title and an id unique in its dashboard', () => {
    for (const { file, dashboard } of files) {
      const panels = panelsOf(dashboard)
      const ids = panels.map((p) => p.id)
      expect(ids.every((id) => typeof id === 'number'), file).toBe(true)
      expect(new Set(ids).size, file).toBe(ids.length)
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        expect(panel.title, file).toBeTruthy()
        expect(panel.fieldConfig?.defaults?.unit, `${file}: ${panel.title}`).toBeTruthy()
      }
    }
  })

  it('read only metrics of the contract, the default process metrics, `up` and the recording rules', async () => {
    const allowed = await allowedMetricNames()
    for (const { file, dashboard } of files) {
      for (const { panel, expr } of exprsOf(dashboard)) {
        const names = metricNames(expr)
        expect(names.length, `${file}: ${panel}: ${expr}`).toBeGreaterThan(0)
        expect(names.filter((n) => !allowed.has(n)), `${file}: ${panel}: ${expr}`).toEqual([])
      }
    }
  })

  it('filter every market-labelled metric on their own market in a market dashboard', () => {
    const labelled = marketLabelled()
    for (const market of MarketId.options) {
      const { file, dashboard } = files.find((f) => f.file === `carbon-market-${market.toLowerCase()}.json`)!
      expect(dashboard.title).toContain(market)
      let filtered = 0
      for (const { panel, expr } of exprsOf(dashboard)) {
        for (const name of metricNames(expr).filter((n) => labelled.has(n))) {
          for (const selector of selectorsOf(expr, name)) {
            expect(selector, `${file}: ${panel}: ${name} in ${expr}`).toContain(`market="${market}"`)
            filtered++
          }
        }
      }
      // Ingest, freshness, completeness, overdue, API: the dashboard is mostly about its market.
      expect(filtered, file).toBeGreaterThanOrEqual(8)
    }
  })

  it('hold valid PromQL (promtool parses each query as a recording rule)', () => {
    const exprs = files.flatMap(({ dashboard }) => exprsOf(dashboard).map((e) => e.expr))
    // Grafana's interval variables become durations; nothing else in the queries is templated.
    const promql = exprs.map((e) => e.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1d').replaceAll('$__interval', '1m'))
    expect(promql.filter((e) => e.includes('$'))).toEqual([])
    const dir = mkdtempSync(path.join(os.tmpdir(), 'carbon-dashboards-'))
    try {
      const file = path.join(dir, 'dashboards.rules.yml')
      writeFileSync(file, stringify({ groups: [{ name: 'dashboards', rules: promql.map((expr, i) => ({ record: `dashboard_query_${i}`, expr })) }] }))
      try {
        execFileSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8', stdio: 'pipe' })
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string }
        throw new Error(`promtool refused a dashboard query:\n${e.stdout ?? ''}${e.stderr ?? e.message}`)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
