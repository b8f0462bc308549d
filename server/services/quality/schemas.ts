import { MarketId, MarketRun } from '@carbon/schemas'
import { z } from 'zod'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** The platform's freshness target: a record is due 5 minutes after its interval ended or was published. */
export const FRESHNESS_TARGET_MS = 5 * MINUTE
/** Expected nodes of a dataset: the distinct nodes it delivered over this long before the window's end. */
export const EXPECTED_NODES_LOOKBACK_MS = 7 * DAY
/** Longest window the quality queries accept (the expected-nodes lookback: received nodes are then always expected). */
export const MAX_WINDOW_MS = EXPECTED_NODES_LOOKBACK_MS
/** The window of the Data health page by default and of the quality gauges of /metrics. */
export const DEFAULT_WINDOW_MS = DAY
/** Ingest-run counts cover this long before `now`. */
export const INGEST_RUNS_WINDOW_MS = DAY
/** At most this many worst intervals, gap ranges and revision examples per dataset. */
export const WORST_INTERVALS = 10
export const MAX_GAP_RANGES = 20
export const REVISION_EXAMPLES = 5

const Iso = z.iso.datetime()
const Count = z.number().int().min(0)

export const QualityInput = z.object({
  markets: z.array(MarketId).min(1),
  now: z.date(),
  /** Length of the window [now - window, now) in ms. */
  window: z.number().int().min(5 * MINUTE).max(MAX_WINDOW_MS),
})
export type QualityInput = z.input<typeof QualityInput>

/** The dataset whose per-interval completeness to return in full (the page's chart). */
export const SeriesRequest = z.object({ market: MarketId, dataset: z.string().min(1).max(128) })
export type SeriesRequest = z.infer<typeof SeriesRequest>

/**
 * A dataset: one `source` of `prices` in one market and run. `dataset` is its name everywhere
 * (page, metrics labels, ingest_runs.dataset): the source id for a publisher dataset, whose run
 * is fixed; `source:run` for a source outside the connectors' catalogue or in another run (the
 * demo generator writes one source for several runs).
 */
export const DatasetKey = z.object({ market: MarketId, dataset: z.string(), source: z.string(), run: MarketRun })
export type DatasetKey = z.infer<typeof DatasetKey>

export const QualityWindow = z.object({ from: Iso, to: Iso })

export const CompletenessPoint = z.object({
  intervalStart: Iso,
  received: Count.describe('distinct nodes with a price for the interval'),
  ratio: z.number().min(0).max(1).describe('received / expected nodes'),
})
export type CompletenessPoint = z.infer<typeof CompletenessPoint>

export const DatasetCompleteness = DatasetKey.extend({
  intervalMinutes: z.number().int().positive(),
  expectedNodes: Count.describe('distinct nodes the dataset delivered in the 7 days before the window end'),
  expectedIntervals: Count.describe("interval starts on the run's grid from the first to the last interval in the window"),
  deliveredIntervals: Count,
  ratio: z.number().min(0).max(1).describe('received node-intervals / (expected nodes x expected intervals)'),
  firstInterval: Iso,
  lastInterval: Iso,
  worstIntervals: z.array(CompletenessPoint).describe('delivered intervals below 100%, lowest first'),
})
export type DatasetCompleteness = z.infer<typeof DatasetCompleteness>

export const CompletenessSeries = DatasetKey.extend({
  intervalMinutes: z.number().int().positive(),
  expectedNodes: Count,
  points: z.array(CompletenessPoint).describe('every expected interval, missing ones with received 0'),
})
export type CompletenessSeries = z.infer<typeof CompletenessSeries>

export const CompletenessOutput = z.object({
  window: QualityWindow,
  datasets: z.array(DatasetCompleteness),
  series: CompletenessSeries.nullable(),
})
export type CompletenessOutput = z.infer<typeof CompletenessOutput>

export const GapRange = z.object({
  from: Iso.describe('start of the first missing interval'),
  to: Iso.describe('end of the last missing interval'),
  intervals: z.number().int().positive(),
})
export type GapRange = z.infer<typeof GapRange>

export const DatasetGaps = DatasetKey.extend({
  intervalMinutes: z.number().int().positive(),
  missingIntervals: Count,
  ranges: z.array(GapRange).describe('runs of consecutive missing intervals, latest first'),
  truncated: z.boolean().describe('more ranges than listed'),
})
export type DatasetGaps = z.infer<typeof DatasetGaps>

export const GapsOutput = z.object({ window: QualityWindow, datasets: z.array(DatasetGaps) })
export type GapsOutput = z.infer<typeof GapsOutput>

