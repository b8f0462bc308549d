/**
 * The connectors' fetch half (HTTP client + dataset plans) against the real publisher simulator:
 * what is fetched parses, what is not published yet says so, throttling and injected failures
 * are retried through, OASIS error documents become errors, and requests are spaced.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type ConnectorConfig,
  createHttpClient,
  FETCH_DATASETS,
  type FetchDatasetId,
  FetchError,
  type FetchEvent,
  type FetchOutcome,
  type FetchedPayload,
  type FetchRequest,
  fetchWindow,
  type HttpClientOptions,
  pacificDayStart,
  ParseError,
  type ParseResult,
  SOURCES,
  simulatorUrls,
  unpackPayload,
  type Window,
} from '@carbon/connectors'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createPublisherSimulator, type PublisherSimulator, type ThrottleMode } from './server.ts'

const MISO_NODES = 50
const CAISO_NODES = 60
const HOUR = 3_600_000
const DAY = 24 * HOUR
const ms = (iso: string) => Date.parse(iso)
const win = (start: string, end: string): Window => ({ start: ms(start), end: ms(end) })

let sim: PublisherSimulator
let config: ConnectorConfig

beforeAll(async () => {
  sim = await createPublisherSimulator({ nodes: { miso: MISO_NODES, caiso: CAISO_NODES }, fixturesDir: null })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL' }
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

/** A client with quick backoff (real sleeps of a few ms) and no OASIS spacing unless asked. */
function client(options: Partial<HttpClientOptions> = {}, events: FetchEvent[] = []) {
  return createHttpClient({
    userAgent: '254Carbon-ingest/test (+ops@example.test)',
    backoff: { initialMs: 10, maxMs: 40 },
    minSpacingMs: { 'caiso.oasis': 0 },
    onEvent: (e) => events.push(e),
    ...options,
  })
}

const plan = (id: FetchDatasetId, w: Window, now: number, cfg = config) => FETCH_DATASETS[id].plan(w, cfg, now)
const only = <T>(list: T[]): T => {
  expect(list).toHaveLength(1)
  return list[0]!
}
const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}
/** The payload through the dataset's parser, as the ingest does it: unpack, then parse each document. */
function parse(payload: FetchedPayload): ParseResult {
  const [doc] = unpackPayload(payload.bytes, payload.request.file)
  return SOURCES[payload.request.dataset].parse(doc!.text, doc!.file)
}
function clean(payload: FetchedPayload) {
  const result = parse(payload)
  expect(result.errors).toEqual([])
  return result.records
}
const perNode = (records: { node: string }[]) => {
  const counts = new Map<string, number>()
  for (const r of records) counts.set(r.node, (counts.get(r.node) ?? 0) + 1)
  return [...new Set(counts.values())]
}
const within = (records: { intervalStart: string }[], w: Window) =>
  records.every((r) => Date.parse(r.intervalStart) >= w.start && Date.parse(r.intervalStart) < w.end)

describe('MISO market reports', () => {
  const now = ms('2026-08-10T20:00:00Z') // 15:00 EST on market day 2026-08-10

  it('fetches a published report that parses into 24 hours per node, with its publication time', async () => {
    sim.setNow(new Date(now))
    const request = only(plan('miso.da_expost_lmp', win('2026-08-10T05:00:00Z', '2026-08-11T05:00:00Z'), now))
    const payload = payloadOf(await client().fetch(request))
    expect(payload.request.file).toBe('20260810_da_expost_lmp.csv')
    expect(payload.lastModified).toBe(ms('2026-08-09T19:00:00Z')) // D-1 14:00 EST
    const records = clean(payload)
    expect(records.length).toBeGreaterThan(0)
    expect(perNode(records)).toEqual([24])
    expect(within(records, request.window)).toBe(true)
  })

  it('a report not published yet is not-published, at the bound publishedUntil gives', async () => {
    sim.setNow(new Date(now))
    const c = client()
    for (const id of ['miso.da_expost_lmp', 'miso.rt_lmp_prelim', 'miso.rt_lmp_final'] as const) {
      const until = FETCH_DATASETS[id].publishedUntil(now)
      const last = only(plan(id, { start: until - DAY, end: until }, now))
      const next = only(plan(id, { start: until, end: until + DAY }, now))
      expect(clean(payloadOf(await c.fetch(last))).length).toBeGreaterThan(0)
      expect(await c.fetch(next)).toMatchObject({ kind: 'not-published', status: 404, request: next })
    }
  })

  it('fetchWindow walks the market days of a window', async () => {
    sim.setNow(new Date(now))
    const outcomes: string[] = []
    for await (const o of fetchWindow(client(), FETCH_DATASETS['miso.da_expost_lmp'], win('2026-08-10T12:00:00Z', '2026-08-12T12:00:00Z'), config, { now }))
      outcomes.push(`${o.kind === 'payload' ? o.payload.request.file : o.request.file} ${o.kind}`)
    expect(outcomes).toEqual(['20260810_da_expost_lmp.csv payload', '20260811_da_expost_lmp.csv payload', '20260812_da_expost_lmp.csv not-published'])
  })
})

