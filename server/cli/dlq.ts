import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { openPlatform, type Platform } from '../platform.ts'
import { listDeadLetters, replayAllDeadLetters, replayDeadLetter, type DeadLetterRow, type ReplayOutcome } from '../services/dlq/index.ts'
import { CURVE_SOLVER_GROUP, startCurveSolver } from '../workers/curve-solver.ts'
import { PRICES_CONSUMER_GROUP, startPricesConsumer } from '../workers/prices-consumer.ts'
import { SERIES_CONSUMER_GROUP, startSeriesConsumer } from '../workers/series-consumer.ts'
import { TOPICS } from '../adapters/bus/index.ts'
import { acquireDataLock } from './commands.ts'
import { chunkedWriter, stderr, stdout } from './output.ts'

/**
 * `carbon dlq list [--topic <t>] [--since <date>] [--all]` and `carbon dlq replay <id|--all> [--topic <t>]`
 * over the `dead_letters` table (server/services/dlq). `list` prints a table on a terminal and
 * NDJSON (one dead letter per line) when stdout is a file or a pipe. `replay` prints one line per
 * dead letter: replayed, still failing (with the new reason) or already replayed.
 *
 * On the in-process bus nothing crosses processes, so `replay` runs the prices consumer, the series
 * consumer and the curve solver in this process and waits until they took what it published (like `backfill`);
 * with Kafka the running sidecars pick it up.
 */
export const DLQ_HELP = `Usage:
  npx carbon dlq list [--topic <prices.dlq|curves.dlq|...>] [--since <YYYY-MM-DD|ISO time>] [--all]
      dead letters not yet replayed, newest first (--all: replayed ones too);
      a table on a terminal, NDJSON when piped
  npx carbon dlq replay <id> | --all [--topic <t>]
      send dead letters through the pipeline again once their cause is fixed (a refused
      publisher row or an unusable file, of prices or of a series: its archived raw file is read
      and published again);
      a replayed one is never replayed twice, one that still fails keeps its new reason`

export type DlqArgs = { action?: string; id?: string; topic?: string; since?: string; all: boolean }

export async function runDlqCommand(env: Env, log: Logger, args: DlqArgs): Promise<number> {
  if (args.action === 'list') return withPlatform(env, log, (platform) => list(platform, args))
  if (args.action === 'replay') {
    if (!args.all && args.id === undefined) throw AppError.badRequest('dlq replay needs a dead-letter id or --all')
    if (args.all && args.id !== undefined) throw AppError.badRequest('dlq replay takes a dead-letter id or --all, not both')
    const id = args.id === undefined ? null : parseId(args.id)
    return withPlatform(env, log, (platform) => replay(platform, log, id, args.topic))
  }
  await stderr().write(`${args.action ? `Unknown dlq action "${args.action}".\n` : ''}${DLQ_HELP}\n`)
  return 2
}

function parseId(text: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text)) throw AppError.badRequest(`dead-letter id must be a positive integer, got "${text}"`)
  return Number(text)
}

function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw AppError.badRequest(`--since must be a date YYYY-MM-DD or an ISO time, got "${value}"`)
  return new Date(ms)
}

async function withPlatform(env: Env, log: Logger, run: (platform: Platform) => Promise<number>): Promise<number> {
  const release = acquireDataLock(env)
  try {
    const platform = await openPlatform(env, log)
    try {
      return await run(platform)
    } finally {
      await platform.close()
    }
  } finally {
    release()
  }
}

/** The fields `list` prints, in order. */
function listed(row: DeadLetterRow) {
  return {
    id: row.id,
    time: row.createdAt.toISOString(),
    topic: row.topic,
    kind: row.kind,
    dataset: row.dataset,
    reason: row.reason,
    file: row.file,
    line: row.line,
    rawKey: row.rawKey,
    occurrences: row.occurrences,
    replay: row.replayResult,
  }
}

