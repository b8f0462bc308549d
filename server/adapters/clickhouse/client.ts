import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import {
  ClickHouseError,
  ClickHouseLogLevel,
  createClient,
  parseError,
  type ClickHouseClient,
  type ClickHouseSettings,
  type Logger as ClientLogger,
  type LogParams,
} from '@clickhouse/client'
import type { Logger } from 'pino'
import type { Env } from '../../env.ts'
import { AppError } from '../../errors.ts'
import { yieldToEventLoop } from '../../time-slice.ts'

export type { ClickHouseClient }

export type ClickHouseHandle = {
  /**
   * Queries run against `database` by default: the HTTP client sends it with every request, the
   * embedded session has it selected with `USE` once at open. Write unqualified table names.
   */
  client: ClickHouseClient
  database: string
  /** 'chdb': embedded engine in this process, under `${dataDir}/clickhouse`; 'http': a server at CLICKHOUSE_URL. */
  kind: 'chdb' | 'http'
  /**
   * Inserts rows already encoded, as JSONCompactEachRow (encodeCompactRows) or RowBinary
   * (encodeRowBinary, row-binary.ts). A server gets the bytes as the request body. chDB is handed
   * JSONCompactEachRow bytes as they are (no copy, no string on the main thread) and parses them on
   * its own threads; RowBinary, which its raw insert does not take, reaches it through a spool
   * file that `INSERT ... SELECT * FROM file()` reads (the table's own column types decode it).
   * `table` and `columns` are constants of the caller (checked as plain identifiers), never input.
   */
  insertEncoded(table: string, columns: readonly string[], body: Buffer, format?: EncodedFormat): Promise<void>
  close(): Promise<void>
}

export type EncodedFormat = 'JSONCompactEachRow' | 'RowBinary'

/** What this module uses of chDB's connection beyond the client's contract: its raw insert. */
type ChdbRawInsert = {
  chdb: {
    rawInsert(params: { table: string; columns: readonly string[]; values: Buffer; format: 'JSONCompactEachRow' }): Promise<unknown>
  }
}

/**
 * chdb types its connection against @clickhouse/client-common 1.23.0 while @clickhouse/client
 * 1.23.1 vendors its own copy of those types; they differ only in a settings type, not at run time.
 */
type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection']

type ClickHouseEnv = Pick<Env, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE' | 'dataDir'>

/** Same rule as CLICKHOUSE_DATABASE in env.ts; checked again because Env can be built by hand. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Queries slower than this are logged at warn with their name and duration (never their parameters). */
export const SLOW_QUERY_MS = 500

/**
 * chDB binds ONE data directory per process, so the embedded handle is a process singleton kept
 * on globalThis (it survives Vite hot reloads, which re-evaluate this module). Each successful
 * openClickHouse() takes a reference; close() gives it back and the last one closes the engine.
 */
type ChdbSlot = { path: string; database: string; refs: number; handle: Promise<ClickHouseHandle> }
const globalForChdb = globalThis as unknown as { __carbonChdb?: ChdbSlot }

const loggers = new WeakMap<ClickHouseHandle, Logger>()

/**
 * Opens the analytical store: the embedded chDB engine at `${env.dataDir}/clickhouse` when
 * CLICKHOUSE_URL is unset, otherwise an HTTP client for CLICKHOUSE_URL. Creates the database if it
 * is missing. Does not migrate: see migrateClickHouse.
 */
export async function openClickHouse(env: ClickHouseEnv, log?: Logger): Promise<ClickHouseHandle> {
  const database = env.CLICKHOUSE_DATABASE
  if (!IDENTIFIER.test(database)) {
    throw new AppError('INTERNAL', `CLICKHOUSE_DATABASE must be a plain identifier, got ${JSON.stringify(database)}`)
  }
  if (env.CLICKHOUSE_URL) return openHttp(env.CLICKHOUSE_URL, env, database, log)

  const dataDir = path.join(env.dataDir, 'clickhouse')
  const slot = globalForChdb.__carbonChdb
  if (slot) {
    if (slot.path !== dataDir) {
      throw new AppError(
        'INTERNAL',
        `chDB allows one data directory per process: ${slot.path} is open, cannot also open ${dataDir}`,
      )
    }
    if (slot.database !== database) {
      throw new AppError(
        'INTERNAL',
        `chDB at ${dataDir} is open with database ${slot.database}; cannot also use ${database} in the same process`,
      )
    }
    slot.refs++
    return slot.handle
  }
  const created = { path: dataDir, database, refs: 1 } as ChdbSlot
  created.handle = openChdb(dataDir, database, log, created).catch((error: unknown) => {
    if (globalForChdb.__carbonChdb === created) globalForChdb.__carbonChdb = undefined
    throw error
  })
  globalForChdb.__carbonChdb = created
  return created.handle
}

