import { MarketId } from '@carbon/schemas'
import { data, redirect, type AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { isAppError } from '#server/errors.ts'
import {
  diffRuns,
  getRun,
  getRunResults,
  getScenario,
  listRuns,
  listScenarios,
  parentCandidates,
  requestRun,
  saveScenario,
} from '#server/services/scenarios/index.ts'
import { DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, type Diagnostic, type RunStatus, type ScenarioAccess } from '#server/services/scenarios/schemas.ts'
import { accessData, auditedInput, type DataAccess } from './data-access.server.ts'
import { invariantResponse, orRespond, parseOr } from './http.server.ts'
import {
  annualAverages,
  annualDiff,
  annualStack,
  hasBands,
  hubsOf,
  parseRunQuery,
  priceSeries,
  runHref,
  scenarioHref,
  starterText,
  technologiesOf,
  type RunQuery,
} from './scenarios.ts'

/**
 * The scenario pages' data: every loader and action goes through accessData (sign-in, the hub
 * channel, the rate limit, an audit row before data leaves) and the scenario service
 * (server/services/scenarios). Scenario texts are the organization's (plus the house's); a run's
 * RESULTS are market data: a page shows one market's results at a time, that market checked on the
 * hub channel (403, audited, when not entitled).
 */

/** The caller as the scenario service takes it. */
function callerOf(access: DataAccess): ScenarioAccess {
  const { principal } = access
  return { organizationId: principal.organizationId, userId: principal.userId, label: principal.label }
}

/** What the services that touch the bus or ClickHouse need. */
function depsOf(access: DataAccess) {
  const { platform } = access
  return { db: platform.pg.db, ch: platform.ch, bus: platform.bus, log: platform.log }
}

const ScenarioParams = z.object({ id: z.uuid('the scenario id in the address is not a scenario id') })
const RunParams = z.object({ runId: z.string().regex(/^[0-9a-f]{32}$/, 'the run id in the address is not a run id (32 hex characters)') })
const VersionQuery = z.object({ version: z.coerce.number().int().min(1, 'version: a version number from 1').optional() })

/** The runs of the query's market (default: the first one the user may see in the hub); an unknown market is a 400. */
function queryMarket(request: Request): RunQuery & { marketId: MarketId | null } {
  const parsed = parseRunQuery(new URL(request.url).searchParams)
  invariantResponse(parsed.ok, parsed.ok ? '' : parsed.message)
  const { query } = parsed
  if (!query.market) return { ...query, marketId: null }
  const market = MarketId.safeParse(query.market)
  invariantResponse(market.success, `market: '${query.market}' is not a market; use ${MarketId.options.join(' or ')}`)
  return { ...query, marketId: market.data }
}

/** The entitled markets in the platform's order (MISO first), the first being a results page's default. */
function marketsInOrder(entitled: readonly MarketId[]): MarketId[] {
  return MarketId.options.filter((m) => entitled.includes(m))
}

/** The list: the user's scenarios and the house ones, and the latest runs. */
export async function loadScenarioList(request: Request, context: AppLoadContext) {
  const access = await accessData(request, context, { procedure: 'hub:scenarios' })
  const caller = callerOf(access)
  const { db } = access.platform.pg
  const [scenarios, runs] = await Promise.all([orRespond(listScenarios(db, caller)), orRespond(listRuns(db, caller, {}))])
  await access.served({ details: { scenarios: scenarios.length, runs: runs.length } })
  return { scenarios, runs: runs.slice(0, 25), organization: access.principal.organizationSlug }
}

/** Texts of every scenario the user can see (house + own organization), for `extends` in the editor. */
async function parentTexts(access: DataAccess, except: string | null) {
  const candidates = await parentCandidates(access.platform.pg.db, callerOf(access))
  // The built-in base before it is seeded (no scenario id) is not a saved scenario: the editor lists saved ones.
  return [...candidates.values()].filter((c) => c.scenarioId !== '' && c.scenarioId !== except).map(({ name, text }) => ({ name, text }))
}

/** The new-scenario page: a starter text extending `?extends=` (default base). */
export async function loadNewScenario(request: Request, context: AppLoadContext) {
  const parent = new URL(request.url).searchParams.get('extends')?.trim() || 'base'
  invariantResponse(parent.length <= 200, 'extends: a scenario name of at most 200 characters')
  const access = await accessData(request, context, { procedure: 'hub:scenario-new' })
  const parents = await orRespond(parentTexts(access, null))
  await access.served({ details: { parents: parents.length, extends: parent } })
  return { text: starterText(parents.some((p) => p.name === parent) ? parent : 'base'), parents }
}

/** A scenario at one version (default the latest), its versions and runs, and the parent texts. */
export async function loadScenario(request: Request, context: AppLoadContext, rawParams: Record<string, string | undefined>) {
  const spec = { procedure: 'hub:scenario' }
  const { id, version } = await auditedInput(request, context, spec, () => ({
    ...parseOr(ScenarioParams, rawParams, 404),
    ...parseOr(VersionQuery, Object.fromEntries(new URL(request.url).searchParams)),
  }))
  const access = await accessData(request, context, spec)
  const caller = callerOf(access)
  const scenario = await orRespond(getScenario(access.platform.pg.db, caller, { id, version }))
  const parents = await orRespond(parentTexts(access, scenario.id))
  await access.served({ details: { scenarioId: scenario.id, version: scenario.version } })
  return { scenario, parents }
}

/** What a refused save or run gives back to the form: the reason, the diagnostics, the text as entered. */
export type ScenarioAnswer = { ok: false; message: string; diagnostics: Diagnostic[]; text: string }

function refuse(text: string, message: string, status: number, diagnostics: Diagnostic[] = []) {
  return data<ScenarioAnswer>({ ok: false, message, diagnostics, text }, { status })
}

const RunForm = z.object({
  mode: z.enum(['deterministic', 'montecarlo'], 'mode: deterministic or montecarlo').default('deterministic'),
  draws: z.coerce.number().int().min(10, 'draws: at least 10').max(MAX_DRAWS, `draws: at most ${MAX_DRAWS}`).default(DEFAULT_DRAWS),
  seed: z.coerce.number().int().min(0, 'seed: 0 or more').max(2 ** 31 - 1, 'seed: at most 2147483647').default(DEFAULT_SEED),
})

/** Form fields as strings; an empty field counts as absent (its default applies). */
function formFields(form: FormData, names: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of names) {
    const value = form.get(name)
    if (typeof value === 'string' && value.trim() !== '') out[name] = value.trim()
  }
  return out
}

