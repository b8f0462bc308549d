/**
 * The simulator over real HTTP on an ephemeral port: recorded files byte for byte, full-size
 * generated answers read by the connectors' parsers, the publication schedule, OASIS validation
 * and throttling, and every failure mode.
 */
import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, ParseError, type ParseResult, SOURCES, type SourceId } from '@carbon/connectors'
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { UNKNOWN_NODE_NAMES } from './failures.ts'
import { createPublisherSimulator, type PublisherSimulator, type RequestLogEntry } from './server.ts'
import { oasisParam } from './time.ts'

const fixture = (name: string) => readFileSync(new URL(name, FIXTURE_DIR))
const at = (iso: string) => new Date(iso)

type Got = { status: number; type: string; headers: Headers; body: Buffer }
async function get(sim: PublisherSimulator, path: string, init?: RequestInit): Promise<Got> {
  const res = await fetch(`${sim.url}${path}`, init)
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

const QUERY = {
  PRC_LMP: { run: 'DAM', version: '12', source: 'caiso.oasis.prc_lmp' },
  PRC_INTVL_LMP: { run: 'RTM', version: '3', source: 'caiso.oasis.prc_intvl_lmp' },
  PRC_RTPD_LMP: { run: 'RTPD', version: '3', source: 'caiso.oasis.prc_rtpd_lmp' },
} as const
type Query = keyof typeof QUERY
const oasisPath = (query: Query, start: string, end: string, select: string) =>
  `/oasisapi/SingleZip?resultformat=6&queryname=${query}&version=${QUERY[query].version}` +
  `&startdatetime=${oasisParam(Date.parse(start))}&enddatetime=${oasisParam(Date.parse(end))}&market_run_id=${QUERY[query].run}&${select}`

/** The one file inside an OASIS zip: its name and text. */
function unzipOne(body: Buffer): { name: string; text: string } {
  const files = unzipSync(new Uint8Array(body))
  const names = Object.keys(files)
  expect(names).toHaveLength(1)
  return { name: names[0]!, text: strFromU8(files[names[0]!]!) }
}
const parseOasis = (query: Query, body: Buffer) => {
  const { name, text } = unzipOne(body)
  return SOURCES[QUERY[query].source as SourceId].parse(text, name)
}
function parseError(fn: () => unknown): ParseError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError)
    return error as ParseError
  }
  throw new Error('expected a ParseError')
}
const clean = (result: ParseResult) => {
  expect(result.errors).toEqual([])
  return result.records
}
const perNode = (records: { node: string }[]) => {
  const counts = new Map<string, number>()
  for (const r of records) counts.set(r.node, (counts.get(r.node) ?? 0) + 1)
  return counts
}

const MISO_NODES = 2600
const CAISO_NODES = 4000
let sim: PublisherSimulator

