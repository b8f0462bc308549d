import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { organizations } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { createBearerVerifier } from './bearer.ts'
import type { ClaimConfig } from './identity.ts'
import { Principal } from './types.ts'

/**
 * Real JWKS over HTTP: a tiny server on an ephemeral port publishes an OpenID discovery document
 * and a key set; test tokens are signed with jose using the matching private keys (and forged
 * with others).
 */

const AUDIENCE = 'carbon-api'
const CLIENT_ID = 'lakeshore-quant-service'
const claimConfig: ClaimConfig = { rolesClaim: 'roles', groupsClaim: 'groups', orgClaim: 'org', defaultOrganization: 'default' }

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>
let server: Server
let issuer: string
let rsa: KeyPair
let ec: KeyPair
let stranger: KeyPair
const hits = { discovery: 0, jwks: 0 }

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true })
  ec = await generateKeyPair('ES256', { extractable: true })
  stranger = await generateKeyPair('RS256', { extractable: true })
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ]
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` }))
    } else if (req.url === '/jwks') {
      hits.jwks++
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' })
      res.end(JSON.stringify({ keys }))
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
})

function sign(
  claims: JWTPayload,
  options: { key?: KeyPair['privateKey'] | Uint8Array; alg?: string; kid?: string; exp?: number | null } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT({ client_id: CLIENT_ID, org: 'lakeshore-quant', scope: 'read:prices', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'rsa-1', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject(CLIENT_ID)
    .setIssuedAt(now)
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now + 300)
  if (claims.iss) jwt.setIssuer(claims.iss)
  if (claims.aud) jwt.setAudience(claims.aud)
  return jwt.sign(options.key ?? rsa.privateKey)
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected the token to be refused, it was accepted')
}

describe.each(['pglite', 'postgres'] as const)('bearer JWT verification on %s', (kind) => {
  let pg: PostgresHandle
  let lakeshoreId: string
  let verify: (token: string) => Promise<Principal>

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    const [org] = await pg.db
      .insert(organizations)
      .values({ slug: 'lakeshore-quant', name: 'Lakeshore Quant' })
      .returning({ id: organizations.id })
    lakeshoreId = org!.id
    verify = createBearerVerifier({ issuer, audience: AUDIENCE, claims: claimConfig, db: pg.db })
  })
  afterAll(async () => {
    await pg?.close()
  })

  async function expectRefused(token: string, reason: string) {
    const error = await refusal(verify(token))
    expect(error.code).toBe('UNAUTHORIZED')
    expect(error.status).toBe(401)
    expect(error.details).toEqual({ reason })
    expect(error.message).toBe(`bearer token refused: ${reason}`)
    for (const text of [error.message, error.userMessage, JSON.stringify(error.details)]) {
      expect(text).not.toContain(token)
      expect(text).not.toContain(token.split('.')[1] || '(none)')
    }
  }

  it('maps a valid client-credentials token to a service principal', async () => {
    const token = await sign({ scope: 'openid read:prices write:everything read:curves' })
    const principal = await verify(token)
    expect(Principal.parse(principal)).toEqual(principal)
    expect(principal).toEqual({
      kind: 'service',
      userId: null,
      organizationId: lakeshoreId,
      organizationSlug: 'lakeshore-quant',
      label: CLIENT_ID,
      roles: ['service'],
      scopes: ['read:prices', 'read:curves'],
      credentialId: `jwt:${CLIENT_ID}`,
      expiresAt: expect.any(Number),
    })
  })

  it('accepts ES256, takes roles from the claim and falls back to azp then sub for the label', async () => {
    const token = await sign({ client_id: undefined, azp: 'azp-client', roles: ['analyst', 'wizard'] }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' })
    const principal = await verify(token)
    expect(principal.label).toBe('azp-client')
    expect(principal.credentialId).toBe('jwt:azp-client')
    expect(principal.roles).toEqual(['analyst'])

    const bySub = await verify(await sign({ client_id: undefined, scope: undefined }))
    expect(bySub.label).toBe(CLIENT_ID) // the subject set by sign()
    expect(bySub.scopes).toEqual([])
  })

  it('reads nested claim paths (Keycloak-style) with another claim configuration', async () => {
    const keycloakVerify = createBearerVerifier({
      issuer,
      audience: AUDIENCE,
      db: pg.db,
      claims: { ...claimConfig, rolesClaim: 'realm_access.roles', orgClaim: 'https://254carbon.com/org' },
      jwksUri: `${issuer}/jwks`,
    })
    const token = await sign({
      org: undefined,
      'https://254carbon.com/org': ['Lakeshore Quant'],
      realm_access: { roles: ['service', 'uma_authorization'] },
    })
    const principal = await keycloakVerify(token)
    expect(principal.organizationId).toBe(lakeshoreId)
    expect(principal.roles).toEqual(['service'])
  })

  it('refuses a token signed by another key (same kid, or an unknown kid)', async () => {
    await expectRefused(await sign({}, { key: stranger.privateKey }), 'bad signature')
    await expectRefused(await sign({}, { key: stranger.privateKey, kid: 'rsa-2' }), 'bad signature')
  })

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await sign({})).split('.')
    const tampered = `${header}.${b64url({ iss: issuer, aud: AUDIENCE, client_id: CLIENT_ID, org: 'lakeshore-quant', scope: 'write:curves', exp: Math.floor(Date.now() / 1000) + 300 })}.${signature}`
    await expectRefused(tampered, 'bad signature')
  })

  it('refuses an expired token, and one without expiry', async () => {
    await expectRefused(await sign({}, { exp: Math.floor(Date.now() / 1000) - 3600 }), 'expired')
    await expectRefused(await sign({}, { exp: null }), 'missing expiry')
  })

  it('refuses a wrong issuer and a wrong audience', async () => {
    await expectRefused(await sign({ iss: 'https://evil.example.com' }), 'wrong issuer')
    await expectRefused(await sign({ aud: 'some-other-api' }), 'wrong audience')
  })

  it('refuses an unsigned token (alg: none)', async () => {
    const now = Math.floor(Date.now() / 1000)
    const payload = { iss: issuer, aud: AUDIENCE, sub: CLIENT_ID, client_id: CLIENT_ID, org: 'lakeshore-quant', scope: 'read:prices', iat: now, exp: now + 300 }
    await expectRefused(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`, 'unsupported algorithm')
    await expectRefused(`${b64url({ alg: 'none', typ: 'JWT', kid: 'rsa-1' })}.${b64url(payload)}.c2ln`, 'unsupported algorithm')
  })

  it('refuses HS256 "signed" with the public key as the secret', async () => {
    const pem = await exportSPKI(rsa.publicKey)
    const token = await sign({}, { alg: 'HS256', key: new TextEncoder().encode(pem) })
    await expectRefused(token, 'unsupported algorithm')
    const jwk = JSON.stringify(await exportJWK(rsa.publicKey))
    await expectRefused(await sign({}, { alg: 'HS256', key: new TextEncoder().encode(jwk) }), 'unsupported algorithm')
  })

  it('refuses an unknown or missing organization', async () => {
    await expectRefused(await sign({ org: 'prairie-trading' }), 'unknown organization')
    await expectRefused(await sign({ org: undefined }), 'unknown organization')
  })

  it('refuses malformed values', async () => {
    await expectRefused('not-a-jwt', 'malformed token')
    await expectRefused('cbn_0123456789_0123456789abcdefghij0123456789ABCDEF', 'malformed token')
    await expectRefused(`${b64url({ alg: 'RS256' })}.not json.x`, 'malformed token')
    await expectRefused(`eyJ${'A'.repeat(20_000)}.e30.sig`, 'malformed token')
  })
})

