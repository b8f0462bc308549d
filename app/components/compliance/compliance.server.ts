import { data, redirect, type AppLoadContext } from '@remix-run/node'
import { requireUser } from '#app/utils/auth.server.ts'
import { accessData, auditedInput, type DataAccess } from '#app/utils/data-access.server.ts'
import { invariantResponse } from '#app/utils/http.server.ts'
import { isAppError, type AppError } from '#server/errors.ts'
import { getPlatform } from '#server/platform.ts'
import { recordAudit } from '#server/services/auth/audit.ts'
import { entitledProducts, hasRole } from '#server/services/auth/entitlements.ts'
import {
  findProgram,
  getPositions,
  latestRetirementDate,
  listEntries,
  productOf,
  programsOf,
  programSummary,
  recordEntries,
  removeEntries,
  type ComplianceProduct,
  type ObligationEntry,
  type RecordInputIn,
} from '#server/services/compliance/index.ts'
import { carveOutField, formFieldOf, formMessage, formValues, INTENTS, isProblem, readNumber, type FieldProblem, type Intent } from './form-fields.ts'
import type { ActionAnswer, OverviewData, ProgramPageData } from './types.ts'

/**
 * The compliance pages' server half. Every loader and action passes accessData on the hub channel
 * with the product whose entitlement decides (LCFS for LCFS programs, REC for RPS programs): sign-in,
 * rate limit, the one authorization decision, an audit row. Writes also need the analyst role (403
 * otherwise). The work is the compliance service's (server/services/compliance), as for the API.
 */

const COMPLIANCE_PRODUCTS: readonly ComplianceProduct[] = ['LCFS', 'REC']

/** The products the user's organization may see here, in order (LCFS, REC). */
async function hubProducts(request: Request): Promise<ComplianceProduct[]> {
  const platform = await getPlatform()
  const principal = await requireUser(request)
  const products = await entitledProducts(platform.pg.db, principal, 'hub')
  return COMPLIANCE_PRODUCTS.filter((p) => products.includes(p))
}

/**
 * /compliance: every program of the products the organization is entitled to, with its positions.
 * An organization entitled to neither product is refused (403, audited by the gate).
 */
export async function loadOverview(request: Request, context: AppLoadContext) {
  const products = await hubProducts(request)
  let access: DataAccess
  try {
    access = await accessData(request, context, { procedure: 'hub:compliance', market: products[0] ?? 'LCFS' })
  } catch (refusal) {
    // The gate names the one product it asked about; the page is about both.
    if (refusal instanceof Response && refusal.status === 403 && products.length === 0) {
      throw new Response('Your organization is entitled to neither LCFS nor REC through the hub: compliance tracking needs one of them.', {
        status: 403,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      })
    }
    throw refusal
  }
  const deps = { db: access.platform.pg.db, ch: access.platform.ch }
  const sections = await Promise.all(
    products.map(async (product) => {
      const { programs, positions } = await getPositions(deps, access.principal, { product })
      return { product, programs: programs.map((program) => ({ program, positions: positions.filter((p) => p.program === program.id) })) }
    }),
  )
  await access.served({ details: { products, positions: sections.flatMap((s) => s.programs).reduce((n, p) => n + p.positions.length, 0) } })
  return data<OverviewData>({ sections })
}

/** The program of a page's path (`/compliance/NJ_RPS`, any case); an unknown one is a 404. */
function routeProgram(params: Record<string, string | undefined>) {
  const id = String(params.program ?? '').toUpperCase()
  const program = /^[A-Z][A-Z0-9_]{1,31}$/.test(id) ? findProgram(id) : undefined
  const known = COMPLIANCE_PRODUCTS.flatMap((p) => programsOf(p).map((x) => x.id)).join(', ')
  invariantResponse(program, `Unknown compliance program '${String(params.program ?? '').slice(0, 40)}': programs are ${known}`, { status: 404 })
  return program
}

/** /compliance/:program: positions, entries and (for analysts) the forms. */
export async function loadProgramPage(request: Request, context: AppLoadContext, params: Record<string, string | undefined>) {
  const spec = { procedure: 'hub:compliance-program' }
  const program = await auditedInput(request, context, spec, () => routeProgram(params))
  const product = productOf(program)
  const access = await accessData(request, context, { ...spec, market: product })
  const deps = { db: access.platform.pg.db, ch: access.platform.ch }
  const [{ positions }, entries] = await Promise.all([
    getPositions(deps, access.principal, { product, program: program.id }),
    listEntries(deps.db, access.principal, { product, program: program.id }),
  ])
  await access.served({ details: { program: program.id, positions: positions.length } })
  const ok = new URL(request.url).searchParams.get('ok')
  return data<ProgramPageData>({
    product,
    program: programSummary(program),
    positions,
    entries,
    canWrite: hasRole(access.principal, 'analyst'),
    latestRetirementDate: latestRetirementDate(),
    ok: ok !== null && (INTENTS as readonly string[]).includes(ok) ? (ok as Intent) : null,
  })
}

