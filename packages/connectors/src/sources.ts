import type { MarketId, MarketRun } from '@carbon/schemas'
import { parseAesoPoolPrice } from './parsers/aeso.ts'
import { parseCaisoPrcIntvlLmp, parseCaisoPrcLmp, parseCaisoPrcRtpdLmp } from './parsers/caiso-oasis.ts'
import { parseErcotDamSpp, parseErcotRtSpp } from './parsers/ercot.ts'
import { parseIesoDaOntarioZonal, parseIesoRtOntarioZonal } from './parsers/ieso.ts'
import { parseIsoneDaLmpCsv, parseIsoneWsDaHourlyLmp, parseIsoneWsRtHourlyLmp } from './parsers/isone.ts'
import { parseMisoExAnte } from './parsers/miso-api-exante.ts'
import { parseMisoRt5ExPost } from './parsers/miso-api-rt5-expost.ts'
import { parseMisoDx } from './parsers/miso-dx.ts'
import { parseMisoMarketReport } from './parsers/miso-market-report.ts'
import { parseNyisoDamLbmpZone, parseNyisoRealtimeZone } from './parsers/nyiso.ts'
import { parsePjmDaHrlLmps, parsePjmRtFiveminHrlLmps, parsePjmRtHrlLmps, parsePjmRtUnverifiedFiveminLmps } from './parsers/pjm.ts'
import { parseSppDaLmpSl, parseSppRtbmLmpSl } from './parsers/spp.ts'
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
  'pjm.da_hrl_lmps': {
    description: 'PJM Data Miner 2 da_hrl_lmps: day-ahead hourly LMPs and components of the requested pnodes (paged JSON, key needed)',
    market: 'PJM',
    run: 'DA',
    parse: parsePjmDaHrlLmps,
  },
  'pjm.rt_hrl_lmps': {
    description: 'PJM Data Miner 2 rt_hrl_lmps: verified real-time hourly LMPs and components (paged JSON, key needed)',
    market: 'PJM',
    run: 'RTH',
    parse: parsePjmRtHrlLmps,
  },
  'pjm.rt_fivemin_hrl_lmps': {
    description: 'PJM Data Miner 2 rt_fivemin_hrl_lmps: verified real-time 5-minute LMPs and components, from the next business day (paged JSON, key needed)',
    market: 'PJM',
    run: 'RT5',
    parse: parsePjmRtFiveminHrlLmps,
  },
  'pjm.rt_unverified_fivemin_lmps': {
    description: 'PJM Data Miner 2 rt_unverified_fivemin_lmps: preliminary real-time 5-minute LMPs (paged JSON, key needed)',
    market: 'PJM',
    run: 'RT5',
    parse: parsePjmRtUnverifiedFiveminLmps,
  },
  'ercot.dam_spp': {
    description: 'ERCOT MIS NP4-190-CD DAM Settlement Point Prices (report 12331), the CSV in the daily zip: day-ahead hourly prices of every resource node, hub and load zone (Central prevailing, hour ending)',
    market: 'ERCOT',
    run: 'DA',
    parse: parseErcotDamSpp,
  },
  'ercot.rt_spp': {
    description: 'ERCOT MIS NP6-905-CD Settlement Point Prices at Resource Nodes, Hubs and Load Zones (report 12301), the CSV in the zip: real-time 15-minute prices, one interval per file (energy-weighted load zones as <name>_EW)',
    market: 'ERCOT',
    run: 'RT15',
    parse: parseErcotRtSpp,
  },
  'spp.da_lmp_sl': {
    description: 'SPP Marketplace DA LMP by settlement location, DA-LMP-SL-{YYYYMMDD}0100.csv: day-ahead hourly LMPs and components (8- or 9-column layout)',
    market: 'SPP',
    run: 'DA',
    parse: parseSppDaLmpSl,
  },
  'spp.rtbm_lmp_sl': {
    description: 'SPP Marketplace RTBM LMP by settlement location, RTBM-LMP-SL-{YYYYMMDDHHMM}.csv: real-time 5-minute LMPs and components, one interval per file',
    market: 'SPP',
    run: 'RT5',
    parse: parseSppRtbmLmpSl,
  },
  'nyiso.damlbmp_zone': {
    description: 'NYISO MIS {YYYYMMDD}damlbmp_zone.csv: day-ahead hourly zonal LBMPs and components (hour beginning, Eastern prevailing)',
    market: 'NYISO',
    run: 'DA',
    parse: parseNyisoDamLbmpZone,
  },
  'nyiso.realtime_zone': {
    description: 'NYISO MIS {YYYYMMDD}realtime_zone.csv: real-time 5-minute zonal LBMPs and components (interval ending, Eastern prevailing)',
    market: 'NYISO',
    run: 'RT5',
    parse: parseNyisoRealtimeZone,
  },
  'isone.ws.da_hourly_lmp': {
    description: 'ISO-NE Web Services v1.1 hourlylmp/da/final/day/{YYYYMMDD}/location/{id}: day-ahead hourly LMPs and components (JSON, ISO Express login needed)',
    market: 'ISONE',
    run: 'DA',
    parse: parseIsoneWsDaHourlyLmp,
  },
  'isone.ws.rt_hourly_lmp': {
    description: 'ISO-NE Web Services v1.1 hourlylmp/rt/final/day/{YYYYMMDD}/location/{id}: final real-time hourly LMPs and components (JSON, ISO Express login needed)',
    market: 'ISONE',
    run: 'RTH',
    parse: parseIsoneWsRtHourlyLmp,
  },
  'isone.csv.da_lmp': {
    description: 'ISO-NE ISO Express WW_DALMP_ISO_{YYYYMMDD}.csv: day-ahead hourly LMPs and components of every location (hour ending, Eastern prevailing)',
    market: 'ISONE',
    run: 'DA',
    parse: parseIsoneDaLmpCsv,
  },
  'ieso.da_ontario_zonal': {
    description: 'IESO PUB_DAHourlyOntarioZonalPrice_{YYYYMMDD}.xml: day-ahead hourly Ontario Zonal Price and components (hour ending, EST all year)',
    market: 'IESO',
    run: 'DA',
    parse: parseIesoDaOntarioZonal,
  },
  'ieso.rt_ontario_zonal': {
    description: 'IESO PUB_RealtimeOntarioZonalPrice_{YYYYMMDD}{HH}.xml: 5-minute Ontario Zonal Price and components of one delivery hour (schema r2 or r1, EST)',
    market: 'IESO',
    run: 'RT5',
    parse: parseIesoRtOntarioZonal,
  },
  'aeso.pool_price': {
    description: 'AESO Pool Price Report API v1.1 price/poolPrice: Alberta hourly pool price (hour beginning, UTC and Mountain time; API-KEY needed)',
    market: 'AESO',
    run: 'RTH',
    parse: parseAesoPoolPrice,
  },
} as const satisfies Record<string, SourceDefinition>

export type SourceId = keyof typeof SOURCES
