import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { MarketId } from '@carbon/schemas'
import { marketDashboard } from './market.ts'
import { platformDashboard } from './platform.ts'

/**
 * Every Carbon dashboard and the file it is committed as under chart/files/dashboards (the chart
 * turns each file into a Grafana dashboard ConfigMap). One per market of @carbon/schemas'
 * MarketId, so a market added there gets its dashboard at the next `npm run dashboards`.
 */

export const DASHBOARDS_DIR = 'chart/files/dashboards'

export type DashboardFile = { file: string; dashboard: Dashboard }

export function dashboardFiles(): DashboardFile[] {
  return [
    ...MarketId.options.map((market) => ({ file: `carbon-market-${market.toLowerCase()}.json`, dashboard: marketDashboard(market) })),
    { file: 'carbon-platform.json', dashboard: platformDashboard() },
  ]
}

/** The committed form: two-space JSON with a final newline. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`
}
