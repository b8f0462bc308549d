import { describe, expect, it } from 'vitest'
import { ComplianceError, type ComplianceErrorCode, type ComplianceErrorDetails } from './errors.ts'
import type { ComplianceInputIn } from './inputs.ts'
import { compliancePositions, Position } from './positions.ts'
import { CA_LCFS, NJ_RPS, type ProgramDefinitionInput } from './programs.ts'

/** An LCFS-like program that rounds a fractional deficit to the nearest MT instead of up. */
const LCFS_NEAREST: ProgramDefinitionInput = { ...CA_LCFS, id: 'LCFS_NEAREST', obligationRounding: 'nearest' }
const PROGRAMS = [CA_LCFS, NJ_RPS, LCFS_NEAREST]
const ORG = 'acme'

type Rest = Omit<ComplianceInputIn, 'programs'>
const run = (rest: Rest) => compliancePositions({ programs: PROGRAMS, ...rest })

const lcfs = (period: number, deficitsMT: number, program = 'CA_LCFS') => ({ organization: ORG, program, period, basis: 'deficits' as const, deficitsMT })
const rps = (period: number, retailSalesMWh: number, percent: number, carveOuts: { class: string; percent: number }[] = []) => ({
  organization: ORG,
  program: 'NJ_RPS',
  period,
  basis: 'retail_sales' as const,
  class: 'CLASS_I',
  retailSalesMWh,
  percent,
  carveOuts,
})
const lot = (program: string, cls: string, vintage: number, quantity: number) => ({ organization: ORG, program, class: cls, vintage, quantity })
const retire = (program: string, cls: string, period: number, vintage: number, quantity: number) => ({ organization: ORG, program, class: cls, period, vintage, quantity })
const price = (program: string, cls: string, value: number | null, asOf: string | null = '2026-10-01') => ({ program, class: cls, price: value, asOf })

/** The arithmetic of a position: period, class, obligation, retired, remaining, holdings, position. */
const arithmetic = (p: Position) => [p.period, p.class, p.obligation, p.retired, p.remainingObligation, p.holdings, p.position]

function refused(fn: () => unknown): ComplianceError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ComplianceError)
    return error as ComplianceError
  }
  throw new Error('expected a ComplianceError')
}

describe('obligation from deficits (LCFS, MT CO2e)', () => {
  it.each([
    ['whole deficits', lcfs(2026, 125_000), 125_000],
    ['no deficits', lcfs(2026, 0), 0],
    ['a fractional MT is rounded up (a part credit is still owed)', lcfs(2026, 125_000.001), 125_001],
    ['a program rounding to the nearest: below half', lcfs(2026, 125_000.499, 'LCFS_NEAREST'), 125_000],
    ['a program rounding to the nearest: half', lcfs(2026, 125_000.5, 'LCFS_NEAREST'), 125_001],
  ])('%s', (_, obligation, expected) => {
    const [position] = run({ obligations: [obligation] })
    expect(position).toMatchObject({ obligation: expected, remainingObligation: expected, holdings: 0, position: 0 - expected, shortfall: expected, unit: 'MT', class: 'CREDIT' })
  })
})

describe('obligation from retail sales x percentage (RPS, MWh)', () => {
  it.each([
    ['a headline class alone', rps(2027, 2_000_000, 35), [['CLASS_I', 700_000]]],
    ['exact where floating point is not: 1,000,000 MWh x 2.2 % (naive 22000.000000000004 rounds up to 22001)', rps(2027, 1_000_000, 2.2), [['CLASS_I', 22_000]]],
    ['exact: 100 MWh x 7 % (100 x 0.07 is 7.000000000000001)', rps(2027, 100, 7), [['CLASS_I', 7]]],
    ['a carve-out taken out of its headline', rps(2027, 2_000_000, 35, [{ class: 'SOLAR', percent: 5.1 }]), [['CLASS_I', 598_000], ['SOLAR', 102_000]]],
    [
      'each class rounded up on its own (432,098.76185 MWh would be one class; 368,846.91 + 63,251.85 two)',
      rps(2027, 1_234_567.891, 35, [{ class: 'SOLAR', percent: 5.1234 }]),
      [['CLASS_I', 368_847], ['SOLAR', 63_252]],
    ],
    ['a carve-out equal to the headline leaves it nothing', rps(2027, 1_000, 5, [{ class: 'SOLAR', percent: 5 }]), [['CLASS_I', 0], ['SOLAR', 50]]],
    ['no retail sales', rps(2027, 0, 35), [['CLASS_I', 0]]],
  ])('%s', (_, obligation, expected) => {
    const positions = run({ obligations: [obligation] })
    expect(positions.map((p) => [p.class, p.obligation])).toEqual(expected)
    for (const p of positions) expect(p).toMatchObject({ unit: 'MWh', period: 2027, periodStart: '2026-06-01', periodEnd: '2027-06-01' })
  })
})

