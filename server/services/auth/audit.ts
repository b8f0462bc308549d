import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import {
  AUDIT_OUTCOMES,
  PRINCIPAL_TYPES,
  auditEvents,
  organizations,
  type Database,
  type PrincipalType,
} from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { storableText } from './input-check.ts'
import { Channel, type Principal } from './types.ts'

/**
 * The audit log: one row per data request (allowed, denied or failed), append-only in the
 * database (a trigger refuses UPDATE, DELETE and TRUNCATE). recordAudit throws when the row cannot
 * be written, so a caller never serves data that was not recorded.
 */

export type AuditEntry = {
  requestId: string
  principal: Principal | null
  channel: Channel | null
  procedure: string
  market?: string | null
  nodes?: string[] | null
  rangeFrom?: string | Date | null
  rangeTo?: string | Date | null
  outcome: 'allowed' | 'denied' | 'error'
  status: number
  clientAddress?: string | null
  userAgent?: string | null
  details?: Record<string, unknown> | null
}

export const AUDIT_MAX_NODES = 500
export const AUDIT_MAX_USER_AGENT = 300
const MAX_TEXT = 200
const MAX_DETAILS_JSON = 16_000
const MAX_DETAILS_DEPTH = 6

/** Keys whose values are never stored (at any depth of `details`). */
const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|api[-_]?key|credential|session/i
/** An Authorization header's value pasted into a field: 'Bearer <token>' or 'Basic <base64>'. */
const SECRET_VALUE = /^\s*(?:bearer\s+\S{3,}|basic\s+[A-Za-z0-9+/]{6,}={0,2})\s*$/i

/**
 * Inserts one audit row. principal_type is the principal's kind ('anonymous' without one);
 * principal_id is the user id (user), the token id (token) or the client id (service). Nodes are
 * capped at AUDIT_MAX_NODES (details.nodeCount then holds the full count), the user agent at
 * AUDIT_MAX_USER_AGENT characters; keys named like token/secret/password/authorization/cookie
 * are removed from `details` at every depth. Every text is made storable (control characters such
 * as NUL removed, lone surrogates replaced) and a date PostgreSQL cannot hold (year 0, beyond 9999)
 * is left out, so a refused request with hostile input still leaves its row. Throws AppError
 * UNAVAILABLE when the insert fails.
 */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  const principal = entry.principal
  const nodes = entry.nodes ? entry.nodes.slice(0, AUDIT_MAX_NODES).map((n) => cap(storableText(String(n)), MAX_TEXT)) : null
  let details = entry.details ? sanitizeDetails(entry.details) : null
  if (entry.nodes && entry.nodes.length > AUDIT_MAX_NODES) {
    details = { ...details, nodeCount: entry.nodes.length }
  }

  const row: AuditInsert = {
    request_id: capOrNull(entry.requestId, MAX_TEXT),
    principal_type: principal?.kind ?? 'anonymous',
    principal_id: principal ? principalId(principal) : null,
    organization_id: principal?.organizationId ?? null,
    channel: entry.channel,
    procedure: cap(storableText(entry.procedure), MAX_TEXT) || 'unknown',
    market: capOrNull(entry.market, 64),
    nodes,
    range_from: toDateOrNull(entry.rangeFrom),
    range_to: toDateOrNull(entry.rangeTo),
    outcome: entry.outcome,
    status: Number.isInteger(entry.status) ? entry.status : null,
    client_address: capOrNull(entry.clientAddress, 100),
    user_agent: capOrNull(entry.userAgent, AUDIT_MAX_USER_AGENT),
    details,
  }
  try {
    await auditWriter(db)(row)
  } catch (error) {
    // The driver's message may quote the row; the cause keeps it for the server log only.
    throw new AppError('UNAVAILABLE', 'Could not write the audit log', {
      userMessage: 'The request could not be recorded; try again shortly',
      cause: error,
    })
  }
}

/**
 * A row as the insert reads it: the keys are audit_events' column names (jsonb_to_recordset below);
 * occurred_at and id are the table's defaults.
 */
