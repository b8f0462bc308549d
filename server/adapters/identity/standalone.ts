import { realpathSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import type { Logger } from '../../logger.ts'
import { type DEMO_SERVICE_CLIENT, DEV_HUB_CLIENT_SECRET, type DemoOrganization, type DemoUser } from '../../services/auth/demo-identities.ts'
import { createDevProvider, type DevProvider } from './dev-provider.ts'

/**
 * The development identity provider on its own HTTP server, at the root path, with issuer
 * http://<host>:<port>: the shape of a production provider (its own origin, discovery at
 * /.well-known/openid-configuration), for tests and for running the hub against an "outside"
 * provider. Run it with
 *
 *   npx tsx server/adapters/identity/standalone.ts --port 0 \
 *     --redirect-uri http://127.0.0.1:3000/auth/callback --post-logout-uri http://127.0.0.1:3000/ \
 *     --client-secret dev-hub-secret-change-me --key-file .data/dev-idp-standalone.json
 *
 * It prints one line on stdout, `oidc-provider listening at <issuer>`, logs to stderr, and exits
 * on SIGTERM or SIGINT.
 */

export type StandaloneProviderOptions = {
  /** 0 = any free port. */
  port?: number
  /** Address to bind and to name in the issuer; 127.0.0.1 by default (never exposed beyond the machine). */
  host?: string
  keyFile: string
  clientId?: string
  /** [A-Za-z0-9._~-] only (remix-auth-oauth2 does not URL-encode Basic credentials). */
  clientSecret?: string
  redirectUris: string[]
  postLogoutRedirectUris?: string[]
  apiAudience?: string
  users?: readonly DemoUser[]
  organizations?: readonly DemoOrganization[]
  serviceClient?: typeof DEMO_SERVICE_CLIENT
  log?: Logger
}

export type StandaloneProvider = {
  issuer: string
  port: number
  devProvider: DevProvider
  close(): Promise<void>
}

const CLIENT_SECRET = /^[A-Za-z0-9._~-]+$/

export async function startStandaloneProvider(options: StandaloneProviderOptions): Promise<StandaloneProvider> {
  const host = options.host ?? '127.0.0.1'
  const clientSecret = options.clientSecret ?? DEV_HUB_CLIENT_SECRET
  if (!CLIENT_SECRET.test(clientSecret)) throw new Error('The client secret may only hold A-Z a-z 0-9 . _ ~ -')
  if (options.redirectUris.length === 0) throw new Error('At least one redirect URI is required')

  // Listen first: the issuer names the port, and the port is only known once bound.
  const mounted: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {}
  const server = createServer((req, res) => {
    if (mounted.handler) mounted.handler(req, res)
    else res.writeHead(503, { 'Content-Type': 'text/plain' }).end('starting')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  let devProvider: DevProvider
  try {
    devProvider = await createDevProvider({
      issuer,
      keyFile: options.keyFile,
      hubClient: {
        clientId: options.clientId ?? 'carbon-hub',
        clientSecret,
        redirectUris: options.redirectUris,
        postLogoutRedirectUris: options.postLogoutRedirectUris ?? [],
      },
      apiAudience: options.apiAudience ?? 'carbon-api',
      users: options.users,
      organizations: options.organizations,
      serviceClient: options.serviceClient,
      log: options.log,
    })
  } catch (error) {
    server.close()
    throw error
  }
  mounted.handler = devProvider.handler

  return {
    issuer,
    port,
    devProvider,
    async close() {
      await devProvider.close()
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}

/** Command-line arguments of the runnable entry. */
export function parseStandaloneArgs(argv: string[]): StandaloneProviderOptions & { logLevel: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'redirect-uri': { type: 'string', multiple: true, default: [] },
      'post-logout-uri': { type: 'string', multiple: true, default: [] },
      'client-id': { type: 'string', default: 'carbon-hub' },
      'client-secret': { type: 'string', default: DEV_HUB_CLIENT_SECRET },
      'key-file': { type: 'string' },
      'api-audience': { type: 'string', default: 'carbon-api' },
      'log-level': { type: 'string', default: 'info' },
    },
    strict: true,
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be an integer from 0 to 65535')
  if (!values['key-file']) throw new Error('--key-file is required (the signing key is kept there)')
  if (values['redirect-uri'].length === 0) throw new Error('--redirect-uri is required (repeat it for several)')
  for (const uri of [...values['redirect-uri'], ...values['post-logout-uri']]) {
    if (!URL.canParse(uri)) throw new Error(`not a URL: ${uri}`)
  }
  return {
    port,
    host: values.host,
    keyFile: values['key-file'],
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    redirectUris: values['redirect-uri'],
    postLogoutRedirectUris: values['post-logout-uri'],
    apiAudience: values['api-audience'],
    logLevel: values['log-level'],
  }
}

async function main() {
  let options: ReturnType<typeof parseStandaloneArgs>
  try {
    options = parseStandaloneArgs(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(2)
  }
  const log = pino({ level: options.logLevel, base: { service: 'carbon-dev-idp' } }, pino.destination(2))
  const running = await startStandaloneProvider({ ...options, log })
  process.stdout.write(`oidc-provider listening at ${running.issuer}\n`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping the development identity provider')
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: { message: (error as Error).message } }, 'failed to stop cleanly')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

function isEntryPoint(): boolean {
  const entry = process.argv[1]
  if (!entry) return false
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryPoint()) {
  main().catch((error: unknown) => {
    process.stderr.write(`the development identity provider failed to start: ${(error as Error).message}\n`)
    process.exit(1)
  })
}
