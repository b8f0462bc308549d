import { addDays, dayStartUtc, MARKETS, type DataKey, type MarketId, type PriceRecord } from '@carbon/schemas'
import { users, type Database } from '../../adapters/postgres/schema/index.ts'
import { setEntitlement } from '../auth/entitlements.ts'
import type { Channel, Principal } from '../auth/types.ts'

/** Test helpers of the scheduled-report tests: users as hub sessions, grants, day-ahead prices of whole market days. */

/** A user of the organization, as a hub session principal. */
export async function testUser(db: Database, organizationId: string, email: string): Promise<Principal> {
  const [user] = await db
    .insert(users)
    .values({ organizationId, subject: email, issuer: 'http://test-issuer', email, name: email, roles: ['analyst'] })
    .returning({ id: users.id })
  return {
    kind: 'user',
    userId: user!.id,
    organizationId,
    organizationSlug: email.split('@')[1] ?? 'test',
    label: email,
    roles: ['analyst'],
    scopes: null,
    credentialId: `session-${user!.id}`,
  }
}

/** Grants (or withdraws) a market, or a product beside power, through each of the channels. */
export async function grant(db: Database, organizationId: string, market: DataKey, channels: readonly Channel[], enabled = true): Promise<void> {
  for (const channel of channels) await setEntitlement(db, { organizationId, market, channel, enabled, grantedBy: 'test' })
}

/** Hourly day-ahead prices of every hour of the market-clock days `from`..`to` (inclusive) at the nodes. */
export function dayAheadRecords(market: MarketId, nodes: readonly string[], from: string, to: string, lmp = 30): PriceRecord[] {
  const out: PriceRecord[] = []
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const start = dayStartUtc(day, MARKETS[market].timeZone).getTime()
    const end = dayStartUtc(addDays(day, 1), MARKETS[market].timeZone).getTime()
    for (let at = start; at < end; at += 3_600_000) {
      for (const node of nodes) {
        out.push({
          market,
          node,
          run: 'DA',
          intervalStart: new Date(at).toISOString(),
          intervalEnd: new Date(at + 3_600_000).toISOString(),
          lmp: lmp + ((at - start) / 3_600_000) * 0.5,
          energy: null,
          congestion: null,
          loss: null,
          ghg: null,
          source: 'report-subscriptions-test',
          publishedAt: null,
        })
      }
    }
  }
  return out
}
