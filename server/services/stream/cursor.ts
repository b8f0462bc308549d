import { AppError } from '../../errors.ts'

/**
 * A stream position: per bus partition of `prices.normalized`, the offset of the last record a
 * client has been sent (or passed over). Event ids are cursors written as `partition:offset`
 * pairs, e.g. `0:1795653507284000,3:5121`. Offsets only grow: Kafka's are durable and the
 * embedded bus numbers them from the clock at start, so a cursor stays meaningful across restarts.
 */
export type Cursor = ReadonlyMap<number, number>

const PAIR = /^(\d{1,5}):(\d{1,16})$/
const MAX_PARTITIONS = 1024

/**
 * The id of an event sent before the stream has any position (an `end` before the fan-out saw a
 * single price): reconnecting with it starts afresh, which loses nothing since nothing was seen.
 */
export const NO_POSITION = '-'

export function formatCursor(cursor: Cursor): string {
  return [...cursor]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `${partition}:${offset}`)
    .join(',')
}

/** Reads a Last-Event-ID; throws AppError BAD_REQUEST naming what is wrong with it. */
export function parseCursor(text: string): Cursor {
  const cursor = new Map<number, number>()
  if (text.trim() === '' || text.trim() === NO_POSITION) return cursor
  const pairs = text.split(',')
  if (pairs.length > MAX_PARTITIONS) throw AppError.badRequest(`Last-Event-ID: at most ${MAX_PARTITIONS} partitions`)
  for (const pair of pairs) {
    const match = PAIR.exec(pair.trim())
    const offset = match ? Number(match[2]) : NaN
    if (!match || !Number.isSafeInteger(offset)) {
      throw AppError.badRequest(`Last-Event-ID: "${pair.slice(0, 40)}" is not partition:offset (the id of an event this stream sent)`)
    }
    cursor.set(Number(match[1]), offset)
  }
  return cursor
}

/** Moves `cursor` forward to include `offset` of `partition` (never back). */
export function advance(cursor: Map<number, number>, partition: number, offset: number): void {
  const at = cursor.get(partition)
  if (at === undefined || offset > at) cursor.set(partition, offset)
}

/** Whether a record at (partition, offset) lies after the cursor (a partition it lacks: yes). */
export function isAfter(cursor: Cursor, partition: number, offset: number): boolean {
  const at = cursor.get(partition)
  return at === undefined || offset > at
}