/** The diagnostics an AppError carries (a refused save), if any. */
function diagnosticsOf(error: unknown): Diagnostic[] {
  if (!isAppError(error)) return []
  const list = error.details?.diagnostics
  return Array.isArray(list) ? (list as Diagnostic[]) : []
}

/**
 * The editor's form (new scenario or a saved one): `intent=save` saves the text as a new version
 * (unchanged text: no new version) and shows it; `intent=run` saves first (a house scenario is run
 * as it is) and requests a run (mode, draws, seed), then goes to the run page. A refusal (errors in
 * the text, a house scenario, bad run options) comes back to the form with its reason, the
 * diagnostics and the text as entered.
 */
export async function submitScenario(request: Request, context: AppLoadContext, rawParams: Record<string, string | undefined>) {
  const spec = { procedure: 'hub:scenario-save' }
  const existing = rawParams.id === undefined ? null : (await auditedInput(request, context, spec, () => parseOr(ScenarioParams, rawParams, 404))).id
  const access = await accessData(request, context, spec)
  const caller = callerOf(access)
  const { db } = access.platform.pg
  const form = await request.formData()
  const textValue = form.get('text')
  const text = typeof textValue === 'string' ? textValue.replace(/\r\n/g, '\n') : ''
  const intent = form.get('intent') === 'run' ? 'run' : 'save'
  if (text.trim() === '') return refuse(text, 'The scenario is empty: write at least its scenario "…" line.', 400)

  let target: { id: string; version: number }
  try {
    const current = existing ? await getScenario(db, caller, { id: existing }) : null
    if (current && current.owner === 'house') {
      if (intent !== 'run') {
        const message = `${current.name} is a house scenario: it cannot be changed. Start a new scenario that extends it.`
        await access.served({ details: { scenarioId: existing, refused: message } })
        return refuse(text, message, 403)
      }
      target = { id: current.id, version: current.version }
    } else {
      const saved = await saveScenario(db, caller, { id: existing ?? undefined, text })
      target = { id: saved.id, version: saved.version }
      await access.served({ details: { scenarioId: saved.id, version: saved.version, created: saved.created, intent } })
    }
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    const diagnostics = diagnosticsOf(error)
    await access.served({ details: { scenarioId: existing, refused: error.userMessage, problems: diagnostics.length } })
    const message = diagnostics.length > 0 ? `The scenario was not saved: ${diagnostics.length === 1 ? '1 problem' : `${diagnostics.length} problems`} to fix.` : error.userMessage
    return refuse(text, message, error.status, diagnostics)
  }
  if (intent === 'save') return redirect(scenarioHref(target.id))

  const options = RunForm.safeParse(formFields(form, ['mode', 'draws', 'seed']))
  if (!options.success) return refuse(text, options.error.issues[0]?.message ?? 'The run options are not valid.', 400)
  const { mode, draws, seed } = options.data
  try {
    const run = await requestRun(depsOf(access), caller, {
      scenarioId: target.id,
      version: target.version,
      mode,
      ...(mode === 'montecarlo' ? { draws, seed } : {}),
    })
    await access.served({ details: { scenarioId: target.id, version: target.version, runId: run.runId, mode } })
    return redirect(runHref(run.runId))
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    await access.served({ details: { scenarioId: target.id, refused: error.userMessage } })
    return refuse(text, error.userMessage, error.status)
  }
}

