import { readFile } from 'node:fs/promises'
import {
  CARB_LCFS_MONTHLY_SAMPLE_FIXTURE,
  CARB_LCFS_SAMPLE_FIXTURE,
  DATAHUB_HENRY_HUB_DAILY_FIXTURE,
  EIA860_FIXTURE_DIR,
  EIA860M_SAMPLE_FIXTURE,
  EIA930_FUEL_TYPE_DATA_FIXTURE,
  EIA930_REGION_DATA_FIXTURE,
  EIA_FIXTURE_DIR,
  ENVIRONMENTAL_FIXTURE_DIR,
  FUNDAMENTALS_FIXTURE_DIR,
  GAS_FIXTURE_DIR,
  HENRY_HUB_MONTHLY_FIXTURE,
  ICE_FIXTURE_DIR,
  ICE_SAMPLE_FIXTURE,
  LNG_FIXTURE_DIR,
  REC_FIXTURE_DIR,
  REC_PRICES_SAMPLE_FIXTURE,
  SERIES_SOURCES,
  WNGSR_LNG_FIXTURE_0805,
  WNGSR_LNG_FIXTURE_0923,
  type SeriesSourceId,
} from '@carbon/connectors'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import type { Platform } from '../../platform.ts'
import { insertSeriesValues } from '../series/store.ts'

/**
 * A demo file: its reader, where it is, and how many rows the reader refuses in it on purpose (a
 * documented sample that shows what is refused; 0 when not given).
 */
export type DemoSeriesFile = { source: SeriesSourceId; dir: URL; file: string; refused?: number }

/**
 * The series the hub shows at first start: every reader's fixture in packages/connectors (the
 * publishers' own bytes where we have them, else the documented samples, each README says which),
 * read by the real readers and stored directly, as the demo prices are. A live ingest (or an
 * upload) of the same periods later replaces these rows (the latest ingested_at wins). The
 * EIA-860M sample gives the market pages capacity (MISO, CAISO, ERCOT, PJM, September 2026); it
 * holds two generators its reader refuses by design (a balancing authority of no market here, a
 * blank code), which are left out.
 */
export const DEMO_SERIES_FILES: readonly DemoSeriesFile[] = [
  { source: 'eia.ng.hh_spot_monthly', dir: EIA_FIXTURE_DIR, file: HENRY_HUB_MONTHLY_FIXTURE },
  { source: 'datahub.ng.hh_spot_daily', dir: GAS_FIXTURE_DIR, file: DATAHUB_HENRY_HUB_DAILY_FIXTURE },
  { source: 'eia.ice.next_day_gas', dir: ICE_FIXTURE_DIR, file: ICE_SAMPLE_FIXTURE },
  { source: 'eia.ng.wngsr_lng_prices', dir: LNG_FIXTURE_DIR, file: WNGSR_LNG_FIXTURE_0805 },
  { source: 'eia.ng.wngsr_lng_prices', dir: LNG_FIXTURE_DIR, file: WNGSR_LNG_FIXTURE_0923 },
  { source: 'eia.930.region_data', dir: FUNDAMENTALS_FIXTURE_DIR, file: EIA930_REGION_DATA_FIXTURE },
  { source: 'eia.930.fuel_type_data', dir: FUNDAMENTALS_FIXTURE_DIR, file: EIA930_FUEL_TYPE_DATA_FIXTURE },
  { source: 'eia.860m.generators', dir: EIA860_FIXTURE_DIR, file: EIA860M_SAMPLE_FIXTURE, refused: 2 },
  { source: 'carb.lcfs.credit_transfers', dir: ENVIRONMENTAL_FIXTURE_DIR, file: CARB_LCFS_SAMPLE_FIXTURE },
  { source: 'carb.lcfs.monthly_transfers', dir: ENVIRONMENTAL_FIXTURE_DIR, file: CARB_LCFS_MONTHLY_SAMPLE_FIXTURE },
  { source: 'carbon.rec_prices_csv', dir: REC_FIXTURE_DIR, file: REC_PRICES_SAMPLE_FIXTURE },
]

/** Whether any series value is stored (demo or not). */
export async function hasSeries(platform: Platform): Promise<boolean> {
  const [row] = await queryRows<{ n: number | string }>(platform.ch, 'demo.series.count', 'SELECT count() AS n FROM series_values')
  return Number(row?.n ?? 0) > 0
}

/**
 * Reads every demo file (`files`, default {@link DEMO_SERIES_FILES}) with its reader and stores
 * the records; returns how many files and records. Throws, naming the file, when a reader refuses
 * other than the rows the file is known to hold refused.
 */
export async function seedDemoSeries(platform: Platform, files: readonly DemoSeriesFile[] = DEMO_SERIES_FILES): Promise<{ files: number; records: number }> {
  const ingestedAt = new Date().toISOString()
  let records = 0
  for (const { source, dir, file, refused = 0 } of files) {
    const bytes = new Uint8Array(await readFile(new URL(file, dir)))
    const parsed = SERIES_SOURCES[source].parse(bytes, file)
    // The fixtures are clean but for the rows a sample refuses by design: any other refusal is a reader's regression, not demo data to skip.
    if (parsed.errors.length !== refused) {
      const first = parsed.errors[0] ? `, the first: ${parsed.errors[0].reason}` : ''
      throw new Error(`demo series ${file}: ${parsed.errors.length} rows refused where ${refused} ${refused === 1 ? 'is' : 'are'} expected${first}`)
    }
    await insertSeriesValues(platform.ch, parsed.records, { ingestedAt, rawKey: `demo/${file}` })
    records += parsed.records.length
  }
  platform.log.info({ files: files.length, records }, 'demo series stored')
  return { files: files.length, records }
}
