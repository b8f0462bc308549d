/**
 * The gas history the model prices the past with: monthly Henry Hub spot prices, given as data.
 *
 * - The bundled copy: EIA's Henry Hub monthly spot price workbook (RNGWHHDm.xls, in
 *   packages/scenario/data), parsed by the connectors' reader of its own format, read once per
 *   process. The default context runs on it, and the server falls back to it when no stored
 *   series is available.
 * - Any other history (the server's stored series): `checkFuelHistory` validates it and
 *   `fuelHistoryId` names it by its content, so a run can record exactly which history it used.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { parseHenryHubMonthlyXls } from '@carbon/connectors'
import type { FuelHistory } from './engine.ts'
import { canonicalJson, sha256Hex, VERSION_HEX } from './versions.ts'

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

const MONTH_KEY = /^\d{4}-(0[1-9]|1[0-2])$/

/**
 * Throws a RangeError naming the entry (index, month, value) when `history` is not a monthly
 * history the model can take: months `YYYY-MM`, strictly ascending (no repeats), prices finite
 * and >= 0 ($/MMBtu), release null or a non-empty line. `where` names the history in the message.
 */
export function checkFuelHistory(history: FuelHistory, where: string): void {
  if (history.release !== null && (history.release.length === 0 || /[\r\n]/.test(history.release))) {
    throw new RangeError(`${where}: release must be null or one non-empty line, got ${JSON.stringify(history.release)}`)
  }
  let previous: string | null = null
  history.months.forEach(({ month, price }, i) => {
    if (!MONTH_KEY.test(month)) throw new RangeError(`${where}: months[${i}].month ${JSON.stringify(month)} is not a month (YYYY-MM)`)
    if (previous !== null && month <= previous) throw new RangeError(`${where}: months[${i}].month ${month} does not come after ${previous} (months ascending, each once)`)
    if (!Number.isFinite(price) || price < 0) throw new RangeError(`${where}: months[${i}] (${month}) price ${price} is not a price ($/MMBtu, finite, >= 0)`)
    previous = month
  })
}

/**
 * The content address of a history: sha256 prefix (16 hex) of the canonical JSON of
 * `{"months":[{"month":"YYYY-MM","price":p},...],"release":r}` (months in order). Two histories
 * with the same release, months and prices have the same id, wherever they were read from.
 */
export function fuelHistoryId(history: FuelHistory): string {
  const content = { release: history.release, months: history.months.map(({ month, price }) => ({ month, price })) }
  return sha256Hex(canonicalJson(content)).slice(0, VERSION_HEX)
}

/**
 * The bundled workbook's history, its content id, and `fileId`: the id runs recorded before
 * histories were content-addressed (sha256 prefix of the file's bytes, a line feed and its
 * release date), by which such a run still names this history.
 */
export function bundledFuelHistory(): { history: FuelHistory; id: string; fileId: string } {
  const { bytes, history } = henryHubHistory()
  return { history, id: fuelHistoryId(history), fileId: sha256Hex(bytes, `\n${history.release ?? ''}`).slice(0, VERSION_HEX) }
}
