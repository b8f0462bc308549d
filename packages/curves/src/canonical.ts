/**
 * Checks and orderings both curve builders share (build.ts for power, fuel.ts for gas and basis):
 * an as-of date and months as the builders accept them, and the canonical order of quotes that
 * makes a build and its inputs hash independent of the order quotes arrive in.
 */
import { compareMonths, isMonthKey, type MonthKey } from './calendar.ts'
import type { Contract } from './contracts.ts'

const AS_OF = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether `text` is a real calendar date YYYY-MM-DD (2026-02-30 is not). */
export function isValidAsOf(text: unknown): text is string {
  if (typeof text !== 'string') return false
  const match = AS_OF.exec(text)
  if (!match) return false
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().slice(0, 10) === text
}

/** Whether `text` is a month YYYY-MM. */
export function isMonth(text: unknown): text is MonthKey {
  return typeof text === 'string' && isMonthKey(text)
}

function compareNullable(a: number | null, b: number | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a - b
}

/** Contracts by first month, last month, then code. */
export function compareContracts(a: Contract, b: Contract): number {
  return compareMonths(a.first, b.first) || compareMonths(a.last, b.last) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
}

/** Quotes of the same contract (and block) by price, bid, then ask (a missing bid or ask first). */
export function comparePrices(a: { price: number; bid: number | null; ask: number | null }, b: { price: number; bid: number | null; ask: number | null }): number {
  return a.price - b.price || compareNullable(a.bid, b.bid) || compareNullable(a.ask, b.ask)
}
