import type { MarketId, NodeType } from '@carbon/schemas'

export type DemoNode = { market: MarketId; name: string; type: NodeType }

/**
 * How a node's price departs from its market's system energy price:
 * congestion = load * (the afternoon/evening, load-driven constraint)
 *            + other * (MISO: the overnight wind constraint in the north-west;
 *                       CAISO: the midday solar/import constraint)
 * loss = lossFactor * energy; ghg (CAISO only) = ghg * the day's GHG price.
 */
type NodeBasis = { load: number; other: number; lossFactor: number; ghg: number }

/**
 * The demo's pricing nodes with their basis. The MISO names are real: the eight trading hubs
 * (MISO's market reports list them as Type Hub), three load zones and two interfaces, all as
 * they appear in the fixture files; the CAISO names are the three trading hubs and the four
 * default load aggregation points. The basis numbers are invented, shaped after the fixtures
 * (MINN.HUB and ALTE.ALTE carry negative congestion, MICHIGAN.HUB positive).
 */
const NODES: (DemoNode & NodeBasis)[] = [
  { market: 'MISO', name: 'ARKANSAS.HUB', type: 'hub', load: 0.05, other: 0.2, lossFactor: -0.02, ghg: 0 },
  { market: 'MISO', name: 'ILLINOIS.HUB', type: 'hub', load: -0.2, other: 0.1, lossFactor: -0.01, ghg: 0 },
  { market: 'MISO', name: 'INDIANA.HUB', type: 'hub', load: 0.3, other: 0.2, lossFactor: 0.035, ghg: 0 },
  { market: 'MISO', name: 'LOUISIANA.HUB', type: 'hub', load: 0.1, other: 0.25, lossFactor: 0, ghg: 0 },
  { market: 'MISO', name: 'MICHIGAN.HUB', type: 'hub', load: 0.6, other: 0.3, lossFactor: 0.04, ghg: 0 },
  { market: 'MISO', name: 'MINN.HUB', type: 'hub', load: -0.4, other: -1.0, lossFactor: -0.035, ghg: 0 },
  { market: 'MISO', name: 'MS.HUB', type: 'hub', load: 0.1, other: 0.2, lossFactor: -0.005, ghg: 0 },
  { market: 'MISO', name: 'TEXAS.HUB', type: 'hub', load: 0.15, other: 0.3, lossFactor: 0.005, ghg: 0 },
  { market: 'MISO', name: 'ALTE.ALTE', type: 'zone', load: -0.6, other: -0.5, lossFactor: 0.04, ghg: 0 },
  { market: 'MISO', name: 'CIN.PSI', type: 'zone', load: 0.25, other: 0.2, lossFactor: 0.04, ghg: 0 },
  { market: 'MISO', name: 'LEPA.LEPA', type: 'zone', load: 0.1, other: 0.25, lossFactor: -0.01, ghg: 0 },
  { market: 'MISO', name: 'PJMC', type: 'interface', load: -0.2, other: 0.1, lossFactor: 0.005, ghg: 0 },
  { market: 'MISO', name: 'SWPP', type: 'interface', load: -0.1, other: -0.6, lossFactor: -0.08, ghg: 0 },
  { market: 'CAISO', name: 'TH_NP15_GEN-APND', type: 'hub', load: -0.3, other: 0, lossFactor: -0.02, ghg: 0.1 },
  { market: 'CAISO', name: 'TH_SP15_GEN-APND', type: 'hub', load: 0.3, other: 0.1, lossFactor: 0.01, ghg: 0.1 },
  { market: 'CAISO', name: 'TH_ZP26_GEN-APND', type: 'hub', load: 0, other: -0.2, lossFactor: -0.01, ghg: 0.1 },
  { market: 'CAISO', name: 'DLAP_PGAE-APND', type: 'zone', load: -0.25, other: 0.2, lossFactor: 0, ghg: 0.15 },
  { market: 'CAISO', name: 'DLAP_SCE-APND', type: 'zone', load: 0.3, other: 0.3, lossFactor: 0.02, ghg: 0.15 },
  { market: 'CAISO', name: 'DLAP_SDGE-APND', type: 'zone', load: 0.4, other: 0.8, lossFactor: 0.03, ghg: 0.2 },
  { market: 'CAISO', name: 'DLAP_VEA-APND', type: 'zone', load: 0.2, other: -0.2, lossFactor: 0.01, ghg: 1 },
]

/** Every node the demo generates prices for, market by market. */
export const DEMO_NODES: readonly DemoNode[] = NODES.map(({ market, name, type }) => ({ market, name, type }))

/** The basis of a demo node, by market and name. */
export const NODE_BASIS: ReadonlyMap<string, NodeBasis> = new Map(
  NODES.map(({ market, name, load, other, lossFactor, ghg }) => [`${market}:${name}`, { load, other, lossFactor, ghg }])
)
