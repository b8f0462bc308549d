import type { MarketId } from '@carbon/schemas'

/**
 * The hubs that have a forward curve from the start (and demo quote sets). A build for another
 * hub node of an entitled market creates its curve on first use.
 */
export const CURVE_HUBS: readonly { market: MarketId; node: string; name: string }[] = [
  { market: 'MISO', node: 'INDIANA.HUB', name: 'MISO Indiana Hub' },
  { market: 'MISO', node: 'ILLINOIS.HUB', name: 'MISO Illinois Hub' },
  { market: 'CAISO', node: 'TH_SP15_GEN-APND', name: 'CAISO SP15' },
  { market: 'CAISO', node: 'TH_NP15_GEN-APND', name: 'CAISO NP15' },
]

export function curveId(market: MarketId, node: string): string {
  return `${market}:${node}`
}
