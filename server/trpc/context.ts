import { randomUUID } from 'node:crypto'
import { getPlatform } from '../platform.ts'
import { resolveRequestAuth, type Endpoint } from '../services/auth/resolve.ts'
import type { Context } from './trpc.ts'

/** Builds the procedure context of one HTTP request (hub and SDK through tRPC, or REST). */
export async function createContext(
  req: Request,
  options: { endpoint: Endpoint; clientAddress?: string | null; requestId?: string; connectionClosed?: AbortSignal },
): Promise<Context> {
  const platform = await getPlatform()
  const requestId = options.requestId ?? req.headers.get('x-request-id') ?? randomUUID()
  const auth = await resolveRequestAuth(platform, req, options.endpoint)
  return {
    platform,
    requestId,
    auth,
    log: platform.log.child({ requestId }),
    client: { address: options.clientAddress ?? null, userAgent: req.headers.get('user-agent') },
    responseHeaders: new Headers(),
    connectionClosed: options.connectionClosed ?? null,
  }
}
