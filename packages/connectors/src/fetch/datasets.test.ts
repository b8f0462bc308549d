import { describe, expect, it } from 'vitest'
import { SOURCES } from '../sources.ts'
import { FETCH_DATASET_IDS, FETCH_DATASETS, nodeGroups, OASIS_MAX_URL_CHARS, splitWindow } from './datasets.ts'
import { pacificDayStart } from './time.ts'
import type { ConnectorConfig, Window } from './types.ts'
import { PUBLISHER_URLS, simulatorUrls } from './urls.ts'

const ms = (iso: string) => Date.parse(iso)
const iso = (t: number) => new Date(t).toISOString()
const win = (start: string, end: string): Window => ({ start: ms(start), end: ms(end) })
const HOUR = 3_600_000
const DAY = 24 * HOUR
const all: ConnectorConfig = { urls: PUBLISHER_URLS, caisoNodes: 'ALL' }
const nodes = (list: string[]): ConnectorConfig => ({ urls: PUBLISHER_URLS, caisoNodes: list })
const spans = (ws: Window[]) => ws.map((w) => [iso(w.start), iso(w.end)])

describe('FETCH_DATASETS', () => {
  it('has one definition per source id, with the source market and run', () => {
    expect(Object.keys(FETCH_DATASETS).sort()).toEqual([...FETCH_DATASET_IDS].sort())
    for (const id of FETCH_DATASET_IDS) {
      const d = FETCH_DATASETS[id]
      expect(d.id).toBe(id)
      expect([d.market, d.run]).toEqual([SOURCES[id].market, SOURCES[id].run])
      expect(d.available(all)).toBe(true)
    }
  })

  it('polls on the publishers cadences and knows which feeds are live only', () => {
    const summary = Object.fromEntries(FETCH_DATASET_IDS.map((id) => [id, [FETCH_DATASETS[id].cadenceMs / 60_000, FETCH_DATASETS[id].intervalMs / 60_000, FETCH_DATASETS[id].backfill]]))
    expect(summary).toEqual({
      'miso.da_expost_lmp': [60, 60, true],
      'miso.rt_lmp_final': [60, 60, true],
      'miso.rt_lmp_prelim': [60, 60, true],
      'miso.api.rt5_expost': [5, 5, false],
      'miso.api.exante': [5, 5, false],
      'caiso.oasis.prc_lmp': [60, 60, true],
      'caiso.oasis.prc_intvl_lmp': [5, 5, true],
      'caiso.oasis.prc_rtpd_lmp': [15, 15, true],
    })
  })
})

describe('URLs', () => {
  it('simulatorUrls mirrors the simulator paths', () => {
    expect(simulatorUrls('http://127.0.0.1:8123/')).toEqual({
      misoReports: 'http://127.0.0.1:8123/marketreports',
      misoApi: 'http://127.0.0.1:8123/api',
      misoDataExchange: 'http://127.0.0.1:8123/dx/pricing/v1',
      caisoOasis: 'http://127.0.0.1:8123/oasisapi',
      pjmDataMiner: 'http://127.0.0.1:8123/pjm/api/v1',
      ercotMis: 'http://127.0.0.1:8123/ercot',
      sppPortal: 'http://127.0.0.1:8123/spp',
      nyisoMis: 'http://127.0.0.1:8123/nyiso/public',
      isoneWebServices: 'http://127.0.0.1:8123/isone/api/v1.1',
      iesoReports: 'http://127.0.0.1:8123/ieso/public',
      aesoApi: 'http://127.0.0.1:8123/aeso/public',
      eiaApi: 'http://127.0.0.1:8123/eia-api',
      eiaWww: 'http://127.0.0.1:8123/eia',
      carbWww: 'http://127.0.0.1:8123/carb',
    })
  })
})

