import { randomUUID } from 'node:crypto'
import type { DataKey } from '@carbon/schemas'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { isAppError } from '../../errors.ts'
import { recordAudit, type AuditEntry } from '../auth/audit.ts'
import { authorize } from '../auth/entitlements.ts'
import type { Principal, Scope } from '../auth/types.ts'
import type { ExportRequest } from './schemas.ts'

/**
 * Who may export what: the `downloads` channel of every market an export reads, and when the job
 * is asked for through the API, the API channel of each as well (CAISO has none: a CAISO export
 * works through the hub only). Checked when a job is estimated and created and again whenever a
 * link is issued; each decision on a market the caller's gate did not already record is audited
 * here, one row per market.
 */

export type ExportChannel = 'hub' | 'api'

/** The request a service call belongs to, for its audit rows (the gate's request id when known). */
export type AuditRequest = { requestId?: string; clientAddress?: string | null; userAgent?: string | null }

/** Prices need read:prices; curves and scenario results are forward prices: read:curves (as their procedures). */
export function scopeOf(dataset: ExportRequest['dataset']): Scope {
  return dataset === 'prices' ? 'read:prices' : 'read:curves'
}

/** The one decision per market: downloads, plus the API channel for an API job. Throws the refusal (403). */
export async function authorizeMarket(db: Database, principal: Principal, channel: ExportChannel, market: DataKey, scope: Scope): Promise<void> {
  await authorize(db, principal, { channel: 'downloads', market, scope })
  if (channel === 'api') await authorize(db, principal, { channel: 'api', market, scope })
}

type AuditWhat = {
  procedure: string
  channel: AuditEntry['channel']
  /** The market the caller's gate recorded already (no second row for it). */
  gateMarket?: string | null
  details?: Record<string, unknown>
  request?: AuditRequest
}

/**
 * Authorizes every market in turn; records an audit row per market (allowed, or denied with the
 * reason) except the gate's market, whose row the gate writes. The first refusal is thrown after
 * its row is written.
 */
export async function authorizeMarkets(
  db: Database,
  principal: Principal,
  channel: ExportChannel,
  markets: readonly DataKey[],
  scope: Scope,
  audit: AuditWhat,
): Promise<void> {
  const requestId = audit.request?.requestId ?? `export-${randomUUID()}`
  for (const market of markets) {
    const recordHere = market !== audit.gateMarket
    try {
      await authorizeMarket(db, principal, channel, market, scope)
    } catch (error) {
      if (recordHere && isAppError(error)) {
        await recordAudit(db, {
          ...base(principal, audit, requestId, market),
          outcome: 'denied',
          status: error.status,
          details: { ...audit.details, reason: error.userMessage },
        })
      }
      throw error
    }
    if (recordHere) await recordAudit(db, { ...base(principal, audit, requestId, market), outcome: 'allowed', status: 200, details: audit.details ?? null })
  }
}

function base(principal: Principal, audit: AuditWhat, requestId: string, market: string) {
  return {
    requestId,
    principal,
    channel: audit.channel,
    procedure: audit.procedure,
    market,
    clientAddress: audit.request?.clientAddress ?? null,
    userAgent: audit.request?.userAgent ?? null,
  }
}
