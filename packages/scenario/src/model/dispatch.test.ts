import { describe, expect, it } from 'vitest'
import { accumulateDispatch, buildStack, clearPrice, scarcityAdder, shapeHydro, shiftStorage, type ScarcityCurve } from './dispatch.ts'

const NO_SCARCITY: ScarcityCurve = { cap: 1000, target: 0, exponent: 2, floor: 0 }

/** A (nuclear) 100 MW at $10, B (gas_cc) 100 MW at $20, C (gas_ct) 50 MW at $50; given out of order. */
const stack = () =>
  buildStack([
    { technology: 'gas_ct', mw: 50, cost: 50 },
    { technology: 'nuclear', mw: 100, cost: 10 },
    { technology: 'gas_cc', mw: 100, cost: 20 },
  ])

describe('merit order', () => {
  it('sorts offers by cost and clears at the marginal offer', () => {
    const s = stack()
    expect(Array.from(s.cost)).toEqual([10, 20, 50])
    expect(s.totalMw).toBe(250)
    expect(clearPrice(s, 50, 1000, NO_SCARCITY)).toBe(10)
    expect(clearPrice(s, 100, 1000, NO_SCARCITY)).toBe(10)
    expect(clearPrice(s, 150, 1000, NO_SCARCITY)).toBe(20)
    expect(clearPrice(s, 201, 1000, NO_SCARCITY)).toBe(50)
  })

  it('prices must-take surplus at the floor and unserved load at the cap', () => {
    const s = stack()
    expect(clearPrice(s, 0, 100, { ...NO_SCARCITY, floor: -5 })).toBe(-5)
    expect(clearPrice(s, -30, 100, NO_SCARCITY)).toBe(0)
    expect(clearPrice(s, 251, 300, NO_SCARCITY)).toBe(1000)
  })

  it('adds the scarcity adder as the margin falls below the target, up to the cap', () => {
    const curve: ScarcityCurve = { cap: 1000, target: 0.2, exponent: 2, floor: 0 }
    // residual 240 of 250 available, load 250: margin (250 - 240) / 250 = 0.04; adder 1000 x (0.16 / 0.2)^2 = 640
    expect(scarcityAdder(0.04, curve)).toBeCloseTo(640, 9)
    expect(clearPrice(stack(), 240, 250, curve)).toBeCloseTo(690, 9)
    // margin at the target and above: no adder
    expect(clearPrice(stack(), 150, 500, curve)).toBe(20)
    // margin 0: the cap, never more
    expect(clearPrice(stack(), 250, 250, curve)).toBe(1000)
    expect(scarcityAdder(0.1, curve)).toBeCloseTo(250, 9)
  })

  it("accumulates each technology's dispatch in merit order", () => {
    const out = new Float64Array(8)
    accumulateDispatch(stack(), 180, 2, out)
    // nuclear (index 6) 100 MW x 2 h, gas_cc (index 3) 80 MW x 2 h
    expect(out[6]).toBe(200)
    expect(out[3]).toBe(160)
    expect(out[4]).toBe(0)
  })
})

describe('direction at the hour', () => {
  it('retiring capacity raises the clearing price; must-take solar lowers it', () => {
    const full = stack()
    const retired = buildStack([
      { technology: 'gas_ct', mw: 50, cost: 50 },
      { technology: 'nuclear', mw: 100, cost: 10 },
      { technology: 'gas_cc', mw: 40, cost: 20 },
    ])
    const load = 160
    expect(clearPrice(full, load, load, NO_SCARCITY)).toBe(20)
    expect(clearPrice(retired, load, load, NO_SCARCITY)).toBe(50)
    // 80 MW of solar output at that hour: residual 80 MW clears on the $10 offer
    expect(clearPrice(full, load - 80, load, NO_SCARCITY)).toBe(10)
    // a thinner margin raises the scarcity adder
    const curve: ScarcityCurve = { cap: 1000, target: 0.5, exponent: 2, floor: 0 }
    expect(clearPrice(retired, load, load, curve)).toBeGreaterThan(clearPrice(full, load, load, curve))
  })
})

