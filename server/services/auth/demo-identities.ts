import type { DataKey, EntitledProduct } from '@carbon/schemas'
import type { Channel, Role } from './types.ts'

/**
 * The development identity provider's demo users and their organizations, covering the pilot's
 * entitlement matrix. Used by the embedded provider (server/adapters/identity) for logins and by
 * the entitlement seed for the organizations' rights. Development only.
 */

export type DemoOrganization = {
  slug: string
  name: string
  entitlements: readonly { market: DataKey; channel: Channel }[]
}

export type DemoUser = {
  /** Login name on the development provider's page, and the OIDC `sub`. */
  username: string
  email: string
  name: string
  organization: string
  roles: readonly Role[]
  /** What the login page says about this user. */
  description: string
}

/** Pilot defaults: MISO hub + API + downloads; CAISO hub + downloads (its API is disabled). */
export const PILOT_ENTITLEMENTS = [
  { market: 'MISO', channel: 'hub' },
  { market: 'MISO', channel: 'api' },
  { market: 'MISO', channel: 'downloads' },
  { market: 'CAISO', channel: 'hub' },
  { market: 'CAISO', channel: 'downloads' },
] as const satisfies readonly { market: DataKey; channel: Channel }[]

/** Each of `products` through each of `channels`. */
const productGrants = (products: readonly EntitledProduct[], channels: readonly Channel[]) =>
  products.flatMap((market) => channels.map((channel) => ({ market, channel })))

/**
 * The demo organizations. The products beside power (docs/decisions/023) are granted so the demo
 * shows them: the house everything, a trader every product in the hub, the quant firm every product
 * through every channel, the California utility its compliance products (LCFS, RECs) and gas.
 */
export const DEMO_ORGANIZATIONS: readonly DemoOrganization[] = [
  {
    slug: '254carbon',
    name: '254Carbon',
    entitlements: [...PILOT_ENTITLEMENTS, ...productGrants(['GAS', 'LNG', 'LCFS', 'REC'], ['hub', 'api', 'downloads'])],
  },
  {
    slug: 'prairie-trading',
    name: 'Prairie Trading',
    entitlements: [{ market: 'MISO', channel: 'hub' }, { market: 'CAISO', channel: 'hub' }, ...productGrants(['GAS', 'LNG', 'LCFS', 'REC'], ['hub'])],
  },
  {
    slug: 'lakeshore-quant',
    name: 'Lakeshore Quant',
    entitlements: [
      { market: 'MISO', channel: 'hub' },
      { market: 'MISO', channel: 'api' },
      // Exports through the API (POST /api/v1/exports) with the service client's credentials alone.
      { market: 'MISO', channel: 'downloads' },
      ...productGrants(['GAS', 'LNG', 'LCFS', 'REC'], ['hub', 'api', 'downloads']),
    ],
  },
  {
    slug: 'pacific-utility',
    name: 'Pacific Utility',
    entitlements: [
      { market: 'CAISO', channel: 'hub' },
      { market: 'CAISO', channel: 'downloads' },
      ...productGrants(['LCFS', 'REC'], ['hub', 'downloads']),
      ...productGrants(['GAS'], ['hub']),
    ],
  },
  { slug: 'no-access', name: 'No Access Inc.', entitlements: [] },
]

export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'admin',
    email: 'admin@254carbon.dev',
    name: 'Ada Admin',
    organization: '254carbon',
    roles: ['admin', 'analyst'],
    description: 'Administrator: every pilot entitlement (MISO hub, API, downloads; CAISO hub, downloads) and the admin pages',
  },
  {
    username: 'analyst',
    email: 'analyst@prairie-trading.dev',
    name: 'Alan Analyst',
    organization: 'prairie-trading',
    roles: ['analyst'],
    description: 'Analyst: MISO and CAISO in the hub; no API, no downloads',
  },
  {
    username: 'quant',
    email: 'quant@lakeshore-quant.dev',
    name: 'Quinn Quant',
    organization: 'lakeshore-quant',
    roles: ['analyst'],
    description: 'Quant: MISO in the hub, through the API (personal access tokens) and as downloads (exports)',
  },
  {
    username: 'caiso',
    email: 'ops@pacific-utility.dev',
    name: 'Cora Caiso',
    organization: 'pacific-utility',
    roles: ['viewer'],
    description: 'CAISO only: CAISO hub and downloads',
  },
  {
    username: 'none',
    email: 'nobody@no-access.dev',
    name: 'Ned None',
    organization: 'no-access',
    roles: ['viewer'],
    description: 'No entitlements: can sign in, sees no market',
  },
]

/** The OAuth2 client-credentials client of the development provider (a service of Lakeshore Quant). */
export const DEMO_SERVICE_CLIENT = {
  clientId: 'lakeshore-quant-service',
  clientSecret: 'dev-service-secret-change-me',
  organization: 'lakeshore-quant',
  roles: ['service'] as const,
  scopes: ['read:prices', 'read:curves'] as const,
}

/** The hub's client secret on the development provider. Development only. */
export const DEV_HUB_CLIENT_SECRET = 'dev-hub-secret-change-me'
