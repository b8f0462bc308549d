import { useEffect, useReducer, useRef } from 'react'
import type { HubClient, LiveEvent, LiveInput } from './live-client.ts'
import { connectionReducer, INITIAL_CONNECTION, RESUMED_MS, type Connection } from './live-connection.ts'

/** tRPC error codes a retry cannot fix: the user must sign in again, or may not see this market. */
const FATAL_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'])
const RETRY_MIN_MS = 1_000
const RETRY_MAX_MS = 15_000

type ClientError = { message: string; data?: { code?: string } | null }

function describe(error: ClientError): { message: string; fatal: boolean } {
  const code = error.data?.code
  if (code === 'UNAUTHORIZED') return { message: 'Signed out: sign in again for live prices', fatal: true }
  if (code && FATAL_CODES.has(code)) return { message: error.message, fatal: true }
  return { message: error.message || 'Connection failed; retrying', fatal: false }
}

/**
 * The tRPC client, loaded on first use: the client and its links are not part of the page's
 * scripts, so the first subscription waits for them after hydration instead of every page load
 * parsing them before.
 */
function loadClient(): Promise<HubClient> {
  return import('./live-client.ts').then((module) => module.hubClient())
}

/** The retry wait after `failures` consecutive failed subscriptions: 1 s doubling to 15 s. */
export function retryDelay(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.max(0, failures - 1))
}

/**
 * Subscribes to `prices.live` while the component is mounted (never on the server: effects only
 * run in the browser) and hands each event to `onEvent`. The subscription follows `input` except
 * its `lastEventId`, which is only the starting cursor (the loader's, so the stream continues from
 * the snapshot the page rendered); after that the cursor is the id of the last event received.
 *
 * Reconnects: the EventSource reconnects by itself after a dropped connection, sending the last
 * event id (Last-Event-ID), and the server replays what was missed. When the subscription ends
 * instead (the server finished the stream, or refused a reconnect with a retryable error) it is
 * opened again here with the last event id, after a backoff. When the server ends it because
 * access is gone (an `end` event: token revoked, signed out, entitlement removed) the connection
 * state says "access ended" with the reason and nothing reconnects; an end for `max_lifetime` is
 * followed by the EventSource's own reconnect. `null` input: no subscription.
 */
export function useLivePrices(input: LiveInput | null, onEvent: (event: LiveEvent) => void): Connection {
  const [connection, dispatch] = useReducer(connectionReducer, INITIAL_CONNECTION)
  const onEventRef = useRef(onEvent)
  const startRef = useRef(input?.lastEventId)
  useEffect(() => {
    onEventRef.current = onEvent
    startRef.current = input?.lastEventId
  })

  const key = input ? JSON.stringify({ ...input, lastEventId: undefined }) : null

  useEffect(() => {
    if (!key) return
    const base = JSON.parse(key) as LiveInput
    let lastEventId = startRef.current || undefined
    let subscription: { unsubscribe(): void } | null = null
    let retryTimer: ReturnType<typeof setTimeout> | undefined
    let settleTimer: ReturnType<typeof setTimeout> | undefined
    let failures = 0
    let closed = false
    /** The client's script is being fetched: a subscription is on its way. */
    let loading = false
    /** The server ended the stream because access is gone: no more reconnecting. */
    let ended = false
    dispatch({ type: 'reset' })

    const retry = () => {
      subscription = null
      clearTimeout(retryTimer)
      if (!closed) retryTimer = setTimeout(subscribe, retryDelay(failures))
    }

    function subscribe() {
      if (closed) return
      dispatch({ type: 'subscribe', now: Date.now() })
      loading = true
      loadClient().then(
        (client) => {
          loading = false
          if (!closed) open(client)
        },
        (error: unknown) => {
          // The client's script could not be fetched (offline, a new deployment): retry like a failed subscription.
          loading = false
          if (closed) return
          failures++
          dispatch({ type: 'failed', now: Date.now(), message: error instanceof Error ? error.message : 'Could not load the live client', fatal: false })
          retry()
        },
      )
    }

    function open(client: HubClient) {
      subscription = client.prices.live.subscribe(lastEventId ? { ...base, lastEventId } : base, {
        onStarted() {
          failures = 0
          dispatch({ type: 'started', resumable: Boolean(lastEventId) })
          clearTimeout(settleTimer)
          settleTimer = setTimeout(() => dispatch({ type: 'settled' }), RESUMED_MS)
        },
        onData(envelope) {
          lastEventId = envelope.id
          const event = envelope.data
          if (event.type === 'end') {
            // max_lifetime: the EventSource reconnects with the last id by itself. Any other reason:
            // access is gone; say so and stop, rather than reconnect into a refusal forever.
            if (event.reason !== 'max_lifetime') {
              ended = true
              dispatch({ type: 'ended', now: Date.now(), reason: event.reason ?? 'unknown' })
            }
            return
          }
          onEventRef.current(event)
        },
        onConnectionStateChange(state) {
          if (state.state === 'connecting' && state.error) dispatch({ type: 'dropped', now: Date.now(), message: null })
        },
        onError(error) {
          // The error that follows an access end repeats it: the indicator already says why.
          if (ended) return
          const { message, fatal } = describe(error)
          failures++
          dispatch({ type: 'failed', now: Date.now(), message, fatal })
          if (!fatal) retry()
        },
        onStopped() {
          if (ended) return
          // The server ended the stream (e.g. it is shutting down): open it again from the last id.
          dispatch({ type: 'dropped', now: Date.now(), message: 'The server ended the stream; reconnecting' })
          retry()
        },
      })
    }

    const onOnline = () => {
      dispatch({ type: 'network', online: true, now: Date.now() })
      if (!subscription && !loading && !closed) {
        failures = 0
        retry()
      }
    }
    const onOffline = () => dispatch({ type: 'network', online: false, now: Date.now() })
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onOffline)
    if (!navigator.onLine) onOffline()
    subscribe()

    return () => {
      closed = true
      clearTimeout(retryTimer)
      clearTimeout(settleTimer)
      window.removeEventListener('online', onOnline)
      window.removeEventListener('offline', onOffline)
      subscription?.unsubscribe()
    }
  }, [key])

  return connection
}