beforeAll(async () => {
  sim = await createPublisherSimulator({ seed: 254 })
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

describe('recorded files are served byte for byte on their dates', () => {
  it('MISO market reports', async () => {
    sim.setNow(at('2026-10-02T21:57:00Z'))
    const da = await get(sim, '/marketreports/20260714_da_expost_lmp.csv')
    expect(da.status).toBe(200)
    expect(da.body.equals(fixture('miso_da_expost_lmp_20260714_hubs.csv'))).toBe(true)
    const rt = await get(sim, '/marketreports/20260926_rt_lmp_final.csv')
    expect(rt.body.equals(fixture('miso_rt_lmp_final_20260926_hubs_interfaces.csv'))).toBe(true)
    expect(rt.type).toBe('text/csv')
  })

  it('MISO API: Current when its interval is the latest, ex ante when its interval is in progress', async () => {
    sim.setNow(at('2026-10-02T21:57:00Z'))
    const current = await get(sim, '/api/MarketPricing/GetRealTimeFiveMinExPost/Current')
    expect(current.body.equals(fixture('miso_public_api_GetRealTimeFiveMinExPost_Current_20261002_EXCERPT.json'))).toBe(true)
    sim.setNow(at('2026-10-02T21:52:00Z'))
    const exAnte = await get(sim, '/api/MarketPricing/GetExAnteLmp')
    expect(exAnte.body.equals(fixture('miso_public_api_GetExAnteLmp_20261002.json'))).toBe(true)
    // Five minutes later both are generated, full size.
    sim.setNow(at('2026-10-02T22:02:00Z'))
    const next = clean(SOURCES['miso.api.rt5_expost'].parse((await get(sim, '/api/MarketPricing/GetRealTimeFiveMinExPost/Current')).body.toString(), 'c'))
    expect(next).toHaveLength(MISO_NODES)
    expect(next[0]!.intervalStart).toBe('2026-10-02T21:55:00.000Z')
  })

  it('CAISO OASIS: a zip holding the recorded CSV for exactly its node and window', async () => {
    sim.setNow(at('2026-10-02T21:57:00Z'))
    const got = await get(sim, oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-14T12:00:00Z', 'node=TH_SP15_GEN-APND'))
    expect(got.type).toBe('application/x-zip-compressed')
    const { name, text } = unzipOne(got.body)
    expect(name).toMatch(/^20260714_20260714_PRC_LMP_DAM_\d{8}_\d\d_\d\d_\d\d_v12\.csv$/)
    expect(Buffer.from(text).equals(fixture('caiso_oasis_PRC_LMP_DAM_TH_SP15_20260714_EXCERPT.csv'))).toBe(true)
    // Another window of the same node is generated: five LMP types.
    const other = parseOasis('PRC_LMP', (await get(sim, oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-14T13:00:00Z', 'node=TH_SP15_GEN-APND'))).body)
    expect(clean(other).map((r) => r.ghg === null)).toEqual(Array(6).fill(false))
  })
})

describe('publication schedule', () => {
  it('MISO reports answer 404 before publication and the preliminary one goes when the final comes', async () => {
    const status = async (file: string) => (await get(sim, `/marketreports/${file}`)).status
    sim.setNow(at('2026-07-13T18:59:00Z'))
    expect(await status('20260714_da_expost_lmp.csv')).toBe(404)
    sim.setNow(at('2026-07-13T19:00:00Z'))
    expect(await status('20260714_da_expost_lmp.csv')).toBe(200)
    expect(await status('20260714_rt_lmp_prelim.csv')).toBe(404)
    sim.setNow(at('2026-07-15T11:00:00Z'))
    expect(await status('20260714_rt_lmp_prelim.csv')).toBe(200)
    expect(await status('20260714_rt_lmp_final.csv')).toBe(404)
    sim.setNow(at('2026-07-20T11:00:00Z'))
    expect(await status('20260714_rt_lmp_final.csv')).toBe(200)
    expect(await status('20260714_rt_lmp_prelim.csv')).toBe(404)
    const missing = await get(sim, '/marketreports/20270101_da_expost_lmp.csv')
    expect(missing.type).toMatch(/^text\/html/)
    expect(await status('20260230_da_expost_lmp.csv')).toBe(404)
  })

  it('MISO Rolling is the market day so far, Previous the whole day before', async () => {
    sim.setNow(at('2026-07-14T06:02:00Z')) // 01:02 EST
    const rolling = clean(SOURCES['miso.api.rt5_expost'].parse((await get(sim, '/api/MarketPricing/GetRealTimeFiveMinExPost/Rolling')).body.toString(), 'r'))
    expect(rolling).toHaveLength(12 * MISO_NODES)
    expect(rolling[0]!.intervalStart).toBe('2026-07-14T05:00:00.000Z')
    expect(rolling.at(-1)!.intervalStart).toBe('2026-07-14T05:55:00.000Z')
    const previous = JSON.parse((await get(sim, '/api/MarketPricing/GetRealTimeFiveMinExPost/Previous')).body.toString()) as { data: string[][] }
    expect(previous.data).toHaveLength(288 * MISO_NODES)
    expect([previous.data[0]![0], previous.data.at(-1)![0]]).toEqual(['2026-07-13T00:00:00', '2026-07-13T23:55:00'])
  })

  it('CAISO answers only published intervals: nothing yet is ERR_CODE 1000', async () => {
    sim.setNow(at('2026-07-14T18:12:00Z'))
    const rtm = clean(parseOasis('PRC_INTVL_LMP', (await get(sim, oasisPath('PRC_INTVL_LMP', '2026-07-14T18:00:00Z', '2026-07-14T19:00:00Z', 'node=TH_NP15_GEN-APND'))).body))
    expect(rtm.map((r) => r.intervalStart)).toEqual(['2026-07-14T18:00:00.000Z', '2026-07-14T18:05:00.000Z'])
    const future = await get(sim, oasisPath('PRC_LMP', '2026-07-16T07:00:00Z', '2026-07-17T07:00:00Z', 'node=TH_NP15_GEN-APND'))
    expect(parseError(() => parseOasis('PRC_LMP', future.body))).toMatchObject({ field: 'ERR_CODE', value: '1000' })
    const unknown = await get(sim, oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-15T07:00:00Z', 'node=NO_SUCH_NODE'))
    expect(parseError(() => parseOasis('PRC_LMP', unknown.body)).value).toBe('1000')
  })
})

describe('full-size generated answers parse cleanly', () => {
  it('MISO market reports: every CP node x 24 hours', async () => {
    sim.setNow(at('2026-08-01T12:00:00Z'))
    for (const report of ['da_expost_lmp', 'rt_lmp_final', 'rt_lmp_prelim'] as const) {
      const date = report === 'rt_lmp_prelim' ? '20260730' : '20260720'
      const got = await get(sim, `/marketreports/${date}_${report}.csv`)
      expect(got.status).toBe(200)
      const result = SOURCES[`miso.${report}`].parse(got.body.toString(), `${date}_${report}.csv`)
      expect(clean(result)).toHaveLength(MISO_NODES * 24)
      expect(got.headers.get('last-modified')).toMatch(/GMT$/)
    }
  })

  it('MISO Current (size and time logged) and ex ante', async () => {
    sim.setNow(at('2026-08-01T17:03:00Z'))
    const t0 = performance.now()
    const got = await get(sim, '/api/MarketPricing/GetRealTimeFiveMinExPost/Current')
    const ms = performance.now() - t0
    console.log(`HTTP MISO RT5 Current: ${MISO_NODES} records, ${got.body.length} bytes in ${ms.toFixed(1)} ms`)
    const records = clean(SOURCES['miso.api.rt5_expost'].parse(got.body.toString(), 'Current.json'))
    expect(records).toHaveLength(MISO_NODES)
    expect(new Set(records.map((r) => r.intervalStart))).toEqual(new Set(['2026-08-01T16:55:00.000Z']))
    const exAnte = clean(SOURCES['miso.api.exante'].parse((await get(sim, '/api/MarketPricing/GetExAnteLmp')).body.toString(), 'x'))
    expect(exAnte.map((r) => r.intervalStart)).toEqual(Array(9).fill('2026-08-01T17:00:00.000Z'))
  })

  it('CAISO DAM, every APnode, a whole trade date (size and time logged)', async () => {
    sim.setNow(at('2026-08-01T12:00:00Z'))
    const t0 = performance.now()
    const got = await get(sim, oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-15T07:00:00Z', 'grp_type=ALL_APNODES'))
    const ms = performance.now() - t0
    console.log(`HTTP CAISO DAM ALL_APNODES trade date: zip ${got.body.length} bytes in ${ms.toFixed(0)} ms`)
    const records = clean(parseOasis('PRC_LMP', got.body))
    expect(records).toHaveLength(CAISO_NODES * 24)
    expect(perNode(records).size).toBe(CAISO_NODES)
  }, 120_000)

  it.each([
    ['2026-03-08', '2026-03-08T08:00:00Z', '2026-03-09T07:00:00Z', 276, 92],
    ['2026-11-01', '2026-11-01T07:00:00Z', '2026-11-02T08:00:00Z', 300, 100],
  ])('CAISO real time for the %s trade date: every interval per node', async (_, start, end, five, fifteen) => {
    sim.setNow(at('2026-12-01T00:00:00Z'))
    const nodes = 'node=TH_SP15_GEN-APND,DLAP_PGAE-APND,SLAP_PGEB-APND'
    const rtm = clean(parseOasis('PRC_INTVL_LMP', (await get(sim, oasisPath('PRC_INTVL_LMP', start, end, nodes))).body))
    expect([...perNode(rtm).values()]).toEqual([five, five, five])
    const rtpd = clean(parseOasis('PRC_RTPD_LMP', (await get(sim, oasisPath('PRC_RTPD_LMP', start, end, nodes))).body))
    expect([...perNode(rtpd).values()]).toEqual([fifteen, fifteen, fifteen])
  })

  it('CAISO five-minute, every APnode, one hour', async () => {
    sim.setNow(at('2026-08-01T12:00:00Z'))
    const got = await get(sim, oasisPath('PRC_INTVL_LMP', '2026-07-31T18:00:00Z', '2026-07-31T19:00:00Z', 'grp_type=ALL_APNODES'))
    expect(clean(parseOasis('PRC_INTVL_LMP', got.body))).toHaveLength(CAISO_NODES * 12)
  })
})

describe('OASIS request validation', () => {
  const errorOf = async (path: string) => {
    const got = await get(sim, path)
    expect(got.status).toBe(200)
    const { name, text } = unzipOne(got.body)
    expect(name).toBe('INVALID_REQUEST.xml')
    return parseError(() => SOURCES['caiso.oasis.prc_lmp'].parse(text, name))
  }

  it('a window over 31 days is ERR_CODE 1004; 31 days is fine', async () => {
    sim.setNow(at('2026-12-01T00:00:00Z'))
    const tooLong = await errorOf(oasisPath('PRC_LMP', '2026-07-01T07:00:00Z', '2026-08-02T07:00:00Z', 'node=TH_SP15_GEN-APND'))
    expect(tooLong).toMatchObject({ field: 'ERR_CODE', value: '1004' })
    const month = parseOasis('PRC_LMP', (await get(sim, oasisPath('PRC_LMP', '2026-07-01T07:00:00Z', '2026-08-01T07:00:00Z', 'node=TH_SP15_GEN-APND'))).body)
    expect(clean(month)).toHaveLength(31 * 24)
  })

  it('grp_type=ALL_APNODES is bounded like OASIS: one hour of real time is fine, two are 1004', async () => {
    sim.setNow(at('2026-12-01T00:00:00Z'))
    expect((await errorOf(oasisPath('PRC_INTVL_LMP', '2026-07-14T18:00:00Z', '2026-07-14T20:00:00Z', 'grp_type=ALL_APNODES'))).value).toBe('1004')
    expect((await errorOf(oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-16T07:00:00Z', 'grp_type=ALL_APNODES'))).value).toBe('1004')
  })

  it('malformed requests are ERR_CODE 1002', async () => {
    const base = oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-15T07:00:00Z', 'node=TH_SP15_GEN-APND')
    for (const path of [
      base.replace('version=12', 'version=1'),
      base.replace('resultformat=6', 'resultformat=5'),
      base.replace('market_run_id=DAM', 'market_run_id=RTM'),
      base.replace('queryname=PRC_LMP', 'queryname=PRC_NOPE'),
      base.replace(/startdatetime=[^&]+/, 'startdatetime=2026-07-14'),
      base.replace('node=TH_SP15_GEN-APND', 'grp_type=ALL'),
      oasisPath('PRC_LMP', '2026-07-15T07:00:00Z', '2026-07-14T07:00:00Z', 'node=TH_SP15_GEN-APND'),
    ])
      expect((await errorOf(path)).value).toBe('1002')
  })
})

describe('OASIS throttling', () => {
  it('a client asking again within 5 s gets HTTP 429, then an HTML page, alternately; others are not affected', async () => {
    let clock = 1_000_000
    const throttled = await createPublisherSimulator({ throttle: { mode: 'alternate', clock: () => clock }, now: () => at('2026-08-01T12:00:00Z') })
    try {
      const path = oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-15T07:00:00Z', 'node=TH_SP15_GEN-APND')
      const ask = async (client = 'a') => get(throttled, path, { headers: { 'x-simulator-client': client } })
      expect(clean(parseOasis('PRC_LMP', (await ask()).body))).toHaveLength(24)
      clock += 1000
      const first = await ask()
      expect(first.status).toBe(429)
      expect(first.headers.get('retry-after')).toBe('5')
      clock += 1000
      const second = await ask()
      expect(second.status).toBe(200)
      expect(second.type).toMatch(/^text\/html/)
      expect(parseError(() => SOURCES['caiso.oasis.prc_lmp'].parse(second.body.toString(), 'x')).reason).toMatch(/HTML page/)
      expect((await ask('b')).type).toBe('application/x-zip-compressed')
      clock += 1000
      expect((await ask()).status).toBe(429)
      clock += 5000
      expect((await ask()).type).toBe('application/x-zip-compressed')
    } finally {
      await throttled.close()
    }
  })
})

describe('failure modes', () => {
  const report = '/marketreports/20260720_da_expost_lmp.csv'
  const current = '/api/MarketPricing/GetRealTimeFiveMinExPost/Current'
  const dam = oasisPath('PRC_LMP', '2026-07-14T07:00:00Z', '2026-07-15T07:00:00Z', 'node=TH_SP15_GEN-APND,DLAP_SCE-APND')
  const readReport = (got: Got) => SOURCES['miso.da_expost_lmp'].parse(got.body.toString(), 'r.csv')
  const readCurrent = (got: Got) => SOURCES['miso.api.rt5_expost'].parse(got.body.toString(), 'c.json')

  it('MISO reports and API: each mode breaks the answer the way it promises', async () => {
    sim.setNow(at('2026-08-01T12:00:00Z'))
    const broken = async (mode: Parameters<PublisherSimulator['setFailureModes']>[0][number]['mode'], path = report) => {
      sim.setFailureModes([{ mode, feeds: ['miso.da_expost_lmp', 'miso.api.rt5_expost', 'miso.api.exante'], times: 1 }])
      return get(sim, path)
    }
    const truncated = readReport(await broken('truncated'))
    expect(truncated.errors).toHaveLength(1)
    expect(truncated.errors[0]!.reason).toMatch(/^row has 3 of 27 columns/)
    const changed = await broken('changed-header')
    expect(parseError(() => readReport(changed))).toMatchObject({ line: 5, field: 'HE 1', value: 'HE 01' })
    expect(readReport(await broken('non-numeric')).errors).toEqual([
      expect.objectContaining({ line: 6, field: 'HE 5', value: '$1,024.50', reason: 'not a number' }),
    ])
    const html = await broken('html')
    expect(parseError(() => readReport(html)).reason).toMatch(/HTML page/)
    const empty = await broken('empty')
    expect(parseError(() => readReport(empty)).reason).toBe('empty file')
    const duplicated = await broken('duplicate-edges')
    expect(clean(readReport(duplicated))).toHaveLength(MISO_NODES * 24)
    expect(duplicated.body.toString().trimEnd().split('\n')).toHaveLength(5 + 3 * MISO_NODES + 2)
    expect(clean(readReport(await broken('unknown-node'))).filter((r) => r.node === UNKNOWN_NODE_NAMES.MISO)).toHaveLength(24)
    expect((await broken('server-error')).status).toBe(503)
    // times: 1 -- the next answer is healthy again.
    expect(clean(readReport(await get(sim, report)))).toHaveLength(MISO_NODES * 24)

    const cut = await broken('truncated', current)
    expect(parseError(() => readCurrent(cut)).reason).toMatch(/^not JSON/)
    const renamed = await broken('changed-header', current)
    expect(parseError(() => readCurrent(renamed)).field).toBe('headers')
    expect(readCurrent(await broken('non-numeric', current)).errors[0]).toMatchObject({ line: 1, field: 'LMP', value: 'N/A' })
    expect(clean(readCurrent(await broken('unknown-node', current))).map((r) => r.node)).toContain(UNKNOWN_NODE_NAMES.MISO)
    const exAnte = SOURCES['miso.api.exante'].parse((await broken('duplicate-edges', '/api/MarketPricing/GetExAnteLmp')).body.toString(), 'x')
    expect(exAnte.errors.map((e) => e.reason)).toEqual(['hub listed twice (first kept)'])
  })

  it('a recorded file can be broken too', async () => {
    sim.setNow(at('2026-08-01T12:00:00Z'))
    sim.setFailureModes([{ mode: 'truncated', feeds: ['miso.da_expost_lmp'] }])
    const got = await get(sim, '/marketreports/20260714_da_expost_lmp.csv')
    expect(got.body.length).toBeLessThan(fixture('miso_da_expost_lmp_20260714_hubs.csv').length)
    expect(readReport(got).errors.at(-1)!.reason).toMatch(/^row has 3 of 27/)
  })

  it('OASIS: each mode breaks the zip or the CSV inside it', async () => {
    sim.setNow(at('2026-08-01T12:00:00Z'))
    const broken = async (mode: Parameters<PublisherSimulator['setFailureModes']>[0][number]['mode']) => {
      sim.setFailureModes([{ mode, feeds: ['caiso.oasis.prc_lmp'], times: 1 }])
      return get(sim, dam)
    }
    const truncated = await broken('truncated')
    expect(() => unzipSync(new Uint8Array(truncated.body))).toThrow()
    const corrupt = await broken('corrupt-zip')
    expect(() => unzipSync(new Uint8Array(corrupt.body))).toThrow()
    const changed = await broken('changed-header')
    expect(parseError(() => parseOasis('PRC_LMP', changed.body))).toMatchObject({ field: 'MW', value: 'VALUE' })
    expect(parseOasis('PRC_LMP', (await broken('non-numeric')).body).errors[0]).toMatchObject({ line: 2, field: 'MW', value: 'N/A' })
    const empty = await broken('empty')
    expect(parseError(() => parseOasis('PRC_LMP', empty.body)).reason).toBe('empty file')
    const html = await broken('html')
    expect([html.status, html.type]).toEqual([200, 'text/html; charset=utf-8'])
    expect(parseError(() => SOURCES['caiso.oasis.prc_lmp'].parse(html.body.toString(), 'x')).reason).toMatch(/HTML page/)
    const duplicated = await broken('duplicate-edges')
    expect(clean(parseOasis('PRC_LMP', duplicated.body))).toHaveLength(2 * 24)
    expect(unzipOne(duplicated.body).text.trimEnd().split('\n')).toHaveLength(1 + 2 * 26 * 5)
    const unknown = clean(parseOasis('PRC_LMP', (await broken('unknown-node')).body))
    expect(perNode(unknown).get(UNKNOWN_NODE_NAMES.CAISO)).toBe(24)
    expect((await broken('server-error')).status).toBe(503)
    expect(clean(parseOasis('PRC_LMP', (await get(sim, dam)).body))).toHaveLength(2 * 24)
  })
})

describe('HTTP surface', () => {
  it('answers HEAD like GET without a body, refuses other methods, 404s unknown paths', async () => {
    sim.setNow(at('2026-08-01T12:00:00Z'))
    const head = await get(sim, '/marketreports/20260720_da_expost_lmp.csv', { method: 'HEAD' })
    expect([head.status, head.body.length]).toEqual([200, 0])
    expect((await get(sim, '/marketreports/20260720_da_expost_lmp.csv', { method: 'POST' })).status).toBe(405)
    expect((await get(sim, '/nothing/here')).status).toBe(404)
    expect((await get(sim, '/')).body.toString()).toContain('/oasisapi/SingleZip')
  })

  it('reports each answered request to onRequest with its feed and failure', async () => {
    const entries: RequestLogEntry[] = []
    const logged = await createPublisherSimulator({
      now: () => at('2026-08-01T12:00:00Z'),
      failureModes: [{ mode: 'html', feeds: ['miso.api.exante'], times: 1 }],
      onRequest: (entry) => entries.push(entry),
    })
    try {
      await get(logged, '/api/MarketPricing/GetExAnteLmp')
      await get(logged, '/marketreports/20990101_da_expost_lmp.csv')
      await vi.waitFor(() => expect(entries).toHaveLength(2))
      expect(entries.map(({ path, status, feed, failure }) => ({ path, status, feed, failure }))).toEqual([
        { path: '/api/MarketPricing/GetExAnteLmp', status: 200, feed: 'miso.api.exante', failure: 'html' },
        { path: '/marketreports/20990101_da_expost_lmp.csv', status: 404, feed: 'miso.da_expost_lmp', failure: null },
      ])
    } finally {
      await logged.close()
    }
  })
})
