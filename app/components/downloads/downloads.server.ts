import { MARKETS, MarketId } from '@carbon/schemas'
import { data, redirect, type AppLoadContext } from '@remix-run/node'
import { accessData, type DataAccess } from '#app/utils/data-access.server.ts'
import { isAppError } from '#server/errors.ts'
import { recordAudit } from '#server/services/auth/audit.ts'
import { entitledProducts, isAvailable } from '#server/services/auth/entitlements.ts'
import { listCurves } from '#server/services/curves/queries.ts'
import { cancelExport, createExport, estimateExport, getExport, listExports, type ExportDeps, type ExportJob } from '#server/services/exports/index.ts'
import { listNodes } from '#server/services/nodes/index.ts'
import {
  listReportOutputs,
  listSubscriptions,
  reportOutputLink,
  subscribe,
  unsubscribe,
} from '#server/services/report-subscriptions/index.ts'
import { FUELS_REPORT_KIND } from '#server/services/reports/types.ts'
import { listRuns } from '#server/services/scenarios/index.ts'
import { defaultRange, exportRequestOf, marketOfRequest, readExportForm } from './export-form.ts'
import type { CenterAnswer, DownloadCenter, MarketChoice } from './types.ts'

/**
 * The download center's server half: every loader and action passes accessData on the `downloads`
 * channel (sign-in, rate limit, the one authorization decision, an audit row), with the export's
 * market when the request names one (403 inline: "Your organization is not entitled to MISO through
 * downloads"). Exports are asked for on the services' 'hub' channel (CAISO works here: the pilot's
 * CAISO downloads are on, its API is off). A refusal after the gate (bad input, a limit, a job not
 * ready) leaves a denied audit row of its own.
 */

const JOBS_SHOWN = 50
const REPORTS_SHOWN = 30

type Gate = { procedure: string; market?: MarketId }

/** accessData on the downloads channel; a refusal (already audited) as its status and message instead of a thrown page. */
async function openGate(request: Request, context: AppLoadContext, gate: Gate): Promise<DataAccess | { status: number; message: string }> {
  try {
    return await accessData(request, context, { procedure: gate.procedure, channel: 'downloads', market: gate.market })
  } catch (error) {
    if (error instanceof Response && error.status >= 400 && error.status < 500 && error.status !== 401) {
      return { status: error.status, message: (await error.text()) || error.statusText }
    }
    throw error
  }
}

const isRefusal = (gate: DataAccess | { status: number; message: string }): gate is { status: number; message: string } => 'status' in gate

function exportDeps(access: DataAccess): ExportDeps {
  const { platform } = access
  return { db: platform.pg.db, ch: platform.ch, bus: platform.bus, objects: platform.objects, env: platform.env, log: platform.log }
}

function auditRequest(request: Request, context: AppLoadContext) {
  return { requestId: context.requestId, clientAddress: context.clientAddress, userAgent: request.headers.get('user-agent') }
}

/** The denied row of a refusal that came after the gate let the request through (bad input, a limit, not ready). */
async function deny(access: DataAccess, request: Request, context: AppLoadContext, gate: Gate, status: number, reason: string, details: Record<string, unknown> = {}) {
  await recordAudit(access.platform.pg.db, {
    ...auditRequest(request, context),
    principal: access.principal,
    channel: 'downloads',
    procedure: gate.procedure,
    market: gate.market ?? null,
    outcome: 'denied',
    status,
    details: { ...details, reason },
  })
}

/** The page: markets with their hubs and zones, the organization's jobs and reports, the user's subscriptions. */
export async function loadDownloadCenter(request: Request, context: AppLoadContext) {
  const gate = await openGate(request, context, { procedure: 'hub:downloads' })
  if (isRefusal(gate)) return data<DownloadCenter>({ refused: gate.message, status: gate.status }, { status: gate.status })
  const { platform, principal, entitled } = gate
  const db = platform.pg.db
  const markets = await Promise.all(
    MarketId.options
      .filter((id) => isAvailable(id, 'downloads'))
      .map(async (id): Promise<MarketChoice> => {
        const [nodes, curves] = await Promise.all([listNodes(db, { market: id, types: ['hub', 'zone'] }), listCurves(db, [id], { organizationId: principal.organizationId })])
        return {
          id,
          name: MARKETS[id].name,
          entitled: entitled.includes(id),
          nodes: nodes.map((n) => ({ name: n.name, type: n.type })),
          curveHubs: curves.curves.map((c) => c.node),
          runs: [...MARKETS[id].runs],
        }
      }),
  )
  const scenarioAccess = { organizationId: principal.organizationId, userId: principal.userId, label: principal.label }
  const [jobs, subscriptions, outputs, runs, reportProducts] = await Promise.all([
    listExports({ db }, principal, { limit: JOBS_SHOWN }),
    listSubscriptions(db, principal),
    listReportOutputs(db, principal, { limit: REPORTS_SHOWN }),
    listRuns(db, scenarioAccess),
    entitledProducts(db, principal, 'downloads'),
  ])
  const env = platform.env
  await gate.served({ details: { jobs: jobs.length, reports: outputs.length } })
  return data<DownloadCenter>({
    refused: null,
    markets,
    scenarioRuns: runs
      .filter((r) => r.status === 'done')
      .slice(0, 20)
      .map((r) => ({ runId: r.runId, label: `${r.scenarioName} v${r.version} · ${r.mode} · ${r.runId.slice(0, 8)}` })),
    defaults: defaultRange(),
    jobs,
    subscriptions,
    outputs,
    reportProducts,
    limits: {
      maxRows: env.EXPORT_MAX_ROWS,
      maxActive: env.EXPORT_MAX_ACTIVE_PER_ORGANIZATION,
      maxRowsPerDay: env.EXPORT_MAX_ROWS_PER_DAY,
      linkSeconds: env.DOWNLOAD_LINK_SECONDS,
      retentionHours: env.EXPORT_RETENTION_HOURS,
    },
    at: Date.now(),
  })
}

