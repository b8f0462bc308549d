import type { IncomingMessage, ServerResponse } from 'node:http'
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import type { Logger } from '../../logger.ts'
import {
  DEMO_ORGANIZATIONS,
  DEMO_SERVICE_CLIENT,
  DEMO_USERS,
  type DemoOrganization,
  type DemoUser,
} from '../../services/auth/demo-identities.ts'
import { loadOrCreateSigningKeys } from './keys.ts'
import { errorPage, loginPage, logoutPage, logoutSuccessPage, PAGE_HEADERS } from './pages.ts'

/**
 * The development identity provider: oidc-provider (OpenID Certified) configured like a
 * production provider, with the demo users of server/services/auth/demo-identities.ts and a
 * sign-in page that lists them instead of asking for passwords. `npm start` mounts its handler
 * at the issuer's path (e.g. /dev-idp); standalone.ts runs it on its own port for tests.
 *
 * Grants, sessions and interactions live in oidc-provider's in-memory adapter: a restart ends
 * the provider's own single sign-on sessions (a user picks a demo user again), but the signing
 * key and cookie keys persist in the key file, so tokens issued before a restart still verify.
 */

export type DevHubClient = {
  clientId: string
  clientSecret: string
  redirectUris: string[]
  postLogoutRedirectUris: string[]
}

export type DevProviderOptions = {
  /** e.g. http://localhost:3000/dev-idp (mounted at /dev-idp) or http://127.0.0.1:4001 (own server). */
  issuer: string
  /** JSON file holding the RS256 signing key; created with mode 0600 when missing. */
  keyFile: string
  hubClient: DevHubClient
  /** The `aud` of client-credentials access tokens (OIDC_API_AUDIENCE). */
  apiAudience: string
  users?: readonly DemoUser[]
  organizations?: readonly DemoOrganization[]
  serviceClient?: typeof DEMO_SERVICE_CLIENT
  log?: Logger
}

export type DevProvider = {
  provider: Provider
  /** The resource indicator (RFC 8707) of the API; access tokens for it carry `aud` = apiAudience. */
  apiResource: string
  /** Node handler for everything under the issuer: mount it at the issuer's path (Express strips it). */
  handler: (req: IncomingMessage, res: ServerResponse) => void
  issuer: string
  close(): Promise<void>
}

/** Scopes the provider knows; `roles` carries the roles, groups and org claims. */
export const DEV_PROVIDER_SCOPES = ['openid', 'profile', 'email', 'roles', 'offline_access'] as const

/**
 * The API's resource indicator. RFC 8707 wants an absolute URI; OIDC_API_AUDIENCE is often a
 * plain name ('carbon-api'), which becomes `urn:254carbon:api:carbon-api` (the token's `aud`
 * stays the plain name). An audience that already is a URI is its own indicator.
 */
export function apiResourceIndicator(apiAudience: string): string {
  return URL.canParse(apiAudience) ? apiAudience : `urn:254carbon:api:${encodeURIComponent(apiAudience)}`
}

/** The groups every demo user belongs to (OIDC_GROUPS_CLAIM). */
export const DEMO_GROUPS = ['pilot'] as const

/** The claims of one demo user, as findAccount returns them (the provider filters them by scope). */
export function demoUserClaims(user: DemoUser) {
  return {
    sub: user.username,
    email: user.email,
    name: user.name,
    roles: [...user.roles],
    groups: [...DEMO_GROUPS],
    org: user.organization,
  }
}

const INTERACTION_ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?\/?$/
const MAX_FORM_BYTES = 8 * 1024

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(html) })
  res.end(html)
}

