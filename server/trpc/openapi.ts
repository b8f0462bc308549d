import { generateOpenApiDocument } from 'trpc-to-openapi'
import { z } from 'zod'
import { CurveReportParams, FuelsReportParams, MarketSummaryParams, ScenarioReportParams } from '../services/reports/types.ts'
import { LiveInput } from '../services/stream/index.ts'
import { LiveEventOutput, StreamPriceSchema } from '../services/stream/schemas.ts'
import { appRouter } from './root.ts'

type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>
type Operation = NonNullable<NonNullable<OpenApiDocument['paths']>[string]['get']>
type Parameter = NonNullable<Operation['parameters']>[number]
type JsonSchema = Extract<NonNullable<NonNullable<OpenApiDocument['components']>['schemas']>[string], { type?: unknown }>

let cached: OpenApiDocument | undefined

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' })
  return rest as JsonSchema
}

const errorResponse = (description: string, code: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/error.${code}` } } },
})

const STREAM_EXAMPLE =
  'retry: 2000\n\n' +
  'id: 0:1795653507284012\nevent: prices\ndata: {"type":"prices","prices":[{"market":"MISO","node":"INDIANA.HUB","run":"RT5",' +
  '"intervalStart":"2026-11-20T15:05:00.000Z","intervalEnd":"2026-11-20T15:10:00.000Z","lmp":31.42,"energy":30.1,"congestion":0.9,' +
  '"loss":0.42,"ghg":null,"source":"miso.rt5","publishedAt":"2026-11-20T15:10:41.000Z","ingestedAt":"2026-11-20T15:10:43.120Z",' +
  '"receivedAt":"2026-11-20T15:10:43.131Z","partition":0,"offset":1795653507284012}],"skipped":0,"reason":null}\n\n' +
  ': keep-alive\n\n'

/**
 * GET /stream/prices, served by server/http/stream.ts (not a procedure: a plain handler that owns
 * its socket), documented here by hand from the same schemas as the tRPC subscription `prices.live`.
 */
function withPriceStream(doc: OpenApiDocument): OpenApiDocument {
  const shape = LiveInput.shape
  const parameters: Parameter[] = (Object.keys(shape) as (keyof typeof shape)[]).map((name) => {
    const { description, ...schema } = jsonSchema(shape[name], 'input')
    return {
      in: 'query',
      name,
      required: name === 'market',
      schema,
      description: name === 'lastEventId' ? 'resume after this event id; the Last-Event-ID header wins when both are sent' : description,
    }
  })
  parameters.push({
    in: 'header',
    name: 'Last-Event-ID',
    required: false,
    schema: { type: 'string', maxLength: 40_000 },
    description: 'the id of the last event received: EventSource sends it when it reconnects, and the stream resumes after it',
  })
  const liveEvent = jsonSchema(LiveEventOutput, 'output')
  liveEvent.properties = { ...liveEvent.properties, prices: { type: 'array', items: { $ref: '#/components/schemas/StreamPrice' } } }
  const components = doc.components ?? {}
  const schemas = {
    ...components.schemas,
    StreamPrice: jsonSchema(StreamPriceSchema, 'output'),
    LiveEvent: liveEvent,
    'error.TOO_MANY_REQUESTS': {
      ...components.schemas?.['error.UNAUTHORIZED'],
      title: 'Too many requests error (429)',
      example: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests: retry after 12 s', issues: [] },
    },
  }
  const get: Operation = {
    operationId: 'stream-prices',
    summary: 'Live prices (Server-Sent Events)',
    description:
      'New prices of one market as they arrive, as a `text/event-stream` (use an EventSource that can send the ' +
      'Authorization header, or curl -N). The stream starts with `retry: 2000`; each event has an `id` (the resume ' +
      'cursor), an `event` name (`prices`, `skipped` or `reset`) and one `data` line holding a LiveEvent as JSON; ' +
      'a `: keep-alive` comment comes every 15 s. `prices`: new records in arrival order. `skipped`: the client read ' +
      'too slowly, `skipped` intermediate updates were dropped and `prices` holds the latest value per node and run. ' +
      '`reset`: more was missed than can be replayed (`reason` says why); reload a snapshot from /prices/latest. ' +
      'Reconnect with the last id (Last-Event-ID header or `lastEventId`) to receive exactly what you missed. ' +
      'Access is checked before the stream starts: refusals are ordinary JSON errors with their HTTP status. ' +
      'While the stream is open access is checked again every few seconds: when the token is revoked or expires, the ' +
      'user is disabled or the entitlement is removed, a last `end` event says why (`reason`) and the stream closes. ' +
      'Streams also end after a maximum lifetime (`end` with reason `max_lifetime`): reconnect with its id to continue.',
    tags: ['prices'],
    security: [{ bearerAuth: [] }],
    parameters,
    responses: {
      '200': {
        description: 'The event stream; each `data:` line is a LiveEvent (see the LiveEvent and StreamPrice schemas).',
        content: {
          'text/event-stream': {
            schema: { type: 'string', description: 'Server-Sent Events whose data lines are LiveEvent JSON' },
            example: STREAM_EXAMPLE,
          },
        },
      },
      '400': errorResponse('Invalid parameters (the message names each one) or an id this stream did not send', 'BAD_REQUEST'),
      '401': errorResponse('No bearer token, or a token that is invalid, expired or revoked', 'UNAUTHORIZED'),
      '403': errorResponse('Your organization is not entitled to the market through the API', 'FORBIDDEN'),
      '429': {
        ...errorResponse('Rate limit exceeded, or too many open streams for this token or organization (the message names the limit)', 'TOO_MANY_REQUESTS'),
        headers: { 'Retry-After': { description: 'seconds until a request is accepted again', schema: { type: 'integer' } } },
      },
    },
  }
  return { ...doc, components: { ...components, schemas }, paths: { ...doc.paths, '/stream/prices': { get } } }
}

const REPORTS = [
  {
    path: 'market-summary',
    params: MarketSummaryParams,
    required: ['market'],
    summary: 'Market summary of one day',
    description:
      'Hubs and zones of one market on one operating day: day-ahead and real-time averages, on-peak and off-peak, ' +
      'the DA-RT spread, top movers against the day before, an hourly price chart and the data health of the day. ' +
      'Without `date`, the latest operating day that has ended with complete day-ahead prices.',
    scope: 'read:prices',
  },
  {
    path: 'curve',
    params: CurveReportParams,
    required: ['market', 'node'],
    summary: 'Forward curve report of one hub',
    description: 'The hub\'s forward curve to 2050 (quarters for ten years, then calendar years), on-peak, off-peak and ATC, and its change against an earlier as-of date.',
    scope: 'read:curves',
  },
  {
    path: 'scenario',
    params: ScenarioReportParams,
    required: ['runId'],
    summary: 'Scenario run report',
    description: 'A scenario run: its assumptions, hub prices per year and block, Monte Carlo bands, generation mix and capacity, and lineage. Shows the markets your organization may use through the API.',
    scope: 'read:curves',
  },
  {
    path: 'fuels',
    params: FuelsReportParams,
    required: [],
    summary: 'Gas, LNG and environmental report',
    description:
      'Henry Hub daily and monthly, gas hubs and their basis to Henry Hub, JKM and TTF with their basis to the Henry Hub weekly average, ' +
      'the Henry Hub forward curve, LCFS credits and REC quotes as of a date (default: the latest day with data). Shows the products ' +
      '(GAS, LNG, LCFS, REC) your organization may use through the API; the others are left out with a note, and none at all is 403.',
    scope: 'read:prices',
  },
] as const

/**
 * GET /reports/{kind} (HTML) and /reports/{kind}.pdf, served by Remix resource routes
 * (app/routes/api.v1.reports.*) rather than procedures, documented here from the same schemas.
 */
function withReports(doc: OpenApiDocument): OpenApiDocument {
  const paths: NonNullable<OpenApiDocument['paths']> = {}
  for (const report of REPORTS) {
    const shape = report.params.shape as Record<string, z.ZodType>
    const parameters: Parameter[] = Object.keys(shape).map((name) => {
      const { description, ...schema } = jsonSchema(shape[name]!, 'input')
      return { in: 'query', name, required: (report.required as readonly string[]).includes(name), schema, description }
    })
    for (const pdf of [false, true]) {
      const get: Operation = {
        operationId: `report-${report.path}${pdf ? '-pdf' : ''}`,
        summary: `${report.summary}${pdf ? ' (PDF)' : ' (HTML)'}`,
        description: `${report.description} The same report as ${pdf ? 'a PDF with vector charts' : 'a printable HTML page'}; ` +
          `the ${pdf ? 'HTML page' : 'PDF'} is at /reports/${report.path}${pdf ? '' : '.pdf'}. Token scope ${report.scope}.`,
        tags: ['reports'],
        security: [{ bearerAuth: [] }],
        parameters,
        responses: {
          '200': pdf
            ? { description: 'The report as a PDF (attachment with its file name)', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }
            : { description: 'The report as an HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
          '400': errorResponse('Invalid parameters (the message names each one)', 'BAD_REQUEST'),
          '401': errorResponse('No bearer token, or a token that is invalid, expired or revoked', 'UNAUTHORIZED'),
          '403': errorResponse('Your organization is not entitled to the market through the API, or the token lacks the scope', 'FORBIDDEN'),
          '404': errorResponse('No such hub curve, as-of date or scenario run', 'NOT_FOUND'),
        },
      }
      paths[`/reports/${report.path}${pdf ? '.pdf' : ''}`] = { get }
    }
  }
  return { ...doc, paths: { ...doc.paths, ...paths } }
}

/** The OpenAPI 3.1 document of every procedure that carries `.meta({ openapi })`. */
export function getOpenApiDocument(baseUrl: string) {
  cached ??= withReports(withPriceStream(
    generateOpenApiDocument(appRouter, {
      title: '254Carbon API',
      description:
        'Nodal power prices for MISO and CAISO: markets, pricing nodes, latest prices and history with ' +
        'hourly and daily rollups. Timestamps are ISO 8601 UTC; prices in $/MWh. Every call needs a bearer token ' +
        'and your organization\'s API entitlement for the market (CAISO is not available through the API in the pilot). ' +
        'Live prices: GET /stream/prices, a Server-Sent Events stream. Forward curves per hub (to 2050) and their ' +
        'backtest; scenarios in the scenario language, their runs through the fundamentals model (monthly to 2050, ' +
        'with Monte Carlo bands), results and diffs. Reports (market summary, curve, scenario) as HTML or PDF; exports of ' +
        'prices, curves and scenario results as CSV or Parquet, downloaded through short-lived signed links.',
      version: '1.0.0',
      baseUrl: `${baseUrl}/api/v1`,
      tags: ['markets', 'nodes', 'prices', 'curves', 'scenarios', 'reports', 'exports'],
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A personal access token (`cbn_...`, created in the hub under Settings > API tokens) or an OAuth2 ' +
            'client-credentials access token from the identity provider.',
        },
      },
    }),
  ))
  return { ...cached, servers: [{ url: `${baseUrl}/api/v1` }] }
}
