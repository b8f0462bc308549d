/**
 * Full-size node catalogues, deterministic by seed: MISO's ~2,600 commercial pricing nodes and
 * CAISO's ~4,000 APnodes. The real names (every node of the fixtures, the demo nodes, MISO's
 * interfaces, CAISO's trading hubs, DLAPs and SLAPs) are always there; the rest are generated in
 * each publisher's naming style: MISO `AREA.NODE` (`AMIL.RISING.H`, `MP.OLIVER12`), CAISO
 * `NAME_7_N001` / `NAME_7_B1`.
 *
 * Each generated node is tied to the demo price model: its congestion follows one or two demo
 * nodes of its market (its "parents", with weights), its loss is a loss factor times the system
 * energy price, and it has its own noise. Demo nodes keep the demo model's values exactly.
 */
import { DEMO_NODES, mulberry32, type DemoMarket } from '@carbon/demo-data'
import type { MarketId, NodeType } from '@carbon/schemas'
import { hashString } from './random.ts'

/** A node of a simulated catalogue and how its prices derive from the demo model. */
export type SimNode = {
  name: string
  type: NodeType
  /** Index into the market's demo nodes when the demo model prices this node itself, else -1. */
  demo: number
  /** First and second parent (indexes into the market's demo nodes) and their weights. */
  p: number
  q: number
  w: number
  v: number
  /** Loss factor (loss = lf x system energy). */
  lf: number
  /** Size of the node's own congestion noise, $/MWh. */
  s: number
  /** CAISO: multiple of the first parent's GHG component. */
  g: number
  /** Hash of the name, the node's key in every random draw. */
  key: number
}

export type Catalogue = {
  market: MarketId
  /** Every node, sorted by name (the order MISO writes them). */
  nodes: readonly SimNode[]
  /** The market's demo node names, in DEMO_NODES order (what `SimNode.demo/p/q` index). */
  demoNames: readonly string[]
  byName: ReadonlyMap<string, SimNode>
}

export const DEFAULT_MISO_NODE_COUNT = 2600
export const DEFAULT_CAISO_NODE_COUNT = 4000

/** MISO names as they appear in the fixture files (types from the market reports). */
const MISO_REAL: readonly [string, NodeType][] = [
  ['ARKANSAS.HUB', 'hub'],
  ['ILLINOIS.HUB', 'hub'],
  ['INDIANA.HUB', 'hub'],
  ['LOUISIANA.HUB', 'hub'],
  ['MICHIGAN.HUB', 'hub'],
  ['MINN.HUB', 'hub'],
  ['MS.HUB', 'hub'],
  ['TEXAS.HUB', 'hub'],
  ['MGE.AZ', 'hub'],
  ['WEC.AZ', 'hub'],
  ['WPS.AZ', 'hub'],
  ['AMIL.RPGI_1.AZ', 'hub'],
  ['ALTE.ALTE', 'zone'],
  ['CIN.PSI', 'zone'],
  ['LEPA.LEPA', 'zone'],
  ['NIPS.NIPS', 'zone'],
  ['AECI', 'interface'],
  ['LGEE', 'interface'],
  ['MHEB', 'interface'],
  ['ONT', 'interface'],
  ['PJMC', 'interface'],
  ['SOCO', 'interface'],
  ['SWPP', 'interface'],
  ['TVA', 'interface'],
  ['AMIL.RICHLAND', 'generator'],
  ['AMIL.RISING.H', 'generator'],
  ['AMIL.RISING.L', 'generator'],
  ['AMIL.RIVRFRRYS', 'generator'],
  ['AMIL.RLGY01', 'generator'],
  ['AMIL.RNGDRP', 'generator'],
  ['AMIL.RNGPSS', 'generator'],
  ['AMIL.RSPWIND', 'generator'],
  ['AMIL.RUBY', 'generator'],
  ['MP.OLIVER12', 'generator'],
]

/** Balancing-area prefixes of MISO CP node names; each also names a load zone `AREA.AREA`. */
const MISO_AREAS = [
  'AMIL', 'AMMO', 'ALTE', 'ALTW', 'BREC', 'CIN', 'CLEC', 'CONS', 'CWLD', 'CWLP', 'DECO', 'DPC', 'EAI', 'EES',
  'EMBA', 'GRE', 'HE', 'IPL', 'LAGN', 'LEPA', 'MDU', 'MEC', 'MGE', 'MP', 'MPW', 'NIPS', 'NSP', 'OTP', 'SIGE',
  'SMP', 'SME', 'UPPC', 'WEC', 'WPS',
] as const

