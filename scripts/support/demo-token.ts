import type { Platform } from '../../server/platform.ts'
import { DEMO_USERS } from '../../server/services/auth/demo-identities.ts'
import { provisionUser } from '../../server/services/auth/identity.ts'
import { createApiToken } from '../../server/services/auth/tokens.ts'

/** A personal access token (read:prices, one day) of the demo quant, who has MISO's API entitlement. */
export async function demoQuantToken(platform: Platform, name: string): Promise<string> {
  const quant = DEMO_USERS.find((u) => u.username === 'quant')!
  const { userId } = await provisionUser(platform.pg.db, {
    issuer: platform.auth.issuer,
    subject: quant.username,
    email: quant.email,
    name: quant.name,
    roles: [...quant.roles],
    groups: [],
    organizationSlug: quant.organization,
  })
  const { token } = await createApiToken(platform.pg.db, { userId, name, scopes: ['read:prices'], expiresInDays: 1 })
  return token
}
