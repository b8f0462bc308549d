import { describe, expect, it } from 'vitest'
import { SPP_DATASETS, SPP_MIN_SPACING_MS, sppRtbmPath, sppRtbmStamp } from './spp.ts'
import type { ConnectorConfig } from './types.ts'
import { PUBLISHER_URLS } from './urls.ts'

const config: ConnectorConfig = { urls: PUBLISHER_URLS, caisoNodes: 'ALL' }
const DA = SPP_DATASETS['spp.da_lmp_sl']
const RTBM = SPP_DATASETS['spp.rtbm_lmp_sl']
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const cst = (naive: string) => ms(`${naive}-06:00`)
const HOUR = 3_600_000
const FIVE = 300_000
const RTBM_URL = 'https://portal.spp.org/file-browser-api/download/rtbm-lmp-by-location?path='

describe('SPP portal datasets', () => {
  it('are keyed by their source ids and need no credentials', () => {
    expect(Object.keys(SPP_DATASETS).sort()).toEqual(['spp.da_lmp_sl', 'spp.rtbm_lmp_sl'])
    for (const [id, definition] of Object.entries(SPP_DATASETS)) {
      expect(definition.id).toBe(id)
      expect(definition).toMatchObject({ market: 'SPP', backfill: true })
      expect(definition.available({ urls: PUBLISHER_URLS, caisoNodes: 'ALL' })).toBe(true)
    }
    expect([DA.run, DA.intervalMs, DA.cadenceMs]).toEqual(['DA', HOUR, HOUR])
    expect([RTBM.run, RTBM.intervalMs, RTBM.cadenceMs]).toEqual(['RT5', FIVE, FIVE])
    expect(SPP_MIN_SPACING_MS).toEqual({ 'spp.portal': 1000 })
  })

  it('publish DA day D at D-1 14:00 Central, across both clock changes', () => {
    expect(DA.publishedUntil(cdt('2026-09-22T13:59:59'))).toBe(cdt('2026-09-23T00:00:00'))
    expect(DA.publishedUntil(cdt('2026-09-22T14:00:00'))).toBe(cdt('2026-09-24T00:00:00'))
    expect(DA.publishedUntil(cdt('2025-11-01T14:00:00'))).toBe(cst('2025-11-03T00:00:00'))
    expect(DA.publishedUntil(cst('2025-11-02T14:00:00'))).toBe(cst('2025-11-04T00:00:00'))
    expect(DA.publishedUntil(cst('2026-03-07T14:00:00'))).toBe(cdt('2026-03-09T00:00:00'))
  })

  it('publish an RTBM interval two minutes after it ends', () => {
    expect(RTBM.publishedUntil(cdt('2026-09-23T12:01:59'))).toBe(cdt('2026-09-23T11:55:00'))
    expect(RTBM.publishedUntil(cdt('2026-09-23T12:02:00'))).toBe(cdt('2026-09-23T12:00:00'))
  })

  it('plan one DA file per Central operating day, named by the day, 25 and 23 hours on the change days', () => {
    const requests = DA.plan({ start: cdt('2025-11-01T06:00:00'), end: cst('2025-11-03T01:00:00') }, config, 0)
    expect(requests).toEqual([
      {
        dataset: 'spp.da_lmp_sl',
        url: 'https://portal.spp.org/file-browser-api/download/da-lmp-by-settlement-location?path=/2025/11/By_Day/DA-LMP-SL-202511010100.csv',
        headers: { Accept: 'text/csv, text/plain;q=0.9, */*;q=0.1' },
        window: { start: cdt('2025-11-01T00:00:00'), end: cdt('2025-11-02T00:00:00') },
        file: 'DA-LMP-SL-202511010100.csv',
        rateGroup: 'spp.portal',
        notFoundMeansNotPublished: true,
      },
      expect.objectContaining({ file: 'DA-LMP-SL-202511020100.csv', window: { start: cdt('2025-11-02T00:00:00'), end: cst('2025-11-03T00:00:00') } }),
      expect.objectContaining({ file: 'DA-LMP-SL-202511030100.csv', window: { start: cst('2025-11-03T00:00:00'), end: cst('2025-11-04T00:00:00') } }),
    ])
    expect(requests[1]!.window.end - requests[1]!.window.start).toBe(25 * HOUR)
    const [spring] = DA.plan({ start: cst('2026-03-08T00:00:00'), end: cdt('2026-03-09T00:00:00') }, config, 0)
    expect(spring!.window.end - spring!.window.start).toBe(23 * HOUR)
    expect(spring!.url.endsWith('path=/2026/03/By_Day/DA-LMP-SL-202603080100.csv')).toBe(true)
    // The base URL comes from the config.
    const sim = DA.plan({ start: cdt('2026-09-23T00:00:00'), end: cdt('2026-09-24T00:00:00') }, { ...config, urls: { ...PUBLISHER_URLS, sppPortal: 'http://127.0.0.1:9/spp/' } }, 0)
    expect(sim.map((r) => r.url)).toEqual(['http://127.0.0.1:9/spp/file-browser-api/download/da-lmp-by-settlement-location?path=/2026/09/By_Day/DA-LMP-SL-202609230100.csv'])
    expect(DA.plan({ start: 7, end: 7 }, config, 0)).toEqual([])
  })

  it('plan one RTBM file per interval, named by its end; the folder is the operating day', () => {
    const requests = RTBM.plan({ start: cdt('2026-09-23T11:00:00'), end: cdt('2026-09-23T12:00:00') }, config, 0)
    expect(requests).toHaveLength(12)
    expect(requests[0]).toEqual({
      dataset: 'spp.rtbm_lmp_sl',
      url: `${RTBM_URL}/2026/09/By_Interval/23/RTBM-LMP-SL-202609231105.csv`,
      headers: { Accept: 'text/csv, text/plain;q=0.9, */*;q=0.1' },
      window: { start: cdt('2026-09-23T11:00:00'), end: cdt('2026-09-23T11:05:00') },
      file: 'RTBM-LMP-SL-202609231105.csv',
      rateGroup: 'spp.portal',
      notFoundMeansNotPublished: true,
    })
    expect(requests[11]!.file).toBe('RTBM-LMP-SL-202609231200.csv')
    // The real fixture's interval: 08:35-08:40 CDT.
    expect(sppRtbmPath(cdt('2025-03-31T08:40:00'))).toBe('/2025/03/By_Interval/31/RTBM-LMP-SL-202503310840.csv')
    // The interval ending at midnight (also the month's last) lives in the folder of the day it belongs to.
    expect(sppRtbmPath(cdt('2026-07-01T00:00:00'))).toBe('/2026/06/By_Interval/30/RTBM-LMP-SL-202607010000.csv')
    // Unaligned windows widen to whole intervals.
    expect(RTBM.plan({ start: cdt('2026-09-23T11:01:00'), end: cdt('2026-09-23T11:06:00') }, config, 0).map((r) => r.file)).toEqual([
      'RTBM-LMP-SL-202609231105.csv',
      'RTBM-LMP-SL-202609231110.csv',
    ])
  })

  it('name the repeated fall-back hour with d, the plain names first', () => {
    const requests = RTBM.plan({ start: cdt('2025-11-02T00:00:00'), end: cst('2025-11-02T03:00:00') }, config, 0)
    expect(requests).toHaveLength(48)
    const files = requests.map((r) => r.file.replace('RTBM-LMP-SL-20251102', '').replace('.csv', ''))
    expect(files.slice(10, 40)).toEqual([
      '0055', '0100', '0105', '0110', '0115', '0120', '0125', '0130', '0135', '0140', '0145', '0150', '0155', '0200',
      '0105d', '0110d', '0115d', '0120d', '0125d', '0130d', '0135d', '0140d', '0145d', '0150d', '0155d', '0200d',
      '0205', '0210', '0215', '0220',
    ])
    expect(new Set(files).size).toBe(48)
    expect(requests.every((r, i) => r.window.start === cdt('2025-11-02T00:00:00') + i * FIVE)).toBe(true)
    expect(requests.every((r) => r.url.includes('/2025/11/By_Interval/02/'))).toBe(true)
    expect(sppRtbmStamp(ms('2025-11-02T07:00:00Z'))).toBe('202511020200')
    expect(sppRtbmStamp(ms('2025-11-02T08:00:00Z'))).toBe('202511020200d')
  })

  it('name the spring-forward interval ending at 02:00 standard time 0200, then 0305', () => {
    const requests = RTBM.plan({ start: cst('2026-03-08T01:00:00'), end: cdt('2026-03-08T04:00:00') }, config, 0)
    expect(requests).toHaveLength(24)
    expect(requests.map((r) => r.file.slice(20, 24))).toEqual([
      '0105', '0110', '0115', '0120', '0125', '0130', '0135', '0140', '0145', '0150', '0155', '0200',
      '0305', '0310', '0315', '0320', '0325', '0330', '0335', '0340', '0345', '0350', '0355', '0400',
    ])
  })
})