describe('MISO public API', () => {
  const now = ms('2026-10-02T21:57:00Z') // latest complete interval 21:50Z

  it('Rolling serves today so far, Current the latest interval, ex ante the interval in progress', async () => {
    sim.setNow(new Date(now))
    const c = client()
    const rolling = only(plan('miso.api.rt5_expost', win('2026-10-02T05:00:00Z', '2026-10-02T22:00:00Z'), now))
    expect(rolling.url).toMatch(/\/GetRealTimeFiveMinExPost\/Rolling$/)
    const rollingRecords = clean(payloadOf(await c.fetch(rolling)))
    expect(perNode(rollingRecords)).toEqual([(ms('2026-10-02T21:55:00Z') - ms('2026-10-02T05:00:00Z')) / 300_000])
    expect(within(rollingRecords, rolling.window)).toBe(true)

    const current = only(plan('miso.api.rt5_expost', win('2026-10-02T21:50:00Z', '2026-10-02T21:55:00Z'), now))
    expect(current.url).toMatch(/\/Current$/)
    const currentRecords = clean(payloadOf(await c.fetch(current)))
    expect(new Set(currentRecords.map((r) => r.intervalStart))).toEqual(new Set(['2026-10-02T21:50:00.000Z']))

    const exante = only(plan('miso.api.exante', win('2026-10-02T21:00:00Z', '2026-10-02T22:00:00Z'), now))
    const exanteRecords = clean(payloadOf(await c.fetch(exante)))
    expect(exanteRecords.length).toBeGreaterThan(0)
    expect(new Set(exanteRecords.map((r) => r.intervalStart))).toEqual(new Set(['2026-10-02T21:55:00.000Z']))
  })

  it('Previous serves the whole market day before', async () => {
    sim.setNow(new Date(now))
    const previous = only(plan('miso.api.rt5_expost', win('2026-10-01T05:00:00Z', '2026-10-02T05:00:00Z'), now))
    expect(previous.url).toMatch(/\/Previous$/)
    const records = clean(payloadOf(await client().fetch(previous)))
    expect(perNode(records)).toEqual([288])
    expect(within(records, previous.window)).toBe(true)
  })
})