/** The jobs and reports alone, for the page's poll while a job moves. */
export async function loadJobs(request: Request, context: AppLoadContext) {
  const gate = await openGate(request, context, { procedure: 'hub:exports-jobs' })
  if (isRefusal(gate)) throw new Response(gate.message, { status: gate.status, headers: { 'Cache-Control': 'no-store' } })
  const db = gate.platform.pg.db
  const [jobs, outputs] = await Promise.all([listExports({ db }, gate.principal, { limit: JOBS_SHOWN }), listReportOutputs(db, gate.principal, { limit: REPORTS_SHOWN })])
  await gate.served({ details: { jobs: jobs.length, reports: outputs.length } })
  return Response.json({ jobs, outputs, at: Date.now() }, { headers: { 'Cache-Control': 'no-store' } })
}

/** The page's forms: estimate, create, cancel, subscribe, unsubscribe. Every answer is shown inline. */
export async function downloadCenterAction(request: Request, context: AppLoadContext) {
  const form = await request.formData()
  const intent = String(form.get('intent') ?? '')
  switch (intent) {
    case 'estimate':
    case 'create':
      return exportAction(request, context, intent, form)
    case 'cancel':
      return cancelAction(request, context, form)
    case 'subscribe':
      return subscribeAction(request, context, form)
    case 'unsubscribe':
      return unsubscribeAction(request, context, form)
    default:
      return data<CenterAnswer>({ intent, ok: false, error: `Unknown action ${JSON.stringify(intent.slice(0, 40))}` }, { status: 400 })
  }
}

/** A known market name, else undefined (the service names a wrong one in its 400). */
function knownMarket(value: unknown): MarketId | undefined {
  const parsed = MarketId.safeParse(value)
  return parsed.success ? parsed.data : undefined
}

/** The service's refusal as an inline answer (its row audited); anything else (an outage, a bug) propagates. */
async function refusedAnswer(access: DataAccess, request: Request, context: AppLoadContext, gate: Gate, intent: string, error: unknown, extra: { signature?: string } = {}) {
  if (!isAppError(error) || error.status >= 500) throw error
  // A market refusal inside the service was audited there already; every other refusal is recorded here.
  if (error.status !== 403) await deny(access, request, context, gate, error.status, error.userMessage)
  return data<CenterAnswer>({ intent, ok: false, error: error.userMessage, ...extra }, { status: error.status })
}

async function exportAction(request: Request, context: AppLoadContext, intent: 'estimate' | 'create', form: FormData) {
  const signature = String(form.get('signature') ?? '')
  const input = exportRequestOf(readExportForm(form))
  const gate: Gate = { procedure: intent === 'estimate' ? 'hub:exports-estimate' : 'hub:exports-create', market: knownMarket(marketOfRequest(input)) }
  const access = await openGate(request, context, gate)
  if (isRefusal(access)) return data<CenterAnswer>({ intent, ok: false, error: access.message, signature }, { status: access.status })
  const deps = exportDeps(access)
  try {
    if (intent === 'estimate') {
      const estimate = await estimateExport(deps, access.principal, 'hub', input as never, auditRequest(request, context))
      await access.served({ details: { dataset: input.dataset, rows: estimate.rows, bytes: estimate.bytes, withinLimits: estimate.withinLimits } })
      return data<CenterAnswer>({ intent, ok: true, estimate, signature })
    }
    const job = await createExport(deps, access.principal, 'hub', input as never, auditRequest(request, context))
    await access.served({ details: { dataset: job.dataset, exportId: job.id, estimatedRows: job.estimatedRows } })
    return data<CenterAnswer>({ intent, ok: true, job })
  } catch (error) {
    return refusedAnswer(access, request, context, gate, intent, error, { signature })
  }
}

