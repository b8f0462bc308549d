import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { thrown } from '../../test-helpers.ts'
import { LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0805, WNGSR_LNG_FIXTURE_0923 } from './fixtures.ts'
import { decodeEntities, listItems } from './html-items.ts'
import { LNG_SERIES_SOURCES } from './sources.ts'
import { fetchDateOfName, parseWngsrLngPrices, readChange, WNGSR_LNG_SOURCE, weekEndingBefore } from './wngsr-lng.ts'

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, LNG_FIXTURE_DIR)))
const served0923 = fixture(WNGSR_LNG_FIXTURE_0923)
const served0805 = fixture(WNGSR_LNG_FIXTURE_0805)
const text0923 = new TextDecoder().decode(served0923)
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** The September fragment with `from` replaced by `to` (the edit must apply). */
function edited(from: string | RegExp, to: string): Uint8Array {
  const text = text0923.replace(from, to)
  expect(text).not.toBe(text0923)
  return bytes(text)
}

const value = (records: SeriesRecord[], series: string) => records.find((r) => r.series === series)

describe('EIA WNGSR LNG bullet (served fragments)', () => {
  it('reads the week ending 2026-09-23: TTF 25.15 down 2.11, JKM 26.41 up 0.97', () => {
    const { records, errors } = parseWngsrLngPrices(served0923, WNGSR_LNG_FIXTURE_0923)
    expect(errors).toEqual([])
    expect(records).toEqual([
      {
        product: 'LNG',
        market: null,
        series: 'TTF',
        measure: 'price',
        frequency: 'week',
        periodStart: '2026-09-17T00:00:00.000Z',
        periodEnd: '2026-09-24T00:00:00.000Z',
        value: 25.15,
        unit: '$/MMBtu',
        attributes: {
          benchmark: 'TTF',
          name: 'Title Transfer Facility (TTF), Europe',
          statistic: 'weekly average',
          weekEnding: '2026-09-23',
          changeFromPreviousWeek: '-2.11',
        },
        source: 'eia.ng.wngsr_lng_prices',
        publishedAt: null,
      },
      {
        product: 'LNG',
        market: null,
        series: 'JKM',
        measure: 'price',
        frequency: 'week',
        periodStart: '2026-09-17T00:00:00.000Z',
        periodEnd: '2026-09-24T00:00:00.000Z',
        value: 26.41,
        unit: '$/MMBtu',
        attributes: {
          benchmark: 'JKM',
          name: 'Japan-Korea Marker (JKM), Northeast Asia',
          statistic: 'weekly average',
          weekEnding: '2026-09-23',
          changeFromPreviousWeek: '0.97',
        },
        source: 'eia.ng.wngsr_lng_prices',
        publishedAt: null,
      },
    ])
  })

  it('reads the week ending 2026-08-05 (the Internet Archive capture): TTF 19.14, JKM 21.23', () => {
    const { records, errors } = parseWngsrLngPrices(served0805, WNGSR_LNG_FIXTURE_0805)
    expect(errors).toEqual([])
    expect(records.map((r) => [r.series, r.value, r.attributes.changeFromPreviousWeek, r.periodStart, r.periodEnd])).toEqual([
      ['TTF', 19.14, '-1.03', '2026-07-30T00:00:00.000Z', '2026-08-06T00:00:00.000Z'],
      ['JKM', 21.23, '-0.37', '2026-07-30T00:00:00.000Z', '2026-08-06T00:00:00.000Z'],
    ])
  })

  it('emits only canonical series records', () => {
    for (const [file, data] of [
      [WNGSR_LNG_FIXTURE_0923, served0923],
      [WNGSR_LNG_FIXTURE_0805, served0805],
    ] as const) {
      for (const record of parseWngsrLngPrices(data, file).records) expect(SeriesRecord.parse(record)).toEqual(record)
    }
  })

  it('is the registry entry eia.ng.wngsr_lng_prices (LNG, served)', () => {
    expect(LNG_SERIES_SOURCES['eia.ng.wngsr_lng_prices']).toMatchObject({ product: 'LNG', verified: 'served', parse: parseWngsrLngPrices })
    expect(Object.keys(LNG_SERIES_SOURCES)).toEqual([WNGSR_LNG_SOURCE])
  })

  it('reads the same prices whatever the line endings', () => {
    const lf = bytes(text0923.replace(/\r\n/g, '\n'))
    expect(parseWngsrLngPrices(lf, WNGSR_LNG_FIXTURE_0923)).toEqual(parseWngsrLngPrices(served0923, WNGSR_LNG_FIXTURE_0923))
  })
})

