import { pipeline } from 'node:stream/promises'
import { eq } from 'drizzle-orm'
import type { RequestHandler, Response } from 'express'
import { contentDisposition, LOCAL_OBJECTS_PATH, localSigningSecret, verifyLocalSignature, type ObjectStore } from '../adapters/objects/index.ts'
import { exportJobs, reportOutputs, type Database } from '../adapters/postgres/schema/index.ts'
import type { Logger } from '../logger.ts'
import { getPlatform } from '../platform.ts'
import { recordAudit } from '../services/auth/audit.ts'
import type { Principal } from '../services/auth/types.ts'
import { sendJsonError } from './limits.ts'

/**
 * Downloads from the local object store (the embedded default): GET `/objects/<key>?expires=&sig=
 * [&filename=]`, the URL `signedUrl` of the local store issues. The signature (HMAC over key,
 * expiry and file name) must be genuine and unexpired, else 403 (a changed character, another key,
 * a longer life or another name all fail it); a file that is gone (expired, cleaned up, cancelled)
 * is 404. The file streams with its stored Content-Type and, when signed with one, the file name as
 * Content-Disposition. On S3 the links are S3's presigned URLs and this route answers 404.
 *
 * Every attempt leaves an audit row (procedure `exports.download`, channel downloads), on behalf of
 * whoever asked for the file (the export job's or the report's requester, found by its object
 * key), one per market the file holds; a request for no known file is recorded without principal.
 */

export const OBJECTS_ROUTE = `${LOCAL_OBJECTS_PATH}/*`

type RouteDeps = { db: Database; objects: ObjectStore; signingSecret: string }

type Owner = {
  kind: 'export' | 'report'
  id: string
  principal: Principal
  markets: string[]
  /** Whether the file is still served (done and not past its expiry). */
  live: boolean
}

/** The requester of the file under `key`, as a principal for the audit row (no credential is involved). */
function requester(row: { organizationId: string; requestedBy: string | null; requestedByLabel: string }): Principal {
  return {
    kind: row.requestedBy ? 'user' : 'service',
    userId: row.requestedBy,
    organizationId: row.organizationId,
    organizationSlug: '',
    label: row.requestedByLabel,
    roles: [],
    scopes: null,
    // A service's credential is its client id, as the bearer check names it.
    credentialId: row.requestedBy ?? `jwt:${row.requestedByLabel}`,
  }
}

async function ownerOf(db: Database, key: string, now: number): Promise<Owner | null> {
  const [job] = await db.select().from(exportJobs).where(eq(exportJobs.objectKey, key)).limit(1)
  if (job) {
    return {
      kind: 'export',
      id: job.id,
      principal: requester(job),
      markets: job.markets,
      live: job.status === 'done' && job.expiresAt !== null && job.expiresAt.getTime() > now,
    }
  }
  const [report] = await db.select().from(reportOutputs).where(eq(reportOutputs.objectKey, key)).limit(1)
  if (report) {
    return {
      kind: 'report',
      id: report.id,
      principal: requester(report),
      markets: reportDataKeys(report.params),
      live: report.status === 'done' && (report.expiresAt === null || report.expiresAt.getTime() > now),
    }
  }
  return null
}

/** The data keys a report file holds, for its audit rows: its market, or the products a fuels report was rendered with. */
function reportDataKeys(params: unknown): string[] {
  const { market, products } = (params ?? {}) as { market?: unknown; products?: unknown }
  if (typeof market === 'string') return [market]
  return Array.isArray(products) ? products.filter((p): p is string => typeof p === 'string') : []
}

/** `/objects/a/b%20c.csv` -> `a/b c.csv`; null when a segment is not valid percent-encoding. */
export function keyFromPath(pathname: string): string | null {
  const rest = pathname.slice(LOCAL_OBJECTS_PATH.length + 1)
  try {
    return rest.split('/').map(decodeURIComponent).join('/')
  } catch {
    return null
  }
}

