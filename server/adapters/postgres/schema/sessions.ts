import { sql } from 'drizzle-orm'
import { check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './identity.ts'

/**
 * Hub sessions (server/services/auth/sessions.ts). The browser holds a random token in a cookie;
 * only the SHA-256 (hex) of that token is stored, as the primary key, so a copy of this table
 * (a backup, a read replica, an audit row naming the id) cannot be turned back into a cookie.
 *
 * `id_token` is the OpenID provider's id_token for this login, kept only to send as
 * `id_token_hint` when the user logs out (RP-initiated logout). It is a credential of the
 * provider session: it is never logged, never returned to the browser, and is cleared when the
 * session is revoked.
 */
export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 (hex) of the session token; the token itself is never stored. */
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true }),
    /** The provider's id_token, for id_token_hint at logout only. A credential: never logged. */
    idToken: text(),
    userAgent: text(),
    clientAddress: text(),
  },
  (t) => [
    index('sessions_user_id_idx').on(t.userId),
    // deleteExpiredSessions scans by expiry.
    index('sessions_expires_at_idx').on(t.expiresAt),
    // A hex SHA-256 digest and nothing else: a raw token can never be stored here by mistake.
    check('sessions_id_check', sql`${t.id} ~ '^[0-9a-f]{64}$'`),
  ],
)
