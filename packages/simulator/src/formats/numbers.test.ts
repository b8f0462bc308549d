import { describe, expect, it } from 'vitest'
import { caisoNumber, fixed2, misoDaNumber } from './numbers.ts'

describe('publisher number formats', () => {
  it('MISO DA reports drop the leading zero and trailing zeros (as the recorded file: .92, -.94, 29.9, 29)', () => {
    expect([92, -94, 2990, 2900, 3782, 5, -3, 0, -100].map(misoDaNumber)).toEqual([
      '.92',
      '-.94',
      '29.9',
      '29',
      '37.82',
      '.05',
      '-.03',
      '0',
      '-1',
    ])
  })

  it('MISO RT reports and the API write two decimals (0.92, -0.08, 16.30, 0.00)', () => {
    expect([92, -8, 1630, 0, -12345].map(fixed2)).toEqual(['0.92', '-0.08', '16.30', '0.00', '-123.45'])
  })

  it('OASIS writes up to five decimals (55.5152, 48.61367)', () => {
    expect([5_551_520, 4_861_367, -310_000, 0, 4_600_000, 1].map(caisoNumber)).toEqual([
      '55.5152',
      '48.61367',
      '-3.1',
      '0',
      '46',
      '0.00001',
    ])
  })
})