type AuditInsert = {
  request_id: string | null
  principal_type: PrincipalType
  principal_id: string | null
  organization_id: string | null
  channel: Channel | null
  procedure: string
  market: string | null
  nodes: string[] | null
  range_from: Date | null
  range_to: Date | null
  outcome: AuditEntry['outcome']
  status: number | null
  client_address: string | null
  user_agent: string | null
  details: Record<string, unknown> | null
}

/**
 * Rows are sent as one JSON document (one parameter, whatever the batch) and expanded by the
 * server: building a many-row INSERT through the query builder cost about 40 microseconds of this
 * process's CPU per row (15 parameters each), most of an audited request's share of the insert.
 * The column list and types are constants; audit.int.test.ts reads every column back.
 */
function insertAuditRows(rows: readonly AuditInsert[]): SQL {
  // The record's columns are the INSERT's, in the same order.
  return sql`INSERT INTO audit_events (request_id, principal_type, principal_id, organization_id, channel, procedure, market, nodes, range_from, range_to, outcome, status, client_address, user_agent, details)
SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(request_id text, principal_type principal_type, principal_id text, organization_id uuid, channel channel, procedure text, market text, nodes text[], range_from timestamptz, range_to timestamptz, outcome audit_outcome, status integer, client_address text, user_agent text, details jsonb)`
}

type QueuedRow = { row: AuditInsert; resolve(): void; reject(error: unknown): void }

/** Rows in one INSERT at most. */
const AUDIT_BATCH_ROWS = 500
const writers = new WeakMap<Database, (row: AuditInsert) => Promise<void>>()

function auditWriter(db: Database): (row: AuditInsert) => Promise<void> {
  let writer = writers.get(db)
  if (!writer) writers.set(db, (writer = createAuditWriter(db)))
  return writer
}

/**
 * Group commit: rows go together in one INSERT (many concurrent requests, few statements). A row
 * waits for the end of the event loop's turn (setImmediate), so the rows of every request that
 * reached its audit in the same turn share a statement, and rows arriving while an insert is in
 * flight go in the next one. The turn matters for the embedded PGlite, which runs an INSERT on this
 * thread: while it runs, no other request moves, so "while one is in flight" alone gathered one or
 * two rows, and each statement costs about 1 ms whatever its rows (its commit). Each caller's
 * promise settles when its own row is stored or has failed, so no answer leaves before its row is
 * written. A failed batch is written again row by row, so one bad row fails only its own request.
 */
function createAuditWriter(db: Database): (row: AuditInsert) => Promise<void> {
  let queue: QueuedRow[] = []
  let writing = false

  async function drain() {
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, AUDIT_BATCH_ROWS)
        queue = queue.slice(batch.length)
        await writeBatch(batch)
      }
    } finally {
      writing = false
    }
  }

  async function writeBatch(batch: QueuedRow[]) {
    try {
      await db.execute(insertAuditRows(batch.map((q) => q.row)))
      for (const q of batch) q.resolve()
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error)
      for (const q of batch) await writeBatch([q])
    }
  }

  return (row) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ row, resolve, reject })
      if (writing) return
      writing = true
      setImmediate(() => void drain())
    })
}

function principalId(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.userId : principal.credentialId
}

// --- search --------------------------------------------------------------------------------------

export const AuditFilter = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('inclusive lower bound of occurred_at'),
  to: z.iso.datetime({ offset: true }).optional().describe('exclusive upper bound of occurred_at'),
  organizationId: z.uuid().optional(),
  principalId: z.string().trim().min(1).max(MAX_TEXT).optional(),
  market: z.string().trim().min(1).max(64).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  procedure: z.string().trim().min(1).max(MAX_TEXT).optional().describe('procedure prefix'),
  cursor: z.string().max(32).optional().describe('opaque cursor from a previous page'),
  limit: z.number().int().min(1).max(500).default(100),
}).refine((f) => !f.from || !f.to || Date.parse(f.from) < Date.parse(f.to), { path: ['to'], message: 'must be after from' })
export type AuditFilter = z.input<typeof AuditFilter>

