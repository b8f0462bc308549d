import { DEMO_NODES } from '@carbon/demo-data'
import { describe, expect, it } from 'vitest'
import { caisoCatalogue, DEFAULT_CAISO_NODE_COUNT, DEFAULT_MISO_NODE_COUNT, MISO_EXANTE_HUBS, misoCatalogue } from './catalogue.ts'

const miso = misoCatalogue(254)
const caiso = caisoCatalogue(254)

describe('node catalogues', () => {
  it('are full size, unique and sorted by name', () => {
    expect(miso.nodes).toHaveLength(DEFAULT_MISO_NODE_COUNT)
    expect(caiso.nodes).toHaveLength(DEFAULT_CAISO_NODE_COUNT)
    for (const { nodes } of [miso, caiso]) {
      const names = nodes.map((n) => n.name)
      expect(new Set(names).size).toBe(names.length)
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    }
  })

  it('hold every real name of the fixtures and the demo, with its type', () => {
    const type = (name: string) => miso.byName.get(name)?.type
    expect(type('INDIANA.HUB')).toBe('hub')
    expect(type('WEC.AZ')).toBe('hub')
    expect(type('ALTE.ALTE')).toBe('zone')
    expect(type('SWPP')).toBe('interface')
    expect(type('AMIL.RISING.H')).toBe('generator')
    expect(type('MP.OLIVER12')).toBe('generator')
    for (const hub of MISO_EXANTE_HUBS) expect(miso.byName.has(hub)).toBe(true)
    for (const node of DEMO_NODES) {
      const catalogue = node.market === 'MISO' ? miso : caiso
      expect(catalogue.byName.get(node.name)).toMatchObject({ type: node.type, demo: catalogue.demoNames.indexOf(node.name) })
    }
    expect(caiso.byName.get('TH_SP15_GEN-APND')?.type).toBe('hub')
    expect(caiso.byName.get('SLAP_PGEB-APND')?.type).toBe('zone')
  })

  it('name generated nodes in each publisher style, with all four MISO types', () => {
    const generated = miso.nodes.filter((n) => n.demo < 0 && n.type === 'generator')
    expect(generated.length).toBeGreaterThan(2400)
    for (const node of generated) expect(node.name).toMatch(/^[A-Z]+\.[A-Z0-9]+(?:[._][A-Z0-9]+)?$/)
    expect(new Set(miso.nodes.map((n) => n.type))).toEqual(new Set(['hub', 'zone', 'generator', 'interface']))
    const apnodes = caiso.nodes.filter((n) => n.type === 'generator')
    expect(apnodes.length).toBeGreaterThan(3900)
    for (const node of apnodes) expect(node.name).toMatch(/^[A-Z0-9]{1,8}_[1-7]_(?:N\d{3}|B\d)$/)
  })

  it('are deterministic by seed', () => {
    expect(misoCatalogue(254).nodes).toEqual(miso.nodes)
    expect(caisoCatalogue(254).nodes).toEqual(caiso.nodes)
    const other = misoCatalogue(7)
    expect(other.nodes.map((n) => n.name)).not.toEqual(miso.nodes.map((n) => n.name))
    expect(other.byName.has('INDIANA.HUB')).toBe(true)
  })

  it('ties every node to demo parents of its own market', () => {
    for (const { nodes, demoNames } of [miso, caiso])
      for (const node of nodes) {
        expect(node.p).toBeGreaterThanOrEqual(0)
        expect(node.p).toBeLessThan(demoNames.length)
        expect(node.q).toBeLessThan(demoNames.length)
      }
  })
})
