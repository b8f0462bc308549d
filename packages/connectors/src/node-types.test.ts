import type { MarketId, NodeType } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { inferNodeType } from './node-types.ts'

/** Names as the publishers' files write them, with the type the publisher gives them (where it does). */
const CASES: [MarketId, string, NodeType][] = [
  ['MISO', 'INDIANA.HUB', 'hub'],
  ['MISO', 'ARKANSAS.AZ', 'hub'],
  ['MISO', 'ALTE.ALTE', 'zone'],
  ['MISO', 'PJM', 'interface'],
  ['MISO', 'AMIL.EDWARDS2', 'generator'],
  ['CAISO', 'TH_SP15_GEN-APND', 'hub'],
  ['CAISO', 'DLAP_PGAE-APND', 'zone'],
  ['CAISO', 'SLAP_SCEW-APND', 'zone'],
  ['CAISO', 'ALAMIT_7_B1', 'generator'],
  ['PJM', 'WESTERN HUB', 'hub'],
  ['PJM', 'N ILLINOIS HUB', 'hub'],
  ['PJM', 'PJM-RTO', 'zone'],
  ['PJM', 'MID-ATL/APS', 'zone'],
  ['PJM', 'DOM', 'zone'],
  ['PJM', 'NYIS', 'interface'],
  ['PJM', 'BRUNNERI 13 KV GEN1', 'generator'],
  ['ERCOT', 'HB_NORTH', 'hub'],
  ['ERCOT', 'HB_HUBAVG', 'hub'],
  ['ERCOT', 'LZ_WEST', 'zone'],
  ['ERCOT', 'LZ_WEST_EW', 'zone'],
  ['ERCOT', 'DC_E', 'zone'],
  ['ERCOT', 'DC_E_EW', 'zone'],
  ['ERCOT', 'ALVIN_RN', 'generator'],
  ['SPP', 'SPPNORTH_HUB', 'hub'],
  ['SPP', 'CSWS_AECC_LA', 'generator'],
  ['NYISO', 'N.Y.C.', 'zone'],
  ['NYISO', 'HUD VL', 'zone'],
  ['NYISO', 'H Q', 'interface'],
  ['NYISO', 'PJM', 'interface'],
  ['NYISO', 'ASTORIA_GT_01', 'generator'],
  ['ISONE', '.H.INTERNAL_HUB', 'hub'],
  ['ISONE', '.Z.MAINE', 'zone'],
  ['ISONE', '.I.ROSETON 345 1', 'interface'],
  ['ISONE', 'UN.ALTRESCO19.5ALT', 'generator'],
  ['IESO', 'ONTARIO', 'zone'],
  ['AESO', 'POOL', 'hub'],
]

describe('inferNodeType', () => {
  it.each(CASES)('%s %s is a %s', (market, name, type) => {
    expect(inferNodeType(market, name)).toBe(type)
  })

  it('does not take a hub suffix of another market', () => {
    expect(inferNodeType('SPP', 'INDIANA.HUB')).toBe('generator')
    expect(inferNodeType('MISO', 'SPPNORTH_HUB')).toBe('generator')
    expect(inferNodeType('PJM', 'HB_NORTH')).toBe('generator')
  })
})
