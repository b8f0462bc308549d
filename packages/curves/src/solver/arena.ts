/**
 * Scratch memory for one solve. Why: in V8 every `new Float64Array(k)` above 64 bytes gets its own
 * zeroed off-heap backing store, which costs microseconds (measured about 5 us for 578 doubles on the
 * bench machine, ten times the arithmetic of a banded solve of that size). A solve needs dozens of
 * such temporaries, so they come from here instead: views into one reused buffer, zeroed on the way
 * out. A view is valid until the arena is reset (at the start of the next solve), so nothing the
 * solver returns may be a view from an arena.
 */
export class Arena {
  private doubles = new Float64Array(1 << 15)
  private doublesUsed = 0
  private ints = new Int32Array(1 << 13)
  private intsUsed = 0

  /** Forgets every view handed out so far (their memory is reused by the next requests). */
  reset(): void {
    this.doublesUsed = 0
    this.intsUsed = 0
  }

  /** A zeroed Float64Array view of `length` elements. */
  float64(length: number): Float64Array {
    if (this.doublesUsed + length > this.doubles.length) {
      // Views already handed out keep the old buffer alive; new ones come from a larger buffer.
      this.doubles = new Float64Array(Math.max(2 * this.doubles.length, 2 * length))
      this.doublesUsed = 0
    }
    const view = this.doubles.subarray(this.doublesUsed, this.doublesUsed + length)
    this.doublesUsed += length
    view.fill(0)
    return view
  }

  /** A zeroed Int32Array view of `length` elements. */
  int32(length: number): Int32Array {
    if (this.intsUsed + length > this.ints.length) {
      this.ints = new Int32Array(Math.max(2 * this.ints.length, 2 * length))
      this.intsUsed = 0
    }
    const view = this.ints.subarray(this.intsUsed, this.intsUsed + length)
    this.intsUsed += length
    view.fill(0)
    return view
  }

  /** A Float64Array view holding a copy of `values`. */
  copy(values: ArrayLike<number>): Float64Array {
    const view = this.float64(values.length)
    for (let i = 0; i < values.length; i++) view[i] = values[i]!
    return view
  }
}

/** Allocates from `arena` when given, else a fresh array (for callers that keep the result). */
export function doubles(arena: Arena | undefined, length: number): Float64Array {
  return arena === undefined ? new Float64Array(length) : arena.float64(length)
}
