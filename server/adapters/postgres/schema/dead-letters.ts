import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/**
 * Every message published to a dead-letter topic (`prices.dlq`, `curves.dlq`, `<topic>.dlq`),
 * stored by the bus's dead-letter sink before the bus holds it (server/services/dlq, decision 009),
 * so dead letters survive the in-process bus and can be listed and replayed (`carbon dlq`).
 *
 * `fingerprint` (sha256 of topic, key, payload and the headers that say what failed, without
 * times and attempt counts) makes a redelivered dead letter the same row: `occurrences` counts how
 * often it was dead-lettered, `last_seen_at` when last. Replay sets `replayed_at` and
 * `replay_result` ('replayed', or 'failed' with the new `reason`), and counts `replay_attempts`.
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The dead-letter topic, e.g. prices.dlq. */
    topic: text().notNull(),
    market: text(),
    /** The publisher dataset (source id) or the record's source, when known. */
    dataset: text(),
    /** What failed: parse-issue, unusable-file, unknown-node, invalid-record, invalid-build-request, handler-failed. */
    kind: text().notNull(),
    reason: text().notNull(),
    file: text(),
    line: integer(),
    field: text(),
    /** Object-store key of the raw publisher payload the dead letter came from. */
    rawKey: text(),
    /** The bus message key. */
    messageKey: text().notNull(),
    /** The message value: UTF-8 text, or base64 when it was not valid UTF-8 (payloadEncoding). */
    payload: text().notNull(),
    payloadEncoding: text().notNull().default('utf8'),
    headers: jsonb().$type<Record<string, string>>().notNull(),
    sourceTopic: text(),
    sourcePartition: integer(),
    sourceOffset: text(),
    fingerprint: text().notNull(),
    occurrences: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    replayedAt: timestamp({ withTimezone: true }),
    /** 'replayed' or 'failed' (then `reason` is the new reason). */
    replayResult: text(),
    replayAttempts: integer().notNull().default(0),
  },
  (t) => [
    uniqueIndex('dead_letters_fingerprint_key').on(t.fingerprint),
    index('dead_letters_created_at_idx').on(t.createdAt),
    index('dead_letters_topic_created_at_idx').on(t.topic, t.createdAt),
    index('dead_letters_dataset_idx').on(t.market, t.dataset),
  ],
)
