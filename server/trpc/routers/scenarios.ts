import { z } from 'zod'
import {
  diffRuns,
  getRun,
  getRunResults,
  getScenario,
  listRuns,
  listScenarios,
  requestRun,
  saveScenario,
  validateScenario,
  waitForRun,
} from '../../services/scenarios/index.ts'
import {
  BASE_RUN_REF,
  DiffInput,
  GetRunInput,
  GetScenarioInput,
  HOUSE_BASE_ID,
  ListRunsInput,
  ListRunsOutput,
  ListScenariosInput,
  ListScenariosOutput,
  RunDiff,
  RunRequestInput,
  RunResults,
  RunStatus,
  ResultsInput,
  SaveInput,
  SaveOutput,
  ScenarioDetail,
  ValidateInput,
  ValidateOutput,
  type ScenarioAccess,
} from '../../services/scenarios/schemas.ts'
import { FleetCheckInput, FleetCheckOutput, fleetCheck, fleetSubject } from '../../services/scenarios/fleet-check.ts'
import { authorize } from '../../services/auth/entitlements.ts'
import type { Principal } from '../../services/auth/types.ts'
import { dataProcedure, router, type Context } from '../trpc.ts'

/**
 * The scenario procedures (issue 12): scenarios in the scenario language saved per organization and
 * versioned, runs of the fundamentals model to 2050 (deterministic or Monte Carlo) with lineage, their
 * results and the diff of two runs, and the fleet check against EIA-860M (issue 18). Every procedure
 * is authenticated; scenario texts and run statuses are the caller's organization's (and the
 * house's); results, diffs and fleet checks are market data:
 * the caller names the market and the gate checks that market's entitlement on the channel (CAISO
 * is not offered through the API) and audits the call, as for prices.
 *
 * Scopes: reading scenarios and results is `read:curves` (they are forward prices, as curves are);
 * saving and running is `write:curves` and the analyst role, as building a curve.
 */

const read = { scope: 'read:curves' } as const
const write = { role: 'analyst', scope: 'write:curves' } as const

/**
 * A write names no market, and for a role-gated request without a market the gate decides by the
 * role alone (the admin pages' rule): here the caller's organization must also be entitled to some
 * market on this channel, as for every scenario read. The one decision, asked again without the role.
 */
async function requireChannel(ctx: { platform: Context['platform']; principal: Principal; auth: Context['auth'] }): Promise<void> {
  await authorize(ctx.platform.pg.db, ctx.principal, { channel: ctx.auth.channel, scope: write.scope })
}

const accessOf = (ctx: { principal: Principal }): ScenarioAccess => ({
  organizationId: ctx.principal.organizationId,
  userId: ctx.principal.userId,
  label: ctx.principal.label,
})

const EXAMPLE_TEXT = 'scenario "Access check" extends "base"\nset fuel.gas = 4.25 $/MMBtu from 2027-01\n'

/** The REST path of a run takes the scenario as `id`; the rest is the run request. */
const RunInput = z.object({ id: RunRequestInput.shape.scenarioId }).extend({
  version: RunRequestInput.shape.version,
  mode: RunRequestInput.shape.mode,
  draws: RunRequestInput.shape.draws,
  seed: RunRequestInput.shape.seed,
  waitMs: z.number().int().min(0).max(60_000).default(0).describe('how long to wait for the run to finish before answering (default 0: answer at once, then poll the run)'),
})