async function openChdb(dataDir: string, database: string, log: Logger | undefined, slot: ChdbSlot): Promise<ClickHouseHandle> {
  const started = performance.now()
  await mkdir(dataDir, { recursive: true })
  // new Session(path) is synchronous (~0.1-0.5 s): it blocks the event loop once, at startup.
  // Loaded only here: the production image carries no embedded engine (CLICKHOUSE_URL is set there).
  const { createChdbConnection } = await import('chdb/connection')
  let connection: ClientConnection
  let raw: ChdbRawInsert
  try {
    const chdbConnection = createChdbConnection({ path: dataDir })
    raw = chdbConnection as unknown as ChdbRawInsert
    connection = chdbConnection as unknown as ClientConnection
  } catch (error) {
    // Typically another process (a running server) holds the directory's lock.
    throw new AppError('UNAVAILABLE', `Cannot open the embedded ClickHouse at ${dataDir}: ${String(error)}`, {
      userMessage: 'The price store is unavailable',
      cause: error,
    })
  }
  const client = createClient({ connection, database, log: clientLog(log) })
  let spool: InsertSpool
  try {
    spool = await openInsertSpool(`${dataDir}-spool`)
    await createDatabase(client, database)
    // The chDB connection ignores the client's `database` option; USE is kept by its one session.
    await client.command({ query: 'USE {db:Identifier}', query_params: { db: database } })
  } catch (error) {
    await client.close().catch(() => {})
    throw error
  }
  let closed: Promise<void> | undefined
  const handle: ClickHouseHandle = {
    client,
    database,
    kind: 'chdb',
    async insertEncoded(table, columns, body, format = 'JSONCompactEachRow') {
      checkIdentifiers(table, columns)
      if (body.length === 0) return
      try {
        if (format === 'RowBinary') await spool.insert(client, table, columns, body)
        else await raw.chdb.rawInsert({ table, columns, values: body, format })
      } catch (error) {
        throw asClickHouseError(error)
      }
    },
    close() {
      if (closed) return closed
      if (--slot.refs > 0) return Promise.resolve()
      if (globalForChdb.__carbonChdb === slot) globalForChdb.__carbonChdb = undefined
      closed = client.close()
      return closed
    },
  }
  if (log) loggers.set(handle, log)
  log?.info({ kind: 'chdb', dataDir, database, ms: Math.round(performance.now() - started) }, 'clickhouse: opened embedded engine')
  return handle
}

