import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, SOURCES } from '@carbon/connectors'
import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { isoneCatalogue, isoneHours } from '../markets/isone.ts'
import { newComponents, PriceModel } from '../prices.ts'
import { decimalCents, type IsoneHour, type IsoneLocation, isoneBeginDate, isoneHourlyLmpJson } from './isone.ts'

const fixture = (name: string) => readFileSync(new URL(`isone/${name}`, FIXTURE_DIR), 'utf8')
const REAL_DA = 'isone_ws_hourlylmp_da_final_day_20260923_loc4000.json'
const BUILT_RT = 'isone_ws_hourlylmp_rt_final_day_20261101_loc4000_DOCUMENTED_LAYOUT.json'
const HOUR = 3_600_000
const cents = (x: number) => Math.round(x * 100)

type Row = { BeginDate: string; Location: { '@LocId': string; '@LocType': string; $: string }; LmpTotal: number; EnergyComponent: number; CongestionComponent: number; LossComponent: number }

/** The fixture's rows as the writer's input. */
function rowsOf(text: string): { location: IsoneLocation; hours: IsoneHour[] } {
  const rows = (JSON.parse(text) as { HourlyLmps: { HourlyLmp: Row[] } }).HourlyLmps.HourlyLmp
  const first = rows[0]!.Location
  return {
    location: { id: Number(first['@LocId']), locType: first['@LocType'], name: first.$ },
    hours: rows.map((r) => ({
      start: Date.parse(r.BeginDate),
      lmp: cents(r.LmpTotal),
      energy: cents(r.EnergyComponent),
      congestion: cents(r.CongestionComponent),
      loss: cents(r.LossComponent),
    })),
  }
}

describe('ISO-NE Web Services writer', () => {
  it.each([REAL_DA, BUILT_RT])('writes %s byte for byte from its own values', (name) => {
    const text = fixture(name)
    const { location, hours } = rowsOf(text)
    expect(isoneHourlyLmpJson(location, hours)).toBe(text)
  })

  it('writes numbers in their shortest form and Eastern times with their offsets', () => {
    expect([0, 1, 10, 20, 2839, 3150, 400, -10, -3, -12345].map(decimalCents)).toEqual(['0', '0.01', '0.1', '0.2', '28.39', '31.5', '4', '-0.1', '-0.03', '-123.45'])
    expect(isoneBeginDate(Date.parse('2026-09-23T04:00:00Z'))).toBe('2026-09-23T00:00:00.000-04:00')
    expect(isoneBeginDate(Date.parse('2026-11-01T05:00:00Z'))).toBe('2026-11-01T01:00:00.000-04:00')
    expect(isoneBeginDate(Date.parse('2026-11-01T06:00:00Z'))).toBe('2026-11-01T01:00:00.000-05:00')
    expect(isoneBeginDate(Date.parse('2026-03-08T07:00:00Z'))).toBe('2026-03-08T03:00:00.000-04:00')
  })
})

describe('ISO-NE answers from the price model', () => {
  const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
  const catalogue = isoneCatalogue(254, 40)
  const hub = catalogue.locations.get(4000)!
  const network = [...catalogue.locations.values()].find((l) => l.locType === 'NETWORK NODE' && l.id !== 321)!

  it.each([
    ['da', 'isone.ws.da_hourly_lmp', '2026-09-23', 24],
    ['rt', 'isone.ws.rt_hourly_lmp', '2026-09-23', 24],
    ['da', 'isone.ws.da_hourly_lmp', '2026-03-08', 23],
    ['rt', 'isone.ws.rt_hourly_lmp', '2026-11-01', 25],
  ] as const)('%s %s of %s parses cleanly into %i hours equal to the model', (market, source, date, count) => {
    for (const location of [hub, network]) {
      const node = catalogue.byName.get(location.name)!
      const text = isoneHourlyLmpJson(location, isoneHours(model, node, market, date))
      expect(text.endsWith('}}')).toBe(true)
      expect(text).not.toContain('\n')
      const result = SOURCES[source].parse(text, `${date}_${location.id}.json`) as ReturnType<(typeof SOURCES)[typeof source]['parse']> & { nodes?: unknown }
      expect(result.errors).toEqual([])
      expect(result.records).toHaveLength(count)
      expect(result.nodes).toEqual([{ name: location.name, type: node.type }])
      const first = Date.parse(result.records[0]!.intervalStart)
      expect(result.records.map((r) => Date.parse(r.intervalStart))).toEqual(Array.from({ length: count }, (_, i) => first + i * HOUR))
      const c = newComponents()
      for (const record of result.records) {
        PriceRecord.parse(record)
        const start = Date.parse(record.intervalStart)
        if (market === 'da') model.values('ISONE', 'DA', node, start, c)
        else model.realTimeMean('ISONE', node, start, 12, c)
        expect([record.node, record.lmp, record.energy, record.congestion, record.loss]).toEqual([location.name, c.lmp / 100, c.energy / 100, c.congestion / 100, c.loss / 100])
      }
    }
  })

  it('starts each day at midnight Eastern prevailing time', () => {
    const node = catalogue.byName.get(hub.name)!
    expect(isoneHours(model, node, 'da', '2026-03-08')[0]!.start).toBe(Date.parse('2026-03-08T05:00:00Z'))
    expect(isoneHours(model, node, 'da', '2026-03-09')[0]!.start).toBe(Date.parse('2026-03-09T04:00:00Z'))
    expect(isoneHours(model, node, 'rt', '2026-11-02')[0]!.start).toBe(Date.parse('2026-11-02T05:00:00Z'))
  })
})
