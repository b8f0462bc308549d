import { describe, expect, it } from 'vitest'
import type { BoardPrice, BoardRow } from './board.ts'
import { applyLivePrices, formatAge, isStaleAt, liveRows, nextPrice, shownPrice } from './board-live.ts'
import type { LivePrice } from './live-client.ts'

const snapshot = (start: string, lmp: number, previousLmp: number | null = null): BoardPrice => ({
  intervalStart: start,
  intervalEnd: new Date(Date.parse(start) + 300_000).toISOString(),
  lmp,
  energy: lmp - 1,
  congestion: 0.5,
  loss: 0.5,
  ghg: null,
  previousLmp,
  change: previousLmp === null ? null : lmp - previousLmp,
  sparkline: [30, 31, 32],
})

let offset = 100
const live = (node: string, start: string, lmp: number, run: LivePrice['run'] = 'RT5'): LivePrice => ({
  market: 'MISO',
  node,
  run,
  intervalStart: start,
  intervalEnd: new Date(Date.parse(start) + 300_000).toISOString().replace('.000Z', 'Z'),
  lmp,
  energy: lmp - 2,
  congestion: 1,
  loss: 1,
  ghg: null,
  source: 'test',
  publishedAt: null,
  ingestedAt: null,
  receivedAt: '2026-07-01T12:00:00.000Z',
  partition: 0,
  offset: offset++,
})

const rows: BoardRow[] = [
  { node: 'INDIANA.HUB', type: 'hub', prices: { RT5: snapshot('2026-07-01T12:00:00.000Z', 30, 29) } },
  { node: 'MICHIGAN.HUB', type: 'hub', prices: {} },
]

describe('nextPrice', () => {
  it('a later interval moves the shown LMP into previous and computes the change', () => {
    const next = nextPrice(rows[0]!.prices.RT5, live('INDIANA.HUB', '2026-07-01T12:05:00Z', 33.5))!
    expect(next).toMatchObject({ intervalStart: '2026-07-01T12:05:00.000Z', intervalEnd: '2026-07-01T12:10:00.000Z', lmp: 33.5, previousLmp: 30, change: 3.5 })
    expect(next.sparkline).toEqual([30, 31, 32])
  })

  it('the same interval again is a revision: previous stays the interval before', () => {
    const next = nextPrice(rows[0]!.prices.RT5, live('INDIANA.HUB', '2026-07-01T12:00:00Z', 28))!
    expect(next).toMatchObject({ lmp: 28, previousLmp: 29, change: -1 })
  })

  it('an older interval shows nothing new', () => {
    expect(nextPrice(rows[0]!.prices.RT5, live('INDIANA.HUB', '2026-07-01T11:55:00Z', 99))).toBeNull()
  })
})

describe('applyLivePrices', () => {
  it('applies prices in order, counts every price of the run for a board node, and flags the move', () => {
    const { overlay, applied } = applyLivePrices({}, rows, 'RT5', [
      live('INDIANA.HUB', '2026-07-01T12:05:00Z', 31),
      live('INDIANA.HUB', '2026-07-01T12:10:00Z', 27),
      live('INDIANA.HUB', '2026-07-01T11:50:00Z', 50),
      live('MICHIGAN.HUB', '2026-07-01T12:10:00Z', 25),
      live('NOT.ON.BOARD', '2026-07-01T12:10:00Z', 25),
      live('INDIANA.HUB', '2026-07-01T12:15:00Z', 40, 'DA'),
    ])
    expect(applied).toBe(4)
    expect(overlay['INDIANA.HUB']).toMatchObject({ moved: 'down', seq: 2, price: { lmp: 27, previousLmp: 31, change: -4 } })
    expect(overlay['MICHIGAN.HUB']).toMatchObject({ moved: 'flat', seq: 1, price: { lmp: 25, previousLmp: null, change: null } })
    expect(overlay['NOT.ON.BOARD']).toBeUndefined()

    const shown = liveRows(rows, overlay, 'RT5')
    expect(shown.map((r) => r.prices.RT5?.lmp)).toEqual([27, 25])
    expect(shown[0]!.prices.RT5).toBe(overlay['INDIANA.HUB']!.price)
  })

  it('a reloaded snapshot newer than the overlay wins', () => {
    const { overlay } = applyLivePrices({}, rows, 'RT5', [live('INDIANA.HUB', '2026-07-01T12:05:00Z', 31)])
    const reloaded: BoardRow[] = [{ ...rows[0]!, prices: { RT5: snapshot('2026-07-01T12:10:00.000Z', 35, 31) } }]
    expect(shownPrice(reloaded[0]!.prices.RT5, overlay['INDIANA.HUB'])?.lmp).toBe(35)
    expect(liveRows(reloaded, overlay, 'RT5')[0]).toBe(reloaded[0])
  })
})

describe('age and staleness', () => {
  const price = { intervalEnd: '2026-07-01T12:05:00.000Z' }
  const end = Date.parse(price.intervalEnd)

  it('is stale past one interval plus five minutes', () => {
    expect(isStaleAt(price, end + 10 * 60_000, 5 * 60_000)).toBe(false)
    expect(isStaleAt(price, end + 10 * 60_000 + 1, 5 * 60_000)).toBe(true)
    expect(isStaleAt(price, end - 3_600_000, 3_600_000)).toBe(false)
    expect(isStaleAt(undefined, end, 1)).toBe(false)
  })

  it('formats ages', () => {
    expect(formatAge(12_400)).toBe('12 s ago')
    expect(formatAge(4 * 60_000 + 5_000)).toBe('4 min 05 s ago')
    expect(formatAge(25 * 60_000)).toBe('25 min ago')
    expect(formatAge(3 * 3_600_000 + 20 * 60_000)).toBe('3 h 20 min ago')
    expect(formatAge(51 * 3_600_000)).toBe('2 d 3 h ago')
    expect(formatAge(-14 * 3_600_000)).toBe('in 14 h')
  })
})
