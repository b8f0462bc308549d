/**
 * The state a live page shows of its price subscription, as a pure reducer over what the
 * transport reports (so the indicator's rules are testable without a browser):
 *
 * - idle: the server-rendered snapshot, before the browser subscribes (and without JavaScript);
 * - connecting: first connection under way;
 * - live: the server answered and events flow;
 * - reconnecting: the connection dropped; the transport is reconnecting with the last event id;
 * - resumed: a reconnect carrying the last event id was answered (shown briefly, then live): the
 *   server replays what was missed, so nothing is lost;
 * - offline: no network, a refusal that retrying cannot fix (signed out, no entitlement), or
 *   reconnecting for longer than OFFLINE_AFTER_MS (still retrying);
 * - ended: the server ended the stream because access is gone (token revoked, user disabled,
 *   session ended, entitlement removed): final, no reconnecting, until the page subscribes anew.
 */
export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'resumed' | 'offline' | 'ended'

export type Connection = {
  state: ConnectionState
  /** Why the connection is not live, for the indicator's tooltip. */
  detail: string | null
  /** Whether the server answered at least once (a later drop is a reconnect, not a first connect). */
  everLive: boolean
  /** When the current outage began (ms), null while connected. */
  downSince: number | null
  /** A refusal retrying cannot fix: stays offline until the page subscribes anew. */
  fatal: boolean
  /** The browser reports no network. */
  networkDown: boolean
}

export type ConnectionSignal =
  /** A new subscription (another filter): forget the last one's history. */
  | { type: 'reset' }
  /** (Re)subscribing. */
  | { type: 'subscribe'; now: number }
  /** The server answered (`connected`); `resumable`: the request carried a last event id. */
  | { type: 'started'; resumable: boolean }
  /** The connection dropped and the transport reconnects by itself. */
  | { type: 'dropped'; now: number; message: string | null }
  /** The subscription ended with an error; `fatal` when retrying cannot help. */
  | { type: 'failed'; now: number; message: string; fatal: boolean }
  /** The server ended the stream because access is gone (`reason`: the end event's). */
  | { type: 'ended'; now: number; reason: string }
  /** "resumed" has been shown long enough. */
  | { type: 'settled' }
  | { type: 'network'; online: boolean; now: number }

/** How long a reconnect may take before the indicator says offline (retrying continues). */
export const OFFLINE_AFTER_MS = 30_000
/** How long "resumed" stays before "live". */
export const RESUMED_MS = 4_000

export const INITIAL_CONNECTION: Connection = { state: 'idle', detail: null, everLive: false, downSince: null, fatal: false, networkDown: false }

const NO_NETWORK = 'This device is offline'

function down(c: Connection, now: number, detail: string | null): Connection {
  const downSince = c.downSince ?? now
  if (c.networkDown) return { ...c, state: 'offline', detail: NO_NETWORK, downSince }
  const long = now - downSince >= OFFLINE_AFTER_MS
  const state: ConnectionState = long ? 'offline' : c.everLive ? 'reconnecting' : 'connecting'
  return { ...c, state, detail: long ? `No connection for ${Math.round((now - downSince) / 1000)} s; still retrying` : detail, downSince }
}

/** What the server's end reasons mean to a person (reason codes: server/services/stream/guard.ts). */
const END_REASONS: Record<string, string> = {
  token_revoked: 'the API token was revoked',
  token_expired: 'the API token expired',
  user_disabled: 'your account was disabled',
  session_ended: 'you were signed out; sign in again for live prices',
  organization_changed: 'your organization changed; reload the page',
  entitlement_removed: 'your organization is no longer entitled to this market',
}

/** The indicator's detail for an access end: "access ended: <reason in words>". */
export function accessEndedText(reason: string): string {
  return `access ended: ${END_REASONS[reason] ?? reason}`
}

export function connectionReducer(c: Connection, signal: ConnectionSignal): Connection {
  // An access end is final whatever the transport or the network report, until a new subscription.
  if (c.state === 'ended' && signal.type !== 'reset') return signal.type === 'network' ? { ...c, networkDown: !signal.online } : c
  switch (signal.type) {
    case 'reset':
      return { ...INITIAL_CONNECTION, networkDown: c.networkDown }
    case 'subscribe':
      if (c.fatal) return c
      return c.everLive || c.networkDown ? down(c, signal.now, c.detail) : { ...c, state: 'connecting' }
    case 'started': {
      const resumed = c.everLive && c.downSince !== null && signal.resumable
      return { state: resumed ? 'resumed' : 'live', detail: null, everLive: true, downSince: null, fatal: false, networkDown: false }
    }
    case 'dropped':
      if (c.fatal) return c
      return down(c, signal.now, signal.message ?? 'Connection lost; reconnecting')
    case 'failed':
      if (signal.fatal) return { ...c, state: 'offline', detail: signal.message, fatal: true, downSince: c.downSince ?? signal.now }
      return down(c, signal.now, signal.message)
    case 'ended':
      return { ...c, state: 'ended', detail: accessEndedText(signal.reason), fatal: true, downSince: c.downSince ?? signal.now }
    case 'settled':
      return c.state === 'resumed' ? { ...c, state: 'live' } : c
    case 'network':
      if (!signal.online) return { ...c, state: 'offline', detail: NO_NETWORK, downSince: c.downSince ?? signal.now, networkDown: true }
      if (!c.networkDown) return c
      if (c.fatal) return { ...c, networkDown: false }
      // The outage clock restarts: the time offline does not count against the reconnect.
      return { ...c, networkDown: false, downSince: signal.now, state: c.everLive ? 'reconnecting' : 'connecting', detail: 'Back online; reconnecting' }
  }
}
