import { AppError } from '../../errors.ts'
import { runBacktest } from '../../services/backtest/index.ts'
import { BacktestInput, BacktestOutput, BACKTEST_HORIZON_MONTHS, MAPE_GATE_PERCENT } from '../../services/backtest/schemas.ts'
import { compareCurves, curveHistory, getCurve, listCurves, requestBuild, toBuildSummary, waitForBuild } from '../../services/curves/index.ts'
import {
  BuildSummary,
  CurveBuildInput,
  CurveCompareInput,
  CurveCompareOutput,
  CurveGetInput,
  CurveGetOutput,
  CurveHistoryInput,
  CurveHistoryOutput,
  CurveListInput,
  CurveListOutput,
} from '../../services/curves/schemas.ts'
import { dataProcedure, router } from '../trpc.ts'

const read = { scope: 'read:curves' } as const

/** Whose builds a call sees: the caller's organization's and the house's (docs/decisions/010-curve-ownership.md). */
const viewerOf = (ctx: { principal: { organizationId: string } }) => ({ organizationId: ctx.principal.organizationId })
const EXAMPLE = { market: 'MISO', node: 'INDIANA.HUB' } as const

export const curvesRouter = router({
  list: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/curves',
        tags: ['curves'],
        summary: 'Forward curves',
        description: 'The forward curves of the markets you are entitled to, with their built as-of dates (newest first) and latest build. ' +
          "Per as-of date you see your organization's latest build if it has one, else the house curve published by 254Carbon.",
      },
      access: read,
      example: { market: 'MISO' },
    })
    .input(CurveListInput)
    .output(CurveListOutput)
    .query(({ ctx, input }) => listCurves(ctx.platform.pg.db, input.market ? [input.market] : ctx.entitled, viewerOf(ctx))),

  get: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/curves/points',
        tags: ['curves'],
        summary: 'A forward curve',
        description:
          'One build of a curve (default: the latest of the latest as-of date) from its first delivery month to 2050-12, aggregated hours-weighted ' +
          '(standard: quarters for ten years, calendar years beyond), with on-peak, off-peak and ATC prices, hours per block, ' +
          'the quotes it was built from and how the curve reprices each.',
      },
      access: read,
      example: { ...EXAMPLE, granularity: 'standard' },
    })
    .input(CurveGetInput)
    .output(CurveGetOutput)
    .query(({ ctx, input }) => getCurve({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, input, viewerOf(ctx))),

  history: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/curves/history',
        tags: ['curves'],
        summary: 'One delivery month across as-of dates',
        description: 'The price of one delivery month in the latest build of every as-of date in [from, to] (from after to is a 400).',
      },
      access: read,
      example: { ...EXAMPLE, month: '2027-07' },
    })
    .input(CurveHistoryInput)
    .output(CurveHistoryOutput)
    .query(({ ctx, input }) => curveHistory({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, input, viewerOf(ctx))),

  compare: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/curves/compare',
        tags: ['curves'],
        summary: 'Two as-of dates of a curve',
        description:
          'The latest builds of two as-of dates side by side, aggregated alike, with the change (asOf minus against) per period. ' +
          'Default: the latest as-of date against the one before it.',
      },
      access: read,
      example: { ...EXAMPLE, granularity: 'annual' },
    })
    .input(CurveCompareInput)
    .output(CurveCompareOutput)
    .query(({ ctx, input }) => compareCurves({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, input, viewerOf(ctx))),

  backtest: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/backtest',
        tags: ['curves'],
        summary: 'Backtest of the forward curves against realized day-ahead prices',
        description:
          `For every curve of the market (or one hub) and as-of date in [from, to], the curve you see as of that date for the ${BACKTEST_HORIZON_MONTHS} months after it ` +
          'against the average stored day-ahead LMP at the hub over the same month and block (NERC on/off-peak). Months not fully stored are listed ' +
          `with complete=false and left out of the error. MAPE in percent per hub (and block), per hub and as-of date, and over the market; the quality gate is MAPE <= ${MAPE_GATE_PERCENT} %.`,
      },
      access: read,
      example: { market: 'MISO' },
    })
    .input(BacktestInput)
    .output(BacktestOutput)
    .query(({ ctx, input }) => runBacktest({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, input, viewerOf(ctx))),

  build: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/curves/build',
        tags: ['curves'],
        summary: 'Build a forward curve from quotes',
        description:
          "Stores the quotes as a new version of your organization's curve for the as-of date (today or earlier) and solves it: monthly to 2050-12, repricing every quote exactly " +
          '(within its bid/ask when both are given). Waits up to `waitMs` for the solver and answers the build, `queued` or `running` if it ' +
          'takes longer. Contracts that disagree (a quarter against its months) and prices beyond ±100000 $/MWh are refused with 400 naming them. ' +
          'The build is private to your organization: only it sees its quotes and who built it; other organizations see the house curve. ' +
          'Beyond the quotes (and within strips) the curve follows a scenario run scaled to the quotes (`priorRunId`: your organization\'s or a house run, done; ' +
          'default the base scenario); `prior` in the answer names the run.',
      },
      access: { role: 'analyst', scope: 'write:curves' },
      example: { ...EXAMPLE, asOf: '2026-11-20', quotes: [{ contract: 'Cal-2027', block: 'onpeak', price: 58.5 }] },
    })
    .input(CurveBuildInput)
    .output(BuildSummary)
    .mutation(async ({ ctx, input }) => {
      const { db } = ctx.platform.pg
      const source = input.quotesCsv !== undefined ? 'csv' : ctx.auth.channel === 'hub' ? 'hub' : 'api'
      const requester = { userId: ctx.principal.userId, label: ctx.principal.label, organizationId: ctx.principal.organizationId }
      const queued = await requestBuild({ db, bus: ctx.platform.bus, log: ctx.log }, { ...input, source }, requester)
      const row = await waitForBuild(db, queued.id, input.waitMs ?? 20_000, ctx.connectionClosed ?? undefined)
      if (row.status === 'failed') throw new AppError('BAD_REQUEST', row.error ?? 'the curve build failed', { details: { buildId: row.id } })
      return toBuildSummary(row, input)
    }),
})