/** The denied row of a refusal after the gate let the request through (bad input, inconsistent entries). */
async function deny(access: DataAccess, request: Request, context: AppLoadContext, procedure: string, product: ComplianceProduct, error: AppError) {
  await recordAudit(access.platform.pg.db, {
    requestId: context.requestId,
    principal: access.principal,
    channel: 'hub',
    procedure,
    market: product,
    outcome: 'denied',
    status: error.status,
    clientAddress: context.clientAddress,
    userAgent: request.headers.get('user-agent'),
    details: { reason: error.userMessage },
  })
}

type Built = { input: RecordInputIn; carveOuts: string[] } | FieldProblem

/** The entry one form describes, or the first field that is not filled in right. */
function entryOf(intent: Exclude<Intent, 'remove'>, form: FormData, programId: string, product: ComplianceProduct): Built {
  const program = findProgram(programId)!
  const text = (field: string) => String(form.get(field) ?? '').trim()
  const numbers: Record<string, number> = {}
  const need = (...fields: string[]): FieldProblem | null => {
    for (const field of fields) {
      const value = readNumber(form, field)
      if (isProblem(value)) return value
      numbers[field] = value
    }
    return null
  }
  if (intent === 'lot') {
    const problem = need('vintage', 'quantity')
    if (problem) return problem
    return { input: { product, lots: [{ program: programId, class: text('class'), vintage: numbers.vintage!, quantity: numbers.quantity! }] }, carveOuts: [] }
  }
  if (intent === 'retirement') {
    const problem = need('period', 'vintage', 'quantity')
    if (problem) return problem
    const retirement = { program: programId, period: numbers.period!, class: text('class'), vintage: numbers.vintage!, quantity: numbers.quantity!, retiredOn: text('retiredOn') }
    return { input: { product, retirements: [retirement] }, carveOuts: [] }
  }
  if (program.kind === 'LCFS') {
    const problem = need('period', 'deficitsMT')
    if (problem) return problem
    return { input: { product, obligations: [{ program: programId, period: numbers.period!, basis: 'deficits', deficitsMT: numbers.deficitsMT! }] }, carveOuts: [] }
  }
  const problem = need('period', 'retailSalesMWh', 'percent')
  if (problem) return problem
  const headline = text('class')
  // The carve-outs of the chosen headline class that were filled in; an empty one is no carve-out.
  const carveOuts: { class: string; percent: number }[] = []
  for (const c of program.classes.filter((x) => x.carveOutOf === headline)) {
    if (text(carveOutField(c.class)) === '') continue
    const percent = readNumber(form, carveOutField(c.class))
    if (isProblem(percent)) return percent
    carveOuts.push({ class: c.class, percent })
  }
  const obligation: ObligationEntry = {
    program: programId,
    period: numbers.period!,
    basis: 'retail_sales',
    class: headline,
    retailSalesMWh: numbers.retailSalesMWh!,
    percent: numbers.percent!,
    carveOuts,
  }
  return { input: { product, obligations: [obligation] }, carveOuts: carveOuts.map((c) => c.class) }
}

const REMOVABLE = { obligations: 'obligations', lots: 'lots', retirements: 'retirements' } as const

/**
 * The program page's forms: intent=obligation|lot|retirement records one entry, intent=remove
 * removes one (kind, id). A refusal comes back to the form (400/404 with the field and its label);
 * a success redirects to the page with `?ok=<intent>`.
 */
export async function programAction(request: Request, context: AppLoadContext, params: Record<string, string | undefined>) {
  const form = await request.formData()
  const rawIntent = String(form.get('intent') ?? '')
  const intent = (INTENTS as readonly string[]).includes(rawIntent) ? (rawIntent as Intent) : null
  const procedure = intent === 'remove' ? 'hub:compliance-remove' : 'hub:compliance-record'
  const program = await auditedInput(request, context, { procedure }, () => routeProgram(params))
  const product = productOf(program)
  const access = await accessData(request, context, { procedure, market: product, role: 'analyst' })
  const values = formValues(form)
  const answer = (status: number, field: string | null, message: string) =>
    data<ActionAnswer>({ ok: false, intent: intent ?? 'obligation', field, message, values }, { status })
  if (!intent) return answer(400, null, `Unknown action ${JSON.stringify(rawIntent.slice(0, 40))}.`)

  let carveOuts: string[] = []
  let work: () => Promise<unknown>
  if (intent === 'remove') {
    const kind = REMOVABLE[String(form.get('kind') ?? '') as keyof typeof REMOVABLE]
    if (!kind) return answer(400, null, 'Unknown kind of entry to remove.')
    work = () => removeEntries(access.platform.pg.db, access.principal, { product, [kind]: [String(form.get('id') ?? '')] })
  } else {
    const built = entryOf(intent, form, program.id, product)
    if (isProblem(built)) return answer(400, built.field, built.message)
    carveOuts = built.carveOuts
    work = () => recordEntries(access.platform.pg.db, access.principal, 'hub', built.input)
  }
  try {
    await work()
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    await deny(access, request, context, procedure, product, error)
    const issues = error.details?.issues as { path: string }[] | undefined
    const path = issues?.[0]?.path ?? ''
    const field = formFieldOf(intent, path, carveOuts)
    return answer(error.status, field, formMessage(error.userMessage, path, field))
  }
  await access.served({ details: { program: program.id, intent } })
  return redirect(`/compliance/${program.id}?ok=${intent}`)
}