/** The summary rows of a run that the user may see (results are market data). */
function visibleSummary(run: RunStatus, entitled: readonly string[]) {
  return (run.summary ?? []).filter((row) => entitled.includes(row.market))
}

/**
 * A run: its status (the page polls while queued or running), lineage, and once done one market's
 * results (the query's market, checked on the hub channel; default the first entitled one): the
 * monthly prices of a hub and block with bands, yearly averages of every hub and block, the
 * generation mix and capacity per year. Runs to compare with: the other done runs the user can see.
 */
export async function loadRun(request: Request, context: AppLoadContext, rawParams: Record<string, string | undefined>) {
  const spec = { procedure: 'hub:scenario-run' }
  const { runId, query } = await auditedInput(request, context, spec, () => ({ ...parseOr(RunParams, rawParams, 404), query: queryMarket(request) }))
  const access = await accessData(request, context, { ...spec, market: query.marketId ?? undefined })
  const caller = callerOf(access)
  const { db } = access.platform.pg
  const run = await orRespond(getRun(db, caller, { runId }))
  const markets = marketsInOrder(access.entitled)
  const market = query.marketId ?? markets[0] ?? null
  const base = {
    run: { ...run, summary: visibleSummary(run, markets) },
    markets,
    market,
    query: { market: query.market, hub: query.hub, block: query.block },
  }
  if (run.status !== 'done' || !market) {
    await access.served({ details: { runId, status: run.status } })
    return { ...base, results: null, others: [] }
  }
  const [results, all] = await Promise.all([orRespond(getRunResults(depsOf(access), caller, { runId, markets: [market] })), orRespond(listRuns(db, caller, {}))])
  const prices = results.prices.filter((r) => r.market === market)
  const mix = results.mix.filter((r) => r.market === market)
  const hubs = hubsOf(prices)
  const hub = query.hub && hubs.includes(query.hub) ? query.hub : (hubs[0] ?? null)
  await auditedInput(request, context, spec, () =>
    invariantResponse(!query.hub || hub === query.hub, `hub: '${query.hub}' is not a ${market} hub of this run; use ${hubs.join(' or ')}`),
  )
  const series = hub ? priceSeries(prices, hub, query.block) : []
  await access.served({
    market,
    nodes: hubs,
    rangeFrom: prices[0] ? new Date(`${prices[0].month}-01T00:00:00Z`) : undefined,
    details: { runId, status: run.status, hub, block: query.block, months: series.length },
  })
  return {
    ...base,
    results: {
      hubs,
      hub,
      series,
      bands: hasBands(prices),
      annual: annualAverages(prices),
      technologies: technologiesOf(mix),
      generation: annualStack(mix, 'generation'),
      capacity: annualStack(mix, 'capacity'),
    },
    others: all.filter((r) => r.status === 'done' && r.runId !== runId),
  }
}

