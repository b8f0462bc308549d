import { describe, expect, it } from 'vitest'
import { CurveInputError } from './errors.ts'
import { normalizeQuotes, parseBlock, parseQuotesCsv, type QuoteInput } from './quotes.ts'

function caught(fn: () => unknown): CurveInputError {
  try {
    fn()
  } catch (e) {
    if (e instanceof CurveInputError) return e
    throw e
  }
  throw new Error('expected a CurveInputError')
}

describe('parseQuotesCsv', () => {
  it('parses the minimal header', () => {
    const quotes = parseQuotesCsv('contract,block,price\n2027-01,onpeak,55.5\nCal-2028,atc,48\n')
    expect(quotes).toEqual([
      { contract: { code: '2027-01', kind: 'month', first: '2027-01', last: '2027-01' }, block: 'onpeak', price: 55.5, bid: null, ask: null, line: 2 },
      { contract: { code: 'Cal-2028', kind: 'calendar', first: '2028-01', last: '2028-12' }, block: 'atc', price: 48, bid: null, ask: null, line: 3 },
    ])
  })

  it('takes columns in any order, case-insensitive and trimmed, with bid/ask, CRLF, BOM, blank and # lines', () => {
    const text = '\uFEFF Price , ASK,Contract ,bid, block\r\n# a comment\r\n\r\n40, 41 ,2027-Q3,39.5,Off-Peak\r\n-3.5,,2027-04/2027-05,,peak\r\n'
    const quotes = parseQuotesCsv(text)
    expect(quotes.map((q) => [q.contract.code, q.block, q.price, q.bid, q.ask, q.line])).toEqual([
      ['2027-Q3', 'offpeak', 40, 39.5, 41, 4],
      ['2027-04/2027-05', 'onpeak', -3.5, null, null, 5],
    ])
  })

  it('accepts quoted fields', () => {
    expect(parseQuotesCsv('contract,block,price\n"2027-01","atc","50.25"\n')[0]!.price).toBe(50.25)
  })

  it('keeps exact duplicates (the solver decides)', () => {
    expect(parseQuotesCsv('contract,block,price\n2027-01,atc,50\n2027-01,atc,50\n')).toHaveLength(2)
  })

  it('collects every error of every line, naming file, line, field, contract and value', () => {
    const text = [
      'contract,block,price,bid,ask',
      '2027-01,onpeak,55,,', // fine
      '2027-13,onpeak,55,,', // bad month
      '2027-Q3,onpeek,abc,,', // bad block and bad price
      'Cal-2028,atc,50,51,52', // bid above price
      '2027-02,offpeak,50,49,48', // ask below price and bid above ask
      '2027-03,atc,', // too few fields
      '2027-04,atc,,,', // missing price
      '2027-05,atc,1e999,,', // not finite
    ].join('\n')
    const error = caught(() => parseQuotesCsv(text, { file: 'quotes.csv' }))
    expect(error.name).toBe('CurveInputError')
    expect(error.issues).toEqual([
      expect.objectContaining({ line: 3, field: 'contract', contract: '2027-13', value: '2027-13' }),
      expect.objectContaining({ line: 4, field: 'block', contract: '2027-Q3', value: 'onpeek' }),
      expect.objectContaining({ line: 4, field: 'price', contract: '2027-Q3', value: 'abc' }),
      expect.objectContaining({ line: 5, field: 'bid', contract: 'Cal-2028', value: '51', message: 'bid 51 is above the price 50' }),
      expect.objectContaining({ line: 6, field: 'ask', contract: '2027-02', value: '48', message: 'ask 48 is below the price 50' }),
      expect.objectContaining({ line: 6, field: 'bid', contract: '2027-02', value: '49', message: 'bid 49 is above the ask 48' }),
      expect.objectContaining({ line: 7, message: 'expected 5 fields, found 3' }),
      expect.objectContaining({ line: 8, field: 'price', contract: '2027-04', message: 'missing price' }),
      expect.objectContaining({ line: 9, field: 'price', contract: '2027-05', value: '1e999' }),
    ])
    expect(error.message).toContain('9 curve input problems in quotes.csv')
    expect(error.message).toContain('line 4, field block, contract 2027-Q3, value "onpeek": unknown block')
    expect(error.message).toContain('line 3, field contract, contract 2027-13, value "2027-13"')
  })

  it('reports header problems on line 1', () => {
    const error = caught(() => parseQuotesCsv('contract,prcie,block,block\n2027-01,50,atc,atc\n'))
    expect(error.issues).toEqual([
      expect.objectContaining({ line: 1, field: 'prcie', message: expect.stringMatching(/unknown column/) }),
      expect.objectContaining({ line: 1, field: 'block', message: 'duplicate column' }),
      expect.objectContaining({ line: 1, field: 'price', message: 'missing required column' }),
    ])
    expect(caught(() => parseQuotesCsv('')).issues[0]!.message).toMatch(/empty file/)
  })

  it('returns no quotes for a header-only file', () => {
    expect(parseQuotesCsv('contract,block,price\n')).toEqual([])
  })

  it('refuses prices, bids and asks beyond ±100000 $/MWh, naming line, field and value (-1e308 overflowed the prior)', () => {
    const error = caught(() => parseQuotesCsv('contract,block,price,bid,ask\n2027-01,atc,50,,\n2027-02,atc,-1e308,,\n2027-03,atc,60,-200000,1e6\n'))
    expect(error.issues).toEqual([
      expect.objectContaining({ line: 3, field: 'price', contract: '2027-02', value: '-1e308', message: 'price -1e+308 $/MWh is outside -100000..100000 $/MWh' }),
      expect.objectContaining({ line: 4, field: 'bid', contract: '2027-03', value: '-200000' }),
      expect.objectContaining({ line: 4, field: 'ask', contract: '2027-03', value: '1e6' }),
    ])
    expect(error.message).toContain('line 3, field price, contract 2027-02, value "-1e308"')
    expect(parseQuotesCsv('contract,block,price\n2027-01,atc,-100000\n2027-02,atc,100000\n')).toHaveLength(2)
    const json = caught(() => normalizeQuotes([{ contract: '2027-01', block: 'atc', price: -1e308 }]))
    expect(json.issues).toEqual([expect.objectContaining({ line: 0, field: 'price', value: '-1e+308' })])
  })

  it('rejects numbers that Number() would wrongly accept', () => {
    const error = caught(() => parseQuotesCsv('contract,block,price\n2027-01,atc,0x10\n2027-02,atc, \n'))
    expect(error.issues.map((i) => i.field)).toEqual(['price', 'price'])
  })
})

