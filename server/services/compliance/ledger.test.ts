import { CA_LCFS, ComplianceError, NJ_RPS } from '@carbon/compliance'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import { checked, emptyLedger, positionsOf, type Ledger } from './ledger.ts'

const PROGRAMS = [CA_LCFS, NJ_RPS]
const STORED_LOT = '11111111-1111-4111-8111-111111111111'
const STORED_RETIREMENT = '22222222-2222-4222-8222-222222222222'

const stored = (id: string) => ({ source: 'stored' as const, id })
const input = (index: number) => ({ source: 'input' as const, index })

/** One stored NJ year: 1,000 Class I RECs owed, a lot of 600, 400 of them retired. */
function njLedger(): Ledger {
  const ledger = emptyLedger()
  ledger.obligations.push({
    entry: { program: 'NJ_RPS', period: 2027, basis: 'retail_sales', class: 'CLASS_I', retailSalesMWh: 10_000, percent: 10, carveOuts: [] },
    origin: stored('33333333-3333-4333-8333-333333333333'),
  })
  ledger.lots.push({ entry: { program: 'NJ_RPS', class: 'CLASS_I', vintage: 2027, quantity: 600 }, origin: stored(STORED_LOT) })
  ledger.retirements.push({ entry: { program: 'NJ_RPS', period: 2027, class: 'CLASS_I', vintage: 2027, quantity: 400, retiredOn: '2026-11-02' }, origin: stored(STORED_RETIREMENT) })
  return ledger
}

function refusal(ledger: Ledger, action: 'record' | 'remove' | 'read'): AppError {
  try {
    checked(ledger, action, () => positionsOf('acme', PROGRAMS, ledger))
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected a refusal')
}

describe('a refusal of the package names the entry as the caller wrote it', () => {
  it('an entry of the call: its index in the call, with program, period and the value', () => {
    const ledger = njLedger()
    ledger.retirements.push({ entry: { program: 'NJ_RPS', period: 2027, class: 'CLASS_I', vintage: 2027, quantity: 201, retiredOn: '2026-12-01' }, origin: input(0) })
    const error = refusal(ledger, 'record')
    expect(error.status).toBe(400)
    expect(error.message).toBe('retirements.0.quantity: only 200 of CLASS_I vintage 2027 held and not yet retired (program NJ_RPS, period 2027, class CLASS_I; found "201")')
    expect(error.details).toMatchObject({ code: 'RETIREMENT_EXCEEDS_HOLDINGS', field: 'retirements.0.quantity', program: 'NJ_RPS', period: 2027, value: '201' })
  })

  it("a lot's field is a lot's (the package calls them holdings), a carve-out's path is dotted", () => {
    const ledger = njLedger()
    ledger.lots.push({ entry: { program: 'NJ_RPS', class: 'TIER_1', vintage: 2027, quantity: 5 }, origin: input(3) })
    expect(refusal(ledger, 'record').message).toMatch(/^lots\.3\.class: NJ_RPS has no class TIER_1/)
    const carved = emptyLedger()
    carved.obligations.push({
      entry: { program: 'NJ_RPS', period: 2027, basis: 'retail_sales', class: 'CLASS_I', retailSalesMWh: 1, percent: 5, carveOuts: [{ class: 'SOLAR', percent: 6 }] },
      origin: input(1),
    })
    expect(refusal(carved, 'record').message).toMatch(/^obligations\.1\.carveOuts\.0\.percent: carve-outs add up to more than CLASS_I's 5 %/)
  })

  it('a removal that strands a stored entry names it by id and says what to do', () => {
    const ledger = njLedger()
    ledger.lots.length = 0
    const error = refusal(ledger, 'remove')
    expect(error.status).toBe(400)
    expect(error.message).toBe(
      `retirements.${STORED_RETIREMENT}.quantity: only 0 of CLASS_I vintage 2027 held and not yet retired (program NJ_RPS, period 2027, class CLASS_I; found "400"): ` +
        'removing these entries would leave the stored ones so; remove the entries that depend on them in the same call',
    )
  })

  it('removing the obligation a retirement was made against: the computed `retired` field', () => {
    const ledger = njLedger()
    ledger.obligations.length = 0
    expect(refusal(ledger, 'remove').message).toMatch(/^retired: over-retirement: retired against a period with no obligation \(program NJ_RPS, period 2027, class CLASS_I; found "400"\): removing/)
  })

  it('stored entries that no longer add up on their own are a conflict (409), not the reader\'s fault', () => {
    const ledger = njLedger()
    ledger.lots[0]!.entry.quantity = 300
    const error = refusal(ledger, 'read')
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toMatch(new RegExp(`^retirements\\.${STORED_RETIREMENT}\\.quantity: .*: the stored entries no longer add up; correct or remove them$`))
  })

  it('a refusal of something no entry holds (a price) is a bug, rethrown as the package threw it', () => {
    const ledger = njLedger()
    const prices = [
      { program: 'NJ_RPS', class: 'CLASS_I', price: 31.25, asOf: '2026-10-01' },
      { program: 'NJ_RPS', class: 'CLASS_I', price: 31.5, asOf: '2026-10-02' },
    ]
    expect(() => checked(ledger, 'read', () => positionsOf('acme', PROGRAMS, ledger, prices))).toThrow(ComplianceError)
  })

  it('entries that add up pass through', () => {
    const [position] = checked(njLedger(), 'read', () => positionsOf('acme', PROGRAMS, njLedger()))
    expect(position).toMatchObject({ obligation: 1_000, retired: 400, remainingObligation: 600, holdings: 200, position: -400 })
  })
})
