/**
 * The parsers read the usual file in place (CSV cells between commas, JSON strings without
 * JSON.parse) and fall back to the general path (splitCsvLine, JSON.parse) for anything else.
 * These tests give both paths the same content, with bad rows in it, and require the same
 * records and the same issues (file, line, field, value, reason).
 */
import { describe, expect, it } from 'vitest'
import { readFixture } from '../test-helpers.ts'
import { parseCaisoOasis } from './caiso-oasis.ts'
import { parseMisoRt5ExPost } from './miso-api-rt5-expost.ts'
import { parseMisoMarketReport } from './miso-market-report.ts'

/** Every cell of every line from `from` (1-based) on, quoted: the same cells, read by splitCsvLine. */
const quoted = (text: string, from: number) =>
  text
    .split('\n')
    .map((line, i) => (i + 1 < from || /^[\s,]*$/.test(line) ? line : line.split(',').map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',')))
    .join('\n')

/** The text with line `n` (1-based) replaced. */
const withLine = (text: string, n: number, edit: (line: string) => string) =>
  text
    .split('\n')
    .map((line, i) => (i === n - 1 ? edit(line) : line))
    .join('\n')

/** Cell `column` of line `n` replaced. */
const withCell = (text: string, n: number, column: number, value: string) =>
  withLine(text, n, (line) => line.split(',').map((cell, i) => (i === column ? value : cell)).join(','))

describe('CAISO OASIS in place and split', () => {
  const header = 'INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,OPR_DT,OPR_HR,NODE_ID_XML,NODE_ID,NODE,MARKET_RUN_ID,LMP_TYPE,XML_DATA_ITEM,PNODE_RESMRID,GRP_TYPE,POS,VALUE,OPR_INTERVAL,GROUP'
  const rows: string[] = []
  for (const node of ['B_NODE', 'A_NODE'])
    for (const [type, value] of [['MCE', '30.5'], ['MCC', '-1.25'], ['LMP', '29.75'], ['MCL', '0.5']])
      for (const minute of ['00', '05', '10'])
        rows.push(
          `2026-07-20T17:${minute}:00-00:00,2026-07-20T17:${String(Number(minute) + 5).padStart(2, '0')}:00-00:00,2026-07-20,11,${node},${node},${node},RTM,${type},LMP_PRC,${node},ALL_APNODES,0,${value},1,1`
        )
  let text = [header, ...rows].join('\n') + '\n'
  text = withCell(text, 3, 13, 'x')
  text = withCell(text, 4, 8, 'LMPX')
  text = withCell(text, 5, 7, ' DAM ')
  text = withCell(text, 6, 0, '2026-07-20 17:00')
  text = withCell(text, 7, 1, '2026-07-20T17:30:00-00:00')
  text = withCell(text, 8, 6, ' ')
  text = withCell(text, 9, 13, ' 7.5 ')
  text = withLine(text, 10, (line) => `${line},extra`)
  text = withLine(text, 11, (line) => line.split(',').slice(0, 10).join(','))
  text = `${text}${rows[0]!.replace('30.5', '31')}\n${rows[1]}\n\n ,, \n`

  it('gives the same records and issues', () => {
    const inPlace = parseCaisoOasis(text, 'f.csv', 'PRC_INTVL_LMP')
    const split = parseCaisoOasis(quoted(text, 2), 'f.csv', 'PRC_INTVL_LMP')
    expect(inPlace.errors.length).toBeGreaterThanOrEqual(10)
    expect(inPlace.records.length).toBeGreaterThan(0)
    expect(split).toEqual(inPlace)
    expect(parseCaisoOasis(text.replace(/\n/g, '\r\n'), 'f.csv', 'PRC_INTVL_LMP')).toEqual(inPlace)
  })
})

describe('MISO market report in place and split', () => {
  const da = readFixture('miso_da_expost_lmp_20260714_hubs.csv')
  let text = withCell(da, 6, 5, 'n/a')
  text = withCell(text, 7, 1, 'Hubb')
  text = withCell(text, 8, 2, 'MLX')
  text = withCell(text, 9, 0, '')
  text = withCell(text, 10, 4, ' 12.5 ')
  text = withLine(text, 11, (line) => `${line},9`)
  text = withLine(text, 12, (line) => line.split(',').slice(0, 20).join(','))
  text = `${text.trimEnd()}\n${withCell(da, 6, 3, '99').split('\n')[5]}\n`

  it('gives the same records, issues and nodes', () => {
    const inPlace = parseMisoMarketReport(text, 'da.csv', 'da_expost_lmp')
    const split = parseMisoMarketReport(quoted(text, 6), 'da.csv', 'da_expost_lmp')
    expect(inPlace.errors.length).toBeGreaterThanOrEqual(7)
    expect(split).toEqual(inPlace)
  })
})

describe('MISO API 5-minute ex-post scanned and JSON.parse', () => {
  const answer = JSON.parse(readFixture('miso_public_api_GetRealTimeFiveMinExPost_Current_20261002_EXCERPT.json')) as {
    headers: string[]
    data: string[][]
  }
  const data = answer.data.map((row) => [...row])
  data[1]![2] = 'x'
  data[2]![0] = '2026-10-02T25:00:00'
  data[3]![1] = ' '
  data[4]![3] = ' 0.5 '
  data[5]![4] = ''
  data.push([...data[6]!], [...data[7]!].map((cell, i) => (i === 2 ? '1' : cell)))
  const doc = { headers: answer.headers, data }
  // "\u0054" is "T" in JSON: the same answer, but with an escape the scan leaves to JSON.parse.
  const escaped = JSON.stringify(doc).replace(/"2026-10-02T/, '"2026-10-02\\u0054')

  it('gives the same records and issues', () => {
    const scanned = parseMisoRt5ExPost(JSON.stringify(doc), 'rt.json')
    const parsed = parseMisoRt5ExPost(escaped, 'rt.json')
    expect(escaped).toContain('\\u0054')
    expect(scanned.errors.length).toBe(5)
    expect(parsed).toEqual(scanned)
    expect(parseMisoRt5ExPost(JSON.stringify(doc, null, 2), 'rt.json')).toEqual(scanned)
  })

  it('leaves rows that are not five strings to JSON.parse, which reports them', () => {
    const odd = { headers: answer.headers, data: [...data, [1, 2, 3, 4, 5], ['a'], 'row'] }
    const result = parseMisoRt5ExPost(JSON.stringify(odd), 'rt.json')
    expect(result.errors.slice(-3).map((issue) => issue.reason)).toEqual([
      'not a YYYY-MM-DDTHH:MM:SS market time',
      'row has 1 of 5 values',
      'row is not an array',
    ])
  })
})
