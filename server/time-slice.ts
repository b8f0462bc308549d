/**
 * Cooperative work on the event loop: long synchronous loops are cut into slices with a turn of
 * the loop between them, so requests, timers and socket writes are never held up for longer than
 * a slice.
 */

/** Resolves on the event loop's next turn (after pending I/O callbacks). */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Calls `step(i)` for i in [0, count), yielding to the event loop after every `sliceMs` of work; returns the slices' longest run (ms) and their count. */
export async function sliced(count: number, sliceMs: number, step: (i: number) => void): Promise<{ longestMs: number; slices: number }> {
  let longestMs = 0
  let slices = 0
  let i = 0
  while (i < count) {
    const start = performance.now()
    const until = start + sliceMs
    do step(i++)
    while (i < count && performance.now() < until)
    slices++
    longestMs = Math.max(longestMs, performance.now() - start)
    if (i < count) await yieldToEventLoop()
  }
  return { longestMs, slices }
}
