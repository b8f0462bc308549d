import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import {
  CAISO_QUERIES,
  parseCaisoOasis,
  parseCaisoPrcIntvlLmp,
  parseCaisoPrcLmp,
  parseCaisoPrcRtpdLmp,
  type CaisoQuery,
} from './caiso-oasis.ts'

const DAM_FILE = 'caiso_oasis_PRC_LMP_DAM_TH_SP15_20260714_EXCERPT.csv'
const dam = readFixture(DAM_FILE)

const pacificDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' })
const gmt = (ms: number) => new Date(ms).toISOString().replace('.000Z', '-00:00')

/** Every `minutes` interval start (ms) of a Pacific trade date, found from the clock, not from the parser. */
function tradeDayStarts(tradeDate: string, minutes: number): number[] {
  const midnightUtc = Date.parse(`${tradeDate}T00:00:00Z`)
  const starts: number[] = []
  for (let ms = midnightUtc; ms < midnightUtc + 36 * 3_600_000; ms += minutes * 60_000)
    if (pacificDate.format(ms) === tradeDate) starts.push(ms)
  return starts
}

/** Deterministic shuffle (OASIS rows arrive unsorted). */
function shuffled<T>(items: T[]): T[] {
  const out = [...items]
  let state = 42
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** An OASIS RT CSV (PRC_INTVL_LMP or PRC_RTPD_LMP) for one node and trade date, five LMP_TYPE rows per interval. */
function rtFile(
  query: 'PRC_INTVL_LMP' | 'PRC_RTPD_LMP',
  tradeDate: string,
  node = 'TH_NP15_GEN-APND'
): { text: string; starts: number[] } {
  const spec = CAISO_QUERIES[query]
  const starts = tradeDayStarts(tradeDate, spec.minutes)
  const rows: string[] = []
  starts.forEach((start, i) => {
    const fromDayStart = start - starts[0]!
    const oprHr = String(Math.floor(fromDayStart / 3_600_000) + 1).padStart(2, '0')
    const oprInterval = (Math.floor(fromDayStart / (spec.minutes * 60_000)) % (60 / spec.minutes)) + 1
    const mce = 30 + (i % 17)
    const parts = { MCE: mce, MCC: -1.25, MCL: 0.5, MGHG: 0.125, LMP: mce - 1.25 + 0.5 + 0.125 }
    for (const [type, value] of Object.entries(parts))
      rows.push(
        [
          gmt(start),
          gmt(start + spec.minutes * 60_000),
          tradeDate,
          oprHr,
          node,
          node,
          node,
          spec.marketRunId,
          type,
          `LMP_${type}_PRC`,
          node,
          'ALL_APNODES',
          '1',
          String(value),
          String(oprInterval),
          '1',
        ].join(',')
      )
  })
  return { text: [spec.header.join(','), ...shuffled(rows)].join('\n') + '\n', starts }
}

describe('CAISO PRC_LMP (day-ahead)', () => {
  const result = parseCaisoPrcLmp(dam, DAM_FILE)

  it('reads the first row of the fixture', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(5)
    expect(result.records[0]).toEqual({
      market: 'CAISO',
      node: 'TH_SP15_GEN-APND',
      run: 'DA',
      intervalStart: '2026-07-14T07:00:00.000Z',
      intervalEnd: '2026-07-14T08:00:00.000Z',
      lmp: 55.5152,
      energy: null, // the file holds LMP rows only
      congestion: null,
      loss: null,
      ghg: null,
      source: 'caiso.oasis.prc_lmp',
      publishedAt: null,
    })
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records.map((r) => r.lmp)).toEqual([55.5152, 48.61367, 46.41399, 43.25317, 43.97726])
  })

  it('collapses identical repeated rows and reports conflicting ones', () => {
    const lines = dam.trimEnd().split('\n')
    const repeated = parseCaisoPrcLmp([...lines, lines[1], lines[2]].join('\n'), DAM_FILE)
    expect(repeated).toEqual(result)

    const conflicting = [...lines, lines[1]!.replace(',55.5152,', ',56.1,')].join('\n')
    const parsed = parseCaisoPrcLmp(conflicting, DAM_FILE)
    expect(parsed.errors).toEqual([
      {
        file: DAM_FILE,
        line: 7,
        field: 'MW',
        value: '56.1',
        reason: 'repeats LMP of TH_SP15_GEN-APND at 2026-07-14T07:00:00-00:00 with another value (line 2: 55.5152 kept)',
      },
    ])
    expect(parsed.records[0]?.lmp).toBe(55.5152)
  })

  it('reports bad rows and reads the rest', () => {
    const lines = dam.trimEnd().split('\n')
    lines[2] = lines[2]!.replace(',48.61367,', ',N/A,')
    lines[3] = lines[3]!.replace(',LMP,LMP_PRC,', ',MEC,LMP_PRC,')
    lines[4] = lines[4]!.replace(',DAM,', ',RUC,')
    lines[5] = lines[5]!.slice(0, lines[5]!.indexOf(',43.97726')) // truncated download
    const result = parseCaisoPrcLmp(lines.join('\n'), DAM_FILE)
    expect(result.errors).toEqual([
      { file: DAM_FILE, line: 3, field: 'MW', value: 'N/A', reason: 'not a number' },
      {
        file: DAM_FILE,
        line: 4,
        field: 'LMP_TYPE',
        value: 'MEC',
        reason: 'unknown LMP_TYPE (expected LMP, MCE, MCC, MCL, MGHG)',
      },
      { file: DAM_FILE, line: 5, field: 'MARKET_RUN_ID', value: 'RUC', reason: 'expected DAM in a PRC_LMP file' },
      { file: DAM_FILE, line: 6, field: 'MW', value: '', reason: 'row has 14 of 16 columns (truncated?)' },
    ])
    expect(result.records.map((r) => r.intervalStart)).toEqual(['2026-07-14T07:00:00.000Z'])
  })

  it('reports a component without an LMP row', () => {
    const lines = dam.trimEnd().split('\n')
    const mccOnly = [lines[0], lines[1]!.replace(',LMP,LMP_PRC,', ',MCC,MCC_PRC,')].join('\n')
    expect(parseCaisoPrcLmp(mccOnly, DAM_FILE)).toEqual({
      records: [],
      errors: [
        {
          file: DAM_FILE,
          line: 2,
          field: 'LMP_TYPE',
          value: '',
          reason: 'no LMP row for TH_SP15_GEN-APND at 2026-07-14T07:00:00.000Z',
        },
      ],
    })
  })

  it('throws on a changed header, HTML, an OASIS error document or an empty file', () => {
    const renamed = dam.replace(',MW,GROUP', ',VALUE,GROUP')
    expect(thrown(() => parseCaisoPrcLmp(renamed, DAM_FILE))).toMatchObject({
      file: DAM_FILE,
      line: 1,
      field: 'MW',
      value: 'VALUE',
    })
    // a PRC_INTVL_LMP file is not a PRC_LMP file
    expect(thrown(() => parseCaisoPrcLmp(rtFile('PRC_INTVL_LMP', '2026-07-14').text, DAM_FILE))).toMatchObject({
      line: 1,
      field: 'OPR_INTERVAL',
    })

    const html = '\n<HTML><HEAD><TITLE>Too Many Requests</TITLE></HEAD><BODY>Retry later</BODY></HTML>'
    expect(thrown(() => parseCaisoPrcLmp(html, DAM_FILE))).toMatchObject({ line: 2, field: '(file)' })

    const noData =
      '<?xml version="1.0" encoding="UTF-8"?>\n<m:OASISReport xmlns:m="http://www.caiso.com/soa/OASISReport_v1.xsd"><m:MessagePayload><m:RTO><m:name>CAISO</m:name>' +
      '<m:ERROR><m:ERR_CODE>1000</m:ERR_CODE><m:ERR_DESC>No data returned for the specified selection</m:ERR_DESC></m:ERROR></m:RTO></m:MessagePayload></m:OASISReport>'
    expect(thrown(() => parseCaisoPrcLmp(noData, DAM_FILE))).toMatchObject({
      field: 'ERR_CODE',
      value: '1000',
      reason: 'publisher error 1000: No data returned for the specified selection',
    })
    expect(thrown(() => parseCaisoPrcLmp('', DAM_FILE)).reason).toBe('empty file')
    expect(thrown(() => parseCaisoPrcLmp('\uFEFF\r\n', DAM_FILE)).reason).toBe('empty file')
  })
})