export const DatasetLateness = DatasetKey.extend({
  arrivals: Count.describe('distinct values that arrived (node, interval, LMP, publication time)'),
  late: Count.describe('arrivals first stored more than 5 minutes after max(interval end, published at)'),
  maxDelaySeconds: z.number().nullable().describe('longest delay past that deadline'),
})
export type DatasetLateness = z.infer<typeof DatasetLateness>

export const LateOutput = z.object({ window: QualityWindow, datasets: z.array(DatasetLateness) })
export type LateOutput = z.infer<typeof LateOutput>

export const RevisionExample = z.object({
  node: z.string(),
  intervalStart: Iso,
  oldLmp: z.number().describe('the value that arrived first'),
  newLmp: z.number().describe('the value that arrived last'),
  values: z.number().int().min(2).describe('distinct LMPs that arrived'),
})
export type RevisionExample = z.infer<typeof RevisionExample>

export const DatasetRevisions = DatasetKey.extend({
  revised: Count.describe('intervals (node, interval) that arrived with more than one distinct LMP'),
  examples: z.array(RevisionExample).describe('the latest revised intervals'),
})
export type DatasetRevisions = z.infer<typeof DatasetRevisions>

export const RevisionsOutput = z.object({ window: QualityWindow, datasets: z.array(DatasetRevisions) })
export type RevisionsOutput = z.infer<typeof RevisionsOutput>

export const IngestStatus = z.enum(['ok', 'partial', 'no-data', 'failed'])
export type IngestStatus = z.infer<typeof IngestStatus>

export const IngestRunSummary = z.object({
  status: z.string().describe('ok | partial | no-data | failed'),
  file: z.string(),
  startedAt: Iso,
  finishedAt: Iso,
  records: Count,
  issues: Count,
  newNodes: Count,
  error: z.string().nullable(),
})
export type IngestRunSummary = z.infer<typeof IngestRunSummary>

export const IngestActivity = z.object({
  lastRun: IngestRunSummary.nullable().describe('the latest run started in the 7 days before now'),
  lastFailure: z.object({ finishedAt: Iso, error: z.string().nullable() }).nullable().describe("the latest 'failed' run in those 7 days"),
  runs24h: z.object({ ok: Count, partial: Count, 'no-data': Count, failed: Count }),
  records24h: Count,
  issues24h: Count,
})
export type IngestActivity = z.infer<typeof IngestActivity>

export const FreshnessInfo = z.object({
  lastIngestedAt: Iso.nullable().describe('when the newest record was stored'),
  ageSeconds: z.number().nullable().describe('now - lastIngestedAt'),
  measuredFrom: z.enum(['arrivals', 'prices']).nullable().describe('price_arrivals, or prices for data stored without the consumer'),
  lastIntervalEnd: Iso.nullable(),
  expectedThrough: Iso.nullable().describe('end of the intervals the publisher should have out, less the grace; null when unknown'),
  stale: z.boolean().nullable().describe('lastIntervalEnd before expectedThrough; null when no expectation is known'),
})
export type FreshnessInfo = z.infer<typeof FreshnessInfo>

export const DatasetFreshness = DatasetKey.extend({
  run: MarketRun.nullable(),
  ...FreshnessInfo.shape,
  ingest: IngestActivity,
})
export type DatasetFreshness = z.infer<typeof DatasetFreshness>

export const FreshnessOutput = z.object({ now: Iso, datasets: z.array(DatasetFreshness) })
export type FreshnessOutput = z.infer<typeof FreshnessOutput>

export const DatasetHealth = z.object({
  market: MarketId,
  dataset: z.string(),
  source: z.string(),
  run: MarketRun.nullable(),
  completeness: DatasetCompleteness.omit({ market: true, dataset: true, source: true, run: true }).nullable()
    .describe('null: no interval of the dataset in the window'),
  gaps: DatasetGaps.omit({ market: true, dataset: true, source: true, run: true }).nullable(),
  late: DatasetLateness.omit({ market: true, dataset: true, source: true, run: true }),
  revisions: DatasetRevisions.omit({ market: true, dataset: true, source: true, run: true }),
  freshness: FreshnessInfo,
  ingest: IngestActivity,
})
export type DatasetHealth = z.infer<typeof DatasetHealth>

export const DataHealth = z.object({
  generatedAt: Iso,
  window: QualityWindow,
  freshnessTargetSeconds: z.number(),
  markets: z.array(z.object({ market: MarketId, datasets: z.array(DatasetHealth) })),
  series: CompletenessSeries.nullable(),
})
export type DataHealth = z.infer<typeof DataHealth>