describe('MISO market reports', () => {
  it('asks for whole market days (EST, UTC-5 all year), one file each', () => {
    // 2026-07-14 03:00Z is still market day 07-13 (22:00 EST); 07-15 05:00Z starts 07-15.
    const plan = FETCH_DATASETS['miso.da_expost_lmp'].plan(win('2026-07-14T03:00:00Z', '2026-07-15T05:00:01Z'), all, 0)
    expect(plan.map((r) => r.url)).toEqual([
      'https://docs.misoenergy.org/marketreports/20260713_da_expost_lmp.csv',
      'https://docs.misoenergy.org/marketreports/20260714_da_expost_lmp.csv',
      'https://docs.misoenergy.org/marketreports/20260715_da_expost_lmp.csv',
    ])
    expect(spans(plan.map((r) => r.window))).toEqual([
      ['2026-07-13T05:00:00.000Z', '2026-07-14T05:00:00.000Z'],
      ['2026-07-14T05:00:00.000Z', '2026-07-15T05:00:00.000Z'],
      ['2026-07-15T05:00:00.000Z', '2026-07-16T05:00:00.000Z'],
    ])
    expect(plan[0]).toMatchObject({
      dataset: 'miso.da_expost_lmp',
      file: '20260713_da_expost_lmp.csv',
      rateGroup: 'miso.reports',
      notFoundMeansNotPublished: true,
      headers: { Accept: expect.stringContaining('text/csv') },
    })
  })

  it('keeps EST in winter too (no DST) and plans nothing for an empty window', () => {
    const plan = FETCH_DATASETS['miso.rt_lmp_final'].plan(win('2026-01-10T05:00:00Z', '2026-01-11T05:00:00Z'), all, 0)
    expect(plan.map((r) => [r.file, iso(r.window.start)])).toEqual([['20260110_rt_lmp_final.csv', '2026-01-10T05:00:00.000Z']])
    expect(FETCH_DATASETS['miso.rt_lmp_prelim'].plan(win('2026-01-10T05:00:00Z', '2026-01-10T05:00:00Z'), all, 0)).toEqual([])
  })

  it('DA ex post: through the next market day after 14:00 EST, else through today', () => {
    const da = FETCH_DATASETS['miso.da_expost_lmp']
    expect(iso(da.publishedUntil(ms('2026-07-14T18:59:59Z')))).toBe('2026-07-15T05:00:00.000Z') // 13:59 EST
    expect(iso(da.publishedUntil(ms('2026-07-14T19:00:00Z')))).toBe('2026-07-16T05:00:00.000Z') // 14:00 EST
  })

  it('RT prelim of D at D+1 06:00 EST, RT final of D at D+6 06:00 EST', () => {
    const prelim = FETCH_DATASETS['miso.rt_lmp_prelim']
    const final = FETCH_DATASETS['miso.rt_lmp_final']
    // 2026-07-15 06:00 EST = 11:00Z: the prelim of 07-14 is out.
    expect(iso(prelim.publishedUntil(ms('2026-07-15T10:59:00Z')))).toBe('2026-07-14T05:00:00.000Z')
    expect(iso(prelim.publishedUntil(ms('2026-07-15T11:00:00Z')))).toBe('2026-07-15T05:00:00.000Z')
    // 2026-07-20 06:00 EST: the final of 07-14 is out.
    expect(iso(final.publishedUntil(ms('2026-07-20T10:59:00Z')))).toBe('2026-07-14T05:00:00.000Z')
    expect(iso(final.publishedUntil(ms('2026-07-20T11:00:00Z')))).toBe('2026-07-15T05:00:00.000Z')
  })
})