const SYLLABLES = [
  'RICH', 'LAND', 'RIS', 'ING', 'RIV', 'FER', 'RY', 'RUBY', 'OLI', 'VER', 'BAL', 'DWIN', 'COF', 'FEEN', 'ED', 'WARDS',
  'HEN', 'NEP', 'KIN', 'CAID', 'PRAI', 'RIE', 'STATE', 'WIND', 'SOL', 'AR', 'CREEK', 'MILL', 'PORT', 'LAKE', 'ROCK',
  'BLUFF', 'VAL', 'LEY', 'MON', 'TI', 'CELLO', 'SHER', 'BURN', 'COL', 'STRIP', 'BIG', 'STONE', 'ANT', 'ELOPE', 'EAST',
  'WEST', 'NORTH', 'SOUTH', 'RIDGE', 'HILL', 'FORD', 'TON', 'VILLE', 'WOOD', 'DALE', 'PINE', 'OAK', 'ELM', 'CEDAR',
  'RED', 'BLUE', 'GREEN', 'WHITE', 'FOX', 'BEAR', 'WOLF', 'EAGLE', 'HAWK', 'DEER', 'ELK', 'BISON', 'PRAT', 'QUIN',
  'ZION', 'GIBS', 'PETE', 'MERO', 'CALU', 'MET', 'SHEL', 'BY', 'ROSE', 'MOUNT', 'GLEN', 'HAR', 'BOR', 'BAY', 'SAND',
]
const MISO_UNIT_SUFFIXES = ['.H', '.L', '.1', '.2', '.3', '.G1', '.G2', '.CT1', '.CT2', '.ST1', '.WIND', '.SOLAR', '_1', '_2']

/** Interfaces MISO prices besides the fixtures' eight (names of neighbouring areas). */
const MISO_EXTRA_INTERFACES = ['EEI', 'OVEC', 'SPA', 'CPLW', 'DUK', 'SIPC']

/** CAISO trading hubs and default LAPs (demo nodes) plus the sub-LAPs. */
const CAISO_SLAPS = [
  'PGCC', 'PGEB', 'PGF1', 'PGFG', 'PGHB', 'PGKN', 'PGLP', 'PGNB', 'PGNC', 'PGNP', 'PGNV', 'PGP2', 'PGSA', 'PGSB',
  'PGSF', 'PGSI', 'PGST', 'PGZP', 'SCEC', 'SCEN', 'SCEW', 'SCHD', 'SCLD', 'SCNW', 'SDG1', 'VEA',
]

type Draft = { name: string; type: NodeType }

function caisoType(name: string): NodeType {
  if (name.startsWith('TH_')) return 'hub'
  if (name.startsWith('DLAP_') || name.startsWith('SLAP_')) return 'zone'
  return 'generator'
}

function word(u: () => number, parts: number, maxChars: number): string {
  let text = ''
  for (let i = 0; i < parts; i++) text += SYLLABLES[Math.floor(u() * SYLLABLES.length)]
  return text.slice(0, maxChars)
}

function misoDrafts(count: number, u: () => number): Draft[] {
  const drafts = new Map<string, NodeType>(MISO_REAL)
  for (const name of MISO_EXTRA_INTERFACES) drafts.set(name, 'interface')
  for (const area of MISO_AREAS) if (!drafts.has(`${area}.${area}`)) drafts.set(`${area}.${area}`, 'zone')
  for (const node of DEMO_NODES) if (node.market === 'MISO' && !drafts.has(node.name)) drafts.set(node.name, node.type)
  let guard = 0
  while (drafts.size < count && guard++ < count * 50) {
    const area = MISO_AREAS[Math.floor(u() * MISO_AREAS.length)]!
    let name = `${area}.${word(u, 1 + Math.floor(u() * 3), 10)}`
    const r = u()
    if (r < 0.3) name += String(1 + Math.floor(u() * 20)).padStart(u() < 0.5 ? 2 : 1, '0')
    else if (r < 0.45) name += MISO_UNIT_SUFFIXES[Math.floor(u() * MISO_UNIT_SUFFIXES.length)]
    if (!drafts.has(name)) drafts.set(name, 'generator')
  }
  return [...drafts].map(([name, type]) => ({ name, type }))
}

function caisoDrafts(count: number, u: () => number): Draft[] {
  const drafts = new Map<string, NodeType>()
  for (const node of DEMO_NODES) if (node.market === 'CAISO') drafts.set(node.name, node.type)
  for (const slap of CAISO_SLAPS) drafts.set(`SLAP_${slap}-APND`, 'zone')
  let guard = 0
  while (drafts.size < count && guard++ < count * 50) {
    const digits = u() < 0.08 ? String(Math.floor(u() * 10_000)).padStart(4, '0') : ''
    const stem = (digits + word(u, 1 + Math.floor(u() * 3), 8 - digits.length)).slice(0, 8)
    const kv = 1 + Math.floor(u() * 7)
    const tail = u() < 0.7 ? `N${String(1 + Math.floor(u() * 30)).padStart(3, '0')}` : `B${1 + Math.floor(u() * 3)}`
    const name = `${stem}_${kv}_${tail}`
    if (!drafts.has(name)) drafts.set(name, caisoType(name))
  }
  return [...drafts].map(([name, type]) => ({ name, type }))
}

