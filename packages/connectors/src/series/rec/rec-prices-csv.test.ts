import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { thrown } from '../../test-helpers.ts'
import { REC_FIXTURE_DIR, REC_PRICES_SAMPLE_FIXTURE } from './fixtures.ts'
import { parseRecPricesCsv, REC_PRICES_CSV_SOURCE } from './rec-prices-csv.ts'
import { REC_SERIES_SOURCES } from './sources.ts'

const FILE = REC_PRICES_SAMPLE_FIXTURE
const bytes = new Uint8Array(readFileSync(new URL(FILE, REC_FIXTURE_DIR)))
const encode = (text: string) => new TextEncoder().encode(text)

const HEADER = 'date,state,program,class,vintage,price,bid,ask,source_note'
/** A file of the header and `rows`, parsed as `built.csv`. */
const parseRows = (...rows: string[]) => parseRecPricesCsv(encode([HEADER, ...rows].join('\n')), 'built.csv')
const GOOD = '2026-09-01,NJ,RPS,SOLAR,2027,192.50,190.00,195.00,broker'

describe('REC price CSV: the sample file (our layout, sample values)', () => {
  const result = parseRecPricesCsv(bytes, FILE)
  const quote = (series: string, date: string) => result.records.find((r) => r.series === series && r.periodStart === `${date}T00:00:00.000Z`)

  it('reads 23 quotes of 10 series, no issues, every record canonical', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(23)
    expect(new Set(result.records.map((r) => r.series)).size).toBe(10)
    for (const record of result.records) expect(SeriesRecord.parse(record)).toEqual(record)
  })

  it('reads the check values', () => {
    expect(result.records[0]).toEqual({
      product: 'REC',
      market: null,
      series: 'REC.NJ.SOLAR.2027',
      measure: 'price',
      frequency: 'day',
      periodStart: '2026-09-01T00:00:00.000Z',
      periodEnd: '2026-09-02T00:00:00.000Z',
      value: 192.5,
      unit: '$/MWh',
      attributes: { state: 'NJ', program: 'RPS', class: 'SOLAR', vintage: '2027', bid: '190', ask: '195', note: 'broker indication, mid' },
      source: REC_PRICES_CSV_SOURCE,
      publishedAt: null,
    })
    expect(quote('REC.NJ.TREC.2027', '2026-09-01')?.attributes).toEqual({
      state: 'NJ',
      program: 'RPS',
      class: 'TREC',
      vintage: '2027',
      note: 'TREC base price before the project factor',
    })
    expect(quote('REC.MA.CLASS_I.2026', '2026-09-15')).toMatchObject({ value: 36.25, attributes: { bid: '35.75', ask: '36.75' } })
    expect(quote('REC.TX.GENERAL.2026', '2026-10-01')).toMatchObject({ value: 4.5, attributes: { program: 'RPS', bid: '4.25', ask: '4.75' } })
    expect(quote('REC.CA.PCC1.2026', '2026-10-01')?.attributes).toEqual({ state: 'CA', program: 'RPS', class: 'PCC1', vintage: '2026' })
    expect(quote('REC.CA.PCC1.2026', '2026-10-01')?.value).toBe(19.25)
  })

  it('is registered as a documented REC source', () => {
    const source = REC_SERIES_SOURCES[REC_PRICES_CSV_SOURCE]
    expect(source).toMatchObject({ product: 'REC', verified: 'documented' })
    expect(source.parse(bytes, FILE)).toEqual(result)
  })
})

describe('REC price CSV: files that are not one', () => {
  it.each([
    ['a renamed column', HEADER.replace('price,', 'mid,'), 'price', 'mid'],
    ['a column left out', HEADER.replace(',source_note', ''), 'source_note', ''],
    ['an extra column', `${HEADER},broker`, 'column 10', 'broker'],
    ['columns in another order', 'state,date,program,class,vintage,price,bid,ask,source_note', 'date', 'state'],
    ['no header (a data row first)', GOOD, 'date', '2026-09-01'],
  ])('names %s in the header', (_, header, field, value) => {
    const error = thrown(() => parseRecPricesCsv(encode(`${header}\n${GOOD}\n`), 'quotes.csv'))
    expect(error).toMatchObject({ file: 'quotes.csv', line: 1, field, value })
    expect(error.message).toMatch(/^quotes\.csv line 1, /)
    expect(error.reason).toBe(`header changed: expected REC price columns "${HEADER}"`)
  })

  it('names an empty file, an HTML page and a header without quotes', () => {
    expect(thrown(() => parseRecPricesCsv(new Uint8Array(0), 'empty.csv'))).toMatchObject({ file: 'empty.csv', reason: 'empty file' })
    const html = thrown(() => parseRecPricesCsv(encode('<!DOCTYPE html><html><body>Sign in</body></html>'), 'page.csv'))
    expect(html.message).toMatch(/^page\.csv line 1, \(file\): an HTML page/)
    const bare = thrown(() => parseRecPricesCsv(encode(`${HEADER}\r\n\r\n`), 'bare.csv'))
    expect(bare).toMatchObject({ file: 'bare.csv', line: 2, reason: 'no quotes below the header' })
  })
})

