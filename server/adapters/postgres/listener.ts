import type { Logger } from 'pino'
import postgres from 'postgres'

/** First wait before listening again after the connection was lost; doubled after each failure. */
const FIRST_RETRY_MS = 1_000
const MAX_RETRY_MS = 30_000

export type Listener = {
  /** NOTIFY on the listening connection itself (a ping that proves that connection hears). */
  notify(payload: string): Promise<void>
  stop(): Promise<void>
}

/**
 * LISTEN on `channel` of a PostgreSQL server, over a connection of its own (not one of the pool's).
 *
 * Why not postgres.js's `sql.listen`: it LISTENs again at once after every failure of its
 * connection, so with the server stopped it kept the web process busy enough to hold each request
 * for 10 s and more (tests/fault/postgres-restart.int.test.ts). Here a lost connection is reported
 * (`onState(false)`) and retried after 1 s, then 2, 4 ... up to 30 s, each attempt bounded by a
 * 5 s connect timeout; once listening again `onState(true)`. Notifications sent while it was down
 * are lost: that is what onState(false) tells the caller.
 *
 * `notify` sends on that same connection, so a ping proves the connection that must hear works
 * without adding failed queries to the pool's while the server is down.
 *
 * Resolves once listening; rejects if the first attempt fails (the caller then does without).
 */
export async function listenOnServer(
  databaseUrl: string,
  channel: string,
  onNotify: (payload: string) => void,
  onState: (listening: boolean) => void,
  log?: Logger,
): Promise<Listener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`)
  let current: postgres.Sql | null = null
  let stopped = false
  let retryMs = FIRST_RETRY_MS
  let timer: NodeJS.Timeout | undefined

  const lost = (client: postgres.Sql) => {
    if (stopped || client !== current) return
    current = null
    onState(false)
    void client.end({ timeout: 0 }).catch(() => {})
    scheduleRetry()
  }

  const scheduleRetry = () => {
    if (stopped) return
    log?.warn({ channel, retryMs }, 'postgres: listening connection lost; listening again later')
    timer = setTimeout(() => {
      connect().then(
        () => {
          retryMs = FIRST_RETRY_MS
          onState(true)
          log?.info({ channel }, 'postgres: listening again')
        },
        () => {
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
          scheduleRetry()
        },
      )
    }, retryMs)
    timer.unref()
  }

  async function connect(): Promise<void> {
    let closed = false
    const client: postgres.Sql = postgres(databaseUrl, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      connect_timeout: 5,
      fetch_types: false,
      onnotice: () => {},
      onnotify: (name: string, payload: string) => {
        if (name === channel && client === current) onNotify(payload)
      },
      onclose: () => {
        closed = true
        lost(client)
      },
      connection: { application_name: 'carbon-listen' },
    } as postgres.Options<Record<string, never>>)
    try {
      await client.unsafe(`LISTEN ${channel}`)
      if (stopped) throw new Error('listener stopped')
      if (closed) throw new Error('listening connection closed at once')
    } catch (error) {
      await client.end({ timeout: 0 }).catch(() => {})
      throw error
    }
    // Only now is a close of this connection a loss (a failed attempt is the caller's to retry).
    current = client
  }

  await connect()
  return {
    async notify(payload) {
      // Not over the pool: while the server is down, every failed query of the pool lengthens
      // postgres.js's reconnect backoff (up to 20 s) for the requests queued behind it.
      if (!current) throw new Error(`not listening on ${channel}`)
      await current`select pg_notify(${channel}, ${payload})`
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      const client = current
      current = null
      await client?.end({ timeout: 1 }).catch(() => {})
    },
  }
}
