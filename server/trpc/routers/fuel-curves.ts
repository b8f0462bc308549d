import { AppError } from '../../errors.ts'
import { getFuelCurve, listFuelCurves, requestFuelBuild, toFuelBuildSummary, waitForBuild } from '../../services/curves/index.ts'
import { FuelBuildInput, FuelBuildSummary, FuelGetInput, FuelGetOutput, FuelListInput, FuelListOutput } from '../../services/curves/fuel-schemas.ts'
import { dataProcedure, router } from '../trpc.ts'

const read = { scope: 'read:curves' } as const

/** Whose builds a call sees: the caller's organization's and the house's (docs/decisions/010-curve-ownership.md). */
const viewerOf = (ctx: { principal: { organizationId: string } }) => ({ organizationId: ctx.principal.organizationId })

/**
 * Fuel forward curves: gas hubs (product GAS) and LNG basis to Henry Hub (product LNG). Every input
 * names its product, so the access gate decides each call on the GAS or LNG entitlement.
 */
export const fuelCurvesRouter = router({
  list: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/fuel-curves',
        tags: ['curves'],
        summary: 'Fuel forward curves',
        description:
          'The forward curves of a product: GAS, one per gas hub (Henry Hub first), or LNG, the basis curves JKM - Henry Hub and TTF - Henry Hub; ' +
          "with their built as-of dates (newest first) and latest build. Per as-of date you see your organization's latest build if it has one, else the house curve.",
      },
      access: read,
      example: { product: 'GAS' },
    })
    .input(FuelListInput)
    .output(FuelListOutput)
    .query(({ ctx, input }) => listFuelCurves(ctx.platform.pg.db, input.product, viewerOf(ctx))),

  get: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/fuel-curves/points',
        tags: ['curves'],
        summary: 'A fuel forward curve',
        description:
          'One build of a gas or LNG basis curve (default: the latest of the latest as-of date) from its first delivery month to 2050-12, one price per month in $/MMBtu, ' +
          'aggregated calendar-days-weighted (standard: quarters for ten years, calendar years beyond), with the quotes it was built from and how the curve reprices each.',
      },
      access: read,
      example: { product: 'GAS', curve: 'HENRY_HUB', granularity: 'standard' },
    })
    .input(FuelGetInput)
    .output(FuelGetOutput)
    .query(({ ctx, input }) => getFuelCurve({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, input, viewerOf(ctx))),

  build: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/fuel-curves/build',
        tags: ['curves'],
        summary: 'Build a fuel forward curve from quotes',
        description:
          "Stores the quotes (contract, price in $/MMBtu, optional bid/ask; a basis may be negative) as a new version of your organization's curve for the as-of date " +
          '(today or earlier) and solves it with the power curves\' solver: monthly to 2050-12, repricing every quote exactly as the calendar-days-weighted average of its months ' +
          '(within its bid/ask when both are given). Waits up to `waitMs` for the solver. Contracts that disagree and prices beyond ±1000 $/MMBtu are refused with 400 naming them. ' +
          'Beyond the quotes the curve reverts to an escalating prior (gas: a winter-premium seasonal shape; basis: flat). The build is private to your organization.',
      },
      access: { role: 'analyst', scope: 'write:curves' },
      example: { product: 'GAS', curve: 'HENRY_HUB', asOf: '2026-11-20', quotes: [{ contract: 'Cal-2027', price: 3.85 }] },
    })
    .input(FuelBuildInput)
    .output(FuelBuildSummary)
    .mutation(async ({ ctx, input }) => {
      const { db } = ctx.platform.pg
      const source = input.quotesCsv !== undefined ? 'csv' : ctx.auth.channel === 'hub' ? 'hub' : 'api'
      const requester = { userId: ctx.principal.userId, label: ctx.principal.label, organizationId: ctx.principal.organizationId }
      const queued = await requestFuelBuild({ db, bus: ctx.platform.bus, log: ctx.log }, { ...input, source }, requester)
      const row = await waitForBuild(db, queued.id, input.waitMs ?? 20_000, ctx.connectionClosed ?? undefined)
      if (row.status === 'failed') throw new AppError('BAD_REQUEST', row.error ?? 'the fuel curve build failed', { details: { buildId: row.id } })
      return toFuelBuildSummary(row, input)
    }),
})
