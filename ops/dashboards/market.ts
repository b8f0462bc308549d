import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import type { MarketId } from '@carbon/schemas'
import { COLORS, dashboard, lowerBound, type Section, stat, timeseries, upperBounds, withSections } from './panels.ts'

/**
 * One dashboard per market: what the market's data went through, from the publisher to the API.
 * Every query of a metric that carries a `market` label is filtered on this market; the live
 * stream, the bus and the dead letters have no market label, and their panels say "all markets".
 */

/** Freshness target (seconds since the newest record was stored) and the critical bound, as in the alerts. */
export const FRESHNESS_TARGET_SECONDS = 300
export const FRESHNESS_CRITICAL_SECONDS = 900
/** Completeness target over the data-health window. */
export const COMPLETENESS_TARGET = 0.995
/** The live stream's quality gate (p95 of ingest_to_send) and what we aim for: server/metrics.ts STREAM_LATENCY_TARGETS. */
export const STREAM_GATE_SECONDS = 5
export const STREAM_AIM_SECONDS = 2

export function marketDashboardUid(market: MarketId): string {
  return `carbon-market-${market.toLowerCase()}`
}

const INGEST_STATUS_COLORS = { ok: COLORS.ok, partial: COLORS.aim, 'no-data': COLORS.neutral, failed: COLORS.bad }

