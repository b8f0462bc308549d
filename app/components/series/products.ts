import { PRODUCTS, type EntitledProduct } from '@carbon/schemas'

/** The hub page of each product beside power (docs/decisions/023), and its name in the nav bar. */
export const PRODUCT_PAGES: Record<EntitledProduct, { href: string; label: string }> = {
  GAS: { href: '/gas', label: PRODUCTS.GAS.label },
  LNG: { href: '/lng', label: PRODUCTS.LNG.label },
  LCFS: { href: '/lcfs', label: PRODUCTS.LCFS.label },
  REC: { href: '/recs', label: PRODUCTS.REC.label },
}

/** The LNG benchmarks EIA's weekly bullet prices (series ids), in the order the pages show them. */
export const LNG_BENCHMARK_IDS = ['JKM', 'TTF'] as const

/** Colours of the series pages' lines: each benchmark keeps its colour on every chart. */
export const SERIES_COLORS = {
  henryHub: '#6b7280',
  hub: '#2563eb',
  JKM: '#d97706',
  TTF: '#2563eb',
  basis: '#7c3aed',
  price: '#2563eb',
  type1: '#d97706',
  volume: '#94a3b8',
  bid: '#059669',
  ask: '#dc2626',
  demand: '#0f172a',
} as const

/**
 * EIA-930 energy sources in stacking order (steady sources at the bottom) with a colour each;
 * a code not listed here (EIA adds some) is drawn after them in grey.
 */
export const FUEL_STYLES: readonly { code: string; color: string }[] = [
  { code: 'NUC', color: '#7c3aed' },
  { code: 'COL', color: '#44403c' },
  { code: 'NG', color: '#f97316' },
  { code: 'OIL', color: '#a16207' },
  { code: 'GEO', color: '#be185d' },
  { code: 'WAT', color: '#0284c7' },
  { code: 'PS', color: '#0e7490' },
  { code: 'WND', color: '#16a34a' },
  { code: 'SUN', color: '#eab308' },
  { code: 'SNB', color: '#facc15' },
  { code: 'BAT', color: '#db2777' },
  { code: 'OTH', color: '#94a3b8' },
  { code: 'UNK', color: '#cbd5e1' },
]

/** A fuel's colour and its place in the stack (unknown codes last). */
export function fuelStyle(code: string): { color: string; order: number } {
  const index = FUEL_STYLES.findIndex((f) => f.code === code)
  return index < 0 ? { color: '#9ca3af', order: FUEL_STYLES.length } : { color: FUEL_STYLES[index]!.color, order: index }
}
