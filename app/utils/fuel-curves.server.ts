import { data, redirect, type AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { isAppError } from '#server/errors.ts'
import { hasRole } from '#server/services/auth/entitlements.ts'
import { FUEL_CURVES, listFuelCurves, requestFuelBuild, waitForBuild, type BuildRow, type FuelProduct } from '#server/services/curves/index.ts'
import { fuelCurveHistory, type FuelCurveHistory } from '#server/services/curves/fuel-history.ts'
import type { FuelGetOutput, FuelStoredQuote } from '#server/services/curves/fuel-schemas.ts'
import { futureAsOfProblem } from '#server/services/curves/schemas.ts'
import { BUILD_WAIT_MS, CURVE_GRANULARITIES, isIsoDate, type CurveGranularity } from './curve-view.ts'
import { accessData, auditedInput, canDownload, type DataAccess } from './data-access.server.ts'
import { invariantResponse, orRespond, parseOr } from './http.server.ts'

/**
 * The fuel curve pages' data (/gas/curves, /lng/curves): every loader and action goes through
 * accessData with the product (GAS or LNG) as the data key, the analyst role for builds, an audit
 * row before data leaves, and the fuel curve service (server/services/curves/fuel.ts).
 */

/** Where a product's curve pages live. */
export const FUEL_CURVE_BASE: Record<FuelProduct, string> = { GAS: '/gas/curves', LNG: '/lng/curves' }

const viewerOf = (access: DataAccess) => ({ organizationId: access.principal.organizationId })


/** The curves of a product with their latest build (the list page). */
export async function loadFuelCurveList(request: Request, context: AppLoadContext, product: FuelProduct) {
  const access = await accessData(request, context, { procedure: `hub:${product.toLowerCase()}-curves`, market: product })
  const { curves } = await listFuelCurves(access.platform.pg.db, product, viewerOf(access))
  await access.served({ details: { curves: curves.length, built: curves.filter((c) => c.latest).length } })
  return { product, base: FUEL_CURVE_BASE[product], curves, canBuild: hasRole(access.principal, 'analyst') }
}

const CurveParam = z.object({ curve: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a curve name such as HENRY_HUB or JKM-HH') })

const QueryDate = (field: 'asOf' | 'compare') => z.string().refine(isIsoDate, `${field} must be a date YYYY-MM-DD`)
const QueryVersion = (field: 'version' | 'compareVersion') =>
  z
    .string()
    .regex(/^[1-9]\d{0,5}$/, `${field} must be a version number: 1, 2, ...`)
    .transform(Number)

/** The page's query: a build (`asOf`, `version`), the one to compare it with (`compare`, `compareVersion`), the periods. */
const FuelViewQuery = z.object({
  asOf: QueryDate('asOf').optional(),
  version: QueryVersion('version').optional(),
  compare: QueryDate('compare').optional(),
  compareVersion: QueryVersion('compareVersion').optional(),
  granularity: z.enum(CURVE_GRANULARITIES).default('standard'),
})
type FuelViewQuery = z.output<typeof FuelViewQuery>

/** The curve a route names: a curve of the product's catalogue (404 otherwise, naming the curves there are). */
function routeCurve(product: FuelProduct, rawParams: Record<string, string | undefined>): string {
  const { curve } = parseOr(CurveParam, rawParams, 404)
  const upper = curve.toUpperCase()
  const names = FUEL_CURVES.filter((c) => c.product === product).map((c) => c.curve)
  invariantResponse(names.includes(upper), `Unknown ${product} curve '${curve}': the curves are ${names.join(', ')}`, { status: 404 })
  return upper
}

function routeQuery(request: Request): FuelViewQuery {
  const search = new URL(request.url).searchParams
  const value = (name: keyof FuelViewQuery) => search.get(name)?.trim() || undefined
  return parseOr(FuelViewQuery, {
    asOf: value('asOf'),
    version: value('version'),
    compare: value('compare'),
    compareVersion: value('compareVersion'),
    granularity: value('granularity'),
  })
}

export type FuelCurveView = {
  product: FuelProduct
  base: string
  curve: FuelGetOutput['curve']
  /** The shown build, or null when the viewer sees none yet (the page's empty state). */
  view: Pick<FuelGetOutput, 'build' | 'points' | 'quotes'> | null
  asOfDates: string[]
  /** The versions of the shown as-of date, newest first. */
  versions: number[]
  /** What the query asked for (null: the default), so the page's links keep only the choices made. */
  query: { asOf: string | null; version: number | null; compare: string | null; compareVersion: number | null }
  /** The build compared with (`compare`, the page only); null without one. */
  compare: FuelCurveHistory['compare']
  /** The versions of the compared build's as-of date, newest first. */
  compareVersions: number[]
  /** The shown periods with the compared price and the change. */
  rows: FuelCurveHistory['rows']
  granularity: CurveGranularity
  canBuild: boolean
  canDownload: boolean
  /** The build form's prefill: the shown build's quotes as CSV. */
  quotesCsv: string
  defaultAsOf: string
}

/** The quotes of a build as the form and the CSV take them: `contract,price,bid,ask`. */
export function fuelQuotesCsv(quotes: readonly Pick<FuelStoredQuote, 'contract' | 'price' | 'bid' | 'ask'>[]): string {
  return ['contract,price,bid,ask', ...quotes.map((q) => [q.contract, q.price, q.bid ?? '', q.ask ?? ''].join(','))].join('\n') + '\n'
}

/**
 * One fuel curve (the page and its CSV): the build the query names (`asOf` and `version`, default
 * the newest of the newest date) at the granularity, and on the page (the hub channel) the change
 * against `compare` (`compareVersion`) per period (fuelCurveHistory); without any build the viewer
 * sees, an empty view (the page says so and offers the build form), or a 404 for the CSV and for an
 * as-of date, version or compared build the viewer does not see.
 */
export async function loadFuelCurveView(
  request: Request,
  context: AppLoadContext,
  product: FuelProduct,
  rawParams: Record<string, string | undefined>,
  purpose: { channel: 'hub' | 'downloads'; procedure: string },
): Promise<FuelCurveView> {
  const spec = { channel: purpose.channel, procedure: purpose.procedure, market: product }
  const { curve, query } = await auditedInput(request, context, spec, () => ({ curve: routeCurve(product, rawParams), query: routeQuery(request) }))
  const access = await accessData(request, context, spec)
  const { db } = access.platform.pg
  const withCompare = purpose.channel === 'hub'
  const compare = withCompare ? { compare: query.compare, compareVersion: query.compareVersion } : {}
  const history = await orRespond(fuelCurveHistory({ db, ch: access.platform.ch }, { product, curve, asOf: query.asOf, version: query.version, granularity: query.granularity, ...compare }, viewerOf(access)))
  const { got } = history
  invariantResponse(!(got === null && purpose.channel === 'downloads'), `No ${history.curve.name} curve is built yet`, { status: 404 })
  const compared = history.compare ? { asOf: history.compare.other.asOf, version: history.compare.other.version, buildId: history.compare.other.id } : null
  await access.served({
    nodes: [curve],
    details: got
      ? { buildId: got.build.id, asOf: got.build.asOf, version: got.build.version, granularity: query.granularity, periods: got.points.length, ...(withCompare ? { compare: compared } : {}) }
      : { built: false },
  })
  return {
    product,
    base: FUEL_CURVE_BASE[product],
    curve: history.curve,
    view: got ? { build: got.build, points: got.points, quotes: got.quotes } : null,
    asOfDates: history.asOfDates,
    versions: history.versions,
    query: { asOf: query.asOf ?? null, version: query.version ?? null, compare: query.compare ?? null, compareVersion: query.compareVersion ?? null },
    compare: history.compare,
    compareVersions: history.compareVersions,
    rows: history.rows,
    granularity: query.granularity,
    canBuild: hasRole(access.principal, 'analyst'),
    canDownload: purpose.channel === 'hub' ? await canDownload(access, product) : true,
    quotesCsv: got ? fuelQuotesCsv(got.quotes) : 'contract,price,bid,ask\n',
    defaultAsOf: new Date().toISOString().slice(0, 10),
  }
}

/** The API's limit on a quote CSV (FuelBuildInput.quotesCsv). */
const MAX_QUOTES_CSV = 500_000

/** The form's answer when no new version came out: the message, and what was entered. */
export type FuelBuildAnswer = { ok: false; message: string; pending: { asOf: string; version: number } | null; values: { asOf: string; quotes: string } }

function refuse(values: FuelBuildAnswer['values'], message: string, status = 400) {
  return data<FuelBuildAnswer>({ ok: false, message, pending: null, values }, { status })
}

/**
 * Submits the build form (the pasted CSV `contract,price[,bid,ask]`): analysts of the product only
 * (403 otherwise, audited); requestFuelBuild, then waits up to BUILD_WAIT_MS. Done: redirect to the
 * curve at that as-of date. Refused (a CSV line, field and value; contracts that disagree) or
 * failed: the form again with the message and the text as entered.
 */
export async function submitFuelBuild(request: Request, context: AppLoadContext, product: FuelProduct, rawParams: Record<string, string | undefined>) {
  const spec = { procedure: `hub:${product.toLowerCase()}-curve-build`, market: product }
  const curve = await auditedInput(request, context, spec, () => routeCurve(product, rawParams))
  const access = await accessData(request, context, { ...spec, role: 'analyst' })
  const { db } = access.platform.pg
  const form = await request.formData()
  const text = form.get('quotes')
  const values = { asOf: String(form.get('asOf') ?? '').trim(), quotes: typeof text === 'string' ? text : '' }
  if (!isIsoDate(values.asOf)) return refuse(values, 'Enter the as-of date as YYYY-MM-DD.')
  const future = futureAsOfProblem(values.asOf)
  if (future) return refuse(values, future)
  if (values.quotes.trim() === '') return refuse(values, 'Paste the quotes as CSV: contract,price[,bid,ask].')
  if (values.quotes.length > MAX_QUOTES_CSV) return refuse(values, `The quotes are too long (at most ${MAX_QUOTES_CSV.toLocaleString('en-US')} characters).`)

  const requester = { userId: access.principal.userId, label: access.principal.label, organizationId: access.principal.organizationId }
  let row: BuildRow
  try {
    const queued = await requestFuelBuild({ db, bus: access.platform.bus, log: access.platform.log }, { product, curve, asOf: values.asOf, quotesCsv: values.quotes, source: 'hub' }, requester)
    row = await waitForBuild(db, queued.id, BUILD_WAIT_MS, request.signal)
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    await access.served({ nodes: [curve], details: { asOf: values.asOf, refused: error.userMessage } })
    return refuse(values, error.userMessage, error.status)
  }
  const outcome = { buildId: row.id, asOf: row.asOf, version: row.version, status: row.status }
  await access.served({ nodes: [curve], details: row.status === 'failed' ? { ...outcome, refused: row.error } : outcome })
  if (row.status === 'done') return redirect(`${FUEL_CURVE_BASE[product]}/${curve}?asOf=${row.asOf}`)
  if (row.status === 'failed') return refuse(values, row.error ?? 'The curve build failed.')
  return data<FuelBuildAnswer>(
    {
      ok: false,
      message: `Version ${row.version} as of ${row.asOf} is stored but the solver has not finished within ${BUILD_WAIT_MS / 1000} s; it appears here when done.`,
      pending: { asOf: row.asOf, version: row.version },
      values,
    },
    { status: 202 },
  )
}

/** The CSV of a fuel curve view: one row per period with its first and last month, days and price. */
export function fuelCurveCsv(view: FuelCurveView): { filename: string; body: string } {
  const build = view.view!.build
  const lines = ['period,first,last,months,days,price,unit', ...view.view!.points.map((p) => [p.period, p.first, p.last, p.months, p.days, p.price, view.curve.unit].join(','))]
  return { filename: `${view.product}_${view.curve.curve}_${build.asOf}_v${build.version}_${view.granularity}.csv`, body: `${lines.join('\r\n')}\r\n` }
}
