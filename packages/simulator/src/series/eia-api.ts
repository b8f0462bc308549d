/**
 * EIA's Open Data API v2, EIA-930 routes, on the simulator (base `/eia-api`, see simulatorUrls):
 *
 *   GET /eia-api/v2/electricity/rto/region-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=PACW
 *       &start=2026-07-14T01&end=2026-07-15T00&sort[0][column]=period&sort[0][direction]=asc&offset=0&length=5000&api_key=...
 *   GET /eia-api/v2/electricity/rto/fuel-type-data/data/?...
 *
 * Answers are GENERATED (./eia930-model.ts) for any respondent of the balancing authority map,
 * window, offset and length, in the envelope of the served answers in the connectors'
 * fixtures/fundamentals/: `{"response":{"total":"N","dateFormat":"YYYY-MM-DD\"T\"HH24",
 * "frequency":"hourly","data":[...],"description":"..."},"request":{"command":"/v2/...","params":
 * {...}},"apiVersion":"2.1.8","ExcelAddInVersion":"2.1.0"}`, slashes escaped as EIA's encoder
 * writes them, `total` and every value a string, the parameters echoed (`api_key` among them, as
 * EIA does; `offset` only when sent). Rows: `period` (UTC, the hour's END), respondent,
 * respondent-name, type or fueltype, type-name, value, value-units "megawatthours".
 *
 * Parameters read: frequency (hourly only), data[] (must name value), facets[respondent][] (none:
 * every respondent), facets[type][] / facets[fueltype][] (filters), start and end (inclusive,
 * YYYY-MM-DDTHH or YYYY-MM-DD; both required here, EIA does not require them), sort[i][column]
 * (period, respondent, type or fueltype) and sort[i][direction], offset, length (at most
 * `maxRows`, 5,000 as EIA; asking more returns `maxRows` rows and EIA's "incomplete return"
 * warning). Refusals: 403 `{"error":{"code":"API_KEY_MISSING","message":...}}` without `api_key`
 * (API_KEY_INVALID for a key other than `apiKey`, when one is set); 400 `{"error":"...","code":400}`
 * for a parameter it cannot read.
 *
 * Publication: an hour is posted EIA930_PUBLICATION_LAG_MS (one day, EIA's documented lag for
 * generation and interchange, applied to every type here) after it ends; later hours are absent
 * from the answer, and a window with none answers `"total":"0"`, as EIA does.
 */
import {
  balancingAuthority,
  EIA930_FUEL_TYPE_DATA_ROUTE,
  EIA930_FUEL_TYPE_DATA_SOURCE,
  EIA930_PAGE_ROWS,
  EIA930_PUBLICATION_LAG_MS,
  EIA930_REGION_DATA_ROUTE,
  EIA930_REGION_DATA_SOURCE,
  eiaHourLabel,
} from '@carbon/connectors'
import type { SimAnswer, SimRequest } from '../markets/types.ts'
import { HOUR } from '../time.ts'
import { EIA930_FUEL_NAMES, EIA930_RESPONDENTS, EIA930_TYPE_NAMES, eia930FuelValues, eia930RegionValues } from './eia930-model.ts'
import { JSON_TYPE, type SeriesRoute } from './types.ts'

export type EiaApiOptions = {
  /** The key accepted (default: any non-empty `api_key`). */
  apiKey?: string
  /** Rows per answer at most (default 5,000, EIA's JSON limit). */
  maxRows?: number
}

export const EIA_API_VERSION = '2.1.8'
const EXCEL_ADD_IN_VERSION = '2.1.0'
/** The most rows one query may match on the simulator (it builds them all before paging). */
export const EIA_API_MAX_MATCHED_ROWS = 2_000_000

type Route = { path: string; source: typeof EIA930_REGION_DATA_SOURCE | typeof EIA930_FUEL_TYPE_DATA_SOURCE; codeField: 'type' | 'fueltype'; description: string }

const ROUTES: readonly Route[] = [
  {
    path: EIA930_REGION_DATA_ROUTE,
    source: EIA930_REGION_DATA_SOURCE,
    codeField: 'type',
    description: 'Hourly demand, day-ahead demand forecast, net generation, and interchange by balancing authority.  \n    Source: Form EIA-930\n    Product: Hourly Electric Grid Monitor',
  },
  {
    path: EIA930_FUEL_TYPE_DATA_ROUTE,
    source: EIA930_FUEL_TYPE_DATA_SOURCE,
    codeField: 'fueltype',
    description: 'Hourly net generation by balancing authority and energy source.  \n    Source: Form EIA-930\n    Product: Hourly Electric Grid Monitor',
  },
]

