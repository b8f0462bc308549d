/**
 * A node's type from its name, for feeds that do not say it (MISO's five-minute API, CAISO OASIS,
 * PJM answers asked without `type`, ERCOT and SPP real-time files, ...). Each market's rule follows
 * its publisher's naming; a file that does carry the type (MISO market reports, PJM with `type`,
 * ISO-NE's location types) registers the publisher's own word first and wins.
 */
import type { MarketId, NodeType } from '@carbon/schemas'
import { AESO_NODE } from './parsers/aeso.ts'
import { ercotDamNodeType } from './parsers/ercot.ts'
import { IESO_NODE } from './parsers/ieso.ts'
import { NYISO_NODE_TYPES } from './parsers/nyiso.ts'
import { sppNodeType } from './parsers/spp.ts'
import { lookup } from './parsers/text.ts'

/** PJM's transmission zones (Data Miner 2 `type` ZONE), which carry no suffix in their names. */
const PJM_ZONES = new Set([
  'AECO', 'AEP', 'APS', 'ATSI', 'BGE', 'COMED', 'DAY', 'DEOK', 'DOM', 'DPL', 'DUQ', 'EKPC', 'JCPL', 'METED',
  'MID-ATL/APS', 'OVEC', 'PECO', 'PENELEC', 'PEPCO', 'PJM-RTO', 'PPL', 'PSEG', 'RECO',
])

/** PJM's interface pricing points with neighbours (type INTERFACE). */
const PJM_INTERFACES = new Set([
  'CPLEEXP', 'CPLEIMP', 'DUKEXP', 'DUKIMP', 'HUDSONTP', 'IMO', 'LINDENVFT', 'MISO', 'NCMPAEXP', 'NCMPAIMP',
  'NEPTUNE', 'NIPSCO', 'NORTHWEST', 'NYIS', 'SOUTH', 'SOUTHEXP', 'SOUTHIMP',
])

type Rule = (name: string) => NodeType

const RULES: Record<MarketId, Rule> = {
  // MISO market reports list `*.HUB` and `*.AZ` as Hub, `X.X` (ALTE.ALTE) as Loadzone, bare codes as Interface.
  MISO: (name) => {
    if (name.endsWith('.HUB') || name.endsWith('.AZ')) return 'hub'
    const [area, rest] = name.split('.')
    if (rest !== undefined && area === rest) return 'zone'
    if (rest === undefined && /^[A-Z]{2,5}$/.test(name)) return 'interface'
    return 'generator'
  },
  // Trading hubs TH_*, default and sub load aggregation points DLAP_/SLAP_, the rest APnodes.
  CAISO: (name) => {
    if (name.startsWith('TH_')) return 'hub'
    if (name.startsWith('DLAP_') || name.startsWith('SLAP_')) return 'zone'
    return 'generator'
  },
  // WESTERN HUB, AEP-DAYTON HUB, N ILLINOIS HUB; zones and interfaces by name.
  PJM: (name) => {
    if (/ HUB$/.test(name)) return 'hub'
    if (PJM_ZONES.has(name)) return 'zone'
    if (PJM_INTERFACES.has(name)) return 'interface'
    return 'generator'
  },
  // HB_NORTH, HB_HUBAVG; load zones LZ_WEST and the DC-tie zones DC_E..DC_R, with their
  // energy-weighted real-time prices `<zone>_EW` (parsers/ercot.ts); resource nodes otherwise.
  ERCOT: (name) => ercotDamNodeType(name.replace(/_EW$/, '')),
  // SPPNORTH_HUB, SPPSOUTH_HUB; settlement locations otherwise.
  SPP: sppNodeType,
  // The eleven zones and the four external proxies the zonal files list.
  NYISO: (name) => lookup(NYISO_NODE_TYPES, name) ?? 'generator',
  // .H.INTERNAL_HUB, .Z.MAINE (load zones), .I.ROSETON 345 1 (interfaces), network nodes otherwise.
  ISONE: (name) => (name.startsWith('.H.') ? 'hub' : name.startsWith('.Z.') ? 'zone' : name.startsWith('.I.') ? 'interface' : 'generator'),
  // One Ontario zonal price.
  IESO: (name) => (name === IESO_NODE ? 'zone' : 'generator'),
  // One Alberta pool price: the market's hub.
  AESO: (name) => (name === AESO_NODE ? 'hub' : 'generator'),
}

/** The type a node of `market` named `name` most likely has, by its publisher's naming conventions. */
export function inferNodeType(market: MarketId, name: string): NodeType {
  return RULES[market](name)
}
