import { sql } from 'drizzle-orm'
import { boolean, check, index, pgEnum, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { dataKeys } from './markets.ts'

/**
 * Who may see what: organizations, their users (OIDC identities), per-market entitlements and
 * API tokens. Filled by the identity work; shaped now so it needs no rewrite.
 */

export const USER_ROLES = ['admin', 'analyst', 'viewer', 'service'] as const
export type UserRole = (typeof USER_ROLES)[number]

export const CHANNELS = ['hub', 'api', 'downloads'] as const
export type Channel = (typeof CHANNELS)[number]
export const channel = pgEnum('channel', CHANNELS)

export const organizations = pgTable('organizations', {
  id: uuid().primaryKey().defaultRandom(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
})

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'restrict' }),
    /** OIDC `sub` claim; unique together with the issuer. */
    subject: text().notNull(),
    issuer: text().notNull(),
    email: text(),
    name: text(),
    roles: text().array().$type<UserRole[]>().notNull().default(sql`'{}'::text[]`),
    disabledAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('users_issuer_subject_key').on(t.issuer, t.subject),
    index('users_organization_id_idx').on(t.organizationId),
    check('users_roles_check', sql`${t.roles} <@ ARRAY['admin', 'analyst', 'viewer', 'service']::text[]`),
  ],
)

/**
 * One row per organization x market (or product: `market` is a data key) x channel; the primary
 * key is the unique triple.
 */
export const entitlements = pgTable(
  'entitlements',
  {
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    market: text()
      .notNull()
      .references(() => dataKeys.id, { onDelete: 'restrict' }),
    channel: channel().notNull(),
    enabled: boolean().notNull().default(true),
    /** Who granted it: a user id, or a tool name such as 'cli' or 'seed'. */
    grantedBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'entitlements_pkey', columns: [t.organizationId, t.market, t.channel] })],
)

/**
 * API tokens. The secret is shown once; only its SHA-256 (hex) is stored. `prefix` is the
 * non-secret leading part of the token used to find the row.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    prefix: text().notNull().unique(),
    hash: text().notNull(),
    scopes: text().array().notNull().default(sql`'{}'::text[]`),
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('api_tokens_user_id_idx').on(t.userId),
    index('api_tokens_organization_id_idx').on(t.organizationId),
    // A hex SHA-256 digest and nothing else: a raw secret can never be stored here by mistake.
    check('api_tokens_hash_check', sql`${t.hash} ~ '^[0-9a-f]{64}$'`),
  ],
)
