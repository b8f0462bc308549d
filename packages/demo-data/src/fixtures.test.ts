import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { loadFixtureRecords } from './fixtures.ts'

describe('loadFixtureRecords', () => {
  const { records, nodes } = loadFixtureRecords()

  it('parses every shipped publisher file into valid records', () => {
    // 3 DA hubs x 24 + 22 RT nodes x 24 + 13 five-minute CP nodes + 9 ex-ante hubs + 5 CAISO hours
    expect(records).toHaveLength(72 + 528 + 13 + 9 + 5)
    for (const record of records) expect(PriceRecord.parse(record)).toEqual(record)
    expect(new Set(records.map((r) => r.source))).toEqual(
      new Set(['miso.da_expost_lmp', 'miso.rt_lmp_final', 'miso.api.rt5_expost', 'miso.api.exante', 'caiso.oasis.prc_lmp'])
    )
  })

  it('lists every priced node once, typed by the files where they say', () => {
    const keys = nodes.map((n) => `${n.market}:${n.name}`)
    expect(new Set(keys).size).toBe(keys.length)
    for (const r of records) expect(keys).toContain(`${r.market}:${r.node}`)
    const type = (market: string, name: string) => nodes.find((n) => n.market === market && n.name === name)?.type
    expect(type('MISO', 'INDIANA.HUB')).toBe('hub')
    expect(type('MISO', 'SWPP')).toBe('interface') // a Hub in the ex-ante list, an Interface in MISO's report
    expect(type('MISO', 'ALTE.ALTE')).toBe('zone')
    expect(type('MISO', 'WEC.AZ')).toBe('hub')
    expect(type('MISO', 'NIPS.NIPS')).toBe('zone') // untyped CP node: by name
    expect(type('MISO', 'AMIL.RICHLAND')).toBe('generator')
    expect(type('CAISO', 'TH_SP15_GEN-APND')).toBe('hub') // from the demo node list
  })
})