async function cancelAction(request: Request, context: AppLoadContext, form: FormData) {
  const gate: Gate = { procedure: 'hub:exports-cancel' }
  const access = await openGate(request, context, gate)
  if (isRefusal(access)) return data<CenterAnswer>({ intent: 'cancel', ok: false, error: access.message }, { status: access.status })
  try {
    const job = await cancelExport(exportDeps(access), access.principal, String(form.get('id') ?? ''))
    await access.served({ details: { exportId: job.id } })
    return data<CenterAnswer>({ intent: 'cancel', ok: true, job })
  } catch (error) {
    return refusedAnswer(access, request, context, gate, 'cancel', error)
  }
}

/**
 * Subscribes to a daily report. A market report passes the gate with its market; the fuels report
 * (no market: it covers products) passes it on the channel alone, and the service refuses an
 * organization without any of its products through downloads (403, recorded here).
 */
async function subscribeAction(request: Request, context: AppLoadContext, form: FormData) {
  const kind = String(form.get('kind') ?? '')
  const fuels = kind === FUELS_REPORT_KIND
  const market = String(form.get('market') ?? '')
  const node = String(form.get('node') ?? '').trim()
  const gate: Gate = { procedure: 'hub:reports-subscribe', market: fuels ? undefined : knownMarket(market) }
  const access = await openGate(request, context, gate)
  if (isRefusal(access)) return data<CenterAnswer>({ intent: 'subscribe', ok: false, error: access.message }, { status: access.status })
  try {
    const params = kind === 'curve' ? { market, node } : fuels ? {} : { market }
    const { subscription, created } = await subscribe(access.platform.pg.db, access.principal, { kind, params } as never)
    const products = fuels ? { products: await entitledProducts(access.platform.pg.db, access.principal, 'downloads') } : {}
    await access.served({ nodes: kind === 'curve' ? [node] : null, details: { kind, subscriptionId: subscription.id, created, ...products } })
    return data<CenterAnswer>({ intent: 'subscribe', ok: true, subscription, created })
  } catch (error) {
    if (isAppError(error) && error.status === 403) await deny(access, request, context, gate, 403, error.userMessage)
    return refusedAnswer(access, request, context, gate, 'subscribe', error)
  }
}

async function unsubscribeAction(request: Request, context: AppLoadContext, form: FormData) {
  const gate: Gate = { procedure: 'hub:reports-unsubscribe' }
  const access = await openGate(request, context, gate)
  if (isRefusal(access)) return data<CenterAnswer>({ intent: 'unsubscribe', ok: false, error: access.message }, { status: access.status })
  try {
    const subscription = await unsubscribe(access.platform.pg.db, access.principal, String(form.get('id') ?? ''))
    await access.served({ details: { subscriptionId: subscription.id } })
    return data<CenterAnswer>({ intent: 'unsubscribe', ok: true, subscription })
  } catch (error) {
    return refusedAnswer(access, request, context, gate, 'unsubscribe', error)
  }
}

function plain(message: string, status: number): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } })
}

/**
 * GET /downloads/:id: the job's downloads entitlement checked again (per market, audited as
 * exports.link) and a redirect to a fresh signed link; 409 while the file is not ready.
 */
export async function redirectToExport(request: Request, context: AppLoadContext, id: string) {
  const gate: Gate = { procedure: 'hub:exports-download' }
  const access = await openGate(request, context, gate)
  if (isRefusal(access)) throw plain(access.message, access.status)
  let job: ExportJob
  try {
    job = await getExport(exportDeps(access), access.principal, 'hub', id, auditRequest(request, context))
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    if (error.status !== 403) await deny(access, request, context, gate, error.status, error.userMessage, { exportId: id.slice(0, 64) })
    throw plain(error.userMessage, error.status)
  }
  if (!job.url) {
    const reason = `The export ${job.filename} is ${job.status}: ${job.status === 'done' ? 'its file has expired' : 'there is no file to download'}`
    await deny(access, request, context, gate, 409, reason, { exportId: job.id })
    throw plain(reason, 409)
  }
  await access.served({ market: job.markets[0] ?? null, details: { exportId: job.id, filename: job.filename, markets: job.markets } })
  return redirect(job.url, { headers: { 'Cache-Control': 'no-store' } })
}

/** GET /downloads/reports/:id: a produced report's fresh signed link (reportOutputLink checks and audits it). */
export async function redirectToReport(request: Request, context: AppLoadContext, id: string) {
  const gate: Gate = { procedure: 'hub:reports-download' }
  const access = await openGate(request, context, gate)
  if (isRefusal(access)) throw plain(access.message, access.status)
  const { platform } = access
  try {
    const link = await reportOutputLink({ db: platform.pg.db, objects: platform.objects, env: platform.env, log: platform.log }, access.principal, id, auditRequest(request, context))
    await access.served({ details: { reportOutputId: id, filename: link.filename } })
    return redirect(link.url, { headers: { 'Cache-Control': 'no-store' } })
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    throw plain(error.userMessage, error.status)
  }
}
