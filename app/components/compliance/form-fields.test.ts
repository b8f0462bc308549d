import { describe, expect, it } from 'vitest'
import { formFieldOf, formMessage, formValues, readNumber } from './form-fields.ts'

const formOf = (entries: Record<string, string>) => {
  const form = new FormData()
  for (const [k, v] of Object.entries(entries)) form.set(k, v)
  return form
}

describe('a number typed into a form', () => {
  it.each([
    ['100000', 100_000],
    ['100,000', 100_000],
    [' 35.5 ', 35.5],
    ['.25', 0.25],
    ['-1', -1],
  ])('%j is %d', (text, value) => {
    expect(readNumber(formOf({ quantity: text }), 'quantity')).toBe(value)
  })

  it.each([
    ['', 'Quantity: enter a number'],
    ['12 MWh', 'Quantity: not a number (12 MWh)'],
    ['0x10', 'Quantity: not a number (0x10)'],
    ['Infinity', 'Quantity: not a number (Infinity)'],
  ])('%j is refused naming the field', (text, message) => {
    expect(readNumber(formOf({ quantity: text }), 'quantity')).toEqual({ field: 'quantity', message })
  })

  it("names a carve-out's field by its class", () => {
    expect(readNumber(formOf({}), 'carveOut.SOLAR')).toEqual({ field: 'carveOut.SOLAR', message: 'SOLAR percentage: enter a number' })
  })
})

describe("a refusal's field on the form", () => {
  it.each([
    ['obligation', 'obligations.0.percent', [], 'percent'],
    ['obligation', 'obligations.0.carveOuts.0.percent', ['SOLAR'], 'carveOut.SOLAR'],
    ['obligation', 'obligations.0.carveOuts.1.class', ['SOLAR'], null],
    ['obligation', 'obligations.0', [], 'period'],
    ['lot', 'lots.0.quantity', [], 'quantity'],
    ['lot', 'lots.0.program', [], null],
    ['retirement', 'retirements.0.retiredOn', [], 'retiredOn'],
    ['retirement', 'retired', [], 'quantity'],
    ['lot', 'retired', [], null],
    ['remove', 'lots.0', [], null],
    ['retirement', 'retirements.0b0c2a1e-0000-4000-8000-000000000001.quantity', [], null],
  ] as const)('%s %s -> %s', (intent, path, carveOuts, field) => {
    expect(formFieldOf(intent, path, carveOuts)).toBe(field)
  })

  it('the message leads with the label instead of the API path', () => {
    expect(formMessage('lots.0.quantity: whole certificates (1 unit = 1 MT or 1 MWh)', 'lots.0.quantity', 'quantity')).toBe('Quantity: whole certificates (1 unit = 1 MT or 1 MWh)')
    expect(formMessage('obligations.0.carveOuts.0.percent: carve-outs add up to more than 5 %', 'obligations.0.carveOuts.0.percent', 'carveOut.SOLAR')).toBe(
      'SOLAR percentage: carve-outs add up to more than 5 %',
    )
    // No form field: the message stays as the service wrote it.
    expect(formMessage('lots.0: no holding lot x among your entries', 'lots.0', null)).toBe('lots.0: no holding lot x among your entries')
  })

  it('keeps what was typed (not the intent), cut to 200 characters', () => {
    expect(formValues(formOf({ intent: 'lot', quantity: '10.5', class: 'x'.repeat(300) }))).toEqual({ quantity: '10.5', class: 'x'.repeat(200) })
  })
})