async function list(platform: Platform, args: DlqArgs): Promise<number> {
  const rows = await listDeadLetters(platform.pg.db, { topic: args.topic, since: parseSince(args.since), includeReplayed: args.all, limit: 100_000 })
  const out = stdout()
  if (process.stdout.isTTY) await out.write(table(rows.map(listed)))
  else {
    const lines = chunkedWriter(out)
    for (const row of rows) await lines.line(JSON.stringify(listed(row)))
    await lines.end()
  }
  await stderr().write(`${rows.length} dead letter(s)\n`)
  await Promise.all([out.flush(), stderr().flush()])
  return 0
}

const COLUMNS = ['id', 'time', 'topic', 'reason', 'file', 'line', 'rawKey'] as const
const WIDEST = { reason: 60, file: 40, rawKey: 60 } as Record<string, number>

function table(rows: ReturnType<typeof listed>[]): string {
  if (rows.length === 0) return 'No dead letters.\n'
  const cell = (row: ReturnType<typeof listed>, column: (typeof COLUMNS)[number]) => {
    const text = String(row[column] ?? '')
    const max = WIDEST[column]
    return max && text.length > max ? `${text.slice(0, max - 1)}…` : text
  }
  const widths = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)))
  const line = (cells: string[]) => `${cells.map((text, i) => text.padEnd(widths[i]!)).join('  ').trimEnd()}\n`
  return line([...COLUMNS]) + line(widths.map((w) => '-'.repeat(w))) + rows.map((r) => line(COLUMNS.map((c) => cell(r, c)))).join('')
}

function outcomeLine(outcome: ReplayOutcome): string {
  if (outcome.outcome === 'replayed') return `${outcome.id} replayed -> ${outcome.topic}`
  if (outcome.outcome === 'already-replayed') return `${outcome.id} already replayed: nothing done`
  return `${outcome.id} still fails: ${(outcome.reason ?? '').replace(/\s*\n\s*/g, ' ')}`
}

async function replay(platform: Platform, log: Logger, id: number | null, topic: string | undefined): Promise<number> {
  const { bus } = platform
  // In-process bus: this process must store what it publishes before it exits.
  const workers =
    bus.kind === 'in-process'
      ? [
          await startPricesConsumer({ bus, ch: platform.ch, log }),
          await startSeriesConsumer({ bus, ch: platform.ch, log }),
          await startCurveSolver({ bus, db: platform.pg.db, ch: platform.ch, log }),
        ]
      : []
  try {
    const deps = { db: platform.pg.db, bus, log, objects: platform.objects, unknownNodes: platform.env.INGEST_UNKNOWN_NODES }
    // One id of a publisher file settles the file's other pending dead letters too: listed after it.
    const outcomes = id === null ? await replayAllDeadLetters(deps, { topic }) : [await replayDeadLetter(deps, id)].flatMap(({ sameFile, ...o }) => [o, ...(sameFile ?? [])])
    if (workers.length > 0) await drained(platform)
    const out = stdout()
    for (const outcome of outcomes) await out.write(`${outcomeLine(outcome)}\n`)
    const failed = outcomes.filter((o) => o.outcome === 'failed').length
    const replayed = outcomes.filter((o) => o.outcome === 'replayed').length
    await stderr().write(`${replayed} replayed, ${failed} still failing, ${outcomes.length - replayed - failed} already replayed\n`)
    await Promise.all([out.flush(), stderr().flush()])
    return failed > 0 ? 3 : 0
  } finally {
    for (const worker of workers) await worker.stop()
  }
}

/** Waits until the in-process consumers and solver took everything published (at most 10 minutes). */
async function drained(platform: Platform): Promise<void> {
  const groups = [
    [TOPICS.pricesNormalized, PRICES_CONSUMER_GROUP],
    [TOPICS.seriesNormalized, SERIES_CONSUMER_GROUP],
    [TOPICS.curvesBuild, CURVE_SOLVER_GROUP],
  ] as const
  const pending = () => groups.reduce((n, [topic, group]) => n + (platform.bus.unconsumed?.(topic, group) ?? 0), 0)
  const started = Date.now()
  while (pending() > 0) {
    if (Date.now() - started > 600_000) throw new AppError('UNAVAILABLE', 'timed out waiting for the replayed messages to be stored')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
