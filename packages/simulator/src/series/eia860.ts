/**
 * EIA-860M monthly generator inventories on the simulator (base `/eia`, see simulatorUrls), laid
 * out as EIA serves them (packages/connectors series/fetch/eia860m.ts says what is known of that):
 *
 *   GET /eia/electricity/data/eia860m/xls/{month}_generator{year}.xlsx
 *       the latest inventory out at the simulated date
 *   GET /eia/electricity/data/eia860m/archive/xls/{month}_generator{year}.xlsx
 *       every earlier one, from July 2015 (EIA's first)
 *
 * Any other name under /eia/electricity/data/eia860m/ (a month not out yet, a month in the other
 * folder, a misspelt name) answers EIA's landing page, HTTP 200 text/html, as EIA does for a file
 * name it does not serve; so does the folder itself.
 *
 * Release: the inventory of month M is out on the 24th of M+1 at 10:00 Eastern
 * ({@link EIA860M_SIM_RELEASE}, EIA's "about the 24th"): before the connectors' cautious 28th, so a
 * scheduled request finds it, while a request of the month before in `xls/` between the two dates
 * finds it moved to the archive (the connectors' dataset then answers "not published yet").
 *
 * The workbooks hold the demo's generated, full-scale inventory (packages/demo-data capacity.ts,
 * `@carbon/demo-data/capacity`: MISO and CAISO fleets of the size of the real balancing areas,
 * invented generators), so a live ingest of the simulator (`npm start` runs one) keeps the picture
 * the demo stored: the months the demo stores ({@link DEMO_INVENTORY_MONTHS}, August and September
 * 2026) are the demo's own workbooks byte for byte, so the ingest reproduces exactly what the demo
 * stored; every other month, from July 2015 on, is the demo's September generators with their
 * solar, wind and storage capacities (nameplate, summer, winter) moved by {@link eia860mBuildOut}
 * (0.5 % a month of build-out from September 2026, earlier months less, never under a quarter), to
 * 0.1 MW, and the month in the title: the simulator's numbers, not EIA's. Months differ, and the
 * same month is the same bytes on every run. The other months are no more than scaled Septembers:
 * the units that came online in the demo's September are in every one of them (so July 2026 holds
 * more solar and storage than the demo's August), and their county and operating date cells are
 * eia860mOperatingCells' own, not the demo's (the reader reads neither).
 *
 * Why not the connectors' documented sample (fixtures/eia860/, what this served before): it holds a
 * handful of invented generators, so once ingested it replaced the demo's September (and added an
 * October) of a handful of units against the scenario model's tens of GW, and the fleet check
 * suggested retiring nearly the whole fleet.
 *
 * A month is built generators -> cells (eia860mOperatingCells, the title cell set after) -> xlsx
 * (buildXlsx), never by editing the sheet's XML: about a tenth of a second for the ~1,700
 * generators, and kept ({@link CACHE_SIZE} months), so a backfill from 2015 (~135 months) builds
 * each month once.
 */
import {
  buildXlsx,
  EIA860M_OPERATING_SHEET,
  eia860mFileMonth,
  eia860mOperatingCells,
  technologyFuel,
  type CapacityFuel,
  type CellSpec,
  type Eia860mSampleGenerator,
} from '@carbon/connectors'
import { DEMO_INVENTORY_MONTH, DEMO_INVENTORY_MONTHS, demoInventoryGenerators, demoInventoryWorkbook, type DemoInventoryMonth } from '@carbon/demo-data/capacity'
import { dateIn, dayStartUtc } from '@carbon/schemas'
import { htmlPage } from '../failures.ts'
import type { SimAnswer } from '../markets/types.ts'
import { MINUTE } from '../time.ts'
import { HTML_TYPE, type SeriesRoute, XLSX_TYPE } from './types.ts'

