import { nercHolidays, zonedParts } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { runIdentity } from '../identity.ts'
import { canonicalText } from '../language/index.ts'
import { ENGINE_VERSION, bundledFuelHistory, checkMeasuredLoad, loadShapesId, measuredLoad, modelContext, modelContextFor, runScenarioWith, type HourlyDemand, type MeasuredLoad } from './index.ts'
import { baseAssumptions, market, resultDigest } from './test-support.ts'

// EIA-930 hourly demand (given as data) shaping the model's representative days.

const HOUR = 3_600_000
const { history } = bundledFuelHistory()
const assumptions = baseAssumptions()

/**
 * A year of hourly MISO demand labelled by hour end (UTC), as EIA-930 gives it: on peak days
 * (Eastern weekdays but NERC holidays) 1000 + 50 x hour (local, 0..23), on off-peak days 700 flat.
 */
function syntheticMiso(year: number, keep: (localDate: string) => boolean = () => true): HourlyDemand[] {
  const holidays = new Set([...nercHolidays(year - 1), ...nercHolidays(year), ...nercHolidays(year + 1)])
  const out: HourlyDemand[] = []
  for (let t = Date.UTC(year, 0, 1, 6); t < Date.UTC(year + 1, 0, 1, 6); t += HOUR) {
    const p = zonedParts(new Date(t), 'America/New_York')
    const date = `${p.year}-${p.month}-${p.day}`
    if (!keep(date)) continue
    const peak = !['Sat', 'Sun'].includes(p.weekday) && !holidays.has(date)
    out.push({ periodEnd: new Date(t + HOUR).toISOString(), value: peak ? 1000 + 50 * Number(p.hour) : 700 })
  }
  return out
}

describe('measuredLoad', () => {
  const load = measuredLoad('MISO', 'MISO.DEMAND', syntheticMiso(2024))!

  it('averages each hour of the peak days and of the off-peak days per calendar month, on the peak clock', () => {
    expect(load.months.map((m) => m.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    for (const m of load.months) {
      expect(m.peak).toEqual(Array.from({ length: 24 }, (_, h) => 1000 + 50 * h))
      expect(m.off).toEqual(Array.from({ length: 24 }, () => 700))
    }
    // July 2024: 23 weekdays, July 4th a holiday -> 22 peak days, 9 off days.
    expect(load.months[6]).toMatchObject({ peakDays: 22, offDays: 9 })
    // The DST days (Sunday 10 March and 3 November: 23 and 25 hours) are left out: March has 10
    // weekend days, November 9 and Thanksgiving.
    expect(load.months[2]!.offDays).toBe(9)
    expect(load.months[10]!.offDays).toBe(9)
    expect(load).toMatchObject({ market: 'MISO', series: 'MISO.DEMAND', first: '2024-01-01T07:00:00.000Z' })
  })

  it('keeps only months with enough complete days of each class; none is null', () => {
    // Only the first 10 days of each month: about 7 peak days, fewer than 8.
    const sparse = measuredLoad('MISO', 'MISO.DEMAND', syntheticMiso(2024, (d) => Number(d.slice(8)) <= 10))
    expect(sparse).toBeNull()
    // A day with a missing hour, or a value that is no demand, is not a complete day.
    const values = syntheticMiso(2024).filter((v) => v.periodEnd !== '2024-07-10T15:00:00.000Z')
    values[values.findIndex((v) => v.periodEnd === '2024-07-11T15:00:00.000Z')]!.value = 0
    expect(measuredLoad('MISO', 'MISO.DEMAND', values)!.months[6]).toMatchObject({ peakDays: 20, offDays: 9 })
  })

  it('is the same whatever the order of the values', () => {
    const values = syntheticMiso(2024)
    expect(measuredLoad('MISO', 'MISO.DEMAND', [...values].reverse())).toEqual(load)
  })
})

describe('a context with measured shapes', () => {
  const shapes: MeasuredLoad[] = [measuredLoad('MISO', 'MISO.DEMAND', syntheticMiso(2024))!]
  const canonical = canonicalText(assumptions)

  it('changes the measured market\'s prices and the base-data version (so the run id), not the other market\'s', () => {
    const measured = modelContextFor(history, shapes)
    const plain = modelContextFor(history)
    expect(plain.ctx).toBe(modelContext())
    expect(measured.loadShapesId).toBe(loadShapesId(shapes))
    expect(measured.fuelHistoryId).toBe(plain.fuelHistoryId)
    expect(measured.baseDataVersion).not.toBe(plain.baseDataVersion)
    const id = (v: string) => runIdentity({ canonical, baseDataVersion: v, engineVersion: ENGINE_VERSION, mode: 'deterministic' }).runId
    expect(id(measured.baseDataVersion)).not.toBe(id(plain.baseDataVersion))
    const a = runScenarioWith(measured.ctx, assumptions)
    const b = runScenarioWith(plain.ctx, assumptions)
    expect(market(a, 'MISO').hubs[0]!.onpeak).not.toEqual(market(b, 'MISO').hubs[0]!.onpeak)
    expect(market(a, 'CAISO').hubs[0]!.onpeak).toEqual(market(b, 'CAISO').hubs[0]!.onpeak)
    // Energy per month is the scenario's: only its spread over the hours changes.
    expect(market(a, 'MISO').loadMwh).toEqual(market(b, 'MISO').loadMwh)
  })

  it('the same shapes (another copy) are the same context and the same results', () => {
    const copy: MeasuredLoad[] = JSON.parse(JSON.stringify(shapes))
    expect(modelContextFor(history, copy)).toBe(modelContextFor(history, shapes))
    expect(resultDigest(runScenarioWith(modelContextFor(history, copy).ctx, assumptions))).toBe(resultDigest(runScenarioWith(modelContextFor(history, shapes).ctx, assumptions)))
  })

  it('refuses shapes the model cannot take, naming the market and month', () => {
    const bad = (edit: (m: MeasuredLoad) => MeasuredLoad) => () => checkMeasuredLoad([edit(JSON.parse(JSON.stringify(shapes[0])))])
    expect(bad((m) => ({ ...m, months: [{ ...m.months[0]!, peak: m.months[0]!.peak.slice(1) }] }))).toThrow('load shapes: MISO month 1: peak has 23 hours, not 24')
    expect(bad((m) => ({ ...m, months: [{ ...m.months[0]!, off: [...m.months[0]!.off.slice(0, 5), -1, ...m.months[0]!.off.slice(6)] }] }))).toThrow(
      'load shapes: MISO month 1: off hour ending 6 is -1, not a demand > 0',
    )
    expect(bad((m) => ({ ...m, months: [m.months[1]!, m.months[0]!] }))).toThrow('load shapes: MISO month 1: months 1..12, ascending, each once')
    expect(() => checkMeasuredLoad([shapes[0]!, shapes[0]!])).toThrow('load shapes: MISO twice')
  })
})
