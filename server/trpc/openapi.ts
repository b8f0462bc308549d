import { generateOpenApiDocument } from 'trpc-to-openapi'
import { appRouter } from './root.ts'

let cached: ReturnType<typeof generateOpenApiDocument> | undefined

/** The OpenAPI 3.1 document of every procedure that carries `.meta({ openapi })`. */
export function getOpenApiDocument(baseUrl: string) {
  cached ??= generateOpenApiDocument(appRouter, {
    title: '254Carbon API',
    description:
      'Nodal power prices for MISO and CAISO: markets, pricing nodes, latest prices and history with ' +
      'hourly and daily rollups. Timestamps are ISO 8601 UTC; prices in $/MWh. Every call needs a bearer token ' +
      'and your organization\'s API entitlement for the market (CAISO is not available through the API in the pilot).',
    version: '1.0.0',
    baseUrl: `${baseUrl}/api/v1`,
    tags: ['markets', 'nodes', 'prices'],
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A personal access token (`cbn_...`, created in the hub under Settings > API tokens) or an OAuth2 ' +
          'client-credentials access token from the identity provider.',
      },
    },
  })
  return { ...cached, servers: [{ url: `${baseUrl}/api/v1` }] }
}
