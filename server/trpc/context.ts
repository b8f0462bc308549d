import { randomUUID } from 'node:crypto'
import { getPlatform } from '../platform.ts'
import { resolveRequestAuth, type Endpoint } from '../services/auth/resolve.ts'
import { isStoreUnavailable } from '../services/health/index.ts'
import { storeUnavailable, type Context } from './trpc.ts'

/** Builds the procedure context of one HTTP request (hub and SDK through tRPC, or REST). */
export async function createContext(
  req: Request,
  options: {
    endpoint: Endpoint
    clientAddress?: string | null
    requestId?: string
    connectionClosed?: AbortSignal
    sendShared?: (answer: object) => Promise<void>
    heldByCaller?: (answer: object) => boolean
  },
): Promise<Context> {
  const platform = await getPlatform()
  const requestId = options.requestId ?? req.headers.get('x-request-id') ?? randomUUID()
  // A store that cannot be reached while resolving the caller is the request's refusal (503,
  // audited if the audit log can be written), not a 500 thrown before any procedure runs.
  const auth = await resolveRequestAuth(platform, req, options.endpoint).catch((error: unknown) => {
    if (!isStoreUnavailable(error)) throw error
    const channel = req.headers.has('authorization') || options.endpoint === 'rest' ? ('api' as const) : ('hub' as const)
    return { principal: null, channel, failure: storeUnavailable(error) }
  })
  return {
    platform,
    requestId,
    auth,
    log: platform.log.child({ requestId }),
    client: { address: options.clientAddress ?? null, userAgent: req.headers.get('user-agent') },
    responseHeaders: new Headers(),
    connectionClosed: options.connectionClosed ?? null,
    sendShared: options.sendShared ?? null,
    heldByCaller: options.heldByCaller ?? null,
  }
}
