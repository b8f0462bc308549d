import { describe, expect, it } from 'vitest'
import { assertSafeInput, findUnsafeInput, storableText } from './input-check.ts'

describe('findUnsafeInput', () => {
  it.each([
    [{ q: 'A\u0000' }, 'q', /U\+0000/],
    [{ market: 'MISO', nodes: 'A,B\u0007' }, 'nodes', /U\+0007/],
    [{ filter: { names: ['ok', 'bad\u001b[31m'] } }, 'filter.names.1', /U\+001B/],
    [{ from: '0000-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'from', /outside 1990\.\.2100/],
    [{ to: '+275760-09-13T00:00:00.000Z' }, 'to', /outside 1990\.\.2100/],
    [{ asOf: '1899-12-31' }, 'asOf', /outside/],
    [{ node: 'lone \ud800' }, 'node', /surrogate/],
    [{ ['k\u0000']: 1 }, 'k?', /field name/],
    ['\u0000', 'input', /U\+0000/],
  ])('refuses %j naming %s', (input, field, message) => {
    const problem = findUnsafeInput(input)
    expect(problem?.field).toBe(field)
    expect(problem?.message).toMatch(message)
  })

  it.each([
    [{ market: 'MISO', node: "' OR 1=1 --", from: '2026-07-14T05:00:00Z', to: '2026-07-15T05:00:00Z' }],
    [{ quotesCsv: 'contract,block,price\r\n2027-01,on,55.2\n2027-02\toff\t41' }],
    [{ nodes: 'INDIANA.HUB,`x`,=cmd|/c calc' }],
    [{ limit: 5, flag: true, none: null }],
    [undefined],
    [{ contract: '2150-01' }],
  ])('accepts %j', (input) => {
    expect(findUnsafeInput(input)).toBeNull()
  })

  it('refuses input nested too deep', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 20; i++) deep = { a: deep }
    expect(findUnsafeInput(deep)?.message).toMatch(/deeper/)
  })

  it('throws a BAD_REQUEST naming the field', () => {
    expect(() => assertSafeInput({ q: 'A\u0000' })).toThrow(/^q: contains the control character U\+0000$/)
  })
})

describe('storableText', () => {
  it('removes control characters and replaces lone surrogates, keeping tabs and line ends', () => {
    expect(storableText('a\u0000b\u0007c\td\r\ne\ud800')).toBe('abc\td\r\ne\ufffd')
  })
})
