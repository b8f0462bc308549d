import { formatInteger } from '#app/utils/format.ts'
import type { Connection, ConnectionState } from '#app/utils/live-connection.ts'

const LABELS: Record<ConnectionState, string> = {
  idle: 'Snapshot',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  resumed: 'Resumed',
  offline: 'Offline',
  ended: 'Access ended',
}

const TITLES: Record<ConnectionState, string> = {
  idle: 'Prices as of page load; live updates start once the page has loaded (they need JavaScript)',
  connecting: 'Opening the live price stream',
  live: 'Prices update as they arrive',
  reconnecting: 'Connection lost; reconnecting from the last update received (nothing is lost)',
  resumed: 'Reconnected: the updates missed meanwhile were replayed',
  offline: 'Not receiving live prices',
  ended: 'The server ended the live stream: access to these prices was withdrawn',
}

/**
 * The live stream's state for a page: a coloured dot and a word. `data-state` carries the state
 * for tests and styling; `role=status` has screen readers announce changes.
 */
export function LiveIndicator({ connection }: { connection: Connection }) {
  const { state, detail } = connection
  return (
    <span className={`live-indicator live-${state}`} data-state={state} role="status" title={detail ? `${TITLES[state]}: ${detail}` : TITLES[state]}>
      <span className="live-dot" aria-hidden="true" />
      {state === 'ended' && detail ? capitalize(detail) : LABELS[state]}
    </span>
  )
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** The note shown after a `skipped` event: the client fell behind and was sent the latest values only. */
export function CaughtUpNote({ skipped }: { skipped: number }) {
  return (
    <span className="live-note" role="status">
      Caught up ({formatInteger(skipped)} update{skipped === 1 ? '' : 's'} skipped)
    </span>
  )
}