const CompareQuery = z.object({
  a: z.string().regex(/^[0-9a-f]{32}$/, 'a: a run id (32 hex characters)'),
  b: z.string().regex(/^[0-9a-f]{32}$/, 'b: a run id (32 hex characters)'),
})

/**
 * Two runs side by side (b against a): the assumptions that differ (canonical statements), and the
 * price change by year of a hub and block of one market (the query's, checked on the hub channel),
 * with the mean 2030-2035 change of every hub and block.
 */
export async function loadCompare(request: Request, context: AppLoadContext) {
  const spec = { procedure: 'hub:scenario-compare' }
  const { a, b, query } = await auditedInput(request, context, spec, () => ({
    ...parseOr(CompareQuery, Object.fromEntries(new URL(request.url).searchParams)),
    query: queryMarket(request),
  }))
  const access = await accessData(request, context, { ...spec, market: query.marketId ?? undefined })
  const caller = callerOf(access)
  const { db } = access.platform.pg
  const markets = marketsInOrder(access.entitled)
  const market = query.marketId ?? markets[0]
  invariantResponse(market, 'Your organization is entitled to no market in the hub', { status: 403 })
  const [runA, runB] = await Promise.all([orRespond(getRun(db, caller, { runId: a })), orRespond(getRun(db, caller, { runId: b }))])
  await auditedInput(request, context, spec, () =>
    invariantResponse(runA.status === 'done' && runB.status === 'done', `Both runs must be done to compare them (${a.slice(0, 12)}: ${runA.status}, ${b.slice(0, 12)}: ${runB.status}).`, {
      status: 409,
    }),
  )
  const diff = await orRespond(diffRuns(depsOf(access), caller, { a, b, markets: [market] }))
  const prices = diff.prices.filter((r) => r.market === market)
  const hubs = hubsOf(prices)
  const hub = query.hub && hubs.includes(query.hub) ? query.hub : (hubs[0] ?? null)
  await auditedInput(request, context, spec, () =>
    invariantResponse(!query.hub || hub === query.hub, `hub: '${query.hub}' is not a ${market} hub of these runs; use ${hubs.join(' or ')}`),
  )
  const summary = hubs.flatMap((h) =>
    (['onpeak', 'offpeak'] as const).map((block) => {
      const years = annualDiff(prices, h, block).filter((y) => y.year >= 2030 && y.year <= 2035)
      const mean = (pick: (y: (typeof years)[number]) => number) => (years.length ? years.reduce((s, y) => s + pick(y), 0) / years.length : null)
      return { hub: h, block, a: mean((y) => y.a), b: mean((y) => y.b), delta: mean((y) => y.delta) }
    }),
  )
  await access.served({ market, nodes: hubs, details: { a, b, hub, block: query.block, assumptions: diff.assumptions.length } })
  const label = (run: RunStatus) => ({ runId: run.runId, name: run.scenario.name, version: run.scenario.version, mode: run.mode, finishedAt: run.finishedAt })
  return {
    a: label(runA),
    b: label(runB),
    markets,
    market,
    hubs,
    hub,
    block: query.block,
    assumptions: diff.assumptions,
    years: hub ? annualDiff(prices, hub, query.block) : [],
    summary,
  }
}
