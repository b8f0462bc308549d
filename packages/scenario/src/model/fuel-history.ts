/**
 * The gas history the model reads at load: EIA's Henry Hub monthly spot price workbook
 * (RNGWHHDm.xls, a copy in packages/scenario/data), parsed by the connectors' reader of its own
 * format. Read once per process.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { parseHenryHubMonthlyXls } from '@carbon/connectors'
import type { FuelHistory } from './engine.ts'

export const HENRY_HUB_FILE = 'eia_RNGWHHDm_henry_hub_spot_monthly.xls'

/**
 * Where the workbook is: resolved through the package's `./data/*` export rather than relative to
 * this module, because the hub's server build bundles this module into build/server (vite
 * `ssr.noExternal`), where a path relative to `import.meta.url` would point outside the package.
 */
export function henryHubPath(): string {
  return createRequire(import.meta.url).resolve(`@carbon/scenario/data/${HENRY_HUB_FILE}`)
}

export type LoadedHistory = { bytes: Uint8Array; history: FuelHistory }

let loaded: LoadedHistory | null = null

export function henryHubHistory(): LoadedHistory {
  if (!loaded) {
    const bytes = new Uint8Array(fs.readFileSync(henryHubPath()))
    const parsed = parseHenryHubMonthlyXls(bytes, `packages/scenario/data/${HENRY_HUB_FILE}`)
    loaded = { bytes, history: { release: parsed.release, months: parsed.months } }
  }
  return loaded
}
