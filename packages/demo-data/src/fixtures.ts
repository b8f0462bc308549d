import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, FIXTURE_FILES, SOURCES } from '@carbon/connectors'
import type { NodeType, PriceRecord } from '@carbon/schemas'
import { DEMO_NODES, type DemoNode } from './nodes.ts'

/**
 * Type of a node no file catalogues (the 5-minute API names CP nodes without types), read from
 * its name the way MISO's own reports type the names seen in the fixtures: `*.HUB` and `*.AZ`
 * are listed as Hub, `X.X` (ALTE.ALTE, LEPA.LEPA) as Loadzone; anything else is taken to be a
 * generator node. A demo heuristic, not a source of truth.
 */
function guessType(name: string): NodeType {
  if (/\.(HUB|AZ)$/.test(name)) return 'hub'
  const [head, tail, ...rest] = name.split('.')
  if (rest.length === 0 && head === tail) return 'zone'
  return 'generator'
}

/**
 * The real publisher files shipped with @carbon/connectors, parsed: their records and every
 * node they price. Node types come from the files' own catalogues (MISO market reports), then
 * the demo node list, then {@link guessType}. Throws if a fixture no longer parses cleanly.
 */
export function loadFixtureRecords(): { records: PriceRecord[]; nodes: DemoNode[] } {
  const records: PriceRecord[] = []
  const catalogue = new Map<string, DemoNode>()
  for (const node of DEMO_NODES) catalogue.set(`${node.market}:${node.name}`, node)
  const typed = new Map<string, DemoNode>()
  for (const { name, source } of FIXTURE_FILES) {
    const { market, parse } = SOURCES[source]
    const result = parse(readFileSync(new URL(name, FIXTURE_DIR), 'utf8'), name)
    if (result.errors.length > 0)
      throw new Error(`fixture ${name} has ${result.errors.length} issue(s), first: ${JSON.stringify(result.errors[0])}`)
    records.push(...result.records)
    for (const node of result.nodes ?? []) typed.set(`${market}:${node.name}`, { market, ...node })
  }
  const nodes = new Map<string, DemoNode>()
  for (const { market, node: name } of records) {
    const key = `${market}:${name}`
    if (!nodes.has(key)) nodes.set(key, typed.get(key) ?? catalogue.get(key) ?? { market, name, type: guessType(name) })
  }
  for (const [key, node] of typed) if (!nodes.has(key)) nodes.set(key, node)
  return { records, nodes: [...nodes.values()] }
}
