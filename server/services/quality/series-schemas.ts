import { DataKey, ENTITLED_PRODUCTS, MarketId, ProductId, SeriesFrequency } from '@carbon/schemas'
import { z } from 'zod'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Ingest runs and their counts cover this long before `now` (series publishers release daily to weekly). */
export const SERIES_RUNS_WINDOW_MS = 7 * DAY
/** A dataset is late once its newest period ends before what the publisher had out this long (plus its polling cadence) ago. */
export const SERIES_LATE_MARGIN_MS = 6 * HOUR
/** At most this many gap ranges per series (the most recent). */
export const SERIES_MAX_GAPS = 20

const Iso = z.iso.datetime()
const Count = z.number().int().min(0)

/** Whose series: the products beside power and the markets whose EIA-930 fundamentals (GRID) the viewer may see. */
export const SeriesHealthInput = z.object({
  products: z.array(z.enum(ENTITLED_PRODUCTS)),
  markets: z.array(MarketId),
  now: z.date(),
})
export type SeriesHealthInput = z.input<typeof SeriesHealthInput>

export const SeriesGap = z.object({
  from: Iso.describe('first missing period start'),
  to: Iso.describe('last missing period start'),
  periods: Count,
  dates: z.array(z.iso.date()).nullable().describe('daily series: the missing dates (weekdays; holidays are not assumed)'),
})
export type SeriesGap = z.infer<typeof SeriesGap>

/** One series (product, market, id, measure, frequency) over its window. */
export const SeriesHealthRow = z.object({
  product: ProductId,
  market: MarketId.nullable(),
  series: z.string(),
  measure: z.string(),
  frequency: SeriesFrequency,
  unit: z.string(),
  firstPeriodStart: Iso,
  lastPeriodStart: Iso,
  lastPeriodEnd: Iso,
  lastIngestedAt: Iso,
  windowFrom: Iso.describe('the oldest expected period start of the window'),
  expectedPeriods: Count,
  receivedPeriods: Count,
  ratio: z.number().min(0).max(1),
  missingPeriods: Count,
  gaps: z.array(SeriesGap).describe('missing runs, most recent first, at most SERIES_MAX_GAPS'),
  presence: z.string().regex(/^[01]*$/).describe("'1' per expected period present, '0' per missing one, oldest first"),
  late: z.boolean().nullable().describe('null when the dataset has no publication schedule'),
  calendar: z
    .enum(['publisher', 'entered'])
    .describe("publisher: periods expected on the publisher's calendar; entered: user-entered quotes (REC), the expected periods are the ones held"),
  ended: z.boolean().describe("an inventory's series absent from the dataset's newest period (EIA-860M: nothing of it is left): not late"),
})
export type SeriesHealthRow = z.infer<typeof SeriesHealthRow>

export const SeriesRunSummary = z.object({
  key: DataKey,
  status: z.string(),
  file: z.string(),
  finishedAt: Iso,
  records: Count,
  issues: Count,
  error: z.string().nullable(),
})
export type SeriesRunSummary = z.infer<typeof SeriesRunSummary>

export const SeriesIngestActivity = z.object({
  lastRun: SeriesRunSummary.nullable(),
  lastFailure: SeriesRunSummary.nullable(),
  runs: z.object({ ok: Count, partial: Count, 'no-data': Count, failed: Count }).describe('runs started in the last 7 days'),
})
export type SeriesIngestActivity = z.infer<typeof SeriesIngestActivity>

export const SeriesDeadLetters = z.object({
  pending: Count.describe('dead letters not replayed'),
  replayed: Count,
  latestReason: z.string().nullable(),
  latestAt: Iso.nullable(),
})
export type SeriesDeadLetters = z.infer<typeof SeriesDeadLetters>

export const SeriesDatasetStatus = z.enum(['ok', 'late', 'gaps', 'failing', 'unscheduled'])
export type SeriesDatasetStatus = z.infer<typeof SeriesDatasetStatus>

/** One series dataset (a series source id): its schedule, freshness, completeness, runs and dead letters. */
export const SeriesDatasetHealth = z.object({
  dataset: z.string(),
  product: ProductId,
  description: z.string().nullable(),
  status: SeriesDatasetStatus.describe('late before failing before gaps; unscheduled: uploaded or copied data with no schedule and no problem'),
  schedule: z
    .object({
      scheduleOf: z.string().describe('the dataset whose publication schedule applies (itself, or the publisher dataset a copy follows)'),
      cadenceHours: z.number().positive(),
      expectedThrough: Iso.describe("exclusive bound on the period starts the publisher had out SERIES_LATE_MARGIN_MS plus its cadence ago"),
      late: z.boolean(),
      lateSeries: Count,
    })
    .nullable(),
  lastPeriodEnd: Iso.nullable(),
  lastIngestedAt: Iso.nullable(),
  expectedPeriods: Count,
  receivedPeriods: Count,
  ratio: z.number().min(0).max(1).nullable().describe('received / expected periods over every series; null when none is stored'),
  series: z.array(SeriesHealthRow),
  ingest: SeriesIngestActivity,
  deadLetters: SeriesDeadLetters,
})
export type SeriesDatasetHealth = z.infer<typeof SeriesDatasetHealth>

export const SeriesHealth = z.object({
  generatedAt: Iso,
  lateMarginHours: z.number().positive().describe('SERIES_LATE_MARGIN_MS in hours'),
  datasets: z.array(SeriesDatasetHealth),
})
export type SeriesHealth = z.infer<typeof SeriesHealth>