type Row = Record<string, string>
type SortKey = { column: string; direction: 'asc' | 'desc' }
type Query = {
  respondents: string[]
  codes: string[]
  first: number
  last: number
  sort: SortKey[]
  offset: number
  length: number
  incomplete: boolean
  params: Record<string, unknown>
}

class BadRequest extends Error {}

/** EIA's text JSON: PHP's encoder escapes every `/`. */
const eiaJson = (doc: unknown) => JSON.stringify(doc).replaceAll('/', '\\/')

const error400 = (message: string): SimAnswer => ({ status: 400, type: JSON_TYPE, body: eiaJson({ error: message, code: 400 }) })

function keyRefusal(code: 'API_KEY_MISSING' | 'API_KEY_INVALID'): SimAnswer {
  const message =
    code === 'API_KEY_MISSING'
      ? 'No api_key was supplied. Please register for one at https://www.eia.gov/opendata/register.php'
      : 'An invalid api_key was supplied. Please register for one at https://www.eia.gov/opendata/register.php'
  return { status: 403, type: JSON_TYPE, body: JSON.stringify({ error: { code, message } }) }
}

/** An hour label (`YYYY-MM-DDTHH`, or a date for its hour 00) as the instant it names. */
function hourOf(text: string | null, name: string): number {
  if (text === null || text === '') throw new BadRequest(`The simulator needs a '${name}' (YYYY-MM-DDTHH).`)
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/.exec(text)
  const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0)) : NaN
  if (!m || Number.isNaN(at) || eiaHourLabel(at) !== `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}`) throw new BadRequest(`Invalid ${name} '${text}' provided. Format: YYYY-MM-DDTHH.`)
  return at
}

function count(text: string | null, name: string, fallback: number): number {
  if (text === null) return fallback
  if (!/^\d+$/.test(text)) throw new BadRequest(`Invalid ${name} '${text}' provided. It must be a whole number.`)
  return Number(text)
}

/** Values of `name[]` and `name[0]`, `name[1]`, ... */
function listParam(params: URLSearchParams, name: string): string[] {
  const values: string[] = []
  for (const [key, value] of params) if (key === `${name}[]` || new RegExp(`^${name.replace(/[[\]]/g, '\\$&')}\\[\\d+\\]$`).test(key)) values.push(value)
  return values
}

function readQuery(params: URLSearchParams, route: Route, maxRows: number): Query {
  const frequency = params.get('frequency')
  if (frequency !== 'hourly') throw new BadRequest(`Invalid frequency '${frequency ?? ''}' provided. The simulator serves 'hourly' (UTC) only.`)
  const data = listParam(params, 'data')
  if (!data.includes('value')) throw new BadRequest(`Invalid data '${data.join(',')}' provided. The only valid data column is 'value'.`)
  const respondents = listParam(params, 'facets[respondent]')
  const codes = listParam(params, `facets[${route.codeField}]`)
  const first = hourOf(params.get('start'), 'start')
  const last = hourOf(params.get('end'), 'end')
  const sort: SortKey[] = []
  for (let i = 0; params.has(`sort[${i}][column]`); i++) {
    const column = params.get(`sort[${i}][column]`)!
    const direction = (params.get(`sort[${i}][direction]`) ?? 'asc').toLowerCase()
    if (!['period', 'respondent', route.codeField].includes(column)) throw new BadRequest(`Invalid sort column '${column}' provided.`)
    if (direction !== 'asc' && direction !== 'desc') throw new BadRequest(`Invalid sort direction '${direction}' provided.`)
    sort.push({ column, direction })
  }
  const offset = count(params.get('offset'), 'offset', 0)
  const asked = count(params.get('length'), 'length', maxRows)
  const echo: Record<string, unknown> = {
    frequency,
    data,
    facets: {
      ...(respondents.length > 0 ? { respondent: respondents } : {}),
      ...(codes.length > 0 ? { [route.codeField]: codes } : {}),
    },
    start: params.get('start'),
    end: params.get('end'),
    ...(sort.length > 0 ? { sort } : {}),
    ...(params.has('offset') ? { offset: params.get('offset') } : {}),
    ...(params.has('length') ? { length: params.get('length') } : {}),
    api_key: params.get('api_key'),
  }
  return { respondents, codes, first, last, sort, offset, length: Math.min(asked, maxRows), incomplete: asked > maxRows, params: echo }
}

