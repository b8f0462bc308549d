/**
 * How the simulator serves the series publishers (EIA's website and Open Data API, CARB's
 * website): each route answers the URL shapes of one publisher, from the recorded fixtures or
 * generated, or returns null for a request that is not its own. The server sends the answer as it
 * is: the failure plans of the price feeds (failures.ts) are keyed by price source and do not apply.
 */
import type { SeriesSourceId } from '@carbon/connectors'
import type { SimAnswer, SimContext, SimRequest } from '../markets/types.ts'

export type SeriesRoute = {
  /** The series sources the route serves. */
  sources: readonly SeriesSourceId[]
  /** The URL shapes it answers, for the simulator's index page. */
  shapes: readonly string[]
  answer(request: SimRequest, context: SimContext): SimAnswer | null
}

export const XLS_TYPE = 'application/vnd.ms-excel'
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
export const HTML_TYPE = 'text/html; charset=UTF-8'
export const JSON_TYPE = 'application/json'