/** Reads a urlencoded form, or takes the body an upstream parser already read. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!req.readable) {
    const parsed = (req as IncomingMessage & { body?: unknown }).body
    if (parsed && typeof parsed === 'object') {
      return new URLSearchParams(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'))
    }
    return new URLSearchParams()
  }
  const chunks: Buffer[] = []
  let received = 0
  for await (const chunk of req) {
    received += (chunk as Buffer).length
    if (received > MAX_FORM_BYTES) throw new FormTooLarge()
    chunks.push(chunk as Buffer)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

class FormTooLarge extends Error {}

function setPageHeaders(ctx: KoaContextWithOIDC) {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value)
}

function clientDisplayName(ctx: KoaContextWithOIDC): string | undefined {
  const client = ctx.oidc.client
  return client ? String(client.clientName ?? client.clientId) : undefined
}

export async function createDevProvider(options: DevProviderOptions): Promise<DevProvider> {
  const { issuer, hubClient, apiAudience, log } = options
  const users = options.users ?? DEMO_USERS
  const organizations = options.organizations ?? DEMO_ORGANIZATIONS
  const serviceClient = options.serviceClient ?? DEMO_SERVICE_CLIENT
  const issuerPath = new URL(issuer).pathname.replace(/\/+$/, '')
  const keys = await loadOrCreateSigningKeys(options.keyFile, log)
  const findUser = (username: string) => users.find((u) => u.username === username)
  const apiResource = apiResourceIndicator(apiAudience)

  const configuration: Configuration = {
    clients: [
      {
        client_id: hubClient.clientId,
        client_secret: hubClient.clientSecret,
        client_name: '254Carbon hub',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: hubClient.redirectUris,
        post_logout_redirect_uris: hubClient.postLogoutRedirectUris,
        scope: DEV_PROVIDER_SCOPES.join(' '),
      },
      {
        client_id: serviceClient.clientId,
        client_secret: serviceClient.clientSecret,
        client_name: `${serviceClient.organization} service`,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: keys.jwks,
    cookies: {
      keys: keys.cookieKeys,
      // Own names: the provider may share an origin (and so a cookie jar) with the hub.
      names: { session: 'dev_idp_session', interaction: 'dev_idp_interaction', resume: 'dev_idp_resume' },
      long: { httpOnly: true, sameSite: 'lax', path: issuerPath || '/' },
      short: { httpOnly: true, sameSite: 'lax', path: issuerPath || '/' },
    },
    scopes: [...DEV_PROVIDER_SCOPES],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email'],
      roles: ['roles', 'groups', 'org'],
    },
    // Roles, groups and org reach the id_token, not only /me (STACK.md).
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      ClientCredentials: 60 * 60,
      IdToken: 60 * 60,
      Interaction: 15 * 60,
      Session: 24 * 60 * 60,
      Grant: 24 * 60 * 60,
      RefreshToken: 24 * 60 * 60,
    },
    async findAccount(_ctx, sub) {
      const user = findUser(sub)
      if (!user) return undefined
      return { accountId: user.username, claims: () => demoUserClaims(user) }
    },
    async extraTokenClaims(_ctx, token) {
      if (token.kind === 'ClientCredentials' && token.clientId === serviceClient.clientId) {
        return { org: serviceClient.organization, roles: [...serviceClient.roles], client_id: serviceClient.clientId }
      }
      const accountId = 'accountId' in token ? token.accountId : undefined
      const user = accountId ? findUser(accountId) : undefined
      return user ? { org: user.organization, roles: [...user.roles] } : undefined
    },
    interactions: {
      url: (_ctx, interaction) => `${issuerPath}/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Client-credentials tokens are for the API; the hub's sign-in keeps its userinfo token.
        defaultResource: (_ctx, client, oneOf) => oneOf ?? (client.clientId === serviceClient.clientId ? apiResource : undefined),
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== apiResource) throw new errors.InvalidTarget()
          return {
            audience: apiAudience,
            scope: serviceClient.scopes.join(' '),
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          setPageHeaders(ctx)
          ctx.body = logoutPage(form, clientDisplayName(ctx))
        },
        postLogoutSuccessSource(ctx) {
          setPageHeaders(ctx)
          ctx.body = logoutSuccessPage(clientDisplayName(ctx))
        },
      },
    },
    renderError(ctx, out) {
      setPageHeaders(ctx)
      ctx.body = errorPage('Sign-in request refused', 'The development identity provider refused this request.', {
        error: out.error,
        description: out.error_description,
      })
    },
  }

  const provider = new Provider(issuer, configuration)
  provider.proxy = false
  provider.on('server_error', (_ctx: unknown, error: Error) => log?.error({ err: { name: error.name, message: error.message } }, 'dev-idp server error'))
  const refused = (event: string) => (_ctx: unknown, error: errors.OIDCProviderError) =>
    log?.info({ event, error: error.error, description: error.error_description }, 'dev-idp request refused')
  provider.on('authorization.error', refused('authorization.error'))
  provider.on('grant.error', refused('grant.error'))
  provider.on('end_session.error', refused('end_session.error'))
  const oidcCallback = provider.callback()

  /** The sign-in and consent steps: GET shows the step, POST .../login picks a user, POST .../abort cancels. */
  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    const method = req.method ?? 'GET'
    if ((action === undefined && method !== 'GET') || (action !== undefined && method !== 'POST')) {
      res.writeHead(405, { Allow: action === undefined ? 'GET' : 'POST', 'Content-Type': 'text/plain' }).end('Method Not Allowed')
      return
    }
    const details = await provider.interactionDetails(req, res).catch((error: unknown) => {
      if (error instanceof errors.SessionNotFound) return undefined
      throw error
    })
    if (!details || details.uid !== uid) {
      sendHtml(res, 400, errorPage('Sign-in expired', 'This sign-in request has expired or was already used. Go back to the application and sign in again.'))
      return
    }
    const clientId = String(details.params.client_id ?? '')

    if (action === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled the sign-in' }, { mergeWithLastSubmission: false })
      return
    }

    if (details.prompt.name === 'login') {
      const client = await provider.Client.find(clientId)
      const pageInput = {
        loginAction: `${issuerPath}/interaction/${uid}/login`,
        abortAction: `${issuerPath}/interaction/${uid}/abort`,
        clientName: String(client?.clientName ?? clientId),
        users,
        organizations,
      }
      if (action === undefined) {
        sendHtml(res, 200, loginPage(pageInput))
        return
      }
      const form = await readForm(req)
      const username = form.get('username') ?? ''
      const user = findUser(username)
      if (!user) {
        sendHtml(res, 400, loginPage({ ...pageInput, error: `There is no demo user named "${username.slice(0, 64)}". Choose one of the users below.` }))
        return
      }
      log?.info({ uid, username: user.username, clientId }, 'dev-idp sign-in')
      await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false })
      return
    }

    if (details.prompt.name === 'consent') {
      if (action !== undefined) {
        sendHtml(res, 400, errorPage('Sign-in step mismatch', 'This sign-in request is past the user choice. Go back to the application and sign in again.'))
        return
      }
      if (clientId !== hubClient.clientId || !details.session) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'consent is only granted to the hub client' }, { mergeWithLastSubmission: true })
        return
      }
      // The hub is a first-party client: its requested scopes and claims are granted without asking.
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId: details.session.accountId, clientId })
      const missing = details.prompt.details as {
        missingOIDCScope?: string[]
        missingOIDCClaims?: string[]
        missingResourceScopes?: Record<string, string[]>
      }
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims)
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '))
      }
      const grantId = await grant.save()
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
      return
    }

    sendHtml(res, 400, errorPage('Unsupported sign-in step', `The step "${details.prompt.name}" is not supported by the development identity provider.`))
  }

  let closed = false
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (closed) {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('The development identity provider is stopped')
      return
    }
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    const match = INTERACTION_ROUTE.exec(pathname)
    if (!match) {
      void oidcCallback(req, res)
      return
    }
    interaction(req, res, match[1]!, match[2]).catch((error: unknown) => {
      if (error instanceof FormTooLarge) {
        if (!res.headersSent) sendHtml(res, 413, errorPage('Request too large', 'The sign-in form was too large.'))
        return
      }
      log?.error({ err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'dev-idp interaction failed')
      if (!res.headersSent) sendHtml(res, 500, errorPage('Sign-in failed', 'The development identity provider failed. Try signing in again.'))
      else res.end()
    })
  }

  log?.info({ issuer, kid: keys.kid, clients: [hubClient.clientId, serviceClient.clientId] }, 'development identity provider ready')

  return {
    provider,
    apiResource,
    handler,
    issuer,
    async close() {
      closed = true
    },
  }
}
