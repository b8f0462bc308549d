/**
 * What the datasets whose URL always answers the publisher's latest file share (EIA's dnav
 * workbooks, its weekly LNG fragment, the wholesale ICE workbook, CARB's weekly workbook): one
 * request per cycle covering the whole window, and "not published yet" told from the file itself.
 *
 * Such a URL answers 200 before a release as after it, with the previous release's file. Taking
 * that answer would let the watermark pass a period the file does not hold yet, and the next
 * request would wait for the next release (a week, or a month for the monthly workbook; EIA's
 * LNG fragment holds one week only, so that week would be lost). So a file whose latest period
 * ends before the window does (less a tolerance for trading holidays) is "not published yet":
 * the window is asked for again next cycle.
 */
import { ParseError } from '../../errors.ts'
import { SERIES_SOURCES } from '../sources.ts'
import type { SeriesFetchedPayload, SeriesFetchRequest } from './types.ts'

/**
 * The end (ms) of the latest period the dataset's reader finds in the answer; null when it finds
 * no period; undefined when the file is unusable as a whole (the reader's ParseError: the ingest
 * reports that when it reads the file, so it is not hidden behind "not published").
 */
export function latestPeriodEnd(payload: SeriesFetchedPayload): number | null | undefined {
  const { request } = payload
  let records
  try {
    records = SERIES_SOURCES[request.dataset].parse(payload.bytes, request.file).records
  } catch (error) {
    if (error instanceof ParseError) return undefined
    throw error
  }
  let latest: number | null = null
  for (const record of records) {
    const end = Date.parse(record.periodEnd)
    if (latest === null || end > latest) latest = end
  }
  return latest
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * A `notPublished` for a file that always answers with the latest release: the reason when the
 * file's latest period ends more than `toleranceMs` before the request's window ends, else null
 * (also for a listing answer, and for an unusable file, which the reader reports).
 */
export function notReleasedYet(toleranceMs: number): (payload: SeriesFetchedPayload) => string | null {
  return (payload) => {
    const { request } = payload
    if (request.listing) return null
    const latest = latestPeriodEnd(payload)
    if (latest === undefined) return null
    const due = request.window.end - toleranceMs
    if (latest === null) return `${request.file} holds no period yet: the release covering the window to ${isoDay(request.window.end)} is not out`
    if (latest >= due) return null
    return `${request.file} runs to ${isoDay(latest)} (periods ending then), the window to ${isoDay(request.window.end)}: the publisher has not released it yet`
  }
}

/** The window clipped to what is published by `now`; null when nothing of it is. */
export function publishedPart(window: { start: number; end: number }, publishedUntil: number): { start: number; end: number } | null {
  const end = Math.min(window.end, publishedUntil)
  return end > window.start ? { start: window.start, end } : null
}

/** One request for a whole-history file covering `window` (nothing when no part of it is published). */
export function wholeFilePlan(
  window: { start: number; end: number },
  publishedUntil: number,
  request: Omit<SeriesFetchRequest, 'window'>,
): SeriesFetchRequest[] {
  const part = publishedPart(window, publishedUntil)
  return part ? [{ ...request, window: part }] : []
}
