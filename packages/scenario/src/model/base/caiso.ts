/**
 * CAISO base data (the CAISO balancing area). Every number is named in packages/scenario/SOURCES.md
 * (publication and year, or "assumption" with the reasoning); arrays of 12 are January..December.
 */
import type { MarketBase } from './types.ts'

export const CAISO_BASE: MarketBase = {
  market: 'CAISO',
  baseYear: 2024,
  startCapacityMw: { solar: 20_500, wind: 8_100, storage: 13_500, gas_cc: 15_500, gas_ct: 11_000, coal: 0, nuclear: 2_280, hydro: 7_500 },
  years: {
    2023: {
      energyMwh: 215_000_000,
      peakMw: 44_500,
      capacityMw: { solar: 17_000, wind: 7_500, storage: 8_000, gas_cc: 15_500, gas_ct: 11_500, coal: 0, nuclear: 2_280, hydro: 7_500 },
      gasBasis: [18, 6, 3.5, 1.2, 0.8, 0.7, 1.5, 2.5, 1.3, 1, 1, 1],
      coal: 2.5,
      carbon: 33,
      hydroCf: [0.3, 0.35, 0.45, 0.55, 0.65, 0.65, 0.55, 0.45, 0.35, 0.3, 0.28, 0.28],
    },
    2024: {
      energyMwh: 220_000_000,
      peakMw: 48_300,
      capacityMw: { solar: 19_000, wind: 8_000, storage: 11_500, gas_cc: 15_500, gas_ct: 11_000, coal: 0, nuclear: 2_280, hydro: 7_500 },
      gasBasis: [1.5, 1.2, 1, 0.5, 0.2, 0.3, 0.9, 0.7, 0.6, 0.6, 0.6, 0.8],
      coal: 2.5,
      carbon: 35,
      hydroCf: [0.25, 0.3, 0.38, 0.45, 0.5, 0.48, 0.42, 0.35, 0.28, 0.24, 0.22, 0.24],
    },
  },
  load: {
    monthlyEnergyShare: [0.078, 0.07, 0.075, 0.073, 0.078, 0.085, 0.099, 0.101, 0.094, 0.083, 0.074, 0.08],
    monthlyPeakRatio: [0.66, 0.64, 0.62, 0.64, 0.72, 0.82, 0.92, 0.95, 1, 0.8, 0.66, 0.68],
    summerWeight: [0, 0, 0.1, 0.2, 0.4, 0.7, 1, 1, 0.9, 0.5, 0.1, 0],
    morning: 0.08,
    evening: 0.24,
    afternoon: 0.32,
    night: 0.14,
    btmSolar: 0.12,
    offDayFactor: 0.94,
    tzShift: 0,
  },
  solar: { latitude: 35, cf: [0.16, 0.21, 0.26, 0.31, 0.34, 0.36, 0.35, 0.34, 0.31, 0.26, 0.19, 0.15] },
  wind: { cf: [0.15, 0.2, 0.28, 0.35, 0.4, 0.42, 0.4, 0.36, 0.28, 0.22, 0.16, 0.14], diurnalAmplitude: 0.35, peakHour: 20 },
  hydroFlexShare: 0.5,
  availability: {
    gas_cc: [0.85, 0.82, 0.76, 0.72, 0.8, 0.9, 0.94, 0.94, 0.92, 0.8, 0.78, 0.85],
    gas_ct: [0.88, 0.85, 0.8, 0.78, 0.84, 0.92, 0.95, 0.95, 0.93, 0.84, 0.82, 0.87],
    coal: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    nuclear: [0.98, 0.96, 0.9, 0.85, 0.92, 0.98, 0.98, 0.98, 0.95, 0.88, 0.92, 0.97],
  },
  tranches: [
    { technology: 'gas_cc', share: 0.2, heatRate: 6.8 },
    { technology: 'gas_cc', share: 0.3, heatRate: 7.1 },
    { technology: 'gas_cc', share: 0.3, heatRate: 7.5 },
    { technology: 'gas_cc', share: 0.2, heatRate: 8.2 },
    { technology: 'gas_ct', share: 0.3, heatRate: 9.3 },
    { technology: 'gas_ct', share: 0.3, heatRate: 10.2 },
    { technology: 'gas_ct', share: 0.25, heatRate: 11.5 },
    { technology: 'gas_ct', share: 0.15, heatRate: 13.5 },
    { technology: 'coal', share: 1, heatRate: 10.5 },
  ],
  nuclearHeatRate: 10.45,
  co2PerMmbtu: { gas: 0.05307, coal: 0.0955, oil: 0.07415 },
  storage: { durationHours: 4, efficiency: 0.85 },
  otherMustRunMw: 2_500,
  imports: [
    { name: 'northwest-hydro', kind: 'fixed', mw: 2_500, price: 15, co2: 0, monthlyAvailability: [0.7, 0.7, 0.8, 1, 1, 1, 0.9, 0.8, 0.7, 0.6, 0.6, 0.7] },
    { name: 'west-unspecified', kind: 'gas', mw: 8_000, heatRate: 8, adder: 3, co2: 0.428, monthlyAvailability: [1, 1, 1, 1, 1, 1, 0.9, 0.85, 0.85, 1, 1, 1] },
  ],
  retirements: [
    { technology: 'gas_ct', mw: 2_800, at: '2027-01', note: 'once-through-cooling units (Alamitos, Huntington Beach, Ormond Beach) after their extension to 2026-12-31' },
    { technology: 'nuclear', mw: 1_120, at: '2029-11', note: 'Diablo Canyon unit 1 (SB 846 extension end)' },
    { technology: 'nuclear', mw: 1_160, at: '2030-09', note: 'Diablo Canyon unit 2 (SB 846 extension end)' },
  ],
  hubs: [
    { hub: 'TH_SP15_GEN-APND', onpeak: 1, offpeak: 1, adder: 0 },
    { hub: 'TH_NP15_GEN-APND', onpeak: 1.04, offpeak: 1.06, adder: 0 },
  ],
  defaults: {
    gasBasis: 0.8,
    coal: 2.5,
    oil: 18,
    uranium: 0.55,
    carbon: 30,
    growth: 0.015,
    inflation: 0.025,
    scarcityCap: 2_000,
    reserveTarget: 0.2,
    vom: { solar: 0, wind: 0, storage: 0, gas_cc: 3, gas_ct: 5.5, coal: 4.5, nuclear: 2.5, hydro: 0 },
  },
  offerMarkup: 0,
  scarcityExponent: 4,
}