describe('holdings and retirements', () => {
  it.each([
    [
      'LCFS: retired drawn from the lots, the rest of the eligible lots held',
      { obligations: [lcfs(2026, 100_000)], holdings: [lot('CA_LCFS', 'CREDIT', 2024, 30_000), lot('CA_LCFS', 'CREDIT', 2026, 50_000)], retirements: [retire('CA_LCFS', 'CREDIT', 2026, 2026, 40_000)] },
      [[2026, 'CREDIT', 100_000, 40_000, 60_000, 40_000, -20_000]],
    ],
    [
      'LCFS: a fully met year is long what is left',
      { obligations: [lcfs(2026, 1_000)], holdings: [lot('CA_LCFS', 'CREDIT', 2019, 1_500)], retirements: [retire('CA_LCFS', 'CREDIT', 2026, 2019, 1_000)] },
      [[2026, 'CREDIT', 1_000, 1_000, 0, 500, 500]],
    ],
    [
      'lots of the same class and vintage add up; two retirements of a period add up',
      {
        obligations: [lcfs(2026, 900)],
        holdings: [lot('CA_LCFS', 'CREDIT', 2025, 400), lot('CA_LCFS', 'CREDIT', 2025, 400)],
        retirements: [retire('CA_LCFS', 'CREDIT', 2026, 2025, 300), retire('CA_LCFS', 'CREDIT', 2026, 2025, 200)],
      },
      [[2026, 'CREDIT', 900, 500, 400, 300, -100]],
    ],
    [
      'RPS: a carve-out holds its own class only (SRECs do not count as Class I)',
      {
        obligations: [rps(2027, 100_000, 35, [{ class: 'SOLAR', percent: 5 }])],
        holdings: [lot('NJ_RPS', 'CLASS_I', 2027, 20_000), lot('NJ_RPS', 'SOLAR', 2026, 6_000)],
        retirements: [retire('NJ_RPS', 'SOLAR', 2027, 2026, 1_000)],
      },
      [
        [2027, 'CLASS_I', 30_000, 0, 30_000, 20_000, -10_000],
        [2027, 'SOLAR', 5_000, 1_000, 4_000, 5_000, 1_000],
      ],
    ],
    [
      'a lot eligible for two open periods counts in both; a retirement against one leaves less for both',
      {
        obligations: [rps(2026, 10_000, 10), rps(2027, 10_000, 10)],
        holdings: [lot('NJ_RPS', 'CLASS_I', 2026, 2_500)],
        retirements: [retire('NJ_RPS', 'CLASS_I', 2026, 2026, 1_000)],
      },
      [
        [2026, 'CLASS_I', 1_000, 1_000, 0, 1_500, 1_500],
        [2027, 'CLASS_I', 1_000, 0, 1_000, 1_500, 500],
      ],
    ],
    [
      'organizations are kept apart',
      {
        obligations: [lcfs(2026, 100), { ...lcfs(2026, 50), organization: 'beta' }],
        holdings: [lot('CA_LCFS', 'CREDIT', 2026, 80), { ...lot('CA_LCFS', 'CREDIT', 2026, 70), organization: 'beta' }],
      },
      [
        [2026, 'CREDIT', 100, 0, 100, 80, -20],
        [2026, 'CREDIT', 50, 0, 50, 70, 20],
      ],
    ],
  ])('%s', (_, rest, expected) => {
    const positions = run(rest)
    expect(positions.map(arithmetic)).toEqual(expected)
    for (const p of positions) expect(Position.parse(p)).toEqual(p)
  })
})

