import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../paths.ts'
import { parseStandaloneArgs, startStandaloneProvider } from './standalone.ts'
import { basicAuth, signInWithDevProvider } from './testing.ts'

/** The provider on its own port at the root path, like a production provider. */

const SECRET = 'standalone-test-secret'
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-dev-idp-standalone-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('startStandaloneProvider', () => {
  it('serves discovery at the root and a full sign-in with interaction pages at /interaction', async () => {
    const redirectUri = 'http://127.0.0.1:1/auth/callback'
    const running = await startStandaloneProvider({
      port: 0,
      keyFile: path.join(dir, 'in-process.json'),
      clientSecret: SECRET,
      redirectUris: [redirectUri],
      postLogoutRedirectUris: ['http://127.0.0.1:1/'],
    })
    try {
      expect(running.issuer).toBe(`http://127.0.0.1:${running.port}`)
      const discovery = (await (await fetch(`${running.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>
      expect(discovery.issuer).toBe(running.issuer)
      expect(discovery.authorization_endpoint).toBe(`${running.issuer}/auth`)

      const signIn = await signInWithDevProvider({
        authorizationEndpoint: discovery.authorization_endpoint!,
        clientId: 'carbon-hub',
        redirectUri,
        username: 'admin',
      })
      expect(signIn.loginPage).toContain(`action="/interaction/`)
      const response = await fetch(discovery.token_endpoint!, {
        method: 'POST',
        headers: { authorization: basicAuth('carbon-hub', SECRET), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: signIn.code, redirect_uri: redirectUri, code_verifier: signIn.codeVerifier }),
      })
      expect(response.status).toBe(200)
      const tokens = (await response.json()) as { id_token: string }
      const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(discovery.jwks_uri!)), {
        issuer: running.issuer,
        audience: 'carbon-hub',
      })
      expect(payload).toMatchObject({ sub: 'admin', org: '254carbon', roles: ['admin', 'analyst'], nonce: signIn.nonce })
    } finally {
      await running.close()
    }
    await expect(fetch(`${running.issuer}/.well-known/openid-configuration`)).rejects.toThrow()
  })

  it('refuses a client secret outside [A-Za-z0-9._~-]', async () => {
    await expect(
      startStandaloneProvider({ keyFile: path.join(dir, 'x.json'), clientSecret: 'has space', redirectUris: ['http://127.0.0.1:1/cb'] }),
    ).rejects.toThrow(/A-Z a-z 0-9/)
  })

  it('parses its command line and refuses one without a key file or redirect URI', () => {
    const options = parseStandaloneArgs([
      '--port', '0', '--redirect-uri', 'http://127.0.0.1:5/a', '--redirect-uri', 'http://127.0.0.1:5/b',
      '--post-logout-uri', 'http://127.0.0.1:5/', '--client-secret', 's3cret', '--key-file', '/tmp/k.json',
    ])
    expect(options).toMatchObject({ port: 0, redirectUris: ['http://127.0.0.1:5/a', 'http://127.0.0.1:5/b'], clientSecret: 's3cret', keyFile: '/tmp/k.json' })
    expect(() => parseStandaloneArgs(['--redirect-uri', 'http://127.0.0.1:5/a'])).toThrow(/--key-file/)
    expect(() => parseStandaloneArgs(['--key-file', '/tmp/k.json'])).toThrow(/--redirect-uri/)
    expect(() => parseStandaloneArgs(['--key-file', '/tmp/k.json', '--redirect-uri', 'x', '--port', '70000'])).toThrow(/--port/)
  })
})

describe('standalone.ts as a process', () => {
  it('prints its issuer, answers discovery and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      [
        path.join(repoRoot, 'server/adapters/identity/standalone.ts'),
        '--port', '0',
        '--redirect-uri', 'http://127.0.0.1:2/auth/callback',
        '--post-logout-uri', 'http://127.0.0.1:2/',
        '--client-secret', SECRET,
        '--key-file', path.join(dir, 'process.json'),
        '--log-level', 'warn',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    )
    try {
      const lines = createInterface({ input: child.stdout })
      const first = await Promise.race([
        new Promise<string>((resolve) => lines.once('line', resolve)),
        exited.then(({ code }) => {
          throw new Error(`standalone.ts exited (${code}) before listening: ${stderr}`)
        }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no line within 30 s: ${stderr}`)), 30_000)),
      ])
      const match = /^oidc-provider listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)
      expect(match, first).not.toBeNull()
      const issuer = match![1]!
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>
      expect(discovery.issuer).toBe(issuer)
      expect(discovery.end_session_endpoint).toBe(`${issuer}/session/end`)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toEqual({ code: 0, signal: null })
  })
})
