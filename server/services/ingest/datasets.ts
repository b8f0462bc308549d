import { FETCH_DATASETS, MISO_DX_DATASETS, type ConnectorConfig, type DatasetDefinition } from '@carbon/connectors'
import type { MarketId } from '@carbon/schemas'
import { AppError } from '../../errors.ts'

/** Every dataset the ingest can schedule or backfill, by source id. */
export const DATASETS: Readonly<Record<string, DatasetDefinition>> = { ...FETCH_DATASETS, ...MISO_DX_DATASETS }

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
  PJM: {},
  ERCOT: {},
  SPP: {},
  NYISO: {},
  ISONE: {},
  IESO: {},
  AESO: {},
}

/** The dataset a command line names (alias or source id), checked against the market. */
export function resolveDataset(market: MarketId, name: string): DatasetDefinition {
  const id = DATASET_ALIASES[market][name] ?? name
  const dataset = DATASETS[id]
  if (!dataset || dataset.market !== market) {
    const names = Object.entries(DATASET_ALIASES[market]).map(([alias, sourceId]) => `${alias} (${sourceId})`)
    const known = names.length > 0 ? `${market} datasets: ${names.join(', ')}` : `${market} has no dataset the ingest can fetch`
    throw AppError.badRequest(`unknown ${market} dataset "${name}"; ${known}`)
  }
  return dataset
}

/**
 * The datasets the scheduler runs: those named (default all) of the markets named (default all),
 * minus those lacking configuration (a key, credentials).
 */
export function scheduledDatasets(config: ConnectorConfig, names?: readonly string[], markets?: readonly MarketId[]): DatasetDefinition[] {
  if (names) {
    const unknown = names.filter((n) => !DATASETS[n])
    if (unknown.length > 0) throw AppError.badRequest(`INGEST_DATASETS names unknown datasets: ${unknown.join(', ')}; known: ${Object.keys(DATASETS).join(', ')}`)
  }
  return Object.values(DATASETS).filter(
    (d) => (names ? names.includes(d.id) : true) && (markets ? markets.includes(d.market) : true) && d.available(config),
  )
}