/**
 * A node's link to the demo model, drawn from its name and the seed: two demo parents and their
 * weights, a loss factor, the size of its own noise and (CAISO) its GHG multiple.
 */
export function simNode(market: MarketId, name: string, type: NodeType, seed: number): SimNode {
  const demoNames = demoNamesOf(market)
  const key = hashString(`${market}:${name}`)
  const u = mulberry32(key ^ Math.imul(seed | 0, 0x9e3779b1))
  const p = Math.floor(u() * demoNames.length)
  const q = Math.floor(u() * demoNames.length)
  const aggregate = type !== 'generator'
  return {
    name,
    type,
    demo: market === modelMarket(market) ? demoNames.indexOf(name) : -1,
    p,
    q,
    w: 0.4 + 0.9 * u(),
    v: (u() - 0.5) * 0.8,
    lf: (u() - 0.45) * 0.1,
    s: aggregate ? 0.15 + 0.3 * u() : 0.2 + 1.3 * u(),
    g: market === 'CAISO' ? 0.5 + u() : 0,
    key,
  }
}

const byNameOrder = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * The demo market whose model prices a market's nodes: MISO and CAISO their own; the markets added
 * after the pilot, which the demo model does not describe, follow MISO's system price and congestion
 * (scaled to their own level, see prices.ts). Simulated prices, for the ingest and the benchmarks.
 */
export function modelMarket(market: MarketId): DemoMarket {
  return market === 'CAISO' ? 'CAISO' : 'MISO'
}

/** The demo node names `SimNode.demo/p/q` index for a market's nodes. */
function demoNamesOf(market: MarketId): string[] {
  const source = modelMarket(market)
  return DEMO_NODES.filter((n) => n.market === source).map((n) => n.name)
}

function build(market: MarketId, drafts: Draft[], seed: number): Catalogue {
  const demoNames = demoNamesOf(market)
  const nodes = drafts.sort(byNameOrder).map(({ name, type }) => simNode(market, name, type, seed))
  return { market, nodes, demoNames, byName: new Map(nodes.map((n) => [n.name, n])) }
}

/** `nodes` plus `extra` (names not already there), sorted by name. */
export function withNodes(nodes: readonly SimNode[], extra: readonly SimNode[]): SimNode[] {
  const names = new Set(nodes.map((n) => n.name))
  return [...nodes, ...extra.filter((n) => !names.has(n.name))].sort(byNameOrder)
}

/**
 * The catalogue of a market added after the pilot, from its module's names and types
 * (markets/<market>.ts): every node priced from MISO's demo model (see {@link modelMarket}).
 */
export function laterCatalogue(market: MarketId, drafts: readonly { name: string; type: NodeType }[], seed: number): Catalogue {
  if (market === 'MISO' || market === 'CAISO') throw new RangeError(`${market} has its own catalogue`)
  const unique = new Map<string, NodeType>()
  for (const d of drafts) if (!unique.has(d.name)) unique.set(d.name, d.type)
  return build(market, [...unique].map(([name, type]) => ({ name, type })), seed)
}

/** The MISO catalogue: the real names plus generated ones up to `count` nodes. */
export function misoCatalogue(seed: number, count = DEFAULT_MISO_NODE_COUNT): Catalogue {
  return build('MISO', misoDrafts(count, mulberry32(seed ^ 0x4d49534f)), seed)
}

/** The CAISO catalogue: trading hubs, DLAPs, SLAPs plus generated APnodes up to `count`. */
export function caisoCatalogue(seed: number, count = DEFAULT_CAISO_NODE_COUNT): Catalogue {
  return build('CAISO', caisoDrafts(count, mulberry32(seed ^ 0x43414953)), seed)
}

/** Hubs MISO's GetExAnteLmp lists (the recorded answer's names, in its order). */
export const MISO_EXANTE_HUBS = [
  'ARKANSAS.HUB',
  'ILLINOIS.HUB',
  'INDIANA.HUB',
  'LOUISIANA.HUB',
  'MICHIGAN.HUB',
  'MINN.HUB',
  'MS.HUB',
  'SWPP',
  'TEXAS.HUB',
] as const