describe('over-retirement is refused, naming program, period, class and field', () => {
  it.each([
    ['one retirement above the obligation', [lcfs(2026, 100)], [retire('CA_LCFS', 'CREDIT', 2026, 2026, 120)], 2026, '120', 'over-retirement: 120 retired against an obligation of 100'],
    [
      'two that add up above it',
      [lcfs(2026, 100)],
      [retire('CA_LCFS', 'CREDIT', 2026, 2026, 60), retire('CA_LCFS', 'CREDIT', 2026, 2025, 60)],
      2026,
      '120',
      'over-retirement: 120 retired against an obligation of 100',
    ],
    ['a period with no obligation', [lcfs(2026, 100)], [retire('CA_LCFS', 'CREDIT', 2027, 2026, 10)], 2027, '10', 'over-retirement: retired against a period with no obligation'],
  ])('%s', (_, obligations, retirements, period, value, reason) => {
    const holdings = [lot('CA_LCFS', 'CREDIT', 2025, 500), lot('CA_LCFS', 'CREDIT', 2026, 500)]
    const error = refused(() => run({ obligations, holdings, retirements }))
    expect(error.code).toBe('OVER_RETIREMENT')
    expect(error.details).toEqual({ organization: ORG, program: 'CA_LCFS', period, class: 'CREDIT', field: 'retired', value })
    expect(error.reason).toBe(reason)
    expect(error.message).toBe(`acme CA_LCFS ${period} CREDIT, retired: ${reason} (found "${value}")`)
  })
})

describe('banking window: a vintage outside it is not counted, and is reported', () => {
  it.each([
    [
      'NJ Class I (3 energy years): 2024 is outside 2027 (vintages 2025-2027)',
      rps(2027, 10_000, 10),
      'CLASS_I',
      [lot('NJ_RPS', 'CLASS_I', 2024, 300), lot('NJ_RPS', 'CLASS_I', 2025, 200), lot('NJ_RPS', 'CLASS_I', 2027, 100)],
      300,
      [{ vintage: 2024, quantity: 300, reason: 'vintage 2024 is outside the banking window of period 2027 (vintages 2025-2027)' }],
    ],
    [
      'NJ solar (5 energy years): 2023 counts for 2027, 2022 does not',
      rps(2027, 10_000, 10, [{ class: 'SOLAR', percent: 1 }]),
      'SOLAR',
      [lot('NJ_RPS', 'SOLAR', 2022, 40), lot('NJ_RPS', 'SOLAR', 2023, 60)],
      60,
      [{ vintage: 2022, quantity: 40, reason: 'vintage 2022 is outside the banking window of period 2027 (vintages 2023-2027)' }],
    ],
    [
      'a vintage later than the period',
      rps(2026, 10_000, 10),
      'CLASS_I',
      [lot('NJ_RPS', 'CLASS_I', 2026, 100), lot('NJ_RPS', 'CLASS_I', 2027, 900)],
      100,
      [{ vintage: 2027, quantity: 900, reason: 'vintage 2027 is later than period 2026' }],
    ],
    ['LCFS credits bank without expiry: 2012 counts for 2026', lcfs(2026, 10), 'CREDIT', [lot('CA_LCFS', 'CREDIT', 2012, 7)], 7, []],
  ])('%s', (_, obligation, cls, holdings, expectedHoldings, excluded) => {
    const position = run({ obligations: [obligation], holdings }).find((p) => p.class === cls)
    expect(position?.holdings).toBe(expectedHoldings)
    expect(position?.excluded).toEqual(excluded)
    expect(position?.position).toBe(expectedHoldings - (position?.remainingObligation ?? Number.NaN))
  })

  it.each([
    ['too old', retire('NJ_RPS', 'CLASS_I', 2027, 2024, 10), 'vintage 2024 is outside the banking window of period 2027 (vintages 2025-2027)'],
    ['later than the period', retire('NJ_RPS', 'CLASS_I', 2026, 2027, 10), 'vintage 2027 is later than period 2026'],
  ])('refuses a retirement of a vintage %s', (_, retirement, reason) => {
    const error = refused(() => run({ obligations: [rps(2026, 10_000, 10), rps(2027, 10_000, 10)], holdings: [lot('NJ_RPS', 'CLASS_I', 2024, 50), lot('NJ_RPS', 'CLASS_I', 2027, 50)], retirements: [retirement] }))
    expect(error.code).toBe('INELIGIBLE_VINTAGE')
    expect(error.details).toMatchObject({ program: 'NJ_RPS', period: retirement.period, class: 'CLASS_I', field: 'retirements[0].vintage', value: String(retirement.vintage) })
    expect(error.reason).toBe(reason)
  })
})