describe('CAISO PRC_INTVL_LMP (real-time 5-minute) on DST-change trade dates', () => {
  const cases: [string, number, string, string][] = [
    ['2026-03-08', 276, '2026-03-08T08:00:00.000Z', '2026-03-09T07:00:00.000Z'], // PST -> PDT, 23 hours
    ['2026-11-01', 300, '2026-11-01T07:00:00.000Z', '2026-11-02T08:00:00.000Z'], // PDT -> PST, 25 hours
    ['2026-07-14', 288, '2026-07-14T07:00:00.000Z', '2026-07-15T07:00:00.000Z'],
  ]
  it.each(cases)('trade date %s has %i intervals from %s to %s', (tradeDate, count, first, end) => {
    const { text } = rtFile('PRC_INTVL_LMP', tradeDate)
    const result = parseCaisoPrcIntvlLmp(text, `${tradeDate}_PRC_INTVL_LMP.csv`)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(count)
    expect(result.records[0]?.intervalStart).toBe(first)
    expect(result.records.at(-1)?.intervalEnd).toBe(end)
    result.records.forEach((r, i) => {
      expect(Date.parse(r.intervalStart)).toBe(Date.parse(first) + i * 300_000)
      expect(r).toMatchObject({ run: 'RT5', source: 'caiso.oasis.prc_intvl_lmp', congestion: -1.25, loss: 0.5, ghg: 0.125 })
      expect(r.energy! + r.congestion! + r.loss! + r.ghg!).toBeCloseTo(r.lmp, 9) // OASIS: LMP = MCE + MCC + MCL + MGHG
    })
    for (const record of result.records) PriceRecord.parse(record)
  })
})

