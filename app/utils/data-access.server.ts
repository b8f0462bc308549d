import type { MarketId } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { isAppError } from '#server/errors.ts'
import { getPlatform, type Platform } from '#server/platform.ts'
import { recordAudit, type AuditEntry } from '#server/services/auth/audit.ts'
import { authorize, entitledMarkets } from '#server/services/auth/entitlements.ts'
import type { Channel, Principal, Role } from '#server/services/auth/types.ts'
import { requireUser } from './auth.server.ts'

type AccessSpec = {
  /** What the audit row calls this access, e.g. `hub:node` or `download:node-csv`. */
  procedure: string
  channel?: Extract<Channel, 'hub' | 'downloads'>
  market?: MarketId
  /** A role the user must hold besides the market entitlement (building a curve needs `analyst`); else 403, audited as denied. */
  role?: Role
}

type Scope = Pick<AuditEntry, 'market' | 'nodes' | 'rangeFrom' | 'rangeTo' | 'details'>

export type DataAccess = {
  platform: Platform
  principal: Principal
  /** Markets the principal may see through this channel, sorted. */
  entitled: MarketId[]
  /** Writes the audit row of the data about to be served; throws a 503 Response if it cannot. */
  served(scope?: Scope): Promise<void>
}

/**
 * The hub's door to data: a signed-in user (else redirect to sign-in), the one authorization
 * decision for the market and channel (else 403, audited as denied), and an audit row before
 * the data leaves (if the row cannot be written, the page fails instead of serving data).
 */
export async function accessData(request: Request, context: AppLoadContext, spec: AccessSpec): Promise<DataAccess> {
  const platform = await getPlatform()
  const principal = await requireUser(request)
  const channel = spec.channel ?? 'hub'
  const base = {
    requestId: context.requestId,
    principal,
    channel,
    procedure: spec.procedure,
    market: spec.market ?? null,
    clientAddress: context.clientAddress,
    userAgent: request.headers.get('user-agent'),
  }
  try {
    await authorize(platform.pg.db, principal, { channel, market: spec.market, role: spec.role })
  } catch (error) {
    if (!isAppError(error)) throw error
    await recordAudit(platform.pg.db, { ...base, outcome: 'denied', status: error.status, details: { reason: error.userMessage } })
    throw new Response(error.userMessage, { status: error.status, statusText: error.status === 403 ? 'Forbidden' : 'Unauthorized' })
  }
  const entitled = await entitledMarkets(platform.pg.db, principal, channel)
  return {
    platform,
    principal,
    entitled,
    async served(scope: Scope = {}) {
      try {
        await recordAudit(platform.pg.db, { ...base, ...scope, outcome: 'allowed', status: 200 })
      } catch (error) {
        platform.log.error({ err: error, procedure: spec.procedure }, 'audit write failed: answer withheld')
        throw new Response('The audit log is unavailable, so no data was served. Please retry shortly.', { status: 503 })
      }
    },
  }
}