/** When the simulator puts out month M's inventory: the 24th of M+1, 10:00 Eastern. */
export const EIA860M_SIM_RELEASE = { day: 24, hour: 10, minute: 0, timeZone: 'America/New_York' } as const
/** EIA's first inventory month: nothing before it is served. */
export const EIA860M_SIM_FIRST_MONTH = '2015-07'
/** The folder of both paths, under the simulator's `/eia`. */
export const EIA860M_SIM_DIR = '/eia/electricity/data/eia860m/'

const WORKBOOK_PATH = /^\/eia\/electricity\/data\/eia860m\/(archive\/)?xls\/([a-z]+_generator\d{4}\.xlsx)$/
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const
/** The technologies whose capacity grows month by month in the simulator's workbooks. */
const BUILT_OUT: ReadonlySet<CapacityFuel> = new Set(['solar', 'wind', 'storage'])
/** The status sheets EIA has beside Operating, empty but for the header's first cell (as the sample's and the demo's). */
const OTHER_SHEETS = ['Planned', 'Retired', 'Canceled or Postponed', 'Operating_PR', 'Planned_PR', 'Retired_PR']
/** Generated workbooks kept, so a backfill's or a test's repeated months are built once (~130 kB each). */
const CACHE_SIZE = 48

/** `YYYY-MM` plus `months` (may be negative). */
function addMonths(month: string, months: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, m - 1 + months, 1)).toISOString().slice(0, 7)
}

/** Whole months from `from` to `to` (`YYYY-MM` each). */
function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number]
  const [ty, tm] = to.split('-').map(Number) as [number, number]
  return (ty - fy) * 12 + (tm - fm)
}

/** The latest inventory month (`YYYY-MM`) the simulator has put out at `now`. */
export function eia860mLatestMonth(now: number): string {
  const today = dateIn(new Date(now), EIA860M_SIM_RELEASE.timeZone)
  const releaseDate = `${today.slice(0, 8)}${String(EIA860M_SIM_RELEASE.day).padStart(2, '0')}`
  const release = dayStartUtc(releaseDate, EIA860M_SIM_RELEASE.timeZone).getTime() + (EIA860M_SIM_RELEASE.hour * 60 + EIA860M_SIM_RELEASE.minute) * MINUTE
  return addMonths(today.slice(0, 7), now >= release ? -1 : -2)
}

/** The instant month `month`'s inventory came out in the simulator (its Last-Modified). */
function releasedAt(month: string): number {
  const after = addMonths(month, 1)
  const date = `${after}-${String(EIA860M_SIM_RELEASE.day).padStart(2, '0')}`
  return dayStartUtc(date, EIA860M_SIM_RELEASE.timeZone).getTime() + (EIA860M_SIM_RELEASE.hour * 60 + EIA860M_SIM_RELEASE.minute) * MINUTE
}

/**
 * The factor a solar, wind or storage capacity of the base month's inventory (the demo's
 * September 2026) is multiplied by in month `month`: 0.5 % a month from the base month (earlier
 * months less), never under a quarter.
 */
export function eia860mBuildOut(baseMonth: string, month: string): number {
  return Math.max(0.25, 1 + 0.005 * monthsBetween(baseMonth, month))
}

/** `mw` times `factor`, to 0.1 MW (the inventory's precision). */
const scaledMw = (mw: number, factor: number) => Math.round(mw * factor * 10) / 10

/** The generators of `month`: the base month's, solar, wind and storage capacities times the month's build-out. */
export function eia860mMonthGenerators(base: readonly Eia860mSampleGenerator[], baseMonth: string, month: string): Eia860mSampleGenerator[] {
  const factor = eia860mBuildOut(baseMonth, month)
  return base.map((g) =>
    BUILT_OUT.has(technologyFuel(g.technology))
      ? { ...g, nameplateMw: scaledMw(g.nameplateMw, factor), summerMw: scaledMw(g.summerMw, factor), winterMw: scaledMw(g.winterMw, factor) }
      : g,
  )
}

/** The Operating sheet's title (cell A2) naming `month` (`YYYY-MM`), worded as EIA's. */
function eia860mSimTitle(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return `Preliminary Monthly Electric Generator Inventory (based on Form EIA-860M as a supplement to Form EIA-860), ${MONTH_NAMES[m - 1]} ${year} (254Carbon SIMULATOR, the demo's invented generators)`
}