async function openHttp(url: string, env: ClickHouseEnv, database: string, log?: Logger): Promise<ClickHouseHandle> {
  const host = safeHost(url)
  const common = {
    url,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    application: 'carbon',
    log: clientLog(log),
  }
  // A request naming a database that does not exist fails, so the database is created through a
  // client on the server's default database first.
  const bootstrap = createClient(common)
  try {
    const ping = await bootstrap.ping()
    if (!ping.success) throw ping.error
    await createDatabase(bootstrap, database)
  } catch (error) {
    throw new AppError('UNAVAILABLE', `Cannot open ClickHouse database ${database} at ${host}: ${String(error)}`, {
      userMessage: 'The price store is unavailable',
      cause: error,
    })
  } finally {
    await bootstrap.close().catch(() => {})
  }
  const client = createClient({ ...common, database })
  let closed: Promise<void> | undefined
  const handle: ClickHouseHandle = {
    client,
    database,
    kind: 'http',
    async insertEncoded(table, columns, body, format = 'JSONCompactEachRow') {
      checkIdentifiers(table, columns)
      if (body.length === 0) return
      const result = await client.exec({
        query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT ${format}`,
        values: Readable.from([body], { objectMode: false }),
      })
      // The answer to an INSERT is empty; read it to the end so the socket goes back to the pool.
      for await (const _ of result.stream) void _
    },
    close: () => (closed ??= client.close()),
  }
  if (log) loggers.set(handle, log)
  log?.info({ kind: 'http', host, database }, 'clickhouse: connected')
  return handle
}

/**
 * The same error the client's own insert gives: a ClickHouseError of @clickhouse/client when the
 * engine said why. chDB's connection raises its own copy of that class (it vendors another
 * @clickhouse/client-common), or a bare message from its raw insert.
 */
function asClickHouseError(error: unknown): Error {
  if (error instanceof ClickHouseError) return error
  const message = error instanceof Error ? error.message : String(error)
  const { code, type } = (error ?? {}) as { code?: unknown; type?: unknown }
  const mapped = typeof code === 'string' && typeof type === 'string' ? new ClickHouseError({ message, code, type }) : parseError(message)
  if (mapped !== error) mapped.cause = error
  return mapped
}

/**
 * Where RowBinary inserts into chDB wait as files for `INSERT ... SELECT * FROM file()`: a folder
 * beside the engine's data directory, emptied at open (a file left by a crash is not needed: its
 * batch was not committed on the bus and is delivered again). Each file is written off the main
 * thread, read by the engine's threads and deleted once the insert has settled. The insert skips
 * the replacing merge of its own block (`optimize_on_insert = 0`, 15-20 % of a large insert here):
 * every read of a replacing table uses FINAL, and insertPrices already keeps one row per key.
 */
type InsertSpool = { insert(client: ClickHouseClient, table: string, columns: readonly string[], body: Buffer): Promise<void> }

async function openInsertSpool(folder: string): Promise<InsertSpool> {
  await rm(folder, { recursive: true, force: true })
  await mkdir(folder, { recursive: true })
  let sequence = 0
  return {
    async insert(client, table, columns, body) {
      const file = path.join(folder, `${process.pid}-${++sequence}.rowbinary`)
      await writeFile(file, body)
      try {
        await client.command({
          query: `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM file({file:String}, 'RowBinary') SETTINGS optimize_on_insert = 0`,
          query_params: { file },
        })
      } finally {
        await rm(file, { force: true })
      }
    },
  }
}

/** Table and column names of insertEncoded: the callers' constants, refused unless plain identifiers (they are interpolated into the INSERT). */
function checkIdentifiers(table: string, columns: readonly string[]): void {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new AppError('INTERNAL', `not a plain identifier: ${JSON.stringify(name)}`)
  }
  if (columns.length === 0) throw new AppError('INTERNAL', `an insert into ${table} names no columns`)
}

/**
 * Rows as JSONCompactEachRow bytes for insertEncoded: one JSON array per line, `toValues` giving
 * each item's column values in the insert's column order. Encoded in slices of about `sliceMs`
 * with a turn of the event loop between them, so a large batch never holds up requests and socket
 * writes of the process for long (the client's own insert encodes every row in one step).
 */
export async function encodeCompactRows<T>(items: readonly T[], toValues: (item: T, index: number) => readonly unknown[], sliceMs = 5): Promise<Buffer> {
  const chunks: Buffer[] = []
  let length = 0
  let i = 0
  while (i < items.length) {
    if (i > 0) await yieldToEventLoop()
    const until = performance.now() + sliceMs
    let text = ''
    do {
      text += JSON.stringify(toValues(items[i]!, i))
      text += '\n'
      i++
    } while (i < items.length && performance.now() < until)
    const chunk = Buffer.from(text, 'utf8')
    chunks.push(chunk)
    length += chunk.length
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)
}

/**
 * With checkIdentifiers, the only places an identifier is interpolated into SQL: `database` has
 * passed IDENTIFIER (the same rule env.ts applies to CLICKHOUSE_DATABASE) and never comes from a
 * request. The existence check lets a user without the CREATE DATABASE grant use a database an
 * operator created.
 */
async function createDatabase(client: ClickHouseClient, database: string): Promise<void> {
  if (!IDENTIFIER.test(database)) throw new AppError('INTERNAL', `not a plain identifier: ${JSON.stringify(database)}`)
  const result = await client.query({
    query: 'SELECT count() AS n FROM system.databases WHERE name = {db:String}',
    query_params: { db: database },
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ n: number | string }>()
  if (Number(rows[0]?.n ?? 0) > 0) return
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` })
}

/**
 * Runs one SELECT with bound parameters and returns its rows (JSONEachRow). `name` labels the
 * query in the slow-query log; the SQL text and the parameters are not logged. Note that 64-bit
 * integers come back as numbers from chDB and as strings from a server: convert with Number().
 */
export async function queryRows<T>(
  ch: ClickHouseHandle,
  name: string,
  query: string,
  params: Record<string, unknown> = {},
  settings?: ClickHouseSettings,
): Promise<T[]> {
  const started = performance.now()
  const result = await ch.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: settings })
  const rows = await result.json<T>()
  const ms = performance.now() - started
  const log = loggers.get(ch)
  if (log) {
    if (ms >= SLOW_QUERY_MS) log.warn({ query: name, ms: Math.round(ms), rows: rows.length }, 'clickhouse: slow query')
    else if (log.isLevelEnabled('trace')) log.trace({ query: name, ms: Math.round(ms), rows: rows.length }, 'clickhouse: query')
  }
  return rows
}

/** Logs a write that took longer than SLOW_QUERY_MS (inserts are timed by their callers). */
export function logIfSlow(ch: ClickHouseHandle, name: string, started: number, fields: Record<string, unknown> = {}) {
  const ms = performance.now() - started
  const log = loggers.get(ch)
  if (log && ms >= SLOW_QUERY_MS) log.warn({ query: name, ms: Math.round(ms), ...fields }, 'clickhouse: slow query')
}

/**
 * The client's own warnings and errors go to pino (a child with component 'clickhouse-client')
 * instead of the console; without a logger they are off (failures still reach the caller).
 */
function clientLog(log: Logger | undefined): { LoggerClass: new () => ClientLogger; level: ClickHouseLogLevel } {
  const target = log?.child({ component: 'clickhouse-client' })
  const write = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error', p: LogParams & { err?: Error }) =>
    target?.[level]({ module: p.module, ...(p.args ?? {}), ...(p.err ? { err: p.err } : {}) }, p.message)
  class PinoBridge implements ClientLogger {
    trace(p: LogParams) {
      write('trace', p)
    }
    debug(p: LogParams) {
      write('debug', p)
    }
    info(p: LogParams) {
      write('info', p)
    }
    warn(p: LogParams & { err?: Error }) {
      write('warn', p)
    }
    error(p: LogParams & { err: Error }) {
      write('error', p)
    }
  }
  return { LoggerClass: PinoBridge, level: target ? ClickHouseLogLevel.WARN : ClickHouseLogLevel.OFF }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return '(invalid url)'
  }
}
