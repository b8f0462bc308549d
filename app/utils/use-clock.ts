import { useEffect, useState } from 'react'

/**
 * The current time, ticking every `everyMs` in the browser. It starts at `initial` (the time the
 * loader rendered the page), so the server HTML and the first browser render agree (no
 * hydration mismatch); the clock starts ticking once the page is hydrated.
 */
export function useClock(initial: number, everyMs = 1_000): number {
  const [now, setNow] = useState(initial)
  useEffect(() => {
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}