describe('parseBlock', () => {
  it('knows the aliases', () => {
    expect(['onpeak', 'On-Peak', 'on_peak', 'PEAK', 'on peak'].map(parseBlock)).toEqual(Array(5).fill('onpeak'))
    expect(['offpeak', 'Off-Peak', 'off_peak'].map(parseBlock)).toEqual(Array(3).fill('offpeak'))
    expect(['atc', 'ATC', '7x24', 'around the clock'].map(parseBlock)).toEqual(Array(4).fill('atc'))
    expect(parseBlock('5x16')).toBeUndefined()
  })
})

describe('normalizeQuotes', () => {
  it('validates JSON quotes with the same rules, naming the index', () => {
    const inputs = [
      { contract: '2027-Q1', block: 'onpeak', price: 60, bid: 59, ask: 61 },
      { contract: '2027-Q5', block: 'onpeak', price: 60 },
      { contract: 'Cal-2029', block: 'atc', price: '50' },
      { contract: '2027-02', block: 'offpeak', price: 40, bid: 41 },
      null,
    ] as unknown as QuoteInput[]
    const error = caught(() => normalizeQuotes(inputs))
    expect(error.issues).toEqual([
      expect.objectContaining({ line: 1, field: 'contract', contract: '2027-Q5' }),
      expect.objectContaining({ line: 2, field: 'price', contract: 'Cal-2029', value: '50' }),
      expect.objectContaining({ line: 3, field: 'bid', contract: '2027-02' }),
      expect.objectContaining({ line: 4, field: 'contract', message: 'missing contract' }),
      expect.objectContaining({ line: 4, field: 'block' }),
      expect.objectContaining({ line: 4, field: 'price', message: 'missing price' }),
    ])
  })

  it('returns plain quotes with line null', () => {
    const [q] = normalizeQuotes(JSON.parse('[{ "contract": "cal-2030", "block": "7x24", "price": 45, "bid": null }]') as QuoteInput[])
    expect(q).toEqual({ contract: { code: 'Cal-2030', kind: 'calendar', first: '2030-01', last: '2030-12' }, block: 'atc', price: 45, bid: null, ask: null, line: null })
  })
})
