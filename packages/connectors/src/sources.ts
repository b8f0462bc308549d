import type { MarketId, MarketRun } from '@carbon/schemas'
import { parseCaisoPrcIntvlLmp, parseCaisoPrcLmp, parseCaisoPrcRtpdLmp } from './parsers/caiso-oasis.ts'
import { parseMisoExAnte } from './parsers/miso-api-exante.ts'
import { parseMisoRt5ExPost } from './parsers/miso-api-rt5-expost.ts'
import { parseMisoDx } from './parsers/miso-dx.ts'
import { parseMisoMarketReport } from './parsers/miso-market-report.ts'
import type { Parser } from './types.ts'

/** A publisher dataset this package can read: what it is, its market and run, and its parser. */
export type SourceDefinition = {
  description: string
  market: MarketId
  run: MarketRun
  parse: Parser
}

/**
 * Every source by id. The id is also the `source` of the records its parser makes
 * (`miso.da_expost_lmp` records say `source: 'miso.da_expost_lmp'`).
 */
export const SOURCES = {
  'miso.da_expost_lmp': {
    description: 'MISO day-ahead ex-post LMPs, market report {YYYYMMDD}_da_expost_lmp.csv (hourly, EST)',
    market: 'MISO',
    run: 'DA',
    parse: (text, file) => parseMisoMarketReport(text, file, 'da_expost_lmp'),
  },
  'miso.rt_lmp_final': {
    description: 'MISO real-time final hourly LMPs, market report {YYYYMMDD}_rt_lmp_final.csv (hourly, EST)',
    market: 'MISO',
    run: 'RTH',
    parse: (text, file) => parseMisoMarketReport(text, file, 'rt_lmp_final'),
  },
  'miso.rt_lmp_prelim': {
    description: 'MISO real-time preliminary hourly LMPs, market report {YYYYMMDD}_rt_lmp_prelim.csv (hourly, EST)',
    market: 'MISO',
    run: 'RTH',
    parse: (text, file) => parseMisoMarketReport(text, file, 'rt_lmp_prelim'),
  },
  'miso.api.rt5_expost': {
    description: 'MISO public API MarketPricing/GetRealTimeFiveMinExPost: 5-minute ex-post LMPs of every CP node',
    market: 'MISO',
    run: 'RT5',
    parse: parseMisoRt5ExPost,
  },
  'miso.api.exante': {
    description: 'MISO public API MarketPricing/GetExAnteLmp: 5-minute real-time ex-ante LMPs of the hubs',
    market: 'MISO',
    run: 'RT5',
    parse: parseMisoExAnte,
  },
  'miso.dx.da_expost_lmp': {
    description: 'MISO Data Exchange pricing API day-ahead/{date}/lmp-expost: day-ahead ex-post hourly LMPs and components of every CP node (paged JSON, key needed)',
    market: 'MISO',
    run: 'DA',
    parse: (text, file) => parseMisoDx(text, file, 'da_expost_lmp'),
  },
  'miso.dx.rt_expost_lmp_5min': {
    description: 'MISO Data Exchange pricing API real-time/{date}/lmp-expost?timeResolution=5min: 5-minute ex-post LMPs of every CP node, from the next morning (paged JSON, key needed)',
    market: 'MISO',
    run: 'RT5',
    parse: (text, file) => parseMisoDx(text, file, 'rt_expost_lmp_5min'),
  },
  'miso.dx.rt_expost_lmp_final': {
    description: 'MISO Data Exchange pricing API real-time/{date}/lmp-expost?timeResolution=hourly&preliminaryFinal=Final: final hourly real-time LMPs (paged JSON, key needed)',
    market: 'MISO',
    run: 'RTH',
    parse: (text, file) => parseMisoDx(text, file, 'rt_expost_lmp_final'),
  },
  'caiso.oasis.prc_lmp': {
    description: 'CAISO OASIS PRC_LMP v12, market_run_id=DAM: day-ahead hourly LMPs and components',
    market: 'CAISO',
    run: 'DA',
    parse: parseCaisoPrcLmp,
  },
  'caiso.oasis.prc_intvl_lmp': {
    description: 'CAISO OASIS PRC_INTVL_LMP v3, market_run_id=RTM: real-time 5-minute LMPs and components',
    market: 'CAISO',
    run: 'RT5',
    parse: parseCaisoPrcIntvlLmp,
  },
  'caiso.oasis.prc_rtpd_lmp': {
    description: 'CAISO OASIS PRC_RTPD_LMP, market_run_id=RTPD: fifteen-minute market LMPs and components',
    market: 'CAISO',
    run: 'RT15',
    parse: parseCaisoPrcRtpdLmp,
  },
} as const satisfies Record<string, SourceDefinition>

export type SourceId = keyof typeof SOURCES