async function audit(
  db: Database,
  owner: Owner | null,
  request: { requestId: string; clientAddress: string | null; userAgent: string | null; key: string },
  outcome: 'allowed' | 'denied',
  status: number,
  reason?: string,
): Promise<void> {
  const markets = owner && owner.markets.length > 0 ? owner.markets : [null]
  for (const market of markets) {
    await recordAudit(db, {
      requestId: request.requestId,
      principal: owner?.principal ?? null,
      channel: 'downloads',
      procedure: 'exports.download',
      market,
      outcome,
      status,
      clientAddress: request.clientAddress,
      userAgent: request.userAgent,
      details: { key: request.key.slice(0, 300), ...(owner ? { [owner.kind === 'export' ? 'exportId' : 'reportId']: owner.id } : {}), ...(reason ? { reason } : {}) },
    })
  }
}

/** Serves one signed download; see the module comment. */
export async function serveLocalObject(deps: RouteDeps, url: URL, request: { requestId: string; clientAddress: string | null; userAgent: string | null }, res: Response): Promise<void> {
  const key = keyFromPath(url.pathname)
  if (key === null) return sendJsonError(res, 400, 'BAD_REQUEST', 'path: not a valid object key (bad percent-encoding)')
  const filename = url.searchParams.get('filename') ?? undefined
  const now = Date.now()
  const owner = await ownerOf(deps.db, key, now)
  const context = { ...request, key }
  const genuine = verifyLocalSignature(key, url.searchParams.get('expires') ?? '', url.searchParams.get('sig') ?? '', deps.signingSecret, { filename, now })
  if (!genuine) {
    await audit(deps.db, owner, context, 'denied', 403, 'signature not valid for this file, or expired')
    return sendJsonError(res, 403, 'FORBIDDEN', 'This download link is not valid: it has expired or was changed. Ask for a new link.')
  }
  const head = owner && !owner.live ? null : await deps.objects.head(key)
  if (!head) {
    await audit(deps.db, owner, context, 'denied', 404, 'the file is gone')
    return sendJsonError(res, 404, 'NOT_FOUND', 'This file is no longer available: it expired or was removed.')
  }
  await audit(deps.db, owner, context, 'allowed', 200)
  const body = await deps.objects.get(key)
  res.status(200)
  res.setHeader('Content-Type', head.contentType)
  res.setHeader('Content-Length', String(head.size))
  res.setHeader('Cache-Control', 'private, no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Content-Disposition', filename ? contentDisposition(filename) : 'attachment')
  await pipeline(body, res)
}

/**
 * The Express handler of OBJECTS_ROUTE: answers 404 unless the platform's store is the local one;
 * store failures answer 503 JSON. `platform` is for tests (default: the process's platform).
 */
export function localObjectsHandler(options: { log: Logger; platform?: () => Promise<{ pg: { db: Database }; objects: ObjectStore; auth: { sessionSecret: string } }> }): RequestHandler {
  const platformOf = options.platform ?? getPlatform
  return (req, res) => {
    void (async () => {
      const platform = await platformOf()
      if (platform.objects.kind !== 'local') return sendJsonError(res, 404, 'NOT_FOUND', `No file at ${req.path.slice(0, 200)}`)
      const url = new URL(req.originalUrl, 'http://localhost')
      await serveLocalObject(
        { db: platform.pg.db, objects: platform.objects, signingSecret: localSigningSecret(platform.auth.sessionSecret) },
        url,
        { requestId: String(req.headers['x-request-id'] ?? ''), clientAddress: req.socket.remoteAddress ?? null, userAgent: req.get('user-agent') ?? null },
        res,
      )
    })().catch((error: unknown) => {
      options.log.error({ err: error, path: req.path.slice(0, 200) }, 'download failed')
      if (res.headersSent) res.destroy()
      else sendJsonError(res, 503, 'UNAVAILABLE', 'The download is not available right now; try again shortly.')
    })
  }
}