describe('CAISO OASIS', () => {
  const now = ms('2026-11-05T20:00:00Z')

  it('RTM, one hour of all nodes: nodes x 12 records', async () => {
    sim.setNow(new Date(now))
    const request = only(plan('caiso.oasis.prc_intvl_lmp', win('2026-07-14T07:00:00Z', '2026-07-14T08:00:00Z'), now))
    expect(request.url).toContain('grp_type=ALL_APNODES')
    const records = clean(payloadOf(await client().fetch(request)))
    expect(records).toHaveLength(CAISO_NODES * 12)
    expect(within(records, request.window)).toBe(true)
  })

  it('RTPD, two hours of all nodes in two requests: nodes x 4 records each', async () => {
    sim.setNow(new Date(now))
    const requests = plan('caiso.oasis.prc_rtpd_lmp', win('2026-07-14T07:00:00Z', '2026-07-14T09:00:00Z'), now)
    expect(requests).toHaveLength(2)
    for (const r of requests) expect(clean(payloadOf(await client().fetch(r)))).toHaveLength(CAISO_NODES * 4)
  })

  for (const [date, hours] of [
    ['2026-03-08', 23],
    ['2026-11-01', 25],
  ] as const) {
    it(`DAM trade date ${date} has ${hours} hourly intervals per node (node list and all nodes)`, async () => {
      sim.setNow(new Date(now))
      const start = pacificDayStart(ms(`${date}T12:00:00Z`))
      const day = { start, end: start + hours * HOUR }
      const names = sim.model.caiso.nodes.slice(0, 3).map((n) => n.name)
      const listed = only(plan('caiso.oasis.prc_lmp', day, now, { ...config, caisoNodes: names }))
      const records = clean(payloadOf(await client().fetch(listed)))
      expect(new Set(records.map((r) => r.node))).toEqual(new Set(names))
      expect(perNode(records)).toEqual([hours])
      expect(within(records, day)).toBe(true)

      const all = only(plan('caiso.oasis.prc_lmp', day, now))
      expect(all.window).toEqual(day)
      expect(clean(payloadOf(await client().fetch(all)))).toHaveLength(CAISO_NODES * hours)
    })
  }

  it('a window not published yet is not-published (ERR_CODE 1000)', async () => {
    sim.setNow(new Date(ms('2026-07-14T07:30:00Z')))
    const request = only(plan('caiso.oasis.prc_intvl_lmp', win('2026-07-14T08:00:00Z', '2026-07-14T09:00:00Z'), now))
    const outcome = await client().fetch(request)
    expect(outcome).toMatchObject({ kind: 'not-published', status: 200 })
    expect(outcome.kind === 'not-published' && outcome.reason).toMatch(/^OASIS ERR_CODE 1000: No data returned/)
  })

  it('an over-long window is a FetchError naming ERR_CODE 1004, with the raw answer kept', async () => {
    sim.setNow(new Date(now))
    const planned = only(plan('caiso.oasis.prc_intvl_lmp', win('2026-07-14T07:00:00Z', '2026-07-14T08:00:00Z'), now))
    // Two hours of all nodes: OASIS allows one.
    const request: FetchRequest = { ...planned, url: planned.url.replace('enddatetime=20260714T08:00', 'enddatetime=20260714T09:00') }
    const error = await client()
      .fetch(request)
      .then(
        () => null,
        (e: unknown) => e
      )
    expect(error).toBeInstanceOf(FetchError)
    const fetchError = error as FetchError
    expect(fetchError.reason).toMatch(/^OASIS ERR_CODE 1004: /)
    expect(fetchError).toMatchObject({ status: 200, attempts: 1, retryable: false })
    expect(fetchError.message).toContain('1004')
    expect(unpackPayload(fetchError.bytes!, request.file)[0]!.text).toContain('<m:ERR_CODE>1004</m:ERR_CODE>')
  })
})

describe('OASIS throttling is retried through', () => {
  const HTML_REASON = 'an HTML page instead of data (HTTP 200)'
  const TOO_MANY = 'HTTP 429 Too Many Requests'
  const cases: [ThrottleMode, string[]][] = [
    ['http-429', [TOO_MANY, TOO_MANY]],
    ['html-200', [HTML_REASON, HTML_REASON]],
    ['alternate', [TOO_MANY, HTML_REASON]],
  ]
  for (const [mode, expected] of cases) {
    it(`mode ${mode}`, async () => {
      // One virtual clock for the client (spacing, backoff) and the simulator's throttle: exact, no real waiting.
      let clock = ms('2026-07-15T00:00:00Z')
      const throttled = await createPublisherSimulator({
        nodes: { miso: MISO_NODES, caiso: CAISO_NODES },
        fixturesDir: null,
        now: () => new Date('2026-07-15T00:00:00Z'),
        throttle: { mode, minIntervalMs: 200, clock: () => clock },
      })
      try {
        const events: FetchEvent[] = []
        // Spaced at 20 ms, below the publisher's 200 ms: every request after the first is throttled once.
        const c = client(
          {
            minSpacingMs: { 'caiso.oasis': 20 },
            backoff: { initialMs: 500, maxMs: 2000 },
            random: () => 0.5,
            now: () => clock,
            sleep: async (wait) => {
              await new Promise((resolve) => setImmediate(resolve))
              clock += wait
            },
          },
          events
        )
        const cfg = { ...config, urls: simulatorUrls(throttled.url) }
        const requests = plan('caiso.oasis.prc_intvl_lmp', win('2026-07-14T07:00:00Z', '2026-07-14T10:00:00Z'), 0, cfg)
        const attempts: number[] = []
        for (const r of requests) {
          const payload = payloadOf(await c.fetch(r))
          attempts.push(payload.attempts)
          expect(clean(payload)).toHaveLength(CAISO_NODES * 12)
        }
        expect(attempts).toEqual([1, 2, 2])
        const waits = events.flatMap((e) => (e.type === 'throttled' ? [[e.reason, e.delayMs]] : []))
        // 429 carries Retry-After: 1 (s); an HTML page gives no hint, so the backoff decides (0.75 x 500 ms).
        expect(waits).toEqual(expected.map((reason) => [reason, reason === TOO_MANY ? 1000 : 375]))
      } finally {
        await throttled.close()
      }
    })
  }
})

