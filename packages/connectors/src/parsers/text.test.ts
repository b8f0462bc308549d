import { describe, expect, it } from 'vitest'
import { CellMemo, CellRanges, isBlank, isBlankAt, JsonScan, LineCursor, numberAt, readNumber, splitCsvLine, splitLines } from './text.ts'

/** readNumber as it was written first: the grammar as a regex, then Number(). The fast reader must agree. */
function referenceNumber(raw: string): number | null {
  const text = raw.trim()
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return null
  const value = Number(text)
  return Number.isFinite(value) ? value : null
}

/** Deterministic pseudo-random numbers. */
function random(seed: number): () => number {
  let state = seed
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
}

/** All lines of a text as LineCursor gives them. */
function cursorLines(text: string): string[] {
  const cursor = new LineCursor(text)
  const lines: string[] = []
  while (cursor.next()) {
    expect(cursor.number).toBe(lines.length + 1)
    lines.push(cursor.line())
  }
  return lines
}

describe('readNumber', () => {
  const cases = [
    '12.5', '-.92', '+3', '1.', '.5', '0', '-0', '-0.00', '007', '1e3', '1E-3', '2.5e+2', '1e400', '-1e400', '12345678901234567890',
    '0.1234567890123456789', '9007199254740993', '999999999999999.9', '37.82', '0.1', '0.3', '1.15', '-1.255',
    '', ' ', '.', '-', '+', 'e5', '1e', '1e+', '1.2.3', '0x10', 'Infinity', 'NaN', '1_000', '١٢', ' 12.5 ', '\t7\n', '\u00a012\u00a0', '\ufeff5', '5 5',
  ]
  it.each(cases)('reads %j as the regex and Number() do', (text) => {
    expect(Object.is(readNumber(text), referenceNumber(text))).toBe(true)
  })

  it('agrees with the regex and Number() on random decimals', () => {
    const next = random(7)
    for (let i = 0; i < 20_000; i++) {
      const int = String(Math.floor(next() * 10 ** Math.floor(next() * 18)))
      const frac = String(Math.floor(next() * 10 ** Math.floor(next() * 18))).padStart(Math.floor(next() * 6), '0')
      const text = `${next() < 0.3 ? '-' : ''}${next() < 0.1 ? '' : int}${next() < 0.8 ? `.${frac}` : ''}`
      expect(readNumber(text)).toBe(referenceNumber(text))
    }
  })

  it('reads JSON numbers and refuses other types', () => {
    expect(readNumber(1.5)).toBe(1.5)
    expect(readNumber(Number.POSITIVE_INFINITY)).toBeNull()
    expect(readNumber(null)).toBeNull()
  })

  it('reads a cell in place, trimmed', () => {
    expect(numberAt('a, 12.5 ,b', 2, 8)).toBe(12.5)
    expect(numberAt('a,12.5,b', 2, 6)).toBe(12.5)
    expect(numberAt('a,,b', 2, 2)).toBeNull()
  })
})

describe('LineCursor', () => {
  it.each([
    ['', 'empty'],
    ['a', 'one line'],
    ['a\nb\n', 'LF'],
    ['a\r\nb\r\n', 'CRLF'],
    ['a\rb\r', 'CR'],
    ['a\r\r\nb\n\rc\r', 'mixed'],
    ['\n\n', 'blank lines'],
  ])('cuts %j as splitLines does (%s)', (text) => {
    expect(cursorLines(text)).toEqual(splitLines(text))
  })

  it('cuts random mixes of line ends as splitLines does', () => {
    const next = random(3)
    const parts = ['a', 'b,c', '\n', '\r', '\r\n', ' ', '"']
    for (let i = 0; i < 500; i++) {
      let text = ''
      for (let j = 0; j < 30; j++) text += parts[Math.floor(next() * parts.length)]
      expect(cursorLines(text)).toEqual(splitLines(text))
    }
  })

  it('finds the commas of a line of the expected width without quotes, and only then', () => {
    const check = (text: string, columns: number) => {
      const cursor = new LineCursor(text)
      cursor.next()
      const commas = new Int32Array(columns)
      return cursor.commas(columns, commas) ? [...commas] : null
    }
    expect(check('a,b,c\nd,e', 3)).toEqual([1, 3, 5])
    expect(check('a,b\nc,d,e', 3)).toBeNull()
    expect(check('a,b,c,d\n', 3)).toBeNull()
    expect(check('a,"b",c\n', 3)).toBeNull()
    expect(check('a,b,c\n"d"', 3)).toEqual([1, 3, 5])
  })
})

describe('CellRanges', () => {
  it('reads a line in place as splitCsvLine splits it', () => {
    const lines = ['a, b ,c', ' x ,,\u00a0y\u00a0', '1,2,3']
    const cursor = new LineCursor(lines.join('\r\n'))
    const cells = new CellRanges(3)
    for (const line of lines) {
      cursor.next()
      expect(cells.readLine(cursor)).toBe(true)
      expect([0, 1, 2].map((i) => cells.cell(i))).toEqual(splitCsvLine(line))
    }
  })

  it('reads split cells (a quoted row) the same way', () => {
    const cells = new CellRanges(3)
    cells.readCells(splitCsvLine('"a,b", 12.5 ,"c""d"'))
    expect([cells.cell(0), cells.number(1), cells.cell(2)]).toEqual(['a,b', 12.5, 'c"d'])
  })

  it('tells blank lines as isBlank does', () => {
    for (const line of ['', ' ', ',,,', ' , ', '\u00a0', 'a', ' a', ',a'])
      expect(isBlankAt(`x\n${line}\ny`, 2, 2 + line.length)).toBe(isBlank(line))
  })
})

describe('splitCsvLine', () => {
  it('trims only what trim removes', () => {
    expect(splitCsvLine(' a ,b\t,\u00a0c,d\u2003,é')).toEqual(['a', 'b', 'c', 'd', 'é'])
  })
})

describe('CellMemo', () => {
  it('computes once per distinct trimmed text and gives the text back', () => {
    const seen: string[] = []
    const memo = new CellMemo((text) => {
      seen.push(text)
      return text.length
    })
    const text = 'ab,cd,ab, ab ,cd'
    expect(memo.get(text, 0, 2)).toBe(2)
    expect(memo.get(text, 3, 5)).toBe(2)
    expect(memo.get(text, 6, 8)).toBe(2)
    expect(memo.get(text, 9, 13)).toBe(2)
    expect(memo.text()).toBe('ab')
    expect(memo.get(text, 14, 16)).toBe(2)
    expect(seen).toEqual(['ab', 'cd'])
  })
})

describe('JsonScan', () => {
  it('reads strings without escapes and refuses the rest', () => {
    const scan = new JsonScan(' { "a" : [ "x" , "y" ] } ')
    expect(scan.punct(123)).toBe(true)
    expect(scan.key('a')).toBe(true)
    expect(scan.punct(91)).toBe(true)
    const cells = new Int32Array(4)
    expect(scan.stringsOf(2, cells)).toBe(true)
    expect(scan.punct(125)).toBe(true)
    expect(scan.atEnd()).toBe(true)
    expect(new JsonScan('"a\\"b"').string()).toBeNull()
    expect(new JsonScan('"a\nb"').string()).toBeNull()
    expect(new JsonScan('"ab').string()).toBeNull()
    expect(new JsonScan('5').string()).toBeNull()
  })
})
