import { bigint, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { channel } from './identity.ts'

/**
 * The audit log. Append-only: migration 0001_audit_append_only adds triggers that reject UPDATE,
 * DELETE and TRUNCATE. No foreign keys on purpose: a row must outlive the organization, market or
 * user it names, and an ON DELETE action would be an UPDATE/DELETE the trigger refuses.
 */

export const PRINCIPAL_TYPES = ['user', 'token', 'service', 'anonymous'] as const
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number]
export const principalType = pgEnum('principal_type', PRINCIPAL_TYPES)

export const AUDIT_OUTCOMES = ['allowed', 'denied', 'error'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]
export const auditOutcome = pgEnum('audit_outcome', AUDIT_OUTCOMES)

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    requestId: text(),
    principalType: principalType().notNull(),
    /** User id, token id or service name; null when anonymous. */
    principalId: text(),
    organizationId: uuid(),
    channel: channel(),
    /** tRPC procedure path or HTTP route. */
    procedure: text().notNull(),
    market: text(),
    nodes: text().array(),
    rangeFrom: timestamp({ withTimezone: true }),
    rangeTo: timestamp({ withTimezone: true }),
    outcome: auditOutcome().notNull(),
    status: integer(),
    clientAddress: text(),
    userAgent: text(),
    details: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_events_occurred_at_idx').on(t.occurredAt),
    index('audit_events_organization_id_occurred_at_idx').on(t.organizationId, t.occurredAt),
    index('audit_events_principal_id_occurred_at_idx').on(t.principalId, t.occurredAt),
  ],
)
