import { describe, expect, it } from 'vitest'
import { contractMonths, parseContract, parseContractSafe } from './contracts.ts'
import { CurveInputError } from './errors.ts'

describe('parseContract', () => {
  it('parses the four contract forms', () => {
    expect(parseContract('2027-01')).toEqual({ code: '2027-01', kind: 'month', first: '2027-01', last: '2027-01' })
    expect(parseContract('2027-Q3')).toEqual({ code: '2027-Q3', kind: 'quarter', first: '2027-07', last: '2027-09' })
    expect(parseContract('Cal-2028')).toEqual({ code: 'Cal-2028', kind: 'calendar', first: '2028-01', last: '2028-12' })
    expect(parseContract('2027-01/2027-02')).toEqual({ code: '2027-01/2027-02', kind: 'strip', first: '2027-01', last: '2027-02' })
  })

  it('canonicalizes case and spaces', () => {
    expect(parseContract(' cal-2028 ').code).toBe('Cal-2028')
    expect(parseContract('2027-q1').code).toBe('2027-Q1')
    expect(parseContract('2027-11 / 2028-03').code).toBe('2027-11/2028-03')
  })

  it('accepts a one-month strip and strips across years', () => {
    expect(contractMonths(parseContract('2027-05/2027-05'))).toEqual(['2027-05'])
    expect(contractMonths(parseContract('2027-11/2028-02'))).toEqual(['2027-11', '2027-12', '2028-01', '2028-02'])
    expect(contractMonths(parseContract('2027-Q4'))).toEqual(['2027-10', '2027-11', '2027-12'])
    expect(contractMonths(parseContract('Cal-2030'))).toHaveLength(12)
  })

  it.each([
    ['2027-13', /month 01-12/],
    ['2027-1', /month 01-12/],
    ['2027-Q5', /unknown contract code/],
    ['Cal-28', /unknown contract code/],
    ['2027-03/2027-01', /starts \(2027-03\) after it ends \(2027-01\)/],
    ['2027-03/2027-13', /two months/],
    ['', /unknown contract code/],
    ['Jan-27', /unknown contract code/],
  ])('rejects %j, naming the code', (code, reason) => {
    let error: unknown
    try {
      parseContract(code)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CurveInputError)
    const e = error as CurveInputError
    expect(e.issues[0]!.contract).toBe(code)
    expect(e.message).toMatch(reason)
    expect(e.message).toContain(`contract ${code}`)
  })

  it('parseContractSafe returns the reason instead of throwing', () => {
    expect(parseContractSafe('2027-Q9')).toEqual({ error: expect.stringMatching(/unknown contract code/) })
    expect(parseContractSafe('2027-Q2')).toEqual({ contract: expect.objectContaining({ first: '2027-04' }) })
  })
})
