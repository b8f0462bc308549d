/**
 * Published annual averages the backcast is calibrated against (docs/decisions/013-scenario-model.md,
 * packages/scenario/SOURCES.md). Only all-hours (ATC) figures were found for the pilot hubs; no
 * published on-peak/off-peak split, and nothing for Illinois Hub or NP15.
 */
import type { ScenarioMarket } from '../types.ts'

export type PublishedAverage = {
  market: ScenarioMarket
  hub: string
  year: number
  block: 'atc'
  /** $/MWh */
  price: number
  source: string
}

export const CALIBRATION_YEAR = 2024

export const PUBLISHED_AVERAGES: readonly PublishedAverage[] = [
  {
    market: 'MISO',
    hub: 'INDIANA.HUB',
    year: 2024,
    block: 'atc',
    price: 31.0,
    source:
      'Potomac Economics, 2024 State of the Market Report for the MISO Electricity Markets: average real-time LMP 2024, ~$31/MWh, as tabulated (Indiana Hub basis) in bottleneckslab/electricity-supply-response data/audit_all_data.csv',
  },
  {
    market: 'CAISO',
    hub: 'TH_SP15_GEN-APND',
    year: 2024,
    block: 'atc',
    price: 38.0,
    source:
      'CAISO Department of Market Monitoring, Q3/Q4 2024 quarterly reports: annual day-ahead average at SP15 estimated ~$38/MWh, as tabulated in bottleneckslab/electricity-supply-response data/audit_all_data.csv',
  },
]

/** Accepted relative error of the backcast against each published average. */
export const CALIBRATION_TOLERANCE = 0.15