describe('MISO public API', () => {
  const rt5 = FETCH_DATASETS['miso.api.rt5_expost']
  // 2026-10-02 16:57 EST: latest complete interval 16:50-16:55 EST (21:50Z), today started 05:00Z.
  const now = ms('2026-10-02T21:57:00Z')
  const paths = (w: Window) => rt5.plan(w, all, now).map((r) => [r.url.replace(PUBLISHER_URLS.misoApi, ''), iso(r.window.start), iso(r.window.end)])

  it('five-minute ex post is published once the interval ended', () => {
    expect(iso(rt5.publishedUntil(now))).toBe('2026-10-02T21:55:00.000Z')
    expect(iso(rt5.publishedUntil(ms('2026-10-02T21:55:00Z')))).toBe('2026-10-02T21:55:00.000Z')
  })

  it('Current for the latest interval, Rolling when the window starts earlier today', () => {
    expect(paths(win('2026-10-02T21:50:00Z', '2026-10-02T21:55:00Z'))).toEqual([
      ['/MarketPricing/GetRealTimeFiveMinExPost/Current', '2026-10-02T21:50:00.000Z', '2026-10-02T21:55:00.000Z'],
    ])
    expect(paths(win('2026-10-02T21:45:00Z', '2026-10-02T21:55:00Z'))).toEqual([
      ['/MarketPricing/GetRealTimeFiveMinExPost/Rolling', '2026-10-02T21:45:00.000Z', '2026-10-02T21:55:00.000Z'],
    ])
    const [rolling] = rt5.plan(win('2026-10-02T06:00:00Z', '2026-10-02T22:30:00Z'), all, now)
    expect(rolling).toMatchObject({ file: 'rt5_expost_Rolling_20261002T0500_20261002T2155.json', rateGroup: 'miso.api' })
    expect(iso(rolling!.window.end)).toBe('2026-10-02T21:55:00.000Z')
  })

  it('Previous for yesterday, nothing older, nothing not yet published', () => {
    expect(paths(win('2026-09-29T00:00:00Z', '2026-10-02T07:00:00Z'))).toEqual([
      ['/MarketPricing/GetRealTimeFiveMinExPost/Previous', '2026-10-01T05:00:00.000Z', '2026-10-02T05:00:00.000Z'],
      ['/MarketPricing/GetRealTimeFiveMinExPost/Rolling', '2026-10-02T05:00:00.000Z', '2026-10-02T07:00:00.000Z'],
    ])
    expect(rt5.plan(win('2026-10-01T05:00:00Z', '2026-10-02T05:00:00Z'), all, now).map((r) => r.file)).toEqual(['rt5_expost_Previous_20261001.json'])
    expect(paths(win('2026-09-20T00:00:00Z', '2026-09-30T00:00:00Z'))).toEqual([])
    expect(paths(win('2026-10-02T21:55:00Z', '2026-10-02T22:30:00Z'))).toEqual([])
  })

  it('ex ante: the interval in progress only', () => {
    const exante = FETCH_DATASETS['miso.api.exante']
    expect(iso(exante.publishedUntil(now))).toBe('2026-10-02T22:00:00.000Z')
    const plan = exante.plan(win('2026-10-02T20:00:00Z', '2026-10-02T22:00:00Z'), all, now)
    expect(plan.map((r) => [r.url, r.file, iso(r.window.start), iso(r.window.end)])).toEqual([
      [
        'https://public-api.misoenergy.org/api/MarketPricing/GetExAnteLmp',
        'exante_lmp_20261002T2155.json',
        '2026-10-02T21:55:00.000Z',
        '2026-10-02T22:00:00.000Z',
      ],
    ])
    expect(exante.plan(win('2026-10-02T20:00:00Z', '2026-10-02T21:55:00Z'), all, now)).toEqual([])
  })
})