/** The workbook of `month` holding `generators`: the Operating sheet in the sample's layout, its title naming the month, and the empty status sheets. */
function workbookOf(month: string, generators: readonly Eia860mSampleGenerator[]): Uint8Array {
  const cells = eia860mOperatingCells(generators)
  cells.A2 = eia860mSimTitle(month)
  const empty: Record<string, CellSpec> = { A3: 'Entity ID' }
  return buildXlsx([{ name: EIA860M_OPERATING_SHEET, cells }, ...OTHER_SHEETS.map((name) => ({ name, cells: empty }))])
}

const isDemoMonth = (month: string): month is DemoInventoryMonth => (DEMO_INVENTORY_MONTHS as readonly string[]).includes(month)

/** The workbooks of the months (see the module's doc), each built on first ask and kept. */
export function createEia860mWorkbooks() {
  const baseMonth = DEMO_INVENTORY_MONTH
  const cache = new Map<string, Uint8Array>()
  // The demo's generators are computed (from the scenario model's base data) on the first scaled month, not at start.
  let base: Eia860mSampleGenerator[] | undefined

  function build(month: string): Uint8Array {
    if (isDemoMonth(month)) return demoInventoryWorkbook(month)
    base ??= demoInventoryGenerators(baseMonth)
    return workbookOf(month, eia860mMonthGenerators(base, baseMonth, month))
  }

  return {
    baseMonth,
    /** The workbook of `month` (`YYYY-MM`). */
    of(month: string): Uint8Array {
      let bytes = cache.get(month)
      if (!bytes) {
        if (cache.size >= CACHE_SIZE) cache.clear()
        cache.set(month, (bytes = build(month)))
      }
      return bytes
    },
  }
}

/** EIA's landing page, which EIA answers (HTTP 200) for a file name it does not serve; it links the latest months. */
function landingPage(latest: string): SimAnswer {
  const links = Array.from({ length: 12 }, (_, i) => addMonths(latest, -i))
    .filter((month) => month >= EIA860M_SIM_FIRST_MONTH)
    .map((month, i) => {
      const name = `${MONTH_NAMES[Number(month.slice(5)) - 1]!.toLowerCase()}_generator${month.slice(0, 4)}.xlsx`
      return `<a href="${EIA860M_SIM_DIR.slice('/eia'.length)}${i === 0 ? '' : 'archive/'}xls/${name}">${month}</a>`
    })
  const title = 'Preliminary Monthly Electric Generator Inventory (based on Form EIA-860M as a supplement to Form EIA-860)'
  return { status: 200, type: HTML_TYPE, body: htmlPage(title, `Simulated EIA-860M page. ${links.join(' ')}`) }
}

export function createEia860Route(): SeriesRoute {
  const workbooks = createEia860mWorkbooks()
  return {
    sources: ['eia.860m.generators'],
    shapes: [`GET ${EIA860M_SIM_DIR}xls/{month}_generator{YYYY}.xlsx (the latest month), ${EIA860M_SIM_DIR}archive/xls/{month}_generator{YYYY}.xlsx (earlier ones)`],
    answer(request, context) {
      if (!request.path.startsWith(EIA860M_SIM_DIR) && request.path !== EIA860M_SIM_DIR.slice(0, -1)) return null
      const latest = eia860mLatestMonth(context.now)
      const match = WORKBOOK_PATH.exec(request.path)
      const month = match ? eia860mFileMonth(match[2]!) : null
      if (!match || !month || month < EIA860M_SIM_FIRST_MONTH || month > latest) return landingPage(latest)
      const archived = match[1] !== undefined
      if (archived !== month < latest) return landingPage(latest)
      return { status: 200, type: XLSX_TYPE, body: workbooks.of(month), headers: { 'Last-Modified': new Date(releasedAt(month)).toUTCString() } }
    },
  }
}
