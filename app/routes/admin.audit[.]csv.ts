import type { LoaderFunctionArgs } from '@remix-run/node'
import { auditFilterOf, requireAdmin } from '#app/utils/admin.server.ts'
import { isAppError } from '#server/errors.ts'
import { auditCsv, recordAudit } from '#server/services/auth/audit.ts'

const CHUNK_CHARS = 64 * 1024

function plain(message: string, status: number) {
  return new Response(`${message}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } })
}

/**
 * /admin/audit.csv?<the audit page's filters>: every matching row (not one page), newest first,
 * streamed as it is read. The download is itself audited (admin.audit.csv, channel downloads)
 * before the first byte leaves.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { principal, platform } = await requireAdmin(request)
  const { query, filter, problem } = await auditFilterOf(platform, new URL(request.url).searchParams)
  if (problem) return plain(problem, 400)
  const { cursor: _cursor, ...filters } = query

  const lines = auditCsv(platform.pg.db, { ...filter, cursor: undefined })
  let header: IteratorResult<string>
  try {
    header = await lines.next()
  } catch (error) {
    if (isAppError(error) && error.status < 500) return plain(error.userMessage, error.status)
    throw error
  }

  try {
    await recordAudit(platform.pg.db, {
      requestId: context.requestId,
      principal,
      channel: 'downloads',
      procedure: 'admin.audit.csv',
      market: filters.market ?? null,
      rangeFrom: filter.from ?? null,
      rangeTo: filter.to ?? null,
      outcome: 'allowed',
      status: 200,
      clientAddress: context.clientAddress,
      userAgent: request.headers.get('user-agent'),
      details: { filters },
    })
  } catch (error) {
    await lines.return(undefined)
    platform.log.error({ err: error, procedure: 'admin.audit.csv' }, 'audit write failed: download withheld')
    return plain('The audit log is unavailable, so nothing was exported. Please retry shortly.', 503)
  }

  const encoder = new TextEncoder()
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!header.done) controller.enqueue(encoder.encode(header.value))
    },
    async pull(controller) {
      let chunk = ''
      try {
        while (chunk.length < CHUNK_CHARS) {
          const next = await lines.next()
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk))
            controller.close()
            return
          }
          chunk += next.value
        }
        controller.enqueue(encoder.encode(chunk))
      } catch (error) {
        platform.log.error({ err: error, procedure: 'admin.audit.csv' }, 'audit export failed midway')
        controller.error(error)
      }
    },
    async cancel() {
      await lines.return(undefined)
    },
  })

  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const filename = `audit-log_${filters.from ?? 'start'}_to_${filters.to ?? 'now'}_${stamp}.csv`.replace(/[^A-Za-z0-9._-]/g, '_')
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
    },
  })
}