describe('CAISO OASIS', () => {
  const lmp = FETCH_DATASETS['caiso.oasis.prc_lmp']
  const rtm = FETCH_DATASETS['caiso.oasis.prc_intvl_lmp']
  const rtpd = FETCH_DATASETS['caiso.oasis.prc_rtpd_lmp']

  it('builds the SingleZip URL exactly, per query', () => {
    const w = win('2026-07-14T07:00:00Z', '2026-07-14T08:00:00Z')
    expect(rtm.plan(w, all, 0)).toEqual([
      {
        dataset: 'caiso.oasis.prc_intvl_lmp',
        url: 'https://oasis.caiso.com/oasisapi/SingleZip?resultformat=6&queryname=PRC_INTVL_LMP&version=3&startdatetime=20260714T07:00-0000&enddatetime=20260714T08:00-0000&market_run_id=RTM&grp_type=ALL_APNODES',
        headers: { Accept: expect.stringContaining('application/zip') },
        window: w,
        file: 'PRC_INTVL_LMP_RTM_20260714T0700_20260714T0800.zip',
        rateGroup: 'caiso.oasis',
      },
    ])
    expect(rtpd.plan(w, nodes(['TH_NP15_GEN-APND', 'TH_SP15_GEN-APND']), 0).map((r) => r.url)).toEqual([
      'https://oasis.caiso.com/oasisapi/SingleZip?resultformat=6&queryname=PRC_RTPD_LMP&version=3&startdatetime=20260714T07:00-0000&enddatetime=20260714T08:00-0000&market_run_id=RTPD&node=TH_NP15_GEN-APND%2CTH_SP15_GEN-APND',
    ])
    expect(lmp.plan(w, nodes(['A']), 0)[0]!.url).toBe(
      'https://oasis.caiso.com/oasisapi/SingleZip?resultformat=6&queryname=PRC_LMP&version=12&startdatetime=20260714T07:00-0000&enddatetime=20260714T08:00-0000&market_run_id=DAM&node=A'
    )
  })

  it('file names use only object-store-safe characters and tell node lists apart', () => {
    const w = win('2026-07-14T07:00:00Z', '2026-07-14T08:00:00Z')
    const a = rtm.plan(w, nodes(['A', 'B']), 0)[0]!.file
    const b = rtm.plan(w, nodes(['A', 'C']), 0)[0]!.file
    expect(a).toMatch(/^PRC_INTVL_LMP_RTM_20260714T0700_20260714T0800_nodes-[0-9a-f]{8}\.zip$/)
    expect(a).not.toBe(b)
    for (const id of FETCH_DATASET_IDS)
      for (const r of FETCH_DATASETS[id].plan(win('2026-07-14T05:00:00Z', '2026-07-15T05:00:00Z'), all, ms('2026-07-14T12:00:00Z')))
        expect(r.file).toMatch(/^[A-Za-z0-9._-]+$/)
  })

  it('aligns the window to the run interval', () => {
    const [r] = rtpd.plan(win('2026-07-14T07:07:00Z', '2026-07-14T07:31:00Z'), nodes(['A']), 0)
    expect(spans([r!.window])).toEqual([['2026-07-14T07:00:00.000Z', '2026-07-14T07:45:00.000Z']])
  })

  it('splits a node-list window into pieces of at most 31 days', () => {
    const plan = lmp.plan(win('2026-01-01T08:00:00Z', '2026-03-15T08:00:00Z'), nodes(['A', 'B']), 0)
    expect(spans(plan.map((r) => r.window))).toEqual([
      ['2026-01-01T08:00:00.000Z', '2026-02-01T08:00:00.000Z'],
      ['2026-02-01T08:00:00.000Z', '2026-03-04T08:00:00.000Z'],
      ['2026-03-04T08:00:00.000Z', '2026-03-15T08:00:00.000Z'],
    ])
    expect(plan.every((r) => r.window.end - r.window.start <= 31 * DAY)).toBe(true)
  })

  it('all nodes: PRC_LMP one Pacific trade day per request, 23 hours in spring and 25 in autumn', () => {
    const spring = lmp.plan(win('2026-03-07T08:00:00Z', '2026-03-10T07:00:00Z'), all, 0)
    expect(spring.map((r) => [r.file, (r.window.end - r.window.start) / HOUR])).toEqual([
      ['PRC_LMP_DAM_20260307T0800_20260308T0800.zip', 24],
      ['PRC_LMP_DAM_20260308T0800_20260309T0700.zip', 23],
      ['PRC_LMP_DAM_20260309T0700_20260310T0700.zip', 24],
    ])
    const autumn = lmp.plan(win('2026-11-01T07:00:00Z', '2026-11-02T08:00:00Z'), all, 0)
    expect(autumn.map((r) => (r.window.end - r.window.start) / HOUR)).toEqual([25])
    // A window starting mid-day is cut at the next Pacific midnight.
    const partial = lmp.plan(win('2026-07-14T20:00:00Z', '2026-07-15T10:00:00Z'), all, 0)
    expect(spans(partial.map((r) => r.window))).toEqual([
      ['2026-07-14T20:00:00.000Z', '2026-07-15T07:00:00.000Z'],
      ['2026-07-15T07:00:00.000Z', '2026-07-15T10:00:00.000Z'],
    ])
  })

  it('all nodes: the real-time queries one clock hour per request', () => {
    const plan = rtm.plan(win('2026-07-14T07:30:00Z', '2026-07-14T10:00:00Z'), all, 0)
    expect(spans(plan.map((r) => r.window))).toEqual([
      ['2026-07-14T07:30:00.000Z', '2026-07-14T08:00:00.000Z'],
      ['2026-07-14T08:00:00.000Z', '2026-07-14T09:00:00.000Z'],
      ['2026-07-14T09:00:00.000Z', '2026-07-14T10:00:00.000Z'],
    ])
    expect(rtpd.plan(win('2026-07-14T07:00:00Z', '2026-07-14T09:00:00Z'), all, 0)).toHaveLength(2)
  })

  it('splits a long node list so every URL stays under the limit, keeping each node once', () => {
    const list = Array.from({ length: 700 }, (_, i) => `GEN_${String(i).padStart(4, '0')}_7_N001`)
    const plan = rtpd.plan(win('2026-07-14T07:00:00Z', '2026-07-14T08:00:00Z'), nodes([...list, list[0]!]), 0)
    expect(plan.length).toBeGreaterThan(1)
    for (const r of plan) expect(r.url.length).toBeLessThanOrEqual(OASIS_MAX_URL_CHARS)
    const asked = plan.flatMap((r) => new URL(r.url).searchParams.get('node')!.split(','))
    expect(asked).toEqual(list)
  })

  it('nodeGroups packs greedily by encoded length', () => {
    expect(nodeGroups(['AAA', 'BBB', 'CCC'], 9)).toEqual([['AAA', 'BBB'], ['CCC']])
    expect(nodeGroups(['A B'], 1)).toEqual([['A B']])
  })

  it('publishedUntil: DAM day D at D-1 13:00 Pacific, RTPD at interval start, RTM at interval end', () => {
    // 2026-07-14 12:59 PDT = 19:59Z: the 07-15 trade date is not out yet.
    expect(iso(lmp.publishedUntil(ms('2026-07-14T19:59:00Z')))).toBe('2026-07-15T07:00:00.000Z')
    expect(iso(lmp.publishedUntil(ms('2026-07-14T20:00:00Z')))).toBe('2026-07-16T07:00:00.000Z')
    // 2026-03-07 13:00 PST = 21:00Z: the 23-hour trade date 03-08 is out, through 03-09 00:00 PDT.
    expect(iso(lmp.publishedUntil(ms('2026-03-07T21:00:00Z')))).toBe('2026-03-09T07:00:00.000Z')
    expect(iso(rtpd.publishedUntil(ms('2026-07-14T07:15:00Z')))).toBe('2026-07-14T07:30:00.000Z')
    expect(iso(rtpd.publishedUntil(ms('2026-07-14T07:14:59Z')))).toBe('2026-07-14T07:15:00.000Z')
    expect(iso(rtm.publishedUntil(ms('2026-07-14T07:05:00Z')))).toBe('2026-07-14T07:05:00.000Z')
    expect(iso(rtm.publishedUntil(ms('2026-07-14T07:04:59Z')))).toBe('2026-07-14T07:00:00.000Z')
  })
})

describe('time helpers', () => {
  it('pacificDayStart finds PST and PDT midnights', () => {
    expect(iso(pacificDayStart(ms('2026-03-08T12:00:00Z')))).toBe('2026-03-08T08:00:00.000Z')
    expect(iso(pacificDayStart(ms('2026-03-09T06:59:00Z')))).toBe('2026-03-08T08:00:00.000Z')
    expect(iso(pacificDayStart(ms('2026-11-02T07:59:00Z')))).toBe('2026-11-01T07:00:00.000Z')
  })

  it('splitWindow cuts at the boundaries and covers the window exactly', () => {
    expect(spans(splitWindow({ start: 0, end: 25 * HOUR }, (t) => Math.floor(t / (10 * HOUR)) * 10 * HOUR + 10 * HOUR))).toEqual([
      [iso(0), iso(10 * HOUR)],
      [iso(10 * HOUR), iso(20 * HOUR)],
      [iso(20 * HOUR), iso(25 * HOUR)],
    ])
  })
})