describe('REC price CSV: bad cells are issues naming line, field and value', () => {
  it.each([
    ['a state that is not one', '2026-09-01,XX,RPS,SOLAR,2027,192.50,,,', 'state', 'XX', 'not a two-letter US state or Canadian province code'],
    ['a state in lower case', '2026-09-01,nj,RPS,SOLAR,2027,192.50,,,', 'state', 'nj', 'state in upper case: write NJ'],
    ['a class spelled another way', '2026-09-01,MA,RPS,Class 1,2026,36.50,,,', 'class', 'Class 1', 'unknown class spelling: write CLASS_I'],
    ['a tier in Roman numerals', '2026-09-01,PA,AEPS,Tier I,2027,29.75,,,', 'class', 'Tier I', 'unknown class spelling: write TIER_1'],
    ['an SREC class', '2026-09-01,NJ,RPS,SREC,2027,192.50,,,', 'class', 'SREC', 'unknown class spelling: write SOLAR'],
    ['an unknown class', '2026-09-01,NJ,RPS,OFFSHORE,2027,192.50,,,', 'class', 'OFFSHORE', expect.stringMatching(/^unknown class: one of SOLAR, TREC, CLASS_I/)],
    ['a vintage that is not a year', '2026-09-01,NJ,RPS,SOLAR,EY27,192.50,,,', 'vintage', 'EY27', 'not a year (YYYY)'],
    ['a vintage six years out', '2026-09-01,NJ,RPS,SOLAR,2032,192.50,,,', 'vintage', '2032', "more than 5 years after the quote date's year (2026)"],
    ['a negative price', '2026-09-01,NJ,RPS,SOLAR,2027,-1.50,,,', 'price', '-1.50', 'price is negative'],
    ['a price that is not a number', '2026-09-01,NJ,RPS,SOLAR,2027,$192.50,,,', 'price', '$192.50', 'price is not a number ($/MWh)'],
    ['a price missing', '2026-09-01,NJ,RPS,SOLAR,2027,,190,195,', 'price', '', 'price missing'],
    ['a bid above the ask', '2026-09-01,NJ,RPS,SOLAR,2027,192.50,196.00,195.00,', 'bid', '196.00', 'bid above the ask (195.00)'],
    ['an ask that is not a number', '2026-09-01,NJ,RPS,SOLAR,2027,192.50,190,n/a,', 'ask', 'n/a', 'ask is not a number ($/MWh)'],
    ['a date that does not exist', '2027-02-29,NJ,RPS,SOLAR,2027,192.50,,,', 'date', '2027-02-29', 'not a date (YYYY-MM-DD)'],
    ['a US-style date', '09/01/2026,NJ,RPS,SOLAR,2027,192.50,,,', 'date', '09/01/2026', 'not a date (YYYY-MM-DD)'],
    ['a program in lower case', '2026-09-01,NJ,rps,SOLAR,2027,192.50,,,', 'program', 'rps', expect.stringMatching(/^not a program name/)],
    ['a program missing', '2026-09-01,NJ,,SOLAR,2027,192.50,,,', 'program', '', 'program missing'],
    ['a note too long', `2026-09-01,NJ,RPS,SOLAR,2027,192.50,,,${'x'.repeat(129)}`, 'source_note', 'x'.repeat(129), 'longer than 128 characters'],
    ['a row cut short', '2026-09-01,NJ,RPS,SOLAR,2027,192.50', 'bid', '', 'row has 6 of 9 columns (truncated?)'],
  ])('%s', (_, row, field, value, reason) => {
    const result = parseRows(GOOD.replace('2026-09-01', '2026-08-31'), row)
    expect(result.errors).toEqual([{ file: 'built.csv', line: 3, field, value, reason }])
    expect(result.records.map((r) => r.series)).toEqual(['REC.NJ.SOLAR.2027'])
  })

  it('names every bad cell of a row, and keeps the good rows around it', () => {
    const result = parseRows(GOOD, '2026-13-01,ZZ,RPS,Solar,20x7,-3,,,', '2026-09-01,MA,RPS,CLASS_I,2026,36.50,,,')
    expect(result.errors.map(({ line, field, value }) => [line, field, value])).toEqual([
      [3, 'date', '2026-13-01'],
      [3, 'state', 'ZZ'],
      [3, 'class', 'Solar'],
      [3, 'vintage', '20x7'],
      [3, 'price', '-3'],
    ])
    expect(result.records.map((r) => r.series)).toEqual(['REC.NJ.SOLAR.2027', 'REC.MA.CLASS_I.2026'])
  })

  it('names a second quote of a series on a date, and a series that changes program', () => {
    const result = parseRows(GOOD, '2026-09-02,NJ,RPS,SOLAR,2027,193,,,', GOOD.replace('192.50', '193.00'), '2026-09-03,NJ,SREC-II,SOLAR,2027,194,,,')
    expect(result.errors).toEqual([
      { file: 'built.csv', line: 4, field: 'date', value: '2026-09-01', reason: 'REC.NJ.SOLAR.2027 already quoted for 2026-09-01 on line 2' },
      { file: 'built.csv', line: 5, field: 'program', value: 'SREC-II', reason: 'REC.NJ.SOLAR.2027 is program RPS on line 2' },
    ])
    expect(result.records.map((r) => [r.periodStart.slice(0, 10), r.value])).toEqual([
      ['2026-09-01', 192.5],
      ['2026-09-02', 193],
    ])
  })

  it('accepts a bid equal to the ask, a zero price and a bid or ask alone', () => {
    const result = parseRows('2026-09-01,TX,RPS,GENERAL,2026,0,0,0,', '2026-09-01,NJ,RPS,CLASS_I,2027,31.25,31,,', '2026-09-01,PA,AEPS,TIER_1,2027,29.75,,30.25,')
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => [r.value, r.attributes.bid, r.attributes.ask])).toEqual([
      [0, '0', '0'],
      [31.25, '31', undefined],
      [29.75, undefined, '30.25'],
    ])
  })
})