export const scenariosRouter = router({
  list: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/scenarios',
        tags: ['scenarios'],
        summary: 'Scenarios',
        description: "The house scenarios (the built-in base, published by 254Carbon) and your organization's, with their latest version, parent and latest run.",
      },
      access: read,
      example: {},
    })
    .input(ListScenariosInput)
    .output(ListScenariosOutput)
    .query(async ({ ctx }) => ({ scenarios: await listScenarios(ctx.platform.pg.db, accessOf(ctx)) })),

  // Before `get`: REST matches paths in order, and /scenarios/{id} would take /scenarios/fleet-check.
  fleetCheck: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/scenarios/fleet-check',
        tags: ['scenarios'],
        summary: 'Fleet check against EIA-860M',
        description:
          "A scenario's installed capacity per technology (default the built-in base scenario) against the latest EIA-860M generator inventory " +
          "stored for the market's own balancing authority (MISO, CISO for CAISO): operable net summer MW compared, nameplate shown, the gap and " +
          'the build or retire statement (whole MW, from the month after the inventory) that closes it; technologies the model has none for listed ' +
          'apart. `check` is null when no inventory is stored. The market needs your entitlement to it on this channel.',
      },
      access: read,
      example: { market: 'MISO' },
    })
    .input(FleetCheckInput)
    .output(FleetCheckOutput)
    .query(async ({ ctx, input }) => fleetCheck(ctx.platform.ch, [input.market], await fleetSubject(ctx.platform.pg.db, accessOf(ctx), input))),

  get: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/scenarios/{id}',
        tags: ['scenarios'],
        summary: 'A scenario',
        description: `One version of a scenario (default the latest): its text, canonical form and hash, every version and its runs. The house base scenario's id is ${HOUSE_BASE_ID}.`,
      },
      access: read,
      example: { id: HOUSE_BASE_ID },
    })
    .input(GetScenarioInput)
    .output(ScenarioDetail)
    .query(({ ctx, input }) => getScenario(ctx.platform.pg.db, accessOf(ctx), input)),

  validate: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/scenarios/validate',
        tags: ['scenarios'],
        summary: 'Check a scenario text',
        description:
          'Parses and resolves a text (its parent among your scenarios and the house ones): every problem with its line, column, token and, ' +
          'when a close match exists, a suggestion; when valid, the canonical form that is hashed. Stores nothing.',
      },
      access: read,
      example: { text: EXAMPLE_TEXT },
    })
    .input(ValidateInput)
    .output(ValidateOutput)
    .mutation(({ ctx, input }) => validateScenario(ctx.platform.pg.db, accessOf(ctx), input)),

  save: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/scenarios',
        tags: ['scenarios'],
        summary: 'Save a scenario',
        description:
          "Saves the text as the next version of your organization's scenario (by `id`, else the scenario of the text's name, else a new one). " +
          'A text whose resolved assumptions equal the latest version makes no version (`created: false`). An invalid text is a 400 whose ' +
          'message names the problems as file:line:col (POST /scenarios/validate lists each with its position); house scenarios cannot be saved over (403): extend them.',
      },
      access: write,
      example: { text: EXAMPLE_TEXT },
    })
    .input(SaveInput)
    .output(SaveOutput)
    .mutation(async ({ ctx, input }) => {
      await requireChannel(ctx)
      return saveScenario(ctx.platform.pg.db, accessOf(ctx), input)
    }),

  run: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/scenarios/{id}/runs',
        tags: ['scenarios'],
        summary: 'Run a scenario',
        description:
          'Runs a version of a scenario (default the latest) with the fundamentals model, monthly to 2050-12 per market, hub and block: ' +
          '`deterministic`, or `montecarlo` (gas and load drawn around the scenario, seeded) for P10/P50/P90 bands. The run id is a hash of ' +
          'the canonical scenario, the base-data and engine versions (and draws and seed): the same inputs are the same run, answered as it ' +
          'is (runs are immutable). Answers the run at once (`queued`) or after up to `waitMs`; poll GET /scenario-runs/{runId}.',
      },
      access: write,
      example: { id: HOUSE_BASE_ID, mode: 'deterministic' },
    })
    .input(RunInput)
    .output(RunStatus)
    .mutation(async ({ ctx, input }) => {
      await requireChannel(ctx)
      const { db } = ctx.platform.pg
      const access = accessOf(ctx)
      const { id, waitMs, ...request } = input
      const run = await requestRun({ db, bus: ctx.platform.bus, log: ctx.log, ch: ctx.platform.ch }, access, { ...request, scenarioId: id })
      if (!waitMs || run.status === 'done' || run.status === 'failed') return run
      return waitForRun(db, access, run.runId, waitMs, ctx.connectionClosed ?? undefined)
    }),

  runs: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/scenario-runs',
        tags: ['scenarios'],
        summary: 'Scenario runs',
        description: "Your organization's runs and the house runs, newest first (of one scenario with `scenarioId`).",
      },
      access: read,
      example: {},
    })
    .input(ListRunsInput)
    .output(ListRunsOutput)
    .query(async ({ ctx, input }) => ({ runs: await listRuns(ctx.platform.pg.db, accessOf(ctx), input) })),

  // Before `status`: REST matches paths in order, and /scenario-runs/{runId} would take /scenario-runs/diff.
  diff: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/scenario-runs/diff',
        tags: ['scenarios'],
        summary: 'Compare two runs',
        description:
          "Two done runs side by side for one market: the canonical statements that differ (by target) and each month's price per hub and " +
          'block in both, with the change (b - a) in $/MWh and %. The market needs your entitlement to it on this channel.',
      },
      access: read,
      example: { a: BASE_RUN_REF, b: BASE_RUN_REF, market: 'MISO' },
    })
    .input(DiffInput)
    .output(RunDiff)
    .query(({ ctx, input }) => diffRuns({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, accessOf(ctx), { a: input.a, b: input.b, markets: [input.market] })),

  status: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/scenario-runs/{runId}',
        tags: ['scenarios'],
        summary: 'A run: status and lineage',
        description:
          "A run's status and progress (0..1), its lineage (the scenario version and its parent chain with hashes, base-data and fuel-history " +
          "snapshot ids, engine version, who and when) and, when done, the average 2030-2035 price per market, hub and block. `base` names the house base run.",
      },
      access: read,
      example: { runId: BASE_RUN_REF },
    })
    .input(GetRunInput)
    .output(RunStatus)
    .query(({ ctx, input }) => getRun(ctx.platform.pg.db, accessOf(ctx), input)),

  results: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/scenario-runs/{runId}/results',
        tags: ['scenarios'],
        summary: 'A run: prices, mix and system',
        description:
          "A done run's monthly results for one market: price per hub and block ($/MWh, with P10/P50/P90: equal to the price unless a Monte Carlo run), " +
          'capacity and generation per technology, and load, peak and reserve margin. The market needs your entitlement to it on this channel ' +
          '(CAISO is not available through the API).',
      },
      access: read,
      example: { runId: BASE_RUN_REF, market: 'MISO', from: '2030-01', to: '2030-12' },
    })
    .input(ResultsInput)
    .output(RunResults)
    .query(({ ctx, input }) =>
      getRunResults({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, accessOf(ctx), { runId: input.runId, markets: [input.market], from: input.from, to: input.to }),
    ),
})
