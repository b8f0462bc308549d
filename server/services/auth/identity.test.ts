import { describe, expect, it } from 'vitest'
import { parseEnv } from '../../env.ts'
import { AppError } from '../../errors.ts'
import {
  type ClaimConfig,
  claimConfigFromEnv,
  identityFromClaims,
  organizationSlugFromClaim,
  readClaim,
  slugify,
} from './identity.ts'

const ISSUER = 'https://idp.example.com/realms/carbon'
const plain: ClaimConfig = { rolesClaim: 'roles', groupsClaim: 'groups', orgClaim: 'org', defaultOrganization: 'default' }
const keycloak: ClaimConfig = {
  rolesClaim: 'realm_access.roles',
  groupsClaim: 'groups',
  orgClaim: 'organization',
  defaultOrganization: 'default',
}

describe('claimConfigFromEnv', () => {
  it('takes the defaults and the configured paths', () => {
    expect(claimConfigFromEnv(parseEnv({}))).toEqual({
      rolesClaim: 'roles',
      groupsClaim: 'groups',
      orgClaim: 'org',
      defaultOrganization: 'default',
    })
    expect(
      claimConfigFromEnv(
        parseEnv({ OIDC_ROLES_CLAIM: 'realm_access.roles', OIDC_ORG_CLAIM: 'organization', DEFAULT_ORGANIZATION: 'acme' }),
      ),
    ).toEqual({ rolesClaim: 'realm_access.roles', groupsClaim: 'groups', orgClaim: 'organization', defaultOrganization: 'acme' })
  })
})

describe('readClaim', () => {
  const claims = {
    roles: ['admin'],
    realm_access: { roles: ['analyst', 'offline_access'] },
    resource_access: { 'carbon-hub': { roles: ['viewer'] } },
    'https://254carbon.com/roles': ['admin'],
    'https://254carbon.com/claims': { org: 'acme' },
    'a.b': { c: 'dotted-then-nested' },
    a: { b: { c: 'nested' } },
    list: [{ x: 1 }],
  }

  it('reads top-level and nested (Keycloak) paths', () => {
    expect(readClaim(claims, 'roles')).toEqual(['admin'])
    expect(readClaim(claims, 'realm_access.roles')).toEqual(['analyst', 'offline_access'])
    expect(readClaim(claims, 'resource_access.carbon-hub.roles')).toEqual(['viewer'])
  })

  it('reaches keys that contain dots, whole path first', () => {
    expect(readClaim(claims, 'https://254carbon.com/roles')).toEqual(['admin'])
    expect(readClaim(claims, 'https://254carbon.com/claims.org')).toBe('acme')
    // Both 'a.b' -> 'c' and 'a' -> 'b' -> 'c' exist: the longest key wins.
    expect(readClaim(claims, 'a.b.c')).toBe('dotted-then-nested')
  })

  it('is undefined for missing paths, arrays and prototype keys', () => {
    expect(readClaim(claims, 'realm_access.missing')).toBeUndefined()
    expect(readClaim(claims, 'roles.0')).toBeUndefined()
    expect(readClaim(claims, 'list.0.x')).toBeUndefined()
    expect(readClaim(claims, '__proto__')).toBeUndefined()
    expect(readClaim(claims, 'constructor')).toBeUndefined()
    expect(readClaim(claims, 'roles.length')).toBeUndefined()
    expect(readClaim(claims, '')).toBeUndefined()
  })
})

