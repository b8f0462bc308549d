import path from 'node:path'
import { z } from 'zod'

/**
 * Every environment variable the server reads, parsed once with zod. Nothing else reads
 * process.env. With no variable set every part runs embedded under ./.data/.
 */
const optionalUrl = z.url().optional()

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().default('.data'),
    DATABASE_URL: optionalUrl,
    CLICKHOUSE_URL: optionalUrl,
    CLICKHOUSE_USER: z.string().default('default'),
    CLICKHOUSE_PASSWORD: z.string().default(''),
    CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('carbon'),
    KAFKA_BROKERS: z
      .string()
      .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port...]')
      .optional(),
    /** How long Kafka waits for a silent consumer before handing its partitions to another (kafkajs sessionTimeout). */
    KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
    /** Retries of a bus message whose handler keeps failing before it goes to its dead-letter topic (outages excepted). */
    BUS_MAX_RETRIES: z.coerce.number().int().min(0).max(1_000).default(5),
    S3_ENDPOINT: optionalUrl,
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: z.string().optional(),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
    /** The platform's public origin: redirect URIs, the embedded identity provider's issuer. */
    PUBLIC_URL: optionalUrl,
    /** Signs cookies (state, nonce, PKCE verifier, CSRF). Required outside development. */
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
    /** OpenID Connect provider. Unset in development = the embedded development provider. */
    OIDC_ISSUER: optionalUrl,
    OIDC_CLIENT_ID: z.string().default('carbon-hub'),
    OIDC_CLIENT_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9._~-]+$/, 'may only hold A-Z a-z 0-9 . _ ~ -')
      .optional(),
    OIDC_SCOPES: z.string().default('openid profile email'),
    /** Expected `aud` of bearer access tokens (client credentials). */
    OIDC_API_AUDIENCE: z.string().default('carbon-api'),
    /** Dotted claim paths, e.g. Keycloak: realm_access.roles */
    OIDC_ROLES_CLAIM: z.string().default('roles'),
    OIDC_GROUPS_CLAIM: z.string().default('groups'),
    OIDC_ORG_CLAIM: z.string().default('org'),
    /** Organization (slug) for users whose token names none. */
    DEFAULT_ORGANIZATION: z.string().regex(/^[a-z0-9-]+$/).default('default'),
    /** The embedded development identity provider: on by default in development, never in production. */
    DEV_IDP: z.enum(['auto', 'on', 'off']).default('auto'),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Data requests per minute per signed-in hub user (pages and tRPC together); generous: a page makes several. */
    SESSION_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
    /** Largest request body read (API, tRPC, hub forms); larger answers 413 before parsing. */
    HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    /** Largest body of a curve build (quotes pasted and uploaded as CSV, up to 500,000 characters each) or a REC quote file (server/http/limits.ts isUploadPath). */
    HTTP_UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024),
    /** Most calls in one tRPC batch request; more answers 400. */
    TRPC_MAX_BATCH: z.coerce.number().int().min(1).max(100).default(10),
    /** Live price streams (SSE and tRPC prices.live) one credential may hold open at once. */
    STREAM_MAX_PER_CREDENTIAL: z.coerce.number().int().min(1).default(5),
    /** Live price streams one organization may hold open at once (all its credentials, this process). */
    STREAM_MAX_PER_ORGANIZATION: z.coerce.number().int().min(1).default(50),
    /** A live stream ends after this long with a `max_lifetime` event; the client resumes from its last id. */
    STREAM_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3_600),
    /** How often open streams' credentials and entitlements are checked again (one query per kind per check). */
    STREAM_ACCESS_CHECK_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    /**
     * Where the ingest fetches: 'simulator' (the publisher simulator, started in-process on the
     * embedded default), 'publishers' (MISO's and CAISO's real URLs), 'off' (no scheduled ingest).
     * 'auto': simulator on the embedded default in development, publishers in production, off in test.
     */
    INGEST_SOURCE: z.enum(['auto', 'simulator', 'publishers', 'off']).default('auto'),
    /** Base URL of a running publisher simulator (INGEST_SOURCE=simulator); unset = start one in-process. */
    INGEST_SIMULATOR_URL: optionalUrl,
    /**
     * Markets (ids, comma-separated) the scheduler fetches. Default: every market from the real
     * publishers; MISO and CAISO from the simulator (the embedded default stays light; name more
     * to have the simulator's other markets ingested too).
     */
    INGEST_MARKETS: z.string().regex(/^[A-Z]+(,[A-Z]+)*$/, 'must be market ids separated by commas, e.g. MISO,PJM').optional(),
    /** Datasets (source ids, comma-separated) the scheduler runs; default every available one. */
    INGEST_DATASETS: z.string().regex(/^[a-z0-9._]+(,[a-z0-9._]+)*$/, 'must be source ids separated by commas').optional(),
    /** CAISO nodes to fetch: ALL (grp_type=ALL_APNODES) or APnode names separated by commas; default the known nodes. */
    INGEST_CAISO_NODES: z.string().optional(),
    /** A record of a node not in the catalogue: 'admit' (register the node, report it) or 'dead-letter'. */
    INGEST_UNKNOWN_NODES: z.enum(['admit', 'dead-letter']).default('admit'),
    /** Sent as the User-Agent of every publisher request (publishers ask for a contact). */
    INGEST_USER_AGENT: z.string().default('254Carbon-ingest/0.1 (+https://254carbon.com/contact)'),
    /** MISO Data Exchange subscription key (header Ocp-Apim-Subscription-Key). Never logged. */
    MISO_DX_KEY: z.string().optional(),
    /** PJM Data Miner 2 subscription key (header Ocp-Apim-Subscription-Key); PJM is not fetched without. Never logged. */
    PJM_KEY: z.string().optional(),
    /** ISO Express account for ISO-NE Web Services (HTTP basic auth); ISO-NE is not fetched without. Never logged. */
    ISONE_USERNAME: z.string().optional(),
    ISONE_PASSWORD: z.string().optional(),
    /** AESO API gateway key (header API-KEY); AESO is not fetched without. Never logged. */
    AESO_KEY: z.string().optional(),
    /** EIA Open Data API key (query parameter api_key, added only when a request is sent): EIA-930 fundamentals are not fetched without. Never logged. */
    EIA_KEY: z.string().optional(),
    /** Series datasets the ingest fetches (source ids, comma-separated, or `none`); default every one its configuration allows. */
    INGEST_SERIES: z.string().optional(),
    /** Lifetime of a download link (signed S3 or local URL) in seconds; at most 15 minutes. */
    DOWNLOAD_LINK_SECONDS: z.coerce.number().int().min(10).max(900).default(900),
    /** Hours an export file (and a scheduled report's PDF) is kept before the clean-up removes it and its row. */
    EXPORT_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(168),
    /** Largest export one job may produce, in rows (checked against the estimate before the job starts). */
    EXPORT_MAX_ROWS: z.coerce.number().int().min(1).default(50_000_000),
    /** Export jobs an organization may have queued or running at once. */
    EXPORT_MAX_ACTIVE_PER_ORGANIZATION: z.coerce.number().int().min(1).default(3),
    /** Estimated rows an organization may export per UTC day (all its jobs). */
    EXPORT_MAX_ROWS_PER_DAY: z.coerce.number().int().min(1).default(200_000_000),
    /** Bearer token Prometheus presents to scrape /metrics; unset = /metrics answers 404. */
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    /** Port of a sidecar's own HTTP listener (/healthz, /readyz, /metrics); the web process serves them on PORT. 0 = a free port. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    /** The source revision this build was made from (the image sets it); shown in carbon_build_info. */
    CARBON_REVISION: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a commit id or tag').optional(),
    /** OTLP/HTTP collector base URL (e.g. http://otel-collector:4318); set = spans are exported to <url>/v1/traces. */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    /** Extra headers for the OTLP exporter, `key=value,key2=value2` (e.g. an API key); never logged. */
    OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
    /** The traced service's name; default carbon-<command> (carbon-serve, carbon-consumer, ...). */
    OTEL_SERVICE_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dot, dash or underscore').optional(),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === 'production'
    if (production && env.DEV_IDP === 'on') {
      ctx.addIssue({ code: 'custom', path: ['DEV_IDP'], message: 'the development identity provider never runs in production' })
    }
    if (production && !env.OIDC_ISSUER && env.DEV_IDP !== 'on') {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'required in production (the development identity provider is off there)' })
    }
    if (env.OIDC_ISSUER && !env.OIDC_CLIENT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_CLIENT_SECRET'], message: 'required with OIDC_ISSUER' })
    }
    if (production && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'required in production' })
    }
    const s3 = [env.S3_BUCKET, env.S3_ACCESS_KEY_ID, env.S3_SECRET_ACCESS_KEY]
    if (s3.some(Boolean) && !s3.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_BUCKET'],
        message: 'S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
      })
    }
  })

export type Env = z.infer<typeof EnvSchema> & {
  dataDir: string
  embedded: EmbeddedParts
  /** The public origin, PUBLIC_URL or http://localhost:PORT. */
  publicUrl: string
  /** Whether the embedded development identity provider runs (development only). */
  devIdp: boolean
}
export type EmbeddedParts = { postgres: boolean; clickhouse: boolean; bus: boolean; objects: boolean }

export class EnvError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    )
    this.name = 'EnvError'
  }
}

/** Parses a variable map (process.env by default); throws EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const blankless = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''))
  const result = EnvSchema.safeParse(blankless)
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    )
  }
  const env = result.data
  return {
    ...env,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    devIdp: env.DEV_IDP === 'on' || (env.DEV_IDP === 'auto' && !env.OIDC_ISSUER && env.NODE_ENV !== 'production'),
    dataDir: path.resolve(env.DATA_DIR),
    embedded: {
      postgres: !env.DATABASE_URL,
      clickhouse: !env.CLICKHOUSE_URL,
      bus: !env.KAFKA_BROKERS,
      objects: !env.S3_BUCKET,
    },
  }
}

let cached: Env | undefined
/** The process's environment, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseEnv()
  return cached
}