export const AuditRow = z.object({
  id: z.number().int(),
  occurredAt: z.iso.datetime(),
  requestId: z.string().nullable(),
  principalType: z.enum(PRINCIPAL_TYPES),
  principalId: z.string().nullable(),
  organizationId: z.string().nullable(),
  organizationSlug: z.string().nullable(),
  channel: Channel.nullable(),
  procedure: z.string(),
  market: z.string().nullable(),
  nodes: z.array(z.string()).nullable(),
  rangeFrom: z.iso.datetime().nullable(),
  rangeTo: z.iso.datetime().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  status: z.number().int().nullable(),
  clientAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
})
export type AuditRow = z.infer<typeof AuditRow>

export const AuditPage = z.object({ items: z.array(AuditRow), nextCursor: z.string().nullable() })
export type AuditPage = z.infer<typeof AuditPage>

/**
 * Audit rows matching every given filter, newest first (by id), one page at a time. `from` is
 * inclusive and `to` exclusive; `procedure` is a prefix. `nextCursor` continues after the last
 * item (keyset on id: rows written meanwhile never shift a page); null on the last page.
 * A malformed filter or cursor is BAD_REQUEST.
 */
export async function searchAudit(db: Database, filter: AuditFilter): Promise<AuditPage> {
  const parsed = AuditFilter.safeParse(filter)
  if (!parsed.success) throw invalidInput('audit filter', parsed.error)
  return searchPage(db, parsed.data, parsed.data.limit)
}

const CSV_BATCH = 1_000
const CSV_COLUMNS = [
  ['id', (r) => r.id],
  ['occurred_at', (r) => r.occurredAt],
  ['request_id', (r) => r.requestId],
  ['principal_type', (r) => r.principalType],
  ['principal_id', (r) => r.principalId],
  ['organization_id', (r) => r.organizationId],
  ['organization_slug', (r) => r.organizationSlug],
  ['channel', (r) => r.channel],
  ['procedure', (r) => r.procedure],
  ['market', (r) => r.market],
  ['nodes', (r) => r.nodes?.join(' ')],
  ['range_from', (r) => r.rangeFrom],
  ['range_to', (r) => r.rangeTo],
  ['outcome', (r) => r.outcome],
  ['status', (r) => r.status],
  ['client_address', (r) => r.clientAddress],
  ['user_agent', (r) => r.userAgent],
  ['details', (r) => (r.details ? JSON.stringify(r.details) : null)],
] as const satisfies readonly (readonly [string, (row: AuditRow) => unknown])[]

/**
 * Every row matching `filter` as CSV (RFC 4180, CRLF line ends): a header line, then one line
 * per row, newest first, read in batches of 1,000. `limit` is ignored (the export is complete);
 * `cursor` starts after that row. Each yielded string is one line including its CRLF. Cells
 * starting with = + - @ (or a tab / carriage return) get a leading ' so spreadsheets do not run
 * them as formulas.
 */
export async function* auditCsv(db: Database, filter: AuditFilter): AsyncGenerator<string> {
  const parsed = AuditFilter.safeParse(filter)
  if (!parsed.success) throw invalidInput('audit filter', parsed.error)
  // Refuse a bad cursor before the header goes out (a response may already be streaming then).
  if (parsed.data.cursor) decodeCursor(parsed.data.cursor)
  yield csvLine(CSV_COLUMNS.map(([name]) => name))
  let cursor = parsed.data.cursor
  do {
    const page = await searchPage(db, { ...parsed.data, cursor }, CSV_BATCH)
    for (const row of page.items) yield csvLine(CSV_COLUMNS.map(([, cell]) => cell(row)))
    cursor = page.nextCursor ?? undefined
  } while (cursor)
}

/** One CSV line (with CRLF): RFC 4180 quoting, formula-looking cells neutralized. */
export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'string' ? value : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

