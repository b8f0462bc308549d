import { baseDataVersionOf, forwardGasId } from '@carbon/scenario'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import {
  fitInputs,
  forwardRefused,
  forwardSnapshotOf,
  inputsLineage,
  runNeedsOf,
  summarizeForward,
  workbookRunInputs,
  type ForwardBuild,
  type RunInputs,
} from './fuel-inputs.ts'

// A forward snapshot is the curve's months the history does not price, through the model's last month.

const build: ForwardBuild = { curveId: 'GAS:HENRY_HUB', buildId: '7d3f7a52-58a1-4f7e-9a63-1f0c2b7e9d10', version: 3, asOf: '2026-07-31' }
const point = (month: string, price: number) => ({ month, price, days: 30 })

describe('forwardSnapshotOf', () => {
  it('keeps the months after the history through 2050-12, named by their content', () => {
    const points = [point('2026-07', 3.1), point('2026-08', 3.2), point('2050-12', 4.4), point('2051-01', 4.5)]
    const snapshot = forwardSnapshotOf(build, points, '2026-07')!
    expect(snapshot.months).toEqual([
      { month: '2026-08', price: 3.2 },
      { month: '2050-12', price: 4.4 },
    ])
    expect(snapshot).toMatchObject({ curveId: 'GAS:HENRY_HUB', buildId: build.buildId, version: 3, asOf: '2026-07-31' })
    expect(snapshot.id).toBe(forwardGasId({ curve: 'GAS:HENRY_HUB', asOf: '2026-07-31', months: snapshot.months }))
    expect(summarizeForward(snapshot)).toEqual({ id: snapshot.id, curveId: 'GAS:HENRY_HUB', name: 'Henry Hub gas', buildId: build.buildId, version: 3, asOf: '2026-07-31', first: '2026-08', last: '2050-12', months: 2 })
  })

  it('is null when the history prices every month of the curve', () => {
    expect(forwardSnapshotOf(build, [point('2026-06', 3), point('2026-07', 3.1)], '2026-07')).toBeNull()
  })

  it('refuses a point the model cannot take, naming the build and the month', () => {
    expect(() => forwardSnapshotOf(build, [point('2026-08', Number.NaN)], '2026-07')).toThrow(
      `the GAS:HENRY_HUB curve's build ${build.buildId} (version 3 as of 2026-07-31): months[0] (2026-08) price NaN is not a price`,
    )
  })
})

describe('fitInputs: a run carries the forward curve exactly when its scenario sets fuel.gas = forward', () => {
  const points = [point('2026-08', 3.2), point('2026-09', 3.3)]
  const forward = forwardSnapshotOf(build, points, '2026-07')!
  const plain = workbookRunInputs()
  const withCurve: RunInputs = { ...plain, forward, baseDataVersion: baseDataVersionOf(plain.fuel.id, null, forward.id) }
  const REFUSAL = 'the scenario sets fuel.gas = forward, but no house Henry Hub forward curve is built; build one on /gas/curves/HENRY_HUB or set fuel.gas to a price'

  it('reads the needs from the resolved canonical form', () => {
    expect(runNeedsOf('scenario "x" chain "base" "x"\nset fuel.gas = forward from 2026-08\n')).toEqual({ gasForward: true })
    expect(runNeedsOf('scenario "x" chain "base" "x"\nset fuel.gas = 3.4 $/MMBtu from 2026-08 by "base"\n')).toEqual({ gasForward: false })
    // A canonical form that does not parse (only a bug stores one) needs nothing: the model fails its run with the reason.
    expect(runNeedsOf('scenario "x" chain "base" "x"\nset fuel.gaz = forward\n')).toEqual({ gasForward: false })
  })

  it('keeps the curve of a run that needs it, and refuses one that needs it without a curve (BAD_REQUEST, naming the remedy)', () => {
    expect(fitInputs(withCurve, { gasForward: true })).toBe(withCurve)
    expect(() => fitInputs(plain, { gasForward: true })).toThrow(REFUSAL)
    const refusal = (() => {
      try {
        fitInputs(plain, { gasForward: true })
      } catch (error) {
        return error
      }
    })()
    expect(refusal).toBeInstanceOf(AppError)
    expect(refusal).toMatchObject({
      code: 'BAD_REQUEST',
      status: 400,
      userMessage: 'This scenario sets fuel.gas = forward, but no house Henry Hub forward curve is built: build one on /gas/curves/HENRY_HUB or set fuel.gas to a price.',
      details: { curveId: 'GAS:HENRY_HUB' },
    })
  })

  it('drops the curve from a run that does not need it: the base-data version and lineage of a run before curves', () => {
    const fitted = fitInputs(withCurve, { gasForward: false })
    expect(fitted.forward).toBeNull()
    expect(fitted.baseDataVersion).toBe(plain.baseDataVersion)
    expect(fitted.baseDataVersion).not.toBe(withCurve.baseDataVersion)
    expect(inputsLineage(fitted)).not.toHaveProperty('gasForward')
    expect(inputsLineage(fitted)).not.toHaveProperty('gasForwardSnapshot')
    expect(inputsLineage(withCurve)).toMatchObject({ gasForward: { id: forward.id, first: '2026-08', last: '2026-09' }, gasForwardSnapshot: forward })
  })

  it('names a build without a month after the history in its refusal', () => {
    expect(forwardRefused(`the house Henry Hub forward curve (build ${build.buildId}, version 3 as of 2026-07-31) has no month after the Henry Hub history's last month 2026-09`).message).toBe(
      `the scenario sets fuel.gas = forward, but the house Henry Hub forward curve (build ${build.buildId}, version 3 as of 2026-07-31) has no month after the Henry Hub history's last month 2026-09; build one on /gas/curves/HENRY_HUB or set fuel.gas to a price`,
    )
  })
})
