import type { Database } from '../../server/adapters/postgres/schema/index.ts'
import type { DemoUser } from '../../server/services/auth/demo-identities.ts'
import { provisionUser } from '../../server/services/auth/identity.ts'

/** Provisions one of the demo users (DEMO_USERS) as the test OIDC issuer would sign them in. */
export function provisionDemoUser(db: Database, user: DemoUser) {
  return provisionUser(db, {
    issuer: 'http://test-issuer',
    subject: user.username,
    email: user.email,
    name: user.name,
    roles: [...user.roles],
    groups: [],
    organizationSlug: user.organization,
  })
}
