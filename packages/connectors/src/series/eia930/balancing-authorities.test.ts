import { MarketId } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { balancingAuthority, EIA930_BALANCING_AUTHORITIES } from './balancing-authorities.ts'

describe('EIA-930 respondents -> markets', () => {
  it('maps each ISO/RTO balancing authority to its own market, not via the WEIM', () => {
    const own = { CISO: 'CAISO', MISO: 'MISO', PJM: 'PJM', ERCO: 'ERCOT', SWPP: 'SPP', NYIS: 'NYISO', ISNE: 'ISONE' }
    for (const [code, market] of Object.entries(own)) {
      expect(balancingAuthority(code)?.market).toBe(market)
      expect(balancingAuthority(code)).not.toHaveProperty('via')
    }
  })

  it('maps the WEIM members to CAISO, flagged via WEIM with the year they went live', () => {
    for (const code of ['PACW', 'PACE', 'NEVP', 'AZPS', 'PSEI', 'PGE', 'IPCO', 'SRP', 'LDWP', 'BANC', 'TIDC', 'TEPC', 'PNM', 'BPAT']) {
      expect(balancingAuthority(code)).toMatchObject({ market: 'CAISO', via: 'WEIM' })
    }
    expect(balancingAuthority('PACW')?.weimSince).toBe(2014)
    expect(balancingAuthority('BPAT')?.weimSince).toBe(2022)
  })

  it('maps no regional aggregate, non-member or unknown code (nor an inherited property name)', () => {
    for (const code of ['US48', 'CAL', 'NW', 'SOCO', 'WACM', 'IID', 'XXXX', 'constructor', 'pacw']) expect(balancingAuthority(code)).toBeUndefined()
  })

  it('names only markets of the schema, and WEIM members only for CAISO', () => {
    for (const ba of Object.values(EIA930_BALANCING_AUTHORITIES)) {
      expect(MarketId.safeParse(ba.market).success).toBe(true)
      if (ba.via) expect(ba).toMatchObject({ market: 'CAISO', via: 'WEIM', weimSince: expect.any(Number) })
    }
  })
})
