/**
 * Published annual averages the backcast is compared with (docs/decisions/013-scenario-model.md,
 * packages/scenario/SOURCES.md). Each figure says which block it is (all hours, or the market's
 * on-peak block) and whether the calibration test gates on it or only reports it (thin or
 * unrepresentative data, or a figure the model has no exact counterpart for). No published
 * off-peak figure was found for any pilot hub: off-peak is checked only through the all-hours
 * figures (ATC = on-peak and off-peak combined by hours).
 */
import type { ScenarioMarket } from '../types.ts'
import { SYSTEM_HUB, type BackcastRow } from './backcast.ts'

/** 'atc': all hours; 'onpeak': the market's NERC on-peak block (MISO 5x16 EPT, CAISO 6x16 PPT). */
export type PublishedBlock = 'atc' | 'onpeak'

/** 'gate': the backcast must land within CALIBRATION_TOLERANCE; 'report': shown beside the model, not asserted. */
export type PublishedUse = 'gate' | 'report'

export type PublishedAverage = {
  market: ScenarioMarket
  /** A hub of SCENARIO_HUBS, or `system` for the market's price before hub factors. */
  hub: string
  year: number
  block: PublishedBlock
  /** $/MWh */
  price: number
  use: PublishedUse
  source: string
}

export const CALIBRATION_YEAR = 2024

const ICE_2024 =
  'ICE day-ahead on-peak index, republished by U.S. EIA in "Wholesale Electricity and Natural Gas Market Data" (ice_electric-2024final.xlsx); mean of the daily weighted-average prices computed from the copy in tudoryoon/EG_Dashboard data/infra-grid-status-data.js (commit 0c7d296e7578b0fa8dcca9a2583bdfd9dc3dd949)'
const MISO_DA_2024 =
  "all-hours mean of MISO's hourly day-ahead hub LMPs for 2024, as computed in jessicacohen554-cyber/market-simulator data/raw/_validation-source/actual_lmp.json (commit 0098c6504f85)"

export const PUBLISHED_AVERAGES: readonly PublishedAverage[] = [
  {
    market: 'MISO',
    hub: 'INDIANA.HUB',
    year: 2024,
    block: 'atc',
    price: 31.37,
    use: 'gate',
    source: `Indiana Hub day-ahead: ${MISO_DA_2024}`,
  },
  {
    market: 'MISO',
    hub: 'ILLINOIS.HUB',
    year: 2024,
    block: 'atc',
    price: 27.59,
    use: 'gate',
    source: `Illinois Hub day-ahead: ${MISO_DA_2024}`,
  },
  {
    market: 'MISO',
    hub: 'INDIANA.HUB',
    year: 2024,
    block: 'atc',
    price: 31.0,
    use: 'report',
    source:
      'Potomac Economics, 2024 State of the Market Report for the MISO Electricity Markets: average real-time LMP 2024, ~$31/MWh, as tabulated (Indiana Hub basis) in bottleneckslab/electricity-supply-response data/audit_all_data.csv',
  },
  {
    market: 'MISO',
    hub: 'INDIANA.HUB',
    year: 2024,
    block: 'onpeak',
    price: 48.79,
    use: 'report',
    source: `Indiana Hub RT Peak, ${ICE_2024}; only 43 trade days, none in October-November, clustered in stress periods: not representative`,
  },
  {
    market: 'CAISO',
    hub: 'TH_SP15_GEN-APND',
    year: 2024,
    block: 'atc',
    price: 38.0,
    use: 'gate',
    source:
      'CAISO Department of Market Monitoring, Q3/Q4 2024 quarterly reports: annual day-ahead average at SP15 estimated ~$38/MWh, as tabulated in bottleneckslab/electricity-supply-response data/audit_all_data.csv',
  },
  {
    market: 'CAISO',
    hub: 'TH_SP15_GEN-APND',
    year: 2024,
    block: 'onpeak',
    price: 31.01,
    use: 'gate',
    source: `SP15 EZ Gen DA LMP Peak, ${ICE_2024}; 221 trade days`,
  },
  {
    market: 'CAISO',
    hub: 'TH_SP15_GEN-APND',
    year: 2023,
    block: 'onpeak',
    price: 62.75,
    use: 'report',
    source: `SP15 EZ Gen DA LMP Peak, 2023: the same ICE series and copy as the 2024 figure (${ICE_2024}); 237 trade days; out-of-sample check`,
  },
  {
    market: 'CAISO',
    hub: 'TH_NP15_GEN-APND',
    year: 2024,
    block: 'onpeak',
    price: 47.71,
    use: 'report',
    source: `NP15 EZ Gen DA LMP Peak, ${ICE_2024}; only 82 trade days (thin)`,
  },
  {
    market: 'CAISO',
    hub: SYSTEM_HUB,
    year: 2024,
    block: 'atc',
    price: 35.81,
    use: 'report',
    source:
      "CAISO composite (NP15/ZP26/SP15 weighted by load) day-ahead, all hours: mean of CAISO's hourly prices as computed in jessicacohen554-cyber/market-simulator data/raw/_validation-source/actual_lmp.json (commit 0098c6504f85); the model has no ZP26, so it is compared with the model's CAISO price before hub factors",
  },
]

/** Accepted relative error of the backcast against each gating published average. */
export const CALIBRATION_TOLERANCE = 0.15

/** A published figure beside the backcast's value for the same market, hub, and block. */
export type CalibrationComparison = { published: PublishedAverage; model: number; error: number }

/**
 * Each published figure of `year` with the backcast's value for its market, hub (SYSTEM_HUB: the
 * price before hub factors) and block, and the relative error (model - published) / published.
 * Throws naming the figure when the backcast has no row for it.
 */
export function compareWithPublished(rows: readonly BackcastRow[], year: number, published: readonly PublishedAverage[] = PUBLISHED_AVERAGES): CalibrationComparison[] {
  return published
    .filter((p) => p.year === year)
    .map((p) => {
      const row = rows.find((r) => r.market === p.market && r.hub === p.hub)
      if (!row) throw new RangeError(`calibration: the backcast has no row for ${p.market} ${p.hub} (published ${p.block} ${p.price} for ${p.year})`)
      const model = p.block === 'onpeak' ? row.onpeak : row.atc
      return { published: p, model, error: (model - p.price) / p.price }
    })
}