describe('EIA WNGSR LNG bullet: the year of the week ending', () => {
  it('takes it from the YYYY-MM-DD fetch date in the file name', () => {
    expect(fetchDateOfName('/data/eia/2026/bullets_lng_2_2026-09-24.html')).toBe('2026-09-24')
    expect(fetchDateOfName('bullets_lng_2.html')).toBeNull()
    expect(fetchDateOfName('bullets_lng_2_2026-02-30.html')).toBeNull()
  })

  it('is the latest such day on or before the fetch date, across a new year', () => {
    expect(weekEndingBefore(11, 30, '2027-01-07')).toBe('2026-12-30')
    expect(weekEndingBefore(0, 6, '2027-01-07')).toBe('2027-01-06')
    expect(weekEndingBefore(8, 23, '2026-09-23')).toBe('2026-09-23')
    expect(weekEndingBefore(1, 29, '2028-03-02')).toBe('2028-02-29')
  })

  it('refuses a day more than 31 days before the fetch date (a mislabelled file)', () => {
    expect(weekEndingBefore(8, 23, '2026-10-24')).toBe('2026-09-23')
    expect(weekEndingBefore(8, 23, '2026-10-25')).toBeNull()
    expect(weekEndingBefore(8, 24, '2026-09-23')).toBeNull()
    expect(weekEndingBefore(1, 29, '2027-03-01')).toBeNull()
  })

  it('reads a heading across the new year from the fetch date', () => {
    const fragment = edited('September 23', 'December 30')
    const { records } = parseWngsrLngPrices(fragment, 'bullets_lng_2_2027-01-07.html')
    expect(records[0]).toMatchObject({ periodStart: '2026-12-24T00:00:00.000Z', periodEnd: '2026-12-31T00:00:00.000Z' })
    expect(records[0]?.attributes.weekEnding).toBe('2026-12-30')
  })

  it('uses a year written in the text, with no date in the file name', () => {
    for (const heading of ['September 23, 2026', 'Sept. 23, 2026', 'Sep 23rd 2026']) {
      const { records } = parseWngsrLngPrices(edited('September 23', heading), 'bullets_lng_2.html')
      expect(records.map((r) => r.attributes.weekEnding)).toEqual(['2026-09-23', '2026-09-23'])
    }
  })

  it('names the file when the year cannot be known', () => {
    const error = thrown(() => parseWngsrLngPrices(served0923, 'bullets_lng_2.html'))
    expect(error).toMatchObject({ file: 'bullets_lng_2.html', line: 2, field: 'week ending', value: 'For the week ending September 23:' })
    expect(error.message).toMatch(/^bullets_lng_2\.html line 2, week ending: the date has no year and the file name carries no YYYY-MM-DD/)
  })

  it('names a fetch date too far after the week', () => {
    const error = thrown(() => parseWngsrLngPrices(served0923, 'bullets_lng_2_2026-12-01.html'))
    expect(error.reason).toBe('no such date within 31 days on or before 2026-12-01 (the fetch date in the file name)')
  })

  it('names a month or a day that does not exist', () => {
    expect(thrown(() => parseWngsrLngPrices(edited('September 23', 'Smarch 23'), WNGSR_LNG_FIXTURE_0923)).reason).toBe('"Smarch" is not a month')
    expect(thrown(() => parseWngsrLngPrices(edited('September 23', 'September 31, 2026'), 'x.html')).reason).toBe('not a calendar date')
  })
})