describe('valuation at the latest price', () => {
  const short = { obligations: [lcfs(2026, 100_000)], holdings: [lot('CA_LCFS', 'CREDIT', 2026, 80_000)] }
  const long = { obligations: [lcfs(2026, 10)], holdings: [lot('CA_LCFS', 'CREDIT', 2026, 17)] }
  it.each([
    ['a short position: negative value and the shortfall cost', short, 72.5, { position: -20_000, shortfall: 20_000, price: 72.5, value: -1_450_000, shortfallCost: 1_450_000 }],
    ['a long position: no shortfall cost', long, 0.1, { position: 7, shortfall: 0, price: 0.1, value: 0.7, shortfallCost: 0 }],
    ['a price rounded to the cent, half up (192.505 -> 192.51)', long, 192.505, { price: 192.51, value: 1347.57, shortfallCost: 0 }],
    ['a price rounded to the cent, below half (1.004 -> 1.00)', long, 1.004, { price: 1, value: 7 }],
    ['a price written 1.005 is 1.01 (floating point says 100.49999999999999 cents)', long, 1.005, { price: 1.01, value: 7.07 }],
    ['a zero price values a short position at zero, not minus zero', short, 0, { value: 0, shortfallCost: 0 }],
  ])('%s', (_, rest, value, expected) => {
    const [position] = run({ ...rest, prices: [price('CA_LCFS', 'CREDIT', value)] })
    expect(position).toMatchObject({ ...expected, priceAsOf: '2026-10-01', valuationNote: null })
    expect(Object.is(position?.value, -0)).toBe(false)
  })

  it('values each class at its own price', () => {
    const positions = run({
      obligations: [rps(2027, 100_000, 35, [{ class: 'SOLAR', percent: 5 }])],
      holdings: [lot('NJ_RPS', 'CLASS_I', 2027, 31_000), lot('NJ_RPS', 'SOLAR', 2026, 4_000)],
      prices: [price('NJ_RPS', 'CLASS_I', 31.25), price('NJ_RPS', 'SOLAR', 192.5, '2026-09-15')],
    })
    expect(positions.map((p) => [p.class, p.position, p.value, p.shortfallCost, p.priceAsOf])).toEqual([
      ['CLASS_I', 1_000, 31_250, 0, '2026-10-01'],
      ['SOLAR', -1_000, -192_500, 192_500, '2026-09-15'],
    ])
  })
})

describe('missing price: value null, and why', () => {
  it.each([
    ['no price given for the class', [], { priceAsOf: null, valuationNote: 'no price given for CA_LCFS CREDIT' }],
    ['a price of null, with the date asked for', [price('CA_LCFS', 'CREDIT', null, '2026-09-30')], { priceAsOf: '2026-09-30', valuationNote: 'no price for CA_LCFS CREDIT as of 2026-09-30' }],
    ['a price of null, no date', [price('CA_LCFS', 'CREDIT', null, null)], { priceAsOf: null, valuationNote: 'no price for CA_LCFS CREDIT' }],
    ['a price of another class only', [price('NJ_RPS', 'CLASS_I', 31.25)], { priceAsOf: null, valuationNote: 'no price given for CA_LCFS CREDIT' }],
  ])('%s', (_, prices, expected) => {
    const [position] = run({ obligations: [lcfs(2026, 100)], holdings: [lot('CA_LCFS', 'CREDIT', 2026, 60)], prices })
    expect(position).toMatchObject({ position: -40, shortfall: 40, price: null, value: null, shortfallCost: null, ...expected })
  })
})

