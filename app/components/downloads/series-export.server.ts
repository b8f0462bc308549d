import { DataKey, PRODUCTS, MARKETS, type MarketId } from '@carbon/schemas'
import { data, type AppLoadContext } from '@remix-run/node'
import { accessData, type DataAccess } from '#app/utils/data-access.server.ts'
import { isAppError } from '#server/errors.ts'
import { recordAudit } from '#server/services/auth/audit.ts'
import { entitledProducts } from '#server/services/auth/entitlements.ts'
import { createExport, estimateExport, type ExportDeps } from '#server/services/exports/index.ts'
import type { ExportEstimate, ExportJob } from '#server/services/exports/schemas.ts'
import { listSeries } from '#server/services/series/index.ts'
import { parseScopeValue, readSeriesForm, scopeValue, seriesDefaultRange, seriesExportRequestOf, SERIES_INTENTS, type SeriesIntent } from './series-export-form.ts'

/**
 * The series half of the download center (docs/decisions/023), beside the prices form's server
 * half (downloads.server.ts), through the same door: accessData on the `downloads` channel, with
 * the product (or, for GRID, the market) the export reads, so an organization without that
 * product's downloads is refused at the gate (403, audited). The form offers only the products
 * the organization may download and the fundamentals of its downloads markets; exports are asked
 * for on the services' 'hub' channel like the prices form's.
 */

export type SeriesChoice = { series: string; measure: string; frequency: string; unit: string; first: string; last: string; count: number }
export type SeriesScopeChoice = {
  value: string
  product: string
  market: MarketId | null
  label: string
  series: SeriesChoice[]
  defaults: { from: string; to: string }
}

export type SeriesAnswer =
  | { intent: typeof SERIES_INTENTS.estimate; ok: true; estimate: ExportEstimate; signature: string }
  | { intent: typeof SERIES_INTENTS.create; ok: true; job: ExportJob }
  | { intent: SeriesIntent; ok: false; error: string; signature?: string }

type Refusal = { status: number; message: string }

/** accessData on the downloads channel; a 4xx refusal (already audited) as status and message instead of a thrown page. */
async function openGate(request: Request, context: AppLoadContext, procedure: string, market?: DataKey): Promise<DataAccess | Refusal> {
  try {
    return await accessData(request, context, { procedure, channel: 'downloads', market })
  } catch (error) {
    if (error instanceof Response && error.status >= 400 && error.status < 500 && error.status !== 401) {
      return { status: error.status, message: (await error.text()) || error.statusText }
    }
    throw error
  }
}

const isRefusal = (gate: DataAccess | Refusal): gate is Refusal => 'status' in gate && !('platform' in gate)

function scopeChoice(product: string, market: MarketId | null, label: string, series: SeriesChoice[]): SeriesScopeChoice {
  const last = series.reduce<string | null>((max, s) => (max === null || s.last > max ? s.last : max), null)
  const first = series.reduce<string | null>((min, s) => (min === null || s.first < min ? s.first : min), null)
  return { value: scopeValue(product, market), product, market, label, series, defaults: seriesDefaultRange(last, first) }
}

/**
 * The series the user's organization may download: each product entitled on downloads (with its
 * stored series, possibly none), then the EIA-930 fundamentals of each downloads market that has
 * any. Empty (and not audited further) when the gate refuses: the page says why already.
 */
export async function loadSeriesChoices(request: Request, context: AppLoadContext): Promise<SeriesScopeChoice[]> {
  const gate = await openGate(request, context, 'hub:downloads-series')
  if (isRefusal(gate)) return []
  const { platform, principal } = gate
  const products = await entitledProducts(platform.pg.db, principal, 'downloads')
  const summaries = (s: { series: SeriesChoice[] }) => s.series.map(({ series, measure, frequency, unit, first, last, count }) => ({ series, measure, frequency, unit, first, last, count }))
  const productScopes = await Promise.all(
    products.map(async (product) => scopeChoice(product, null, `${PRODUCTS[product].label} · ${PRODUCTS[product].name}`, summaries(await listSeries(platform.ch, { product })))),
  )
  const gridScopes = (
    await Promise.all(
      gate.entitled.map(async (market) => scopeChoice('GRID', market, `${market} fundamentals (EIA-930) · ${MARKETS[market].name}`, summaries(await listSeries(platform.ch, { product: 'GRID', market })))),
    )
  ).filter((s) => s.series.length > 0)
  const scopes = [...productScopes, ...gridScopes]
  await gate.served({ details: { scopes: scopes.map((s) => s.value) } })
  return scopes
}

function exportDeps(access: DataAccess): ExportDeps {
  const { platform } = access
  return { db: platform.pg.db, ch: platform.ch, bus: platform.bus, objects: platform.objects, env: platform.env, log: platform.log }
}

function auditRequest(request: Request, context: AppLoadContext) {
  return { requestId: context.requestId, clientAddress: context.clientAddress, userAgent: request.headers.get('user-agent') }
}

/** The data key the gate decides on: the product, or a GRID export's market; undefined when neither is a known key (the service names it). */
function gateKeyOf(scope: string): DataKey | undefined {
  const { product, market } = parseScopeValue(scope)
  const parsed = DataKey.safeParse(product === 'GRID' ? market : product)
  return parsed.success ? parsed.data : undefined
}

/**
 * The series form's estimate and create: the gate on the export's product (or market), then the
 * exports service, whose refusals (a bad field, a limit) are answered inline with their own
 * denied audit row (a 403 inside the service was audited there).
 */
export async function seriesExportAction(request: Request, context: AppLoadContext, form: FormData, intent: SeriesIntent) {
  const signature = String(form.get('signature') ?? '')
  const values = readSeriesForm(form)
  const input = seriesExportRequestOf(values)
  const procedure = intent === SERIES_INTENTS.estimate ? 'hub:exports-estimate' : 'hub:exports-create'
  const market = gateKeyOf(values.scope)
  const access = await openGate(request, context, procedure, market)
  if (isRefusal(access)) return data<SeriesAnswer>({ intent, ok: false, error: access.message, signature }, { status: access.status })
  const deps = exportDeps(access)
  try {
    if (intent === SERIES_INTENTS.estimate) {
      const estimate = await estimateExport(deps, access.principal, 'hub', input as never, auditRequest(request, context))
      await access.served({ details: { dataset: 'series', scope: values.scope, rows: estimate.rows, bytes: estimate.bytes, withinLimits: estimate.withinLimits } })
      return data<SeriesAnswer>({ intent, ok: true, estimate, signature })
    }
    const job = await createExport(deps, access.principal, 'hub', input as never, auditRequest(request, context))
    await access.served({ details: { dataset: 'series', scope: values.scope, exportId: job.id, estimatedRows: job.estimatedRows } })
    return data<SeriesAnswer>({ intent, ok: true, job })
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    if (error.status !== 403) {
      await recordAudit(access.platform.pg.db, {
        ...auditRequest(request, context),
        principal: access.principal,
        channel: 'downloads',
        procedure,
        market: market ?? null,
        outcome: 'denied',
        status: error.status,
        details: { dataset: 'series', reason: error.userMessage },
      })
    }
    return data<SeriesAnswer>({ intent, ok: false, error: error.userMessage, signature }, { status: error.status })
  }
}