describe('bearer verifier discovery', () => {
  let pg: PostgresHandle
  beforeAll(async () => {
    pg = await openScratchDatabase('pglite')
    await migratePostgres(pg)
    await pg.db.insert(organizations).values({ slug: 'lakeshore-quant', name: 'Lakeshore Quant' })
  })
  afterAll(async () => {
    await pg?.close()
  })

  it('discovers the JWKS lazily, once, through the given fetch', async () => {
    const requested: string[] = []
    const countingFetch: typeof fetch = (input, init) => {
      requested.push(String(input instanceof Request ? input.url : input))
      return fetch(input, init)
    }
    const before = { ...hits }
    const verify = createBearerVerifier({ issuer, audience: AUDIENCE, claims: claimConfig, db: pg.db, fetch: countingFetch })
    expect(requested).toEqual([]) // lazy: nothing fetched at creation
    for (let i = 0; i < 3; i++) await verify(await sign({}))
    expect(requested).toEqual([`${issuer}/.well-known/openid-configuration`, `${issuer}/jwks`])
    expect(hits.discovery - before.discovery).toBe(1)
    expect(hits.jwks - before.jwks).toBe(1)
  })

  it('reports an unreachable provider as UNAVAILABLE, not as a bad token, and retries discovery', async () => {
    let requests = 0
    const countingFetch: typeof fetch = (input, init) => {
      requests++
      return fetch(input, init)
    }
    const verify = createBearerVerifier({
      issuer: `${issuer}/missing`,
      audience: AUDIENCE,
      claims: claimConfig,
      db: pg.db,
      fetch: countingFetch,
    })
    const token = await sign({})
    for (let i = 0; i < 2; i++) {
      const error = await refusal(verify(token))
      expect(error.code).toBe('UNAVAILABLE')
      expect(error.status).toBe(503)
      expect(error.message).not.toContain(token)
    }
    // A failed discovery is not cached: each attempt asks again.
    expect(requests).toBe(2)

    const badDiscovery = createBearerVerifier({ issuer: `${issuer}/`, audience: AUDIENCE, claims: claimConfig, db: pg.db })
    const mismatch = await refusal(badDiscovery(token))
    expect(mismatch.code).toBe('UNAVAILABLE')
    expect(mismatch.message).toMatch(/another issuer/)
  })
})
