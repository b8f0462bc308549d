import { and, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Logger } from 'pino'
import type { Bus } from '../../adapters/bus/index.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'

/**
 * The outbox shared by the curve builds (services/curves/outbox.ts) and the scenario runs
 * (services/scenarios/outbox.ts): a work row in Postgres is its own outbox entry. The row is
 * inserted `queued` with `published_at` null (one statement, so there is nothing to lose between
 * "stored" and "to be published"); whoever publishes it first claims it (sets `published_at`,
 * counts the attempt) and puts the row's message on the topic, keyed by the row's key column. A
 * publish that fails gives the claim back.
 *
 * The relay publishes what nobody published (the bus was down, the process died between the insert
 * and the publish) and republishes a row still queued or running `strandedAfterMs` after its last
 * publication without progress (a lost message, a worker that died mid-job): at most
 * `maxDeliveries` times, then the row is failed with the reason, so no row stays queued forever.
 * "Without progress" means neither published nor started within `strandedAfterMs`.
 */

export type OutboxRelayOptions = {
  /** Pause between two relay passes. */
  intervalMs: number
  /** A queued or running row whose last publication (and start) is older than this is stranded. */
  strandedAfterMs: number
  /** Publications of one row before it is failed. */
  maxDeliveries: number
  /** Rows published per pass. */
  batchSize: number
}

/** The columns of a table whose rows are their own outbox entries (status, timestamps, outbox state). */
export type OutboxTable = PgTable & {
  id: PgColumn
  status: PgColumn
  error: PgColumn
  requestedAt: PgColumn
  startedAt: PgColumn
  finishedAt: PgColumn
  publishedAt: PgColumn
  publishAttempts: PgColumn
}

/** What one outbox is made of: its table, its topic, its message, its defaults and its words. */
export type OutboxSpec<Message> = {
  table: OutboxTable
  /** The column whose value keys the message (one key's messages are delivered in order). */
  key: PgColumn
  topic: string
  /** The message put on the topic for a claimed row id. */
  message(id: string): Message
  defaults: OutboxRelayOptions
  /** The failure reason written to a row that used up its deliveries. */
  exhausted(maxDeliveries: number): string
  /** The log lines: the field naming the row ids of a failed publish, and the three messages. */
  log: { idsField: string; publishFailed: string; relayed: string; passFailed: string }
}

export type OutboxDeps = { db: Database; bus: Bus; log: Logger }
export type Relay = { stop(): Promise<void> }

export type Outbox = {
  /** Publishes one just-stored row unless the relay already did; never throws for a bus failure (the relay delivers it later). */
  publish(deps: OutboxDeps, id: string): Promise<boolean>
  /** One relay pass: fails exhausted rows, then publishes the unpublished and the stranded ones. */
  relayOnce(deps: OutboxDeps, options?: Partial<OutboxRelayOptions>): Promise<{ published: number; failed: number }>
  /** Runs relayOnce now and then every `intervalMs` until stopped; a failed pass (a store outage) is logged and retried. */
  startRelay(deps: OutboxDeps, options?: Partial<OutboxRelayOptions>): Relay
}

type Claimed = { id: string; key: string }

/** Builds the publish, relay pass and relay loop of one outbox table. */
export function createOutbox<Message>(spec: OutboxSpec<Message>): Outbox {
  const { table } = spec
  const pending = inArray(table.status, ['queued', 'running'])

  /** Last published (and, once running, started) before the cutoff: no progress since. */
  function stalledSince(strandedAfterMs: number): SQL {
    const cutoff = sql`now() - (${strandedAfterMs}::integer * interval '1 millisecond')`
    return and(lt(table.publishedAt, cutoff), or(isNull(table.startedAt), lt(table.startedAt, cutoff)))!
  }

  /** Claims up to `limit` rows matching `where` (rows another relay holds are skipped): published now, one attempt more. */
  async function claim(db: Database, where: SQL, limit: number): Promise<Claimed[]> {
    const due = db.select({ id: table.id }).from(table).where(where).orderBy(table.requestedAt).limit(limit).for('update', { skipLocked: true })
    const rows = await db
      .update(table)
      .set({ publishedAt: sql`now()`, publishAttempts: sql`${table.publishAttempts} + 1` })
      .where(inArray(table.id, due))
      .returning({ id: table.id, key: spec.key })
    return rows as Claimed[]
  }

  /** Gives claims back after a failed publish: the rows are due again at the next pass. */
  async function release(db: Database, claimed: Claimed[]): Promise<void> {
    await db
      .update(table)
      .set({ publishedAt: null, publishAttempts: sql`greatest(${table.publishAttempts} - 1, 0)` })
      .where(
        inArray(
          table.id,
          claimed.map((c) => c.id),
        ),
      )
  }

  /** Publishes claimed rows, each keyed by its key column; false when the bus refused. */
  async function publishClaimed(deps: OutboxDeps, claimed: Claimed[]): Promise<boolean> {
    if (claimed.length === 0) return true
    const messages = claimed.map((c) => ({ key: c.key, value: JSON.stringify(spec.message(c.id)) }))
    try {
      await deps.bus.publish(spec.topic, messages)
      return true
    } catch (error) {
      deps.log.warn({ err: error, [spec.log.idsField]: claimed.map((c) => c.id) }, spec.log.publishFailed)
      await release(deps.db, claimed)
      return false
    }
  }

  async function publish(deps: OutboxDeps, id: string): Promise<boolean> {
    const claimed = await claim(deps.db, and(eq(table.id, id), eq(table.status, 'queued'), isNull(table.publishedAt))!, 1)
    return publishClaimed(deps, claimed)
  }

  /** Fails the stranded rows that used up their deliveries, with the reason; returns how many. */
  async function failExhausted(db: Database, options: OutboxRelayOptions): Promise<number> {
    const rows = await db
      .update(table)
      .set({ status: 'failed', error: spec.exhausted(options.maxDeliveries), finishedAt: sql`now()` })
      .where(and(pending, gte(table.publishAttempts, options.maxDeliveries), stalledSince(options.strandedAfterMs)))
      .returning({ id: table.id })
    return rows.length
  }

  async function relayOnce(deps: OutboxDeps, options: Partial<OutboxRelayOptions> = {}): Promise<{ published: number; failed: number }> {
    const settings = { ...spec.defaults, ...options }
    const failed = await failExhausted(deps.db, settings)
    const due = and(pending, lt(table.publishAttempts, settings.maxDeliveries), or(isNull(table.publishedAt), stalledSince(settings.strandedAfterMs)))!
    const claimed = await claim(deps.db, due, settings.batchSize)
    const published = (await publishClaimed(deps, claimed)) ? claimed.length : 0
    if (failed > 0 || published > 0) deps.log.info({ published, failed }, spec.log.relayed)
    return { published, failed }
  }

  function startRelay(deps: OutboxDeps, options: Partial<OutboxRelayOptions> = {}): Relay {
    const settings = { ...spec.defaults, ...options }
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    let pass: Promise<void> = Promise.resolve()
    const tick = () => {
      pass = relayOnce(deps, settings)
        .then(
          () => undefined,
          (error: unknown) => deps.log.warn({ err: error }, spec.log.passFailed),
        )
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, settings.intervalMs).unref()
        })
    }
    tick()
    return {
      async stop() {
        stopped = true
        clearTimeout(timer)
        await pass
      },
    }
  }

  return { publish, relayOnce, startRelay }
}
