import { generateOpenApiDocument } from 'trpc-to-openapi'
import { appRouter } from './root.ts'

let cached: ReturnType<typeof generateOpenApiDocument> | undefined

/** The OpenAPI 3.1 document of every procedure that carries `.meta({ openapi })`. */
export function getOpenApiDocument(baseUrl: string) {
  cached ??= generateOpenApiDocument(appRouter, {
    title: '254Carbon API',
    description:
      'Nodal power prices for MISO and CAISO: markets, pricing nodes, latest prices and history with ' +
      'hourly and daily rollups. Timestamps are ISO 8601 UTC; prices in $/MWh.',
    version: '1.0.0',
    baseUrl: `${baseUrl}/api/v1`,
    tags: ['markets', 'nodes', 'prices'],
  })
  return { ...cached, servers: [{ url: `${baseUrl}/api/v1` }] }
}
