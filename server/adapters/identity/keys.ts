import { hkdfSync, randomBytes } from 'node:crypto'
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { z } from 'zod'
import type { Logger } from '../../logger.ts'

/**
 * The development identity provider's signing key: one RS256 key pair, created on first start
 * and kept in a JSON file (a JWKS holding the private key, mode 0600), so that a restart signs
 * with the same `kid` and every id_token and JWT access token issued before stays verifiable.
 * The provider's cookie-signing keys are derived from the same private key (HKDF), so they too
 * survive restarts without a second secret to manage.
 */

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/)

/** An RSA private JWK as jose exports it, plus the fields the provider needs (kid, alg, use). */
export const PrivateRsaJwk = z.object({
  kty: z.literal('RSA'),
  kid: z.string().min(1),
  alg: z.literal('RS256'),
  use: z.literal('sig'),
  n: base64url,
  e: base64url,
  d: base64url,
  p: base64url,
  q: base64url,
  dp: base64url,
  dq: base64url,
  qi: base64url,
})
export type PrivateRsaJwk = z.infer<typeof PrivateRsaJwk>

const KeyFile = z.object({ keys: z.array(PrivateRsaJwk).min(1) })

export type SigningKeys = {
  /** The provider's `jwks` configuration: private keys, first one signs. */
  jwks: { keys: PrivateRsaJwk[] }
  /** The key id tokens are signed with. */
  kid: string
  /** Cookie-signing keys (keygrip), derived from the private key. */
  cookieKeys: string[]
  /** Whether this call created the key file. */
  created: boolean
}

/** Creates a new RS256 signing key as a private JWK with kid (its RFC 7638 thumbprint), alg and use. */
export async function generateSigningKey(): Promise<PrivateRsaJwk> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(jwk, 'sha256')
  return PrivateRsaJwk.parse({ ...jwk, kid, alg: 'RS256', use: 'sig' })
}

/** Cookie keys derived from a private key: stable for the key, useless without it. */
export function deriveCookieKeys(key: PrivateRsaJwk): string[] {
  const secret = Buffer.from(key.d, 'base64url')
  const derived = hkdfSync('sha256', secret, Buffer.from(key.kid), Buffer.from('254carbon dev-idp cookie keys v1'), 32)
  return [Buffer.from(derived).toString('base64url')]
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code
}

async function readKeyFile(keyFile: string, log?: Logger): Promise<{ keys: PrivateRsaJwk[] } | undefined> {
  let text: string
  try {
    text = await readFile(keyFile, 'utf8')
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined
    throw error
  }
  const { mode } = await stat(keyFile)
  if ((mode & 0o077) !== 0) {
    await chmod(keyFile, 0o600)
    log?.warn({ keyFile }, 'identity signing key file was readable by others; permissions set to 0600')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const result = KeyFile.safeParse(parsed)
  if (!result.success) {
    // Never echo the file's content: it holds a private key.
    throw new Error(
      `The identity signing key file ${keyFile} is not a valid RS256 private JWKS; delete it to create a new key (tokens signed with the old key stop verifying)`,
    )
  }
  return result.data
}

/**
 * Loads the signing key from `keyFile`, creating the file (and its folder) with a new key when it
 * does not exist. Creation is atomic: the key is written to a temporary file and hard-linked into
 * place, so two processes starting at once end up with the same key.
 */
export async function loadOrCreateSigningKeys(keyFile: string, log?: Logger): Promise<SigningKeys> {
  const resolved = path.resolve(keyFile)
  let created = false
  let file = await readKeyFile(resolved, log)
  if (!file) {
    await mkdir(path.dirname(resolved), { recursive: true, mode: 0o700 })
    const key = await generateSigningKey()
    const temporary = `${resolved}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(temporary, `${JSON.stringify({ keys: [key] }, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
    try {
      await link(temporary, resolved)
      created = true
      log?.info({ keyFile: resolved, kid: key.kid }, 'identity signing key created')
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error
    } finally {
      await unlink(temporary)
    }
    file = await readKeyFile(resolved, log)
    if (!file) throw new Error(`The identity signing key file ${resolved} vanished while it was being created`)
  }
  const [signing] = file.keys as [PrivateRsaJwk, ...PrivateRsaJwk[]]
  return { jwks: { keys: file.keys }, kid: signing.kid, cookieKeys: deriveCookieKeys(signing), created }
}