function ingestRow(m: string): Section {
  return {
    title: 'Ingest',
    panels: [
      timeseries({
        title: 'Prices ingested',
        description: 'Records the ingest published to prices.normalized, per second, by dataset.',
        unit: 'short',
        axisLabel: 'records/s',
        queries: [{ expr: `sum by (dataset) (rate(carbon_ingest_records_total{market="${m}"}[$__rate_interval]))`, legend: '{{dataset}}' }],
        min: 0,
      }),
      timeseries({
        title: 'Publisher requests by status',
        description: 'Requests to the publisher per second: ok, partial (some rows refused), no-data (not published yet), failed.',
        unit: 'reqps',
        stacked: true,
        queries: [{ expr: `sum by (status) (rate(carbon_ingest_requests_total{market="${m}"}[$__rate_interval]))`, legend: '{{status}}' }],
        seriesColors: INGEST_STATUS_COLORS,
        min: 0,
      }),
      timeseries({
        title: 'Publisher fetch latency p95',
        description: 'Time from the start of a publisher request to its last byte, retries included (95th percentile, by dataset).',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (dataset, le) (rate(carbon_ingest_fetch_seconds_bucket{market="${m}"}[$__rate_interval])))`,
            legend: '{{dataset}}',
          },
        ],
        min: 0,
      }),
      timeseries({
        title: 'Rows refused',
        description: 'Rows the ingest refused (dead-lettered on prices.dlq with their reason), per second, by dataset.',
        unit: 'short',
        axisLabel: 'rows/s',
        queries: [{ expr: `sum by (dataset) (rate(carbon_ingest_issues_total{market="${m}"}[$__rate_interval]))`, legend: '{{dataset}}' }],
        steps: upperBounds(0.01, 1),
        min: 0,
      }),
      stat({
        title: 'Since the last successful request',
        description: 'Time since the last publisher request that was not failed, by dataset.',
        unit: 's',
        span: 24,
        height: 4,
        graph: false,
        queries: [{ expr: `time() - max by (dataset) (carbon_ingest_last_success_timestamp_seconds{market="${m}"})`, legend: '{{dataset}}', instant: true }],
        steps: upperBounds(FRESHNESS_TARGET_SECONDS, FRESHNESS_CRITICAL_SECONDS),
      }),
    ],
  }
}

function qualityRow(m: string): Section {
  return {
    title: 'Data quality',
    panels: [
      timeseries({
        title: 'Freshness',
        description:
          'Seconds since each dataset\'s newest record was stored. Target 5 min; daily datasets (day-ahead, MISO market reports) ' +
          'are normally up to a day old: "Overdue" is what the alerts read.',
        unit: 's',
        queries: [{ expr: `max by (dataset) (carbon_data_freshness_seconds{market="${m}"})`, legend: '{{dataset}}' }],
        steps: upperBounds(FRESHNESS_TARGET_SECONDS, FRESHNESS_CRITICAL_SECONDS),
        thresholdLines: true,
        min: 0,
      }),
      timeseries({
        title: 'Completeness',
        description: 'Share of expected node-intervals received over the data-health window, by dataset (target 99.5 %).',
        unit: 'percentunit',
        queries: [{ expr: `min by (dataset) (carbon_data_completeness_ratio{market="${m}"})`, legend: '{{dataset}}' }],
        steps: lowerBound(COMPLETENESS_TARGET),
        thresholdLines: true,
        max: 1,
        decimals: 2,
      }),
      stat({
        title: 'Overdue',
        description:
          'How far past its usual publication gap each dataset is (carbon:data_freshness_overdue_seconds; 0 or less: on time). ' +
          'Warning from 5 min, critical from 15 min.',
        unit: 's',
        span: 24,
        height: 4,
        graph: false,
        queries: [{ expr: `clamp_min(carbon:data_freshness_overdue_seconds{market="${m}"}, 0)`, legend: '{{dataset}}', instant: true }],
        steps: upperBounds(FRESHNESS_TARGET_SECONDS, FRESHNESS_CRITICAL_SECONDS),
      }),
    ],
  }
}

function streamRow(): Section {
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (le) (rate(carbon_stream_latency_seconds_bucket{stage="ingest_to_send"}[$__rate_interval])))`
  return {
    title: 'Live stream (all markets)',
    panels: [
      timeseries({
        title: 'Live price latency, ingest to send (all markets)',
        description: `From the ingest's publish to the event leaving the subscription. Aim ${STREAM_AIM_SECONDS} s, gate: p95 at most ${STREAM_GATE_SECONDS} s.`,
        unit: 's',
        span: 24,
        queries: [
          { expr: quantile(0.5), legend: 'p50' },
          { expr: quantile(0.95), legend: 'p95' },
        ],
        steps: upperBounds(STREAM_AIM_SECONDS, STREAM_GATE_SECONDS),
        thresholdLines: true,
        min: 0,
      }),
    ],
  }
}

function apiRow(m: string): Section {
  return {
    title: 'API',
    panels: [
      timeseries({
        title: 'API data request latency',
        description: `Time to answer a data request of ${m} over the API (bearer tokens), p50 and p95.`,
        unit: 's',
        queries: [0.5, 0.95].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le) (rate(carbon_data_request_duration_seconds_bucket{market="${m}", channel="api"}[$__rate_interval])))`,
          legend: `p${q * 100}`,
        })),
        steps: upperBounds(1, 2.5),
        thresholdLines: true,
        min: 0,
      }),
      timeseries({
        title: 'API errors and denials',
        description: `Data requests of ${m} over the API that failed (error) or were refused by the entitlements (denied), per second.`,
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `sum by (outcome) (rate(carbon_data_requests_total{market="${m}", channel="api", outcome=~"error|denied"}[$__rate_interval]))`,
            legend: '{{outcome}}',
          },
        ],
        seriesColors: { error: COLORS.bad, denied: COLORS.warn },
        min: 0,
      }),
      timeseries({
        title: 'Data requests by channel',
        description: `Data requests of ${m} per second by channel (hub, api, downloads) and outcome.`,
        unit: 'reqps',
        span: 24,
        queries: [
          { expr: `sum by (channel, outcome) (rate(carbon_data_requests_total{market="${m}"}[$__rate_interval]))`, legend: '{{channel}} {{outcome}}' },
        ],
        min: 0,
      }),
    ],
  }
}

function pipelineRow(): Section {
  return {
    title: 'Pipeline (all markets)',
    panels: [
      timeseries({
        title: 'Consumer lag on prices (all markets)',
        description: 'Messages of prices.normalized not yet handled, by consumer group (the prices consumer and each web replica\'s fan-out).',
        unit: 'short',
        queries: [
          {
            expr: 'max by (topic, group) (carbon_bus_consumer_lag_messages{topic="prices.normalized"})',
            legend: '{{group}}',
          },
        ],
        steps: upperBounds(10_000, 50_000),
        min: 0,
      }),
      timeseries({
        title: 'Dead letters per 15 min (all markets)',
        description: 'Dead letters stored in the last 15 minutes, by topic (prices.dlq: refused rows, unusable files, invalid records).',
        unit: 'short',
        bars: true,
        queries: [{ expr: 'sum by (topic) (increase(carbon_dead_letters_total[15m]))', legend: '{{topic}}' }],
        steps: upperBounds(1, 1000),
        min: 0,
      }),
    ],
  }
}

export function marketDashboard(market: MarketId): Dashboard {
  return withSections(
    dashboard(
      marketDashboardUid(market),
      `Carbon / ${market}`,
      `${market} data from the publisher to the API: ingest, freshness and completeness, live stream, API, pipeline. Generated by ops/dashboards (npm run dashboards).`,
    ),
    [ingestRow(market), qualityRow(market), streamRow(), apiRow(market), pipelineRow()],
  )
}
