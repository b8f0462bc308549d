import { describe, expect, it } from 'vitest'
import { datasetName, expectationFor, staleness } from './index.ts'

describe('datasetName', () => {
  it('is the source id for a catalogue source in its own run, source:run otherwise', () => {
    expect(datasetName('miso.api.rt5_expost', 'RT5')).toBe('miso.api.rt5_expost')
    expect(datasetName('caiso.oasis.prc_lmp', 'DA')).toBe('caiso.oasis.prc_lmp')
    expect(datasetName('demo.generated', 'RT5')).toBe('demo.generated:RT5')
    expect(datasetName('miso.api.rt5_expost', 'DA')).toBe('miso.api.rt5_expost:DA')
  })
})

describe('staleness', () => {
  const t = (iso: string) => Date.parse(iso)

  it('RT: stale once the interval published 5 minutes ago is not in', () => {
    const key = { market: 'CAISO', source: 'caiso.oasis.prc_intvl_lmp', run: 'RT5' } as const
    // PRC_INTVL_LMP publishes an interval at its end; 5 minutes before 12:07 that was through 12:00.
    expect(staleness(key, t('2026-06-10T12:00:00Z'), t('2026-06-10T12:07:00Z'))).toEqual({ expectedThrough: '2026-06-10T12:00:00.000Z', stale: false })
    expect(staleness(key, t('2026-06-10T11:55:00Z'), t('2026-06-10T12:07:00Z'))).toEqual({ expectedThrough: '2026-06-10T12:00:00.000Z', stale: true })
    expect(staleness(key, t('2026-06-10T11:55:00Z'), t('2026-06-10T12:04:59Z')).stale).toBe(false)
  })

  it('daily: stale once the next market day was published more than the polling cadence + 5 minutes ago', () => {
    // MISO's DA ex-post file of day D is out at D-1 14:00 EST (19:00 UTC); polled hourly.
    const key = { market: 'MISO', source: 'miso.da_expost_lmp', run: 'DA' } as const
    const throughJune10 = t('2026-06-11T05:00:00Z') // end of June 10, EST
    expect(staleness(key, throughJune10, t('2026-06-10T20:04:00Z'))).toEqual({ expectedThrough: '2026-06-11T05:00:00.000Z', stale: false })
    expect(staleness(key, throughJune10, t('2026-06-10T20:06:00Z'))).toEqual({ expectedThrough: '2026-06-12T05:00:00.000Z', stale: true })
    expect(expectationFor('MISO', 'miso.da_expost_lmp', 'DA')?.graceMs).toBe(65 * 60_000)
  })

  it('holds a source outside the catalogue to the catalogue dataset of its market and run', () => {
    expect(expectationFor('MISO', 'demo.generated', 'RT5')?.definition.id).toBe('miso.api.rt5_expost')
    expect(expectationFor('CAISO', 'demo.generated', 'RT15')?.definition.id).toBe('caiso.oasis.prc_rtpd_lmp')
    expect(expectationFor('CAISO', 'demo.generated', 'RTH')).toBeNull()
    expect(staleness({ market: 'CAISO', source: 'demo.generated', run: 'RTH' }, null, Date.now())).toEqual({ expectedThrough: null, stale: null })
    // No data at all is stale when something was expected.
    expect(staleness({ market: 'CAISO', source: 'caiso.oasis.prc_lmp', run: null }, null, t('2026-06-10T12:00:00Z')).stale).toBe(true)
  })
})
