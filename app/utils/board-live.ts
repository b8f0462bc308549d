import type { MarketRun } from '@carbon/schemas'
import type { BoardPrice, BoardRow } from './board.ts'
import { changeDirection } from './format.ts'
import type { LivePrice } from './live-client.ts'

/**
 * Live updates of a price board, as pure functions: the loader's rows stay as they came and the
 * prices received since sit in an overlay (per node, for the board's run). What a cell shows is
 * whichever of the two is newer, so a reloaded snapshot (after a `reset` event) and the overlay
 * need no reconciliation.
 */

/** A node's newest live value and how it moved against the value shown before it. */
export type LiveCell = {
  price: BoardPrice
  /** Direction of the last update vs the value it replaced (the brief highlight). */
  moved: 'up' | 'down' | 'flat'
  /** Increases with every update of the cell, so the highlight restarts. */
  seq: number
}

export type LiveOverlay = Readonly<Record<string, LiveCell>>

/** How far past its run's cadence a value may be before the board marks it stale. */
export const STALE_GRACE_MS = 5 * 60_000

const time = (iso: string) => Date.parse(iso)

/** The value a cell shows: the live one unless the snapshot holds a newer interval. */
export function shownPrice(base: BoardPrice | undefined, cell: LiveCell | undefined): BoardPrice | undefined {
  if (!cell) return base
  if (!base) return cell.price
  return time(cell.price.intervalStart) >= time(base.intervalStart) ? cell.price : base
}

/**
 * The value after `price` arrives where `current` was shown; null when `price` is for an older
 * interval (nothing to show). A later interval moves the shown value into "previous"; the same
 * interval again is a revision and keeps the previous interval's LMP.
 */
export function nextPrice(current: BoardPrice | undefined, price: LivePrice): BoardPrice | null {
  const start = time(price.intervalStart)
  const shownStart = current ? time(current.intervalStart) : -Infinity
  if (start < shownStart) return null
  const previousLmp = start === shownStart ? (current?.previousLmp ?? null) : (current?.lmp ?? null)
  return {
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(time(price.intervalEnd)).toISOString(),
    lmp: price.lmp,
    energy: price.energy,
    congestion: price.congestion,
    loss: price.loss,
    ghg: price.ghg,
    previousLmp,
    change: previousLmp === null ? null : price.lmp - previousLmp,
    sparkline: current?.sparkline ?? [],
  }
}

function moved(before: BoardPrice | undefined, after: BoardPrice): LiveCell['moved'] {
  const direction = before ? changeDirection(after.lmp - before.lmp) : 'flat'
  return direction === 'none' ? 'flat' : direction
}

/**
 * Applies one event's prices (bus order) for `run` to the overlay. Returns the new overlay and
 * how many prices were applied: every price of the run for a node on the board, including one
 * for an interval older than the shown value (received, but nothing to show).
 */
export function applyLivePrices(
  overlay: LiveOverlay,
  rows: readonly BoardRow[],
  run: MarketRun,
  prices: readonly LivePrice[],
): { overlay: LiveOverlay; applied: number } {
  const byNode = new Map(rows.map((r) => [r.node, r]))
  const next: Record<string, LiveCell> = { ...overlay }
  let applied = 0
  for (const price of prices) {
    const row = byNode.get(price.node)
    if (price.run !== run || !row) continue
    applied++
    const cell = next[price.node]
    const current = shownPrice(row.prices[run], cell)
    const updated = nextPrice(current, price)
    if (!updated) continue
    next[price.node] = { price: updated, moved: moved(current, updated), seq: (cell?.seq ?? 0) + 1 }
  }
  return { overlay: next, applied }
}

/** The rows as the board shows them now: each node's `run` price replaced by its live value where newer. */
export function liveRows(rows: readonly BoardRow[], overlay: LiveOverlay, run: MarketRun): BoardRow[] {
  return rows.map((row) => {
    const cell = overlay[row.node]
    const shown = shownPrice(row.prices[run], cell)
    return shown === row.prices[run] ? row : { ...row, prices: { ...row.prices, [run]: shown } }
  })
}

/** Age of a value at `now`: time since its interval ended (negative for an interval still to come, e.g. tomorrow's DA). */
export function priceAge(price: Pick<BoardPrice, 'intervalEnd'>, now: number): number {
  return now - time(price.intervalEnd)
}

/** Whether a value is older than its run's cadence (one interval) plus STALE_GRACE_MS. */
export function isStaleAt(price: Pick<BoardPrice, 'intervalEnd'> | undefined, now: number, cadenceMs: number): boolean {
  return Boolean(price && priceAge(price, now) > cadenceMs + STALE_GRACE_MS)
}

/** "12 s ago", "4 min 05 s ago", "3 h 20 min ago", "2 d 3 h ago"; "in 14 h" for an interval still to come. */
export function formatAge(ms: number): string {
  if (ms < 0) return `in ${span(-ms, false)}`
  return `${span(ms, true)} ago`
}

function span(ms: number, seconds: boolean): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 10 && seconds) return `${m} min ${String(s % 60).padStart(2, '0')} s`
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`
}