describe('injected failures', () => {
  const now = ms('2026-11-05T20:00:00Z')
  const rtm = () => only(plan('caiso.oasis.prc_intvl_lmp', win('2026-07-14T07:00:00Z', '2026-07-14T08:00:00Z'), now))

  it('server errors, then success: retried', async () => {
    sim.setNow(new Date(now))
    sim.setFailureModes([
      { mode: 'server-error', feeds: ['caiso.oasis.prc_intvl_lmp'], times: 1 },
      { mode: 'server-error', feeds: ['miso.da_expost_lmp'], times: 2 },
    ])
    const events: FetchEvent[] = []
    const c = client({}, events)
    const oasis = payloadOf(await c.fetch(rtm()))
    expect(oasis.attempts).toBe(2)
    expect(clean(oasis)).toHaveLength(CAISO_NODES * 12)
    const report = only(plan('miso.da_expost_lmp', win('2026-11-05T05:00:00Z', '2026-11-06T05:00:00Z'), now))
    expect(payloadOf(await c.fetch(report)).attempts).toBe(3)
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual(Array(3).fill('HTTP 503 Service Unavailable'))
  })

  it('a maintenance page (HTML with 200) once, then data: retried', async () => {
    sim.setNow(new Date(now))
    sim.setFailureModes([{ mode: 'html', feeds: ['caiso.oasis.prc_intvl_lmp'], times: 1 }])
    expect(payloadOf(await client().fetch(rtm())).attempts).toBe(2)
  })

  it('server errors that do not stop: FetchError after maxAttempts, with the last answer', async () => {
    sim.setNow(new Date(now))
    sim.setFailureModes([{ mode: 'server-error', feeds: ['caiso.oasis.prc_intvl_lmp'] }])
    const error = await client({ maxAttempts: 3 })
      .fetch(rtm())
      .then(
        () => null,
        (e: unknown) => e
      )
    expect(error).toBeInstanceOf(FetchError)
    expect(error).toMatchObject({ status: 503, attempts: 3, retryable: true })
    expect(new TextDecoder().decode((error as FetchError).bytes!)).toContain('503 Service Unavailable')
  })

  for (const mode of ['truncated', 'corrupt-zip'] as const) {
    it(`a ${mode} zip is returned as a payload whose parse throws ParseError`, async () => {
      sim.setNow(new Date(now))
      sim.setFailureModes([{ mode, feeds: ['caiso.oasis.prc_intvl_lmp'], times: 1 }])
      const payload = payloadOf(await client().fetch(rtm()))
      expect(payload.attempts).toBe(1)
      expect(() => parse(payload)).toThrow(ParseError)
    })
  }
})

describe('politeness', () => {
  it('requests of one rate group start minSpacingMs apart on the injected clock (default 5 s for OASIS)', async () => {
    sim.setNow(new Date(ms('2026-11-05T20:00:00Z')))
    let clock = ms('2026-11-05T20:00:00Z')
    const starts: [string, number][] = []
    const c = createHttpClient({
      userAgent: 'test',
      now: () => clock,
      // The virtual wait lets what is already under way run first, then moves the clock.
      sleep: async (wait) => {
        await new Promise((resolve) => setImmediate(resolve))
        clock += wait
      },
      onEvent: (e) => e.type === 'request' && starts.push([e.request.file, clock]),
    })
    const requests = plan('caiso.oasis.prc_intvl_lmp', win('2026-07-14T07:00:00Z', '2026-07-14T10:00:00Z'), 0)
    const outcomes = await Promise.all(requests.map((r) => c.fetch(r)))
    expect(outcomes.map((o) => o.kind)).toEqual(['payload', 'payload', 'payload'])
    expect(starts.map(([file]) => file)).toEqual(requests.map((r) => r.file))
    const times = starts.map(([, t]) => t)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(5000)
  })

  it('sends the User-Agent on every request', async () => {
    const seen: IncomingHttpHeaders[] = []
    const server = createServer((req, res) => {
      seen.push(req.headers)
      res.writeHead(seen.length === 1 ? 503 : 200, { 'Content-Type': 'text/csv' }).end('x\n')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const request = only(plan('miso.da_expost_lmp', win('2026-08-10T05:00:00Z', '2026-08-11T05:00:00Z'), 0, { ...config, urls: simulatorUrls(url) }))
      await client({ userAgent: '254Carbon-ingest/1.2.3 (+ops@254carbon.example)' }).fetch(request)
      expect(seen.map((h) => h['user-agent'])).toEqual(['254Carbon-ingest/1.2.3 (+ops@254carbon.example)', '254Carbon-ingest/1.2.3 (+ops@254carbon.example)'])
      expect(seen[0]!.accept).toContain('text/csv')
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  })
})
