/**
 * EIA-930 respondent codes (balancing authorities) -> the market their GRID series are entitled
 * through (docs/decisions/023: fundamentals go with the market their balancing authority maps to).
 *
 * The seven ISO/RTO balancing authorities map to their own market. Balancing authorities of the
 * Western Energy Imbalance Market map to CAISO, the WEIM's operator, flagged `via: 'WEIM'`: they
 * are not inside CAISO's balancing area, but their real-time imbalance is dispatched and priced by
 * CAISO's market, which is the market this project carries for them. `weimSince` is the year each
 * went live in the WEIM, from CAISO's monthly market performance reports and the members' and
 * CAISO's announcements (PacifiCorp 2014, NV Energy 2015, APS and PSE 2016, PGE 2017, Idaho Power
 * 2018, BANC 2019, SRP and Seattle City Light 2020, LADWP, NorthWestern, Turlock and PNM 2021,
 * Avista, Tacoma, BPA and TEP 2022, WAPA Desert Southwest and El Paso Electric 2023). The mapping
 * does not depend on a row's date: it says which market a series is entitled through, and a
 * member's hours before it joined are entitled the same way as its later ones.
 *
 * Not mapped (their rows are issues, so they are dead-lettered rather than lost): EIA's regional
 * aggregates (US48, CAL, NW, SW, ...), balancing authorities in no market carried here (the
 * Southeast, SPP's Western Energy Imbalance Service members such as WACM, and WEIM entrants not
 * yet live or not confirmed here, such as IID, due in 2028, and AVRN), and Canadian or Mexican
 * ones, which EIA-930 lists only as interchange partners.
 */
import type { MarketId } from '@carbon/schemas'

export type BalancingAuthority = {
  /** The market the respondent's series are entitled through. */
  market: MarketId
  /** Who the respondent is, for readers of this table (records carry the answer's own `respondent-name`). */
  name: string
  /** Set when the respondent is not the market's own balancing authority but takes part in it. */
  via?: 'WEIM'
  /** Year the respondent went live in the WEIM (documentation: the mapping ignores it). */
  weimSince?: number
}

const weim = (name: string, weimSince: number): BalancingAuthority => ({ market: 'CAISO', name, via: 'WEIM', weimSince })

export const EIA930_BALANCING_AUTHORITIES: Readonly<Record<string, BalancingAuthority>> = {
  CISO: { market: 'CAISO', name: 'California Independent System Operator' },
  MISO: { market: 'MISO', name: 'Midcontinent Independent System Operator, Inc.' },
  PJM: { market: 'PJM', name: 'PJM Interconnection, LLC' },
  ERCO: { market: 'ERCOT', name: 'Electric Reliability Council of Texas, Inc.' },
  SWPP: { market: 'SPP', name: 'Southwest Power Pool' },
  NYIS: { market: 'NYISO', name: 'New York Independent System Operator' },
  ISNE: { market: 'ISONE', name: 'ISO New England' },
  PACW: weim('PacifiCorp West', 2014),
  PACE: weim('PacifiCorp East', 2014),
  NEVP: weim('Nevada Power Company', 2015),
  AZPS: weim('Arizona Public Service Company', 2016),
  PSEI: weim('Puget Sound Energy, Inc.', 2016),
  PGE: weim('Portland General Electric Company', 2017),
  IPCO: weim('Idaho Power Company', 2018),
  BANC: weim('Balancing Authority of Northern California', 2019),
  SRP: weim('Salt River Project Agricultural Improvement and Power District', 2020),
  SCL: weim('Seattle City Light', 2020),
  LDWP: weim('Los Angeles Department of Water and Power', 2021),
  NWMT: weim('NorthWestern Corporation', 2021),
  TIDC: weim('Turlock Irrigation District', 2021),
  PNM: weim('Public Service Company of New Mexico', 2021),
  AVA: weim('Avista Corporation', 2022),
  TPWR: weim('City of Tacoma, Department of Public Utilities, Light Division', 2022),
  BPAT: weim('Bonneville Power Administration', 2022),
  TEPC: weim('Tucson Electric Power', 2022),
  WALC: weim('Western Area Power Administration - Desert Southwest Region', 2023),
  EPE: weim('El Paso Electric Company', 2023),
}

/** The balancing authority of an EIA-930 respondent code, or undefined when it maps to no market here. */
export function balancingAuthority(respondent: string): BalancingAuthority | undefined {
  return Object.hasOwn(EIA930_BALANCING_AUTHORITIES, respondent) ? EIA930_BALANCING_AUTHORITIES[respondent] : undefined
}