describe('EIA WNGSR LNG bullet: the week-on-week change', () => {
  it('reads the served wordings', () => {
    expect(readChange(', $2.11 lower than the previous week.')).toBe(-2.11)
    expect(readChange(', $1.03/MMBtu lower than the previous week.')).toBe(-1.03)
    expect(readChange(', 97 cents higher than the previous week. ')).toBe(0.97)
  })

  it('reads the same wordings the other way, a single cent and an unchanged week', () => {
    expect(readChange(', $0.50/MMBtu higher than the previous week.')).toBe(0.5)
    expect(readChange(', 1 cent lower than the previous week.')).toBe(-0.01)
    expect(readChange(', unchanged from the previous week.')).toBe(0)
    expect(readChange('.')).toBeNull()
  })

  it('keeps an unchanged week as "0"', () => {
    const { records, errors } = parseWngsrLngPrices(edited('97 cents higher than', 'unchanged from'), WNGSR_LNG_FIXTURE_0923)
    expect(errors).toEqual([])
    expect(value(records, 'JKM')?.attributes.changeFromPreviousWeek).toBe('0')
  })

  it('keeps the price without a change it cannot read, and says so', () => {
    const { records, errors } = parseWngsrLngPrices(edited('$2.11 lower than the previous week', 'about the same as last week'), WNGSR_LNG_FIXTURE_0923)
    expect(value(records, 'TTF')?.value).toBe(25.15)
    expect(value(records, 'TTF')?.attributes).not.toHaveProperty('changeFromPreviousWeek')
    expect(errors).toEqual([
      expect.objectContaining({ file: WNGSR_LNG_FIXTURE_0923, line: 4, field: 'change', value: ', about the same as last week.' }),
    ])
    expect(errors[0]?.reason).toMatch(/^TTF week-on-week change not read/)
  })

  it('keeps a price whose sentence states no change, with no issue', () => {
    const { records, errors } = parseWngsrLngPrices(edited(', $2.11 lower than the previous week', ''), WNGSR_LNG_FIXTURE_0923)
    expect(errors).toEqual([])
    expect(value(records, 'TTF')?.attributes).not.toHaveProperty('changeFromPreviousWeek')
  })
})