describe('inputs the rules cannot account for are refused, naming where', () => {
  type Case = [string, Rest, ComplianceErrorCode, Partial<ComplianceErrorDetails>, string | RegExp]
  it.each<Case>([
    ['a program not defined', { obligations: [{ ...lcfs(2026, 1), program: 'OR_CFP' }] }, 'UNKNOWN_PROGRAM', { program: 'OR_CFP', period: 2026, field: 'obligations[0].program', value: 'OR_CFP' }, 'no definition of program OR_CFP'],
    ['a class the program does not have', { obligations: [{ ...rps(2027, 1, 1), class: 'TIER_1' }] }, 'UNKNOWN_CLASS', { program: 'NJ_RPS', class: 'TIER_1', field: 'obligations[0].class' }, 'NJ_RPS has no class TIER_1 (classes: CLASS_I, SOLAR)'],
    ['a carve-out given as a headline', { obligations: [{ ...rps(2027, 1, 1), class: 'SOLAR' }] }, 'UNKNOWN_CLASS', { class: 'SOLAR', field: 'obligations[0].class' }, "SOLAR is a carve-out of CLASS_I: give it in that obligation's carveOuts"],
    ['retail sales for LCFS', { obligations: [{ ...rps(2026, 1, 1), program: 'CA_LCFS' }] }, 'WRONG_BASIS', { program: 'CA_LCFS', field: 'obligations[0].basis', value: 'retail_sales' }, 'CA_LCFS is an LCFS program: give the deficits in MT'],
    ['deficits for an RPS', { obligations: [lcfs(2027, 1, 'NJ_RPS')] }, 'WRONG_BASIS', { program: 'NJ_RPS', field: 'obligations[0].basis', value: 'deficits' }, 'NJ_RPS is an RPS: give retail sales and a percentage'],
    ['carve-outs above the headline', { obligations: [rps(2027, 1, 5, [{ class: 'SOLAR', percent: 5.0001 }])] }, 'CARVE_OUT_EXCEEDS_HEADLINE', { class: 'SOLAR', field: 'obligations[0].carveOuts[0].percent', value: '5.0001' }, "carve-outs add up to more than CLASS_I's 5 %"],
    ['a carve-out given twice', { obligations: [rps(2027, 1, 5, [{ class: 'SOLAR', percent: 1 }, { class: 'SOLAR', percent: 1 }])] }, 'DUPLICATE', { field: 'obligations[0].carveOuts[1].class' }, 'carve-out given twice'],
    ['a second obligation for the same period', { obligations: [lcfs(2026, 1), lcfs(2026, 2)] }, 'DUPLICATE', { period: 2026, class: 'CREDIT', field: 'obligations[1]' }, 'a second obligation for this organization, program, period and class'],
    ['a second price for the same class', { obligations: [lcfs(2026, 1)], prices: [price('CA_LCFS', 'CREDIT', 70), price('CA_LCFS', 'CREDIT', 71)] }, 'DUPLICATE', { field: 'prices[1].class' }, 'a second price for this program and class: pass the latest only'],
    [
      'a retirement beyond what is held',
      { obligations: [lcfs(2026, 1_000)], holdings: [lot('CA_LCFS', 'CREDIT', 2026, 300)], retirements: [retire('CA_LCFS', 'CREDIT', 2026, 2026, 200), retire('CA_LCFS', 'CREDIT', 2026, 2026, 200)] },
      'RETIREMENT_EXCEEDS_HOLDINGS',
      { period: 2026, class: 'CREDIT', field: 'retirements[1].quantity', value: '200' },
      'only 100 of CREDIT vintage 2026 held and not yet retired',
    ],
    ['a fractional certificate', { obligations: [lcfs(2026, 1)], holdings: [lot('CA_LCFS', 'CREDIT', 2026, 10.5)] }, 'INVALID_INPUT', { organization: ORG, program: 'CA_LCFS', class: 'CREDIT', field: 'holdings[0].quantity', value: '10.5' }, /whole certificates/],
    ['a percent with five places', { obligations: [rps(2027, 1, 2.21005)] }, 'INVALID_INPUT', { program: 'NJ_RPS', period: 2027, field: 'obligations[0].percent', value: '2.21005' }, 'at most 4 decimal places'],
    ['a percent above 100', { obligations: [rps(2027, 1, 101)] }, 'INVALID_INPUT', { field: 'obligations[0].percent', value: '101' }, /100/],
    ['retail sales with four places', { obligations: [rps(2027, 1.0001, 1)] }, 'INVALID_INPUT', { field: 'obligations[0].retailSalesMWh', value: '1.0001' }, 'at most 3 decimal places'],
    ['a price without its date', { obligations: [lcfs(2026, 1)], prices: [price('CA_LCFS', 'CREDIT', 70, null)] }, 'INVALID_INPUT', { program: 'CA_LCFS', class: 'CREDIT', field: 'prices[0].asOf', value: 'null' }, 'a price needs the date it is of'],
  ])('%s', (_, rest, code, details, reason) => {
    const error = refused(() => run(rest))
    expect(error.code).toBe(code)
    expect(error.details).toMatchObject(details)
    expect(error.reason).toMatch(reason)
    expect(error.message).toContain(`${error.details.field}: ${error.reason}`)
  })

  it('names a program definition that does not hold together', () => {
    const broken = { ...NJ_RPS, classes: [{ class: 'CLASS_I', bankingPriorYears: 2 }, { class: 'SOLAR', carveOutOf: 'TIER_1', bankingPriorYears: 4 }] }
    const error = refused(() => compliancePositions({ programs: [broken], obligations: [] }))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.details).toMatchObject({ program: 'NJ_RPS', field: 'programs[0].classes[1].carveOutOf', value: 'TIER_1' })
    expect(error.reason).toBe('not a headline class of NJ_RPS')
  })
})