describe('storage shifting', () => {
  const twoTier = () =>
    buildStack([
      { technology: 'coal', mw: 200, cost: 10 },
      { technology: 'gas_ct', mw: 200, cost: 40 },
    ])
  const priceOf = (s: ReturnType<typeof twoTier>) => (residual: number) => clearPrice(s, residual, 1000, NO_SCARCITY)

  it('charges in the lowest hours and discharges in the highest, levelling both, within power, energy and losses', () => {
    const net = Float64Array.from({ length: 24 }, (_, h) => (h < 12 ? 100 : 300))
    const charge = new Float64Array(24)
    const discharge = new Float64Array(24)
    // 50 MW, 100 MWh a day, 80 % round trip, in 16 steps of 6.25 MWh: every high hour once (75), hours 12..15 twice
    shiftStorage(net, 50, 100, 0.8, priceOf(twoTier()), charge, discharge)
    expect(Array.from(discharge)).toEqual([...Array(12).fill(0), 12.5, 12.5, 12.5, 12.5, ...Array(8).fill(6.25)])
    expect(Array.from(charge)).toEqual([15.625, 15.625, 15.625, 15.625, ...Array(8).fill(7.8125), ...Array(12).fill(0)])
    expect(discharge.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9)
    expect(charge.reduce((a, b) => a + b, 0)).toBeCloseTo(125, 9)
    // the high hours stay on the $40 tier, the low ones on the $10 tier: it paid at every step
    const price = priceOf(twoTier())
    for (let h = 0; h < 24; h++) expect(price(net[h]! + charge[h]! - discharge[h]!)).toBe(h < 12 ? 10 : 40)
  })

  it('moves a peak hour off the expensive tier, stopping where a step stops paying', () => {
    const net = Float64Array.from({ length: 24 }, (_, h) => (h === 18 ? 220 : 120))
    const charge = new Float64Array(24)
    const discharge = new Float64Array(24)
    // steps of 2.5 MWh: eight take hour 18 from 220 to 200 MW (the top of the $10 tier); a ninth,
    // judged at 198.75 MW ($10) against $10, does not pay, nor does its half
    shiftStorage(net, 40, 40, 1, priceOf(twoTier()), charge, discharge)
    expect(discharge[18]).toBeCloseTo(20, 9)
    expect(discharge.reduce((a, b) => a + b, 0)).toBeCloseTo(20, 9)
    expect(Array.from(charge.slice(0, 8))).toEqual(Array(8).fill(2.5))
    expect(charge.reduce((a, b) => a + b, 0)).toBeCloseTo(20, 9)
    const s = twoTier()
    expect(clearPrice(s, net[18]!, 1000, NO_SCARCITY)).toBe(40)
    expect(clearPrice(s, net[18]! - discharge[18]!, 1000, NO_SCARCITY)).toBe(10)
  })

  it('never discharges below zero residual load', () => {
    const net = Float64Array.from({ length: 24 }, (_, h) => (h === 18 ? 5 : -100))
    const charge = new Float64Array(24)
    const discharge = new Float64Array(24)
    const s = buildStack([{ technology: 'gas_ct', mw: 100, cost: 60 }])
    shiftStorage(net, 50, 200, 0.9, (r) => clearPrice(s, r, 100, NO_SCARCITY), charge, discharge)
    expect(discharge[18]).toBeLessThanOrEqual(5)
    expect(net[18]! - discharge[18]!).toBeGreaterThanOrEqual(0)
  })

  it('does nothing when the spread does not pay for the losses', () => {
    const net = Float64Array.from({ length: 24 }, (_, h) => (h < 12 ? 50 : 150))
    const charge = new Float64Array(24)
    const discharge = new Float64Array(24)
    // both levels clear on the $10 tier: 10 x 0.8 < 10
    shiftStorage(net, 50, 200, 0.8, priceOf(twoTier()), charge, discharge)
    expect(discharge.every((v) => v === 0)).toBe(true)
    expect(charge.every((v) => v === 0)).toBe(true)
  })

  it('does nothing on a flat day', () => {
    const net = new Float64Array(24).fill(150)
    const charge = new Float64Array(24)
    const discharge = new Float64Array(24)
    shiftStorage(net, 50, 200, 0.9, priceOf(twoTier()), charge, discharge)
    expect(discharge.every((v) => v === 0)).toBe(true)
  })
})

describe('hydro shaping', () => {
  it("levels the top of the day with the day's flexible energy, at most at its power", () => {
    const net = Float64Array.from({ length: 24 }, (_, h) => 100 + h)
    const out = new Float64Array(24)
    shapeHydro(net, 30, 50, out)
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(50, 9)
    expect(Math.max(...out)).toBeLessThanOrEqual(30)
    // exact levelling would bring hours 14..23 to 113.5 MW; 16 steps of 3.125 MWh land within a step of it
    for (let h = 0; h < 24; h++) {
      if (out[h]! > 0) expect(h).toBeGreaterThanOrEqual(12)
      expect(net[h]! - out[h]!).toBeLessThanOrEqual(113.5 + 3.125)
    }
  })

  it('is capped by its power', () => {
    const net = Float64Array.from({ length: 24 }, (_, h) => (h === 12 ? 500 : 100))
    const out = new Float64Array(24)
    shapeHydro(net, 30, 50, out)
    expect(out[12]).toBe(30)
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(50, 9)
  })
})
