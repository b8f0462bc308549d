import { MarketId, MARKETS } from '@carbon/schemas'
import { data, redirect, type AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { isAppError } from '#server/errors.ts'
import { entitledMarkets, hasRole } from '#server/services/auth/entitlements.ts'
import {
  compareCurves,
  CURVE_HUBS,
  findCurve,
  getCurve,
  latestDoneBuilds,
  listCurves,
  requestBuild,
  waitForBuild,
  type BuildRow,
} from '#server/services/curves/index.ts'
import { futureAsOfProblem, type CurveCompareOutput, type CurveGetOutput, type StoredQuote } from '#server/services/curves/schemas.ts'
import { getNode } from '#server/services/nodes/index.ts'
import { BUILD_WAIT_MS, curveHref, curveSearch, isIsoDate, parseCurveQuery, quotesCsv, type CurveViewQuery } from './curve-view.ts'
import { accessData, auditedInput } from './data-access.server.ts'
import { invariantResponse, orRespond, parseOr } from './http.server.ts'

/**
 * The forward-curve pages' data: every loader and action goes through accessData (sign-in, the
 * market's entitlement on the channel, the analyst role for builds, an audit row before data
 * leaves) and the curve service (server/services/curves).
 */

const RouteParams = z.object({ market: z.string().min(1).max(16), node: z.string().min(1).max(128) })

/** The market and node of a curve route; an unknown market is a 404. */
function routeCurve(rawParams: Record<string, string | undefined>): { market: MarketId; node: string } {
  const params = parseOr(RouteParams, rawParams)
  const market = MarketId.safeParse(params.market.toUpperCase())
  invariantResponse(market.success, `Unknown market '${params.market}': forward curves exist for ${MarketId.options.join(' and ')}`, { status: 404 })
  return { market: market.data, node: params.node }
}

/** The curve page's query (defaults filled); an unknown value is a 400 naming the field. */
function routeQuery(request: Request): CurveViewQuery {
  const parsed = parseCurveQuery(new URL(request.url).searchParams)
  invariantResponse(parsed.ok, parsed.ok ? '' : parsed.message)
  return parsed.query
}

/** Whose builds a page shows: the user's organization's and the house's (docs/decisions/010-curve-ownership.md). */
const viewerOf = (access: { principal: { organizationId: string } }) => ({ organizationId: access.principal.organizationId })

const marketInfo = (id: MarketId) => ({ id, name: MARKETS[id].name, timeZone: MARKETS[id].timeZone })

export type CurveCard = {
  market: MarketId
  node: string
  name: string
  unit: string
  asOfDates: string[]
  latest: { asOf: string; version: number; quoteCount: number; finishedAt: string | null; requestedBy: string } | null
  /** On-peak of the latest build's standard view, for the sparkline. */
  sparkline: number[]
}

/**
 * The curves list: the curves of every market the user may see in the hub, each with its latest
 * build and the standard view's on-peak prices for a sparkline. A user entitled to no market in
 * the hub gets a 403 (authorize), like every hub page.
 */
export async function loadCurveList(request: Request, context: AppLoadContext) {
  const access = await accessData(request, context, { procedure: 'hub:curves' })
  const { db } = access.platform.pg
  const deps = { db, ch: access.platform.ch }
  const viewer = viewerOf(access)
  const { curves } = await listCurves(db, access.entitled, viewer)
  const cards: CurveCard[] = await Promise.all(
    curves.map(async (c) => {
      const latest = c.latest
      const sparkline = latest
        ? (await getCurve(deps, { market: c.market, node: c.node, asOf: latest.asOf, version: latest.version, granularity: 'standard' }, viewer)).points.map(
            (p) => p.onpeak,
          )
        : []
      return {
        market: c.market,
        node: c.node,
        name: c.name,
        unit: c.unit,
        asOfDates: c.asOfDates,
        latest: latest
          ? { asOf: latest.asOf, version: latest.version, quoteCount: latest.quoteCount, finishedAt: latest.finishedAt, requestedBy: latest.requestedBy }
          : null,
        sparkline,
      }
    }),
  )
  // Where an analyst can start when nothing is built: the listed curves, else the catalogue's hubs.
  const buildTargets = (cards.length > 0 ? cards : CURVE_HUBS.filter((h) => access.entitled.includes(h.market))).map((c) => ({
    market: c.market,
    node: c.node,
    name: c.name,
  }))
  await access.served({ details: { markets: access.entitled, curves: cards.length, built: cards.filter((c) => c.latest).length } })
  return { curves: cards, markets: access.entitled.map(marketInfo), canBuild: hasRole(access.principal, 'analyst'), buildTargets }
}

export type CurveView = {
  market: ReturnType<typeof marketInfo>
  curve: CurveGetOutput['curve']
  build: CurveGetOutput['build']
  points: CurveGetOutput['points']
  quotes: CurveGetOutput['quotes']
  /** As-of dates with a built curve, newest first. */
  asOfDates: string[]
  query: CurveViewQuery
  compare: CurveCompareOutput | null
  canBuild: boolean
  /** Whether the CSV download (the downloads channel) is open to the user for this market. */
  canDownload: boolean
}

/**
 * One build of a curve at the query's granularity (the page and its CSV): the latest build of the
 * asked as-of date (default the newest), and with `compare` the curves.compare rows against that
 * date. 404 (through the error boundary) for an unknown curve, or an as-of date without a build.
 */
export async function loadCurveView(
  request: Request,
  context: AppLoadContext,
  rawParams: Record<string, string | undefined>,
  purpose: { channel: 'hub' | 'downloads'; procedure: string; withCompare: boolean },
): Promise<CurveView> {
  const spec = { channel: purpose.channel, procedure: purpose.procedure }
  const { market, node, query } = await auditedInput(request, context, spec, () => ({ ...routeCurve(rawParams), query: routeQuery(request) }))
  const access = await accessData(request, context, { ...spec, market })
  const { db } = access.platform.pg
  const deps = { db, ch: access.platform.ch }
  const viewer = viewerOf(access)
  const row = await orRespond(findCurve(db, market, node))
  const [builds, view] = await Promise.all([
    latestDoneBuilds(db, row.id, viewer),
    orRespond(getCurve(deps, { market, node: row.node, asOf: query.asOf ?? undefined, granularity: query.granularity }, viewer)),
  ])
  const downloads = await entitledMarkets(db, access.principal, 'downloads')
  const compare =
    purpose.withCompare && query.compare
      ? await orRespond(compareCurves(deps, { market, node: row.node, asOf: view.build.asOf, against: query.compare, granularity: query.granularity }, viewer))
      : null
  await access.served({
    nodes: [row.node],
    details: {
      buildId: view.build.id,
      asOf: view.build.asOf,
      version: view.build.version,
      granularity: query.granularity,
      ...(purpose.withCompare ? { block: query.block, compare: compare?.other.asOf ?? null } : {}),
      periods: view.points.length,
    },
  })
  return {
    market: marketInfo(market),
    curve: view.curve,
    build: view.build,
    points: view.points,
    quotes: view.quotes,
    asOfDates: builds.map((b) => b.asOf),
    query,
    compare,
    canBuild: hasRole(access.principal, 'analyst'),
    canDownload: downloads.includes(market),
  }
}

/** Today's date (UTC), the build form's default as-of date. */
function today(): string {
  return new Date().toISOString().slice(0, 10)
}

/**
 * The build form: analysts of an entitled market only (else 403, audited as denied). Prefilled with
 * the latest build's quotes as CSV; a hub node without a curve yet starts empty (its first build
 * creates the curve). 404 for an unknown node, 400 for a node that is not a hub.
 */
export async function loadBuildForm(request: Request, context: AppLoadContext, rawParams: Record<string, string | undefined>) {
  const { market, node } = await auditedInput(request, context, { procedure: 'hub:curve-build-form' }, () => routeCurve(rawParams))
  const access = await accessData(request, context, { procedure: 'hub:curve-build-form', market, role: 'analyst' })
  const { db } = access.platform.pg
  let name = CURVE_HUBS.find((h) => h.market === market && h.node === node)?.name ?? `${market} ${node}`
  let latest: BuildRow | null = null
  let asOfDates: string[] = []
  try {
    const curve = await findCurve(db, market, node)
    name = curve.name
    const builds = await latestDoneBuilds(db, curve.id, viewerOf(access))
    latest = builds[0] ?? null
    asOfDates = builds.map((b) => b.asOf)
  } catch (error) {
    if (!isAppError(error) || error.code !== 'NOT_FOUND') throw error
    const pricingNode = await orRespond(getNode(db, market, node))
    invariantResponse(pricingNode.type === 'hub', `${node} is a ${pricingNode.type}, not a hub: forward curves are built for hubs`)
  }
  await access.served({ nodes: [node], details: { prefilledFrom: latest ? { asOf: latest.asOf, version: latest.version } : null } })
  return {
    market: marketInfo(market),
    node,
    name,
    asOfDates,
    latest: latest ? { asOf: latest.asOf, version: latest.version, quoteCount: (latest.quotes as unknown[]).length } : null,
    defaultAsOf: today(),
    quotes: latest ? quotesCsv(latest.quotes as StoredQuote[]) : 'contract,block,price,bid,ask\n',
  }
}

/** The API's limit on a quote CSV (CurveBuildInput.quotesCsv). */
const MAX_QUOTES_CSV = 500_000

/** The form's answer when no new version came out: the message, and what was entered so nothing is lost. */
export type BuildAnswer = {
  ok: false
  message: string
  /** Set when the build was stored but the solver had not finished within BUILD_WAIT_MS. */
  pending: { asOf: string; version: number } | null
  values: { asOf: string; quotes: string; fileName: string | null; priorRunId: string }
}

function refuse(values: BuildAnswer['values'], message: string, status = 400) {
  return data<BuildAnswer>({ ok: false, message, pending: null, values }, { status })
}

/**
 * Submits the build form (multipart: the textarea `quotes` and an optional `file`; an uploaded
 * file wins over the text): requestBuild (source 'hub' for the text, 'csv' for an upload), then
 * waits up to BUILD_WAIT_MS. Done: redirect to the curve at that as-of date (its newest version).
 * Refused (bad CSV line, unknown contract, quotes that disagree) or failed: the form again with
 * the message naming the lines and contracts, and the text as entered.
 */
export async function submitBuild(request: Request, context: AppLoadContext, rawParams: Record<string, string | undefined>) {
  const { market, node } = await auditedInput(request, context, { procedure: 'hub:curve-build' }, () => routeCurve(rawParams))
  const access = await accessData(request, context, { procedure: 'hub:curve-build', market, role: 'analyst' })
  const { db } = access.platform.pg
  const form = await request.formData()
  const text = form.get('quotes')
  const file = form.get('file')
  const upload = typeof file === 'object' && file !== null && file.size > 0 ? file : null
  const priorRunId = String(form.get('priorRunId') ?? '').trim()
  const values = { asOf: String(form.get('asOf') ?? '').trim(), quotes: typeof text === 'string' ? text : '', fileName: upload?.name ?? null, priorRunId }

  if (!isIsoDate(values.asOf)) return refuse(values, 'Enter the as-of date as YYYY-MM-DD.')
  const future = futureAsOfProblem(values.asOf)
  if (future) return refuse(values, future)
  const quotesCsvText = upload ? await upload.text() : values.quotes
  if (quotesCsvText.trim() === '') return refuse(values, 'Paste the quotes as CSV or choose a CSV file.')
  if (quotesCsvText.length > MAX_QUOTES_CSV) return refuse(values, `The quotes are too long (at most ${MAX_QUOTES_CSV.toLocaleString('en-US')} characters).`)

  const source = upload ? 'csv' : 'hub'
  const requester = { userId: access.principal.userId, label: access.principal.label, organizationId: access.principal.organizationId }
  let row: BuildRow
  try {
    const queued = await requestBuild({ db, bus: access.platform.bus, log: access.platform.log }, { market, node, asOf: values.asOf, quotesCsv: quotesCsvText, source, ...(priorRunId ? { priorRunId } : {}) }, requester)
    row = await waitForBuild(db, queued.id, BUILD_WAIT_MS, request.signal)
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    await access.served({ nodes: [node], details: { asOf: values.asOf, source, refused: error.userMessage } })
    return refuse(values, upload ? `${upload.name}: ${error.userMessage}` : error.userMessage, error.status)
  }
  const outcome = { buildId: row.id, asOf: row.asOf, version: row.version, source, status: row.status }
  await access.served({ nodes: [node], details: row.status === 'failed' ? { ...outcome, refused: row.error } : outcome })
  if (row.status === 'done') return redirect(curveHref(market, node, curveSearch({ asOf: row.asOf })))
  if (row.status === 'failed') return refuse(values, row.error ?? 'The curve build failed.')
  return data<BuildAnswer>(
    {
      ok: false,
      message: `Version ${row.version} as of ${row.asOf} is stored but the solver has not finished within ${BUILD_WAIT_MS / 1000} s; it appears on the curve page when done.`,
      pending: { asOf: row.asOf, version: row.version },
      values,
    },
    { status: 202 },
  )
}