/** Every published row the query matches, unsorted. */
function matchedRows(route: Route, query: Query, seed: number, now: number): Row[] {
  const respondents = query.respondents.length > 0 ? query.respondents : [...EIA930_RESPONDENTS]
  const known = respondents.filter((r) => balancingAuthority(r))
  const lastPosted = Math.min(query.last, now - EIA930_PUBLICATION_LAG_MS)
  const hours = Math.max(0, Math.floor((lastPosted - query.first) / HOUR) + 1)
  if (hours * known.length * 10 > EIA_API_MAX_MATCHED_ROWS) throw new BadRequest(`The query matches more rows than the simulator builds (${EIA_API_MAX_MATCHED_ROWS}); ask for fewer hours or respondents.`)
  const rows: Row[] = []
  for (let hourEnd = query.first; hourEnd <= lastPosted; hourEnd += HOUR) {
    const period = eiaHourLabel(hourEnd)
    for (const respondent of known) {
      const name = balancingAuthority(respondent)!.name
      const values: Array<[string, number]> =
        route.codeField === 'type' ? Object.entries(eia930RegionValues(seed, respondent, hourEnd) ?? {}) : (eia930FuelValues(seed, respondent, hourEnd) ?? [])
      for (const [code, value] of values) {
        if (query.codes.length > 0 && !query.codes.includes(code)) continue
        const typeName = route.codeField === 'type' ? EIA930_TYPE_NAMES[code] : EIA930_FUEL_NAMES[code]
        rows.push({
          period,
          respondent,
          'respondent-name': name,
          [route.codeField]: code,
          'type-name': typeName ?? code,
          value: String(value),
          'value-units': 'megawatthours',
        })
      }
    }
  }
  return rows
}

function sortRows(rows: Row[], sort: SortKey[]): Row[] {
  const keys: SortKey[] = sort.length > 0 ? sort : [{ column: 'period', direction: 'asc' }]
  return rows.sort((a, b) => {
    for (const { column, direction } of keys) {
      const order = (a[column] ?? '').localeCompare(b[column] ?? '')
      if (order !== 0) return direction === 'asc' ? order : -order
    }
    return 0
  })
}

/** The answer to one data request of `route`. */
export function eiaApiAnswer(route: Route, params: URLSearchParams, options: EiaApiOptions, seed: number, now: number): SimAnswer {
  const key = params.get('api_key')
  if (key === null || key === '') return keyRefusal('API_KEY_MISSING')
  if (options.apiKey !== undefined && key !== options.apiKey) return keyRefusal('API_KEY_INVALID')
  let query: Query
  let rows: Row[]
  try {
    query = readQuery(params, route, options.maxRows ?? EIA930_PAGE_ROWS)
    rows = sortRows(matchedRows(route, query, seed, now), query.sort)
  } catch (error) {
    if (error instanceof BadRequest) return error400(error.message)
    throw error
  }
  const page = rows.slice(query.offset, query.offset + query.length)
  const warnings = query.incomplete
    ? [{ warning: 'incomplete return', description: `The API can only return ${options.maxRows ?? EIA930_PAGE_ROWS} rows in JSON format.  Please consider constraining your request with facet, start, or end, or using offset to paginate results.` }]
    : undefined
  const doc = {
    response: {
      ...(warnings ? { warnings } : {}),
      total: String(rows.length),
      dateFormat: 'YYYY-MM-DD"T"HH24',
      frequency: 'hourly',
      data: page,
      description: route.description,
    },
    request: { command: route.path, params: query.params },
    apiVersion: EIA_API_VERSION,
    ExcelAddInVersion: EXCEL_ADD_IN_VERSION,
  }
  return { status: 200, type: JSON_TYPE, body: eiaJson(doc) }
}

/** The EIA-930 routes of EIA's API under `/eia-api`. */
export function createEiaApiRoute(options: EiaApiOptions = {}): SeriesRoute {
  return {
    sources: ROUTES.map((r) => r.source),
    shapes: ROUTES.map((r) => `GET /eia-api${r.path}?frequency=hourly&data[0]=value&facets[respondent][]=R&start=YYYY-MM-DDTHH&end=YYYY-MM-DDTHH&offset=N&length=N&api_key=K`),
    answer(request: SimRequest, context) {
      const path = request.path.endsWith('/') ? request.path : `${request.path}/`
      const route = ROUTES.find((r) => path === `/eia-api${r.path}`)
      return route ? eiaApiAnswer(route, request.params, options, context.seed, context.now) : null
    },
  }
}
