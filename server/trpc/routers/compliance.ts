import {
  EntriesInput,
  EntriesOutput,
  getPositions,
  listEntries,
  PositionsInput,
  PositionsOutput,
  RecordInput,
  recordEntries,
  RemoveInput,
  removeEntries,
  RemoveOutput,
} from '../../services/compliance/index.ts'
import { dataProcedure, router, type Context } from '../trpc.ts'

/**
 * Compliance tracking (issue 18): an organization's obligations, holding lots and retirements
 * under the California LCFS (product LCFS) and state RPS programs (product REC), and its positions
 * valued at the latest stored prices. Every call names its `product`, so the gate decides on that
 * product's entitlement through the caller's channel (server/trpc/trpc.ts dataKeyOf). Reads need
 * the viewer role; writes the analyst role and, for tokens, the `write:compliance` scope. Entries are the caller's organization's alone: another
 * organization's are never listed, and removing one is a 404.
 */

const read = { role: 'viewer' } as const
const write = { role: 'analyst', scope: 'write:compliance' } as const

/** How a row says it was entered: a hub session, or the API (a personal token, a service client). */
const viaOf = (ctx: Pick<Context, 'auth'>) => (ctx.auth.channel === 'hub' ? 'hub' : 'api')

const PRODUCTS = 'Product LCFS covers the California LCFS (CA_LCFS, credits in MT CO2e); product REC the state RPS programs (NJ_RPS, RECs in MWh).'

export const complianceRouter = router({
  positions: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/compliance/positions',
        tags: ['compliance'],
        summary: 'Compliance positions',
        description:
          "Your organization's positions per program, compliance year and class: obligation, retired, remaining obligation, holdings whose vintage may " +
          'still be retired against the year (the others listed with the reason), position = holdings - remaining (negative: short), and its value and ' +
          `shortfall cost at the latest stored price, with the price's series and date; and the product's programs (classes, compliance years, banking windows, priceRule). ${PRODUCTS}`,
      },
      access: read,
      example: { product: 'LCFS' },
    })
    .input(PositionsInput)
    .output(PositionsOutput)
    .query(({ ctx, input }) => getPositions({ db: ctx.platform.pg.db, ch: ctx.platform.ch }, ctx.principal, input)),

  entries: dataProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/compliance/entries',
        tags: ['compliance'],
        summary: 'Compliance entries',
        description: `Your organization's obligations, holding lots and retirements of a product (or one program), with their ids and who entered them. ${PRODUCTS}`,
      },
      access: read,
      example: { product: 'REC' },
    })
    .input(EntriesInput)
    .output(EntriesOutput)
    .query(({ ctx, input }) => listEntries(ctx.platform.pg.db, ctx.principal, input)),

  record: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/compliance/entries',
        tags: ['compliance'],
        summary: 'Record compliance entries',
        description:
          'Records obligations (LCFS: `basis` "deficits" with `deficitsMT`; RPS: `basis` "retail_sales" with the headline `class`, `retailSalesMWh`, ' +
          '`percent` and `carveOuts`), holding lots (class, vintage, whole certificates) and retirements (period, class, vintage, quantity, `retiredOn`), ' +
          'all or none. They are checked with your stored entries first: a second obligation for a program, year and class, a retirement beyond the ' +
          'lots of its class and vintage or beyond its obligation, or a vintage outside the banking window is a 400 naming the field, program and year. ' +
          `Needs the analyst role. ${PRODUCTS}`,
      },
      access: write,
      example: { product: 'LCFS', lots: [{ program: 'CA_LCFS', class: 'CREDIT', vintage: 2026, quantity: 100 }] },
    })
    .input(RecordInput)
    .output(EntriesOutput)
    .mutation(({ ctx, input }) => recordEntries(ctx.platform.pg.db, ctx.principal, viaOf(ctx), input)),

  remove: dataProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/compliance/entries/remove',
        tags: ['compliance'],
        summary: 'Remove compliance entries',
        description:
          "Removes entries of your organization by id (from GET /compliance/entries), all or none; an empty list removes nothing. An id that is not one of your organization's entries of the product is a 404. " +
          'A removal that would leave other entries inconsistent (a retirement without the lot it draws on, or without its obligation) is a 400 naming ' +
          `that entry: remove them together. Needs the analyst role. ${PRODUCTS}`,
      },
      access: write,
      example: { product: 'LCFS' },
    })
    .input(RemoveInput)
    .output(RemoveOutput)
    .mutation(({ ctx, input }) => removeEntries(ctx.platform.pg.db, ctx.principal, input)),
})
