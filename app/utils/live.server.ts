import { isAppError } from '#server/errors.ts'
import { formatCursor, getPriceFanout } from '#server/services/stream/index.ts'

/**
 * Where this web process's live stream stands now, as an event id: a loader reads it BEFORE it
 * reads its snapshot, and the page's subscription starts from it, so every price that arrives
 * after the snapshot was read reaches the page (a price both in the snapshot and replayed is
 * harmless: the board keeps the newer interval). Null when the stream is not running in this
 * process or has seen no price yet (the page then subscribes from "now").
 */
export function liveCursor(): string | null {
  try {
    const cursor = formatCursor(getPriceFanout().head())
    return cursor === '' ? null : cursor
  } catch (error) {
    if (isAppError(error) && error.code === 'UNAVAILABLE') return null
    throw error
  }
}