describe('identityFromClaims', () => {
  it('maps plain claims', () => {
    const identity = identityFromClaims(
      { sub: 'u-1', email: 'ada@acme.com', name: 'Ada', roles: ['admin', 'analyst'], groups: ['traders'], org: 'acme' },
      ISSUER,
      plain,
    )
    expect(identity).toEqual({
      issuer: ISSUER,
      subject: 'u-1',
      email: 'ada@acme.com',
      name: 'Ada',
      roles: ['admin', 'analyst'],
      groups: ['traders'],
      organizationSlug: 'acme',
    })
  })

  it('maps a Keycloak token: realm_access.roles, groups, organization object', () => {
    const identity = identityFromClaims(
      {
        sub: 'f3c1a7f0-5f0d-4e2b-9d7e-2c8f3b6a1e11',
        preferred_username: 'quinn',
        email: 'quinn@lakeshore.dev',
        realm_access: { roles: ['offline_access', 'uma_authorization', 'analyst', 'default-roles-carbon'] },
        groups: ['/lakeshore/quants', '/lakeshore'],
        organization: { 'Lakeshore Quant': { id: '42' } },
      },
      ISSUER,
      keycloak,
    )
    expect(identity.roles).toEqual(['analyst'])
    expect(identity.groups).toEqual(['/lakeshore/quants', '/lakeshore'])
    expect(identity.organizationSlug).toBe('lakeshore-quant')
    expect(identity.name).toBe('quinn')
  })

  it('reads a namespaced (dotted) roles claim', () => {
    const identity = identityFromClaims(
      { sub: 'auth0|1', 'https://254carbon.com/roles': ['viewer', 'admin'] },
      ISSUER,
      { ...plain, rolesClaim: 'https://254carbon.com/roles' },
    )
    expect(identity.roles).toEqual(['admin', 'viewer'])
  })

  it('ignores unknown roles and defaults to viewer', () => {
    expect(identityFromClaims({ sub: 's', roles: ['superuser', 'ADMIN', 'root'] }, ISSUER, plain).roles).toEqual(['viewer'])
    expect(identityFromClaims({ sub: 's' }, ISSUER, plain).roles).toEqual(['viewer'])
    expect(identityFromClaims({ sub: 's', roles: 'analyst' }, ISSUER, plain).roles).toEqual(['analyst'])
    expect(identityFromClaims({ sub: 's', roles: [42, null, 'analyst'] }, ISSUER, plain).roles).toEqual(['analyst'])
  })

  it('takes the organization from a string, the first of an array, or the default', () => {
    expect(identityFromClaims({ sub: 's', org: ['Prairie Trading', 'other'] }, ISSUER, plain).organizationSlug).toBe(
      'prairie-trading',
    )
    expect(identityFromClaims({ sub: 's', org: '/acme' }, ISSUER, plain).organizationSlug).toBe('acme')
    expect(identityFromClaims({ sub: 's' }, ISSUER, plain).organizationSlug).toBe('default')
    expect(identityFromClaims({ sub: 's', org: '!!!' }, ISSUER, plain).organizationSlug).toBe('default')
    expect(identityFromClaims({ sub: 's', org: 7 }, ISSUER, plain).organizationSlug).toBe('default')
  })

  it('keeps email and name null when absent and groups empty', () => {
    const identity = identityFromClaims({ sub: 's', email: '', groups: 'not-a-list-but-one' }, ISSUER, plain)
    expect(identity.email).toBeNull()
    expect(identity.name).toBeNull()
    expect(identity.groups).toEqual(['not-a-list-but-one'])
  })

  it('refuses claims without a subject', () => {
    for (const claims of [{}, { sub: '' }, { sub: 42 }]) {
      let caught: unknown
      try {
        identityFromClaims(claims, ISSUER, plain)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(AppError)
      expect((caught as AppError).code).toBe('UNAUTHORIZED')
    }
  })
})

describe('slugs', () => {
  it('normalizes names', () => {
    expect(slugify('Société Générale')).toBe('societe-generale')
    expect(slugify('  --Acme__Corp--  ')).toBe('acme-corp')
    expect(slugify('x'.repeat(100))).toHaveLength(63)
    expect(slugify('***')).toBeNull()
    expect(organizationSlugFromClaim({})).toBeNull()
    expect(organizationSlugFromClaim(['254carbon'])).toBe('254carbon')
  })
})
