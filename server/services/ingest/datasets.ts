import { FETCH_DATASETS, isSeriesDatasetId, MARKET_DATASETS, MISO_DX_DATASETS, type ConnectorConfig, type DatasetDefinition } from '@carbon/connectors'
import type { MarketId } from '@carbon/schemas'
import { AppError } from '../../errors.ts'

/** Every dataset the ingest can schedule or backfill, by source id. */
export const DATASETS: Readonly<Record<string, DatasetDefinition>> = { ...FETCH_DATASETS, ...MISO_DX_DATASETS, ...MARKET_DATASETS }

/** Short names for the command line (`--market MISO --dataset rt-final`), per market. */
export const DATASET_ALIASES: Readonly<Record<MarketId, Readonly<Record<string, string>>>> = {
  MISO: {
    'da-expost': 'miso.da_expost_lmp',
    'rt-final': 'miso.rt_lmp_final',
    'rt-prelim': 'miso.rt_lmp_prelim',
    'rt5-expost': 'miso.api.rt5_expost',
    exante: 'miso.api.exante',
    ...Object.fromEntries(Object.keys(MISO_DX_DATASETS).map((id) => [id.replace(/^miso\.dx\./, 'dx-').replace(/_/g, '-'), id])),
  },
  CAISO: {
    dam: 'caiso.oasis.prc_lmp',
    rtm: 'caiso.oasis.prc_intvl_lmp',
    rtpd: 'caiso.oasis.prc_rtpd_lmp',
  },
  PJM: {
    da: 'pjm.da_hrl_lmps',
    'rt5-unverified': 'pjm.rt_unverified_fivemin_lmps',
    rt5: 'pjm.rt_fivemin_hrl_lmps',
    rth: 'pjm.rt_hrl_lmps',
  },
  ERCOT: { dam: 'ercot.dam_spp', rt: 'ercot.rt_spp' },
  SPP: { da: 'spp.da_lmp_sl', rtbm: 'spp.rtbm_lmp_sl' },
  NYISO: { dam: 'nyiso.damlbmp_zone', rt: 'nyiso.realtime_zone' },
  ISONE: { da: 'isone.ws.da_hourly_lmp', rt: 'isone.ws.rt_hourly_lmp' },
  IESO: { da: 'ieso.da_ontario_zonal', rt: 'ieso.rt_ontario_zonal' },
  AESO: { pool: 'aeso.pool_price' },
}

/** The dataset a command line names (alias or source id), checked against the market. */
export function resolveDataset(market: MarketId, name: string): DatasetDefinition {
  const id = DATASET_ALIASES[market][name] ?? name
  const dataset = DATASETS[id]
  if (!dataset || dataset.market !== market) {
    const names = Object.entries(DATASET_ALIASES[market]).map(([alias, sourceId]) => `${alias} (${sourceId})`)
    throw AppError.badRequest(`unknown ${market} dataset "${name}"; ${market} datasets: ${names.join(', ')}`)
  }
  return dataset
}

/**
 * The datasets the scheduler runs: those named (default all) of the markets named (default all),
 * minus those lacking configuration (a key, credentials). Series datasets may be named beside
 * them (the series scheduler runs those: server/workers/ingest.ts ingestSeries).
 */
export function scheduledDatasets(config: ConnectorConfig, names?: readonly string[], markets?: readonly MarketId[]): DatasetDefinition[] {
  if (names) {
    const unknown = names.filter((n) => !DATASETS[n] && !isSeriesDatasetId(n))
    if (unknown.length > 0) throw AppError.badRequest(`INGEST_DATASETS names unknown datasets: ${unknown.join(', ')}; known: ${Object.keys(DATASETS).join(', ')}`)
  }
  return Object.values(DATASETS).filter(
    (d) => (names ? names.includes(d.id) : true) && (markets ? markets.includes(d.market) : true) && d.available(config),
  )
}