describe('CAISO PRC_RTPD_LMP (fifteen-minute)', () => {
  it('reads the PRC column into RT15 records', () => {
    const { text } = rtFile('PRC_RTPD_LMP', '2026-11-01', 'DLAP_SCE-APND')
    const result = parseCaisoPrcRtpdLmp(text, 'rtpd.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(100)
    expect(result.records[0]).toMatchObject({
      node: 'DLAP_SCE-APND',
      run: 'RT15',
      source: 'caiso.oasis.prc_rtpd_lmp',
      intervalStart: '2026-11-01T07:00:00.000Z',
      intervalEnd: '2026-11-01T07:15:00.000Z',
      energy: 30,
      lmp: 29.375,
    })
  })

  it('reports an interval of the wrong length', () => {
    const { text } = rtFile('PRC_RTPD_LMP', '2026-07-14')
    const lines = text.split('\n')
    lines[1] = lines[1]!.replace(/^(\S+?),(\S+?),/, (_, start: string) => `${start},${gmt(Date.parse(start) + 5 * 60_000)},`)
    const result = parseCaisoOasis(lines.join('\n'), 'rtpd.csv', 'PRC_RTPD_LMP')
    expect(result.errors[0]).toMatchObject({ line: 2, field: 'INTERVALENDTIME_GMT', reason: 'interval is 5 min, expected 15' })
  })
})

describe('CAISO query specs', () => {
  it.each(Object.keys(CAISO_QUERIES) as CaisoQuery[])('%s names its price column in its header', (query) => {
    const spec = CAISO_QUERIES[query]
    expect(spec.header).toContain(spec.price)
    expect(spec.header).toHaveLength(16)
  })
})
