/**
 * Base data of every market the model covers. Adding a market = adding its module here (and its
 * hubs to SCENARIO_HUBS in types.ts).
 */
import type { ScenarioMarket } from '../../types.ts'
import { CAISO_BASE } from './caiso.ts'
import { MISO_BASE } from './miso.ts'
import type { MarketBase } from './types.ts'

export type { MarketBase, HubSpec, ImportSpec, TrancheSpec, YearData, TargetDefaults, LoadShapeSpec } from './types.ts'

export const MARKET_BASES: Record<ScenarioMarket, MarketBase> = { MISO: MISO_BASE, CAISO: CAISO_BASE }
