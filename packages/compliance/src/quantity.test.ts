import { describe, expect, it } from 'vitest'
import { divideRounded, dollarsOf, scaledDecimal, toCents, unitsOfShare, wholeUnits } from './quantity.ts'

describe('decimals read exactly', () => {
  it.each([
    [2.21, 4, 22100n],
    [2.2125, 4, 22125n],
    [2.21005, 4, null],
    [0, 3, 0n],
    [1_234_567.891, 3, 1_234_567_891n],
    [1_234_567.8915, 3, null],
    [-0.5, 1, -5n],
    [35, 0, 35n],
    [Number.NaN, 3, null],
    [Number.POSITIVE_INFINITY, 3, null],
    [1e15, 0, null],
  ])('%# %d with %i places is %s', (value, decimals, expected) => {
    expect(scaledDecimal(value, decimals)).toBe(expected)
  })
})

describe('rounding to whole units', () => {
  it.each([
    [10n, 5n, 'up', 2n],
    [11n, 5n, 'up', 3n],
    [0n, 5n, 'up', 0n],
    [12n, 5n, 'nearest', 2n],
    [25n, 10n, 'nearest', 3n],
    [24n, 10n, 'nearest', 2n],
  ] as const)('%# %s / %s rounded %s is %s', (numerator, denominator, rounding, expected) => {
    expect(divideRounded(numerator, denominator, rounding)).toBe(expected)
  })

  it.each([
    [125_000_000n, 'up', 125_000],
    [125_000_001n, 'up', 125_001],
    [125_000_499n, 'nearest', 125_000],
    [125_000_500n, 'nearest', 125_001],
  ] as const)('%# %s thousandths of an MT rounded %s: %i', (quantity, rounding, expected) => {
    expect(wholeUnits(quantity, rounding)).toBe(expected)
  })

  it.each([
    ['1,000,000 MWh x 2.2 %', 1_000_000_000n, 22_000n, 'up', 22_000],
    ['100 MWh x 7 %', 100_000n, 70_000n, 'up', 7],
    ['1,234,567.891 MWh x 35 %: 432,098.76185', 1_234_567_891n, 350_000n, 'up', 432_099],
    ['the same to the nearest', 1_234_567_891n, 350_000n, 'nearest', 432_099],
    ['1,000 MWh x 0.0001 %: 0.001 MWh is still one REC owed', 1_000_000n, 1n, 'up', 1],
    ['and none to the nearest', 1_000_000n, 1n, 'nearest', 0],
  ] as const)('%s', (_, retail, percent, rounding, expected) => {
    expect(unitsOfShare(retail, percent, rounding)).toBe(expected)
  })
})

describe('prices to cents, values in dollars', () => {
  it.each([
    [72.5, 7250],
    [192.505, 19251],
    [1.005, 101],
    [1.004, 100],
    [0.1, 10],
    [0, 0],
    [9_999.995, 1_000_000],
  ])('%# $%d is %i cents', (price, cents) => {
    expect(toCents(price)).toBe(cents)
  })

  it.each([
    [7, 10, 0.7],
    [-20_000, 7250, -1_450_000],
    [3, 19251, 577.53],
    [0, 19251, 0],
    [1_000_000_000, 1_000_000, 10_000_000_000_000],
  ])('%# %i units x %i cents = $%d', (units, cents, dollars) => {
    expect(dollarsOf(units, cents)).toBe(dollars)
  })
})
