import { formatCursor, type Cursor } from './cursor.ts'

/** Positions alive now, by text: equal positions reached by different paths become one object. */
const interned = new Map<string, WeakRef<Position>>()
const forget = new FinalizationRegistry<string>((text) => {
  if (interned.get(text)?.deref() === undefined) interned.delete(text)
})

/**
 * A stream position (a Cursor) as an immutable, shared value with its event id text computed once.
 *
 * Why: every subscriber's event id is its own cursor, but at the live edge thousands of
 * subscribers stand at the same place. Positions are interned by their text and each remembers
 * where a given move (a per-array map of last offsets, itself shared) takes it, so subscribers that
 * stood together move together: one computation and one id string for all of them, and the
 * serialized event (server/http/sse.ts memoizes frames by prices array and id) is shared too.
 */
export class Position {
  /** The event id: `partition:offset,...` (formatCursor). */
  readonly text: string
  /** Where each move (by identity) took this position; entries go with their move map. */
  private readonly moves = new WeakMap<ReadonlyMap<number, number>, Position>()

  private constructor(
    readonly offsets: ReadonlyMap<number, number>,
    text: string,
  ) {
    this.text = text
  }

  /** The shared position of `cursor`. */
  static of(cursor: Cursor): Position {
    return Position.intern(new Map(cursor))
  }

  private static intern(offsets: Map<number, number>): Position {
    const text = formatCursor(offsets)
    const known = interned.get(text)?.deref()
    if (known) return known
    const created = new Position(offsets, text)
    interned.set(text, new WeakRef(created))
    forget.register(created, text)
    return created
  }

  static readonly start: Position = Position.of(new Map())

  /** This position moved forward to include `to` (per partition, never back); memoized per `to` map. */
  advancedBy(to: ReadonlyMap<number, number>): Position {
    let next = this.moves.get(to)
    if (next) return next
    let changed: Map<number, number> | null = null
    for (const [partition, offset] of to) {
      const at = (changed ?? this.offsets).get(partition)
      if (at === undefined || offset > at) (changed ??= new Map(this.offsets)).set(partition, offset)
    }
    next = changed ? Position.intern(changed) : this
    this.moves.set(to, next)
    return next
  }
}