async function searchPage(
  db: Database,
  filter: z.output<typeof AuditFilter>,
  limit: number,
): Promise<AuditPage> {
  const afterId = filter.cursor ? decodeCursor(filter.cursor) : undefined
  const conditions: (SQL | undefined)[] = [
    filter.from ? gte(auditEvents.occurredAt, new Date(filter.from)) : undefined,
    filter.to ? lt(auditEvents.occurredAt, new Date(filter.to)) : undefined,
    filter.organizationId ? eq(auditEvents.organizationId, filter.organizationId) : undefined,
    filter.principalId ? eq(auditEvents.principalId, filter.principalId) : undefined,
    filter.market ? eq(auditEvents.market, filter.market) : undefined,
    filter.outcome ? eq(auditEvents.outcome, filter.outcome) : undefined,
    // A bound parameter with LIKE's wildcards escaped: the prefix matches literally.
    filter.procedure ? sql`${auditEvents.procedure} like ${escapeLike(filter.procedure) + '%'} escape '\\'` : undefined,
    afterId !== undefined ? lt(auditEvents.id, afterId) : undefined,
  ]
  const rows = await db
    .select({
      id: auditEvents.id,
      occurredAt: auditEvents.occurredAt,
      requestId: auditEvents.requestId,
      principalType: auditEvents.principalType,
      principalId: auditEvents.principalId,
      organizationId: auditEvents.organizationId,
      organizationSlug: organizations.slug,
      channel: auditEvents.channel,
      procedure: auditEvents.procedure,
      market: auditEvents.market,
      nodes: auditEvents.nodes,
      rangeFrom: auditEvents.rangeFrom,
      rangeTo: auditEvents.rangeTo,
      outcome: auditEvents.outcome,
      status: auditEvents.status,
      clientAddress: auditEvents.clientAddress,
      userAgent: auditEvents.userAgent,
      details: auditEvents.details,
    })
    .from(auditEvents)
    .leftJoin(organizations, eq(organizations.id, auditEvents.organizationId))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1)

  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({
      ...r,
      id: Number(r.id),
      occurredAt: r.occurredAt.toISOString(),
      rangeFrom: r.rangeFrom?.toISOString() ?? null,
      rangeTo: r.rangeTo?.toISOString() ?? null,
      details: r.details ?? null,
    })),
    nextCursor: rows.length > limit && last ? String(last.id) : null,
  }
}

// Cursor: the decimal id of the last row of the page.
function decodeCursor(cursor: string): number {
  const id = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : NaN
  if (!Number.isSafeInteger(id)) {
    throw AppError.badRequest('Invalid cursor: pass the nextCursor of a previous page unchanged', { field: 'cursor' })
  }
  return id
}

// --- helpers -------------------------------------------------------------------------------------

/**
 * A JSON-safe copy of `details` without secrets: keys matching SECRET_KEY are dropped at every
 * depth, "Bearer …"/"Basic …" strings are dropped, Dates become ISO strings, cycles and depth
 * beyond MAX_DETAILS_DEPTH are cut, and a result larger than MAX_DETAILS_JSON is replaced by a
 * marker.
 */
export function sanitizeDetails(details: Record<string, unknown>): Record<string, unknown> {
  const seen = new WeakSet<object>()
  const clean = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value === 'boolean') return value
    if (typeof value === 'string') return SECRET_VALUE.test(value) ? undefined : cap(storableText(value), MAX_TEXT * 10)
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
    if (typeof value === 'bigint') return value.toString()
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
    if (typeof value !== 'object') return undefined // functions, symbols, undefined
    if (seen.has(value) || depth >= MAX_DETAILS_DEPTH) return '[omitted]'
    seen.add(value)
    if (value instanceof Error) return { name: value.name, message: value.message }
    if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1) ?? null)
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) continue
      const c = clean(v, depth + 1)
      if (c !== undefined) out[cap(storableText(key), MAX_TEXT)] = c
    }
    return out
  }
  const result = clean(details, 0) as Record<string, unknown>
  const size = JSON.stringify(result).length
  return size > MAX_DETAILS_JSON ? { omitted: 'details too large', size } : result
}

function cap(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text
}

function capOrNull(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null
  const clean = cap(storableText(String(text)), max)
  return clean === '' ? null : clean
}

/** PostgreSQL's timestamptz takes years 1..294276 but not 0 or BC in ISO form; keep 4-digit years. */
const MIN_AUDIT_TIME = Date.parse('0001-01-01T00:00:00Z')
const MAX_AUDIT_TIME = Date.parse('9999-12-31T23:59:59.999Z')

function toDateOrNull(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const date = value instanceof Date ? value : new Date(value)
  const time = date.getTime()
  return Number.isNaN(time) || time < MIN_AUDIT_TIME || time > MAX_AUDIT_TIME ? null : date
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

function invalidInput(what: string, error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  return AppError.badRequest(`Invalid ${what}: ${summary}`, { issues })
}