describe('EIA WNGSR LNG bullet: fragments that are not it', () => {
  it('names a fragment without the JKM price', () => {
    const error = thrown(() => parseWngsrLngPrices(edited(/<li>The Japan-Korea Marker[^\n]*\n/, ''), WNGSR_LNG_FIXTURE_0923))
    expect(error).toMatchObject({ file: WNGSR_LNG_FIXTURE_0923, line: 2, field: 'JKM', value: 'For the week ending September 23:' })
    expect(error.reason).toBe('no JKM weekly average ("(JKM) ... averaged $X/MMBtu") for the week ending 2026-09-23')
  })

  it('names the item of a price whose wording changed', () => {
    const error = thrown(() => parseWngsrLngPrices(edited('price averaged $26.41/MMBtu', 'price rose to $26.41/MMBtu'), WNGSR_LNG_FIXTURE_0923))
    expect(error).toMatchObject({ line: 5, field: 'JKM' })
    expect(error.value).toMatch(/^The Japan-Korea Marker \(JKM\) price rose to \$26\.41\/MMBtu/)
    expect(error.reason).toMatch(/wording changed\?$/)
  })

  it('names a price in another unit', () => {
    const error = thrown(() => parseWngsrLngPrices(edited('$25.15/MMBtu', '€80.10/MWh'), WNGSR_LNG_FIXTURE_0923))
    expect(error).toMatchObject({ line: 4, field: 'TTF' })
  })

  it('names a fragment without a week heading, and a price before it', () => {
    const noHeading = edited('<li>For the week ending September 23:</li>', '<li>Prices this week:</li>')
    const error = thrown(() => parseWngsrLngPrices(noHeading, WNGSR_LNG_FIXTURE_0923))
    expect(error).toMatchObject({ line: 4, field: 'TTF', reason: 'a price before any "For the week ending" item' })
    const onlyRemarks = bytes('<ul>\r\n<li>EU gas inventories were 70% full.</li>\r\n</ul>')
    expect(thrown(() => parseWngsrLngPrices(onlyRemarks, 'x_2026-09-24.html'))).toMatchObject({ field: 'week ending', reason: 'no "For the week ending <Month> <day>" item' })
  })

  it('names a second price for the same week', () => {
    const twice = edited('<li>EU gas', '<li>The price at the Title Transfer Facility (TTF) in Europe averaged $24.00/MMBtu.</li><li>EU gas')
    const error = thrown(() => parseWngsrLngPrices(twice, WNGSR_LNG_FIXTURE_0923))
    expect(error).toMatchObject({ line: 6, field: 'TTF', reason: 'a second TTF price for the week ending 2026-09-23 (first on line 4)' })
  })

  it('names the same week twice', () => {
    const again = bytes(text0923.replace(/<\/ul>$/, '') + text0923.replace(/^<ul>/, ''))
    const error = thrown(() => parseWngsrLngPrices(again, WNGSR_LNG_FIXTURE_0923))
    expect(error).toMatchObject({ line: 11, field: 'week ending', reason: 'the week ending 2026-09-23 again (first on line 2)' })
  })

  it('names an HTML error page, an empty file and a JSON answer', () => {
    const page = bytes('<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Page not found</body></html>')
    const error = thrown(() => parseWngsrLngPrices(page, 'bullets_lng_2_2026-09-24.html'))
    expect(error.message).toMatch(/^bullets_lng_2_2026-09-24\.html line 1, \(file\): an HTML page instead of the LNG bullet fragment/)
    expect(thrown(() => parseWngsrLngPrices(bytes(' \r\n'), 'empty.html'))).toMatchObject({ file: 'empty.html', reason: 'empty file' })
    expect(thrown(() => parseWngsrLngPrices(bytes('{"error":"busy"}'), 'x.html')).reason).toBe('no list items (<li>): not the LNG bullet fragment')
  })
})

describe('EIA WNGSR LNG bullet: structure', () => {
  it('ignores prices inside HTML comments', () => {
    const commented = edited('<!--li>This is', '<!--li>The Japan-Korea Marker (JKM) price averaged $99.99/MMBtu.</li><li>This is')
    const { records } = parseWngsrLngPrices(commented, WNGSR_LNG_FIXTURE_0923)
    expect(records.map((r) => r.value)).toEqual([25.15, 26.41])
  })

  it('reads two weeks in one fragment, each with its own prices (an older week needs its year)', () => {
    const august = new TextDecoder().decode(served0805).replace(/^<ul>/, '').replace('August 5', 'August 5, 2026')
    const both = bytes(text0923.replace(/<\/ul>$/, '') + august)
    const { records } = parseWngsrLngPrices(both, 'bullets_lng_2_2026-09-24.html')
    expect(records.map((r) => `${r.attributes.weekEnding} ${r.series} ${r.value}`)).toEqual([
      '2026-09-23 TTF 25.15',
      '2026-09-23 JKM 26.41',
      '2026-08-05 TTF 19.14',
      '2026-08-05 JKM 21.23',
    ])
  })

  it('splits list items with their lines, nested lists and entities', () => {
    expect(listItems('<ul>\n<li>A <a href="x">link</a>\n<ul><li>B&ndash;C&nbsp;D</li></ul></li>\n<!--li>E</li-->\n</ul>')).toEqual([
      { text: 'A link', line: 2 },
      { text: 'B\u2013C D', line: 3 },
    ])
    expect(decodeEntities('&#36;1 &#x24;2 &amp; &unknown;')).toBe('$1 $2 & &unknown;')
  })
})
