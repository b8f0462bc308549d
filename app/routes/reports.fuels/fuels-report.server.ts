import type { EntitledProduct } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { accessData, auditedInput } from '#app/utils/data-access.server.ts'
import { orRespond } from '#app/utils/http.server.ts'
import { entitledProducts } from '#server/services/auth/entitlements.ts'
import { fuelsReport } from '#server/services/reports/index.ts'
import { fuelsParamsFromQuery } from '#server/services/reports/query.ts'
import type { FuelsReportParams } from '#server/services/reports/types.ts'

/**
 * The fuels report ("Gas, LNG and environmental") in the hub: the page (/reports/fuels, route.tsx
 * beside this module) and its PDF (/reports/fuels.pdf) open it here. Entitled on the hub channel
 * per product: the report shows the sections of the products (GAS, LNG, LCFS, REC) the user's
 * organization holds in the hub and names the others as left out; holding none of them is a 403.
 * Audited as hub:report-fuels[-pdf].
 */

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' }

/** Why a reader without any of the four products gets no fuels report. */
export const NO_FUELS_PRODUCT = 'The gas, LNG and environmental report needs GAS, LNG, LCFS or REC: your organization is entitled to none of them'

/** The door of a hub fuels report: query (400 naming it), sign-in and market door, the products held (403 without any), then the data. */
export async function openFuelsHubReport(request: Request, context: AppLoadContext, format: 'html' | 'pdf') {
  const procedure = `hub:report-fuels${format === 'pdf' ? '-pdf' : ''}`
  const params = await auditedInput(request, context, { procedure }, (): FuelsReportParams => {
    const read = fuelsParamsFromQuery(new URL(request.url).searchParams)
    if ('problem' in read) throw new Response(read.problem.message, { status: 400, headers: TEXT })
    return read.params
  })
  const access = await accessData(request, context, { procedure })
  const { platform, principal } = access
  const products: EntitledProduct[] = await entitledProducts(platform.pg.db, principal, 'hub')
  if (products.length === 0) {
    await auditedInput(request, context, { procedure }, () => {
      throw new Response(`${NO_FUELS_PRODUCT} through the hub.`, { status: 403, headers: TEXT })
    })
  }
  const deps = { db: platform.pg.db, ch: platform.ch }
  const data = await orRespond(fuelsReport(deps, params, { organizationId: principal.organizationId, products }))
  const served = () => access.served({ details: { report: 'fuels', format, params, products: data.products, leftOut: data.leftOut, date: data.date } })
  return { params, data, served }
}