describe('REC price CSV: dates and vintages', () => {
  it('stores the quote date as its UTC-midnight day, leap day included', () => {
    const [record] = parseRows('2028-02-29,NJ,RPS,SOLAR,2028,180,,,').records
    expect(record).toMatchObject({ periodStart: '2028-02-29T00:00:00.000Z', periodEnd: '2028-03-01T00:00:00.000Z', publishedAt: null })
  })

  it("bounds the vintage by the quote date's year, not the date: 31 December takes year + 5, 1 January no more", () => {
    const result = parseRows('2026-12-31,MA,RPS,CLASS_I,2031,40,,,', '2027-01-01,MA,RPS,CLASS_I,2032,40,,,', '2027-01-01,MA,RPS,CLASS_I,2033,40,,,')
    expect(result.records.map((r) => r.series)).toEqual(['REC.MA.CLASS_I.2031', 'REC.MA.CLASS_I.2032'])
    expect(result.errors).toEqual([{ file: 'built.csv', line: 4, field: 'vintage', value: '2033', reason: "more than 5 years after the quote date's year (2027)" }])
  })

  it('reads a spreadsheet export: byte-order mark, CRLF, blank lines, quoted cells and trailing blanks', () => {
    const text = `\ufeff${HEADER}\r\n"2026-09-01","NJ","RPS","SOLAR","2027","192.50","","",""\r\n\r\n,,,,,,,,\r\n2026-09-01,ON,CES,CLASS_I,2026, 12.00 ,,,"said ""firm"""\r\n`
    const result = parseRecPricesCsv(encode(text), 'export.csv')
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => [r.series, r.value, r.attributes.note])).toEqual([
      ['REC.NJ.SOLAR.2027', 192.5, undefined],
      ['REC.ON.CLASS_I.2026', 12, 'said "firm"'],
    ])
  })
})
