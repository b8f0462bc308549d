import { pino } from 'pino'
import { expect, it } from 'vitest'
import { startEmbeddedSimulator } from './ingest.ts'

const log = pino({ level: 'silent' })

it('runs the embedded publisher simulator in a worker thread: it answers as the publishers do, and close ends it', async () => {
  const listening = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length
  const before = listening()
  const simulator = await startEmbeddedSimulator(log)
  let closed = false
  try {
    expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    // Its listening socket belongs to the thread's event loop, not this one.
    expect(listening()).toBe(before)
    // MISO's public API shape, answered by the thread's server (full-size catalogue, generated).
    const res = await fetch(`${simulator.url}/api/MarketPricing/GetRealTimeFiveMinExPost/Current`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { LMPData?: unknown[] } | unknown[]
    expect(JSON.stringify(body).length).toBeGreaterThan(1_000)
    await simulator.close()
    closed = true
    // Its server is gone with the thread.
    await expect(fetch(`${simulator.url}/api/MarketPricing/GetRealTimeFiveMinExPost/Current`)).rejects.toThrow()
  } finally {
    if (!closed) await simulator.close()
  }
})
