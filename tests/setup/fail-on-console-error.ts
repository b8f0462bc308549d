import { afterEach, vi } from 'vitest'

// A test that logs console.error fails: errors must be asserted, not printed.
const seen: unknown[][] = []
const original = console.error
vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
  seen.push(args)
  original(...args)
})
afterEach(() => {
  if (seen.length > 0) {
    const first = seen.splice(0).map((a) => a.map(String).join(' ')).join('\n')
    throw new Error(`console.error was called during the test:\n${first}`)
  }
})
