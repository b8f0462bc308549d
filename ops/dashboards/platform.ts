import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { STREAM_AIM_SECONDS, STREAM_GATE_SECONDS } from './market.ts'
import { COLORS, dashboard, lowerBound, type Section, stat, table, timeseries, upDownMapping, upperBounds, withSections } from './panels.ts'

/**
 * The platform dashboard: availability against the 99.9 % SLO and its error budget, HTTP by
 * route, the stores, background jobs, the live stream, the bus, and each process's CPU, memory
 * and event loop, plus the builds running. The burn-rate series are the recording rules of
 * chart/files/alerts/carbon.rules.yml (carbon:http_errors:ratio_rate*), so the panels show what
 * the alerts read.
 */

export const PLATFORM_DASHBOARD_UID = 'carbon-platform'

/** Availability objective of the web process's HTTP requests. */
export const SLO_TARGET = 0.999
const ERROR_BUDGET = 1 - SLO_TARGET

/**
 * Requests that count for the SLO: everything but probes and scrapes (a failing /readyz is the
 * store alerts' business; scrapes would dilute the ratio). The same selector as the recording rules.
 */
const SLI = 'route!~"/healthz|/readyz|/metrics"'
const CARBON_JOBS = 'job=~"carbon-.*"'

function availabilityRow(): Section {
  const requests = (extra: string) => `sum(increase(carbon_http_requests_total{${SLI}${extra}}[$__range]))`
  return {
    title: `Availability (SLO ${SLO_TARGET * 100} %)`,
    panels: [
      stat({
        title: 'Availability over the time range',
        description: 'Share of HTTP requests answered without a 5xx over the dashboard\'s time range (probes and scrapes excluded). SLO 99.9 %.',
        unit: 'percentunit',
        decimals: 3,
        graph: false,
        queries: [{ expr: `1 - ((${requests(', code=~"5.."')} or vector(0)) / ${requests('')})`, instant: true }],
        steps: lowerBound(SLO_TARGET),
      }),
      stat({
        title: 'Web targets up over the time range',
        description: 'Share of scrapes of the web pods that succeeded over the time range (Prometheus `up`).',
        unit: 'percentunit',
        decimals: 3,
        graph: false,
        queries: [{ expr: 'avg(avg_over_time(up{job="carbon-web"}[$__range]))', instant: true }],
        steps: lowerBound(SLO_TARGET),
      }),
      stat({
        title: 'Error budget remaining (30 days)',
        description: 'Share of the 30-day error budget (0.1 % of requests) not yet spent: 1 - error ratio over 30 days / 0.001.',
        unit: 'percentunit',
        decimals: 1,
        queries: [{ expr: `1 - max(carbon:http_errors:ratio_rate30d) / ${ERROR_BUDGET.toFixed(3)}` }],
        steps: [
          { value: null, color: COLORS.bad },
          { value: 0.25, color: COLORS.warn },
          { value: 0.5, color: COLORS.ok },
        ],
      }),
      stat({
        title: 'Targets up now',
        description: 'Scraped Carbon pods answering right now, by job.',
        unit: 'short',
        graph: false,
        queries: [{ expr: `sum by (job) (up{${CARBON_JOBS}})`, legend: '{{job}}', instant: true }],
        steps: [
          { value: null, color: COLORS.bad },
          { value: 1, color: COLORS.ok },
        ],
      }),
      timeseries({
        title: 'Error budget burn rate',
        description:
          'Error ratio divided by the budget (0.1 %): 1 spends the budget in exactly 30 days. Pages at 14.4 (1 h and 5 min) and 6 (6 h and 30 min); a ticket at 1 (3 days and 6 h).',
        unit: 'none',
        axisLabel: 'x budget',
        span: 24,
        queries: ['5m', '1h', '6h', '3d'].map((w) => ({ expr: `max(carbon:http_errors:ratio_rate${w}) / ${ERROR_BUDGET.toFixed(3)}`, legend: w })),
        steps: [
          { value: null, color: COLORS.ok },
          { value: 1, color: COLORS.aim },
          { value: 6, color: COLORS.warn },
          { value: 14.4, color: COLORS.bad },
        ],
        thresholdLines: true,
        min: 0,
      }),
    ],
  }
}

function httpRow(): Section {
  return {
    title: 'HTTP',
    panels: [
      timeseries({
        title: 'Requests by route',
        description: 'HTTP requests per second by route template.',
        unit: 'reqps',
        queries: [{ expr: 'sum by (route) (rate(carbon_http_requests_total[$__rate_interval]))', legend: '{{route}}' }],
        min: 0,
      }),
      timeseries({
        title: '5xx responses by route',
        description: 'HTTP 5xx answers per second by route template and code.',
        unit: 'reqps',
        queries: [{ expr: 'sum by (route, code) (rate(carbon_http_requests_total{code=~"5.."}[$__rate_interval]))', legend: '{{route}} {{code}}' }],
        steps: upperBounds(0.01, 0.1),
        min: 0,
      }),
      timeseries({
        title: 'Latency p95 by route',
        description: 'HTTP request duration, 95th percentile, by route template.',
        unit: 's',
        span: 24,
        queries: [
          {
            expr: 'histogram_quantile(0.95, sum by (route, le) (rate(carbon_http_request_duration_seconds_bucket[$__rate_interval])))',
            legend: '{{route}}',
          },
        ],
        steps: upperBounds(1, 2.5),
        thresholdLines: true,
        min: 0,
      }),
    ],
  }
}

function storesRow(): Section {
  return {
    title: 'Stores',
    panels: [
      stat({
        title: 'Stores up',
        description: 'Whether every process reaches each store (the lowest answer across processes; scrape-time check, cached 15 s).',
        unit: 'none',
        span: 12,
        graph: false,
        queries: [{ expr: 'min by (store) (carbon_store_up)', legend: '{{store}}', instant: true }],
        mappings: upDownMapping(),
        steps: lowerBound(1),
      }),
      timeseries({
        title: 'Store reachability by process',
        description: 'carbon_store_up per store and job: 1 reachable, 0 not.',
        unit: 'none',
        queries: [{ expr: 'min by (store, job) (carbon_store_up)', legend: '{{store}} {{job}}' }],
        min: 0,
        max: 1,
      }),
    ],
  }
}

function jobsRow(): Section {
  return {
    title: 'Background jobs',
    panels: [
      timeseries({
        title: 'Jobs finished per hour',
        description: 'Curve builds, scenario runs, exports and reports finished in the last hour, by kind and outcome.',
        unit: 'short',
        queries: [{ expr: 'sum by (kind, outcome) (increase(carbon_jobs_total[1h]))', legend: '{{kind}} {{outcome}}' }],
        min: 0,
      }),
      timeseries({
        title: 'Job duration p95',
        description: 'How long jobs took, 95th percentile over 30 minutes, by kind.',
        unit: 's',
        queries: [{ expr: 'histogram_quantile(0.95, sum by (kind, le) (rate(carbon_job_duration_seconds_bucket[30m])))', legend: '{{kind}}' }],
        min: 0,
      }),
    ],
  }
}

function streamRow(): Section {
  return {
    title: 'Live stream',
    panels: [
      timeseries({
        title: 'Latency p95 by stage',
        description: `Live price latency per stage, 95th percentile. Gate: ingest_to_send p95 at most ${STREAM_GATE_SECONDS} s, aim ${STREAM_AIM_SECONDS} s.`,
        unit: 's',
        queries: [
          {
            expr: 'histogram_quantile(0.95, sum by (stage, le) (rate(carbon_stream_latency_seconds_bucket[$__rate_interval])))',
            legend: '{{stage}}',
          },
        ],
        steps: upperBounds(STREAM_AIM_SECONDS, STREAM_GATE_SECONDS),
        thresholdLines: true,
        min: 0,
      }),
      timeseries({
        title: 'Subscribers',
        description: 'Open live stream subscriptions, by web pod.',
        unit: 'short',
        queries: [{ expr: 'sum by (instance) (carbon_stream_subscribers)', legend: '{{instance}}' }],
        min: 0,
      }),
      timeseries({
        title: 'Queued prices',
        description: 'Prices waiting in the subscribers\' queues, by web pod.',
        unit: 'short',
        queries: [{ expr: 'sum by (instance) (carbon_stream_queued_prices)', legend: '{{instance}}' }],
        min: 0,
      }),
      timeseries({
        title: 'Skipped updates',
        description: 'Intermediate price updates dropped for subscribers that fell behind, per second.',
        unit: 'short',
        axisLabel: 'prices/s',
        queries: [{ expr: 'sum by (instance) (rate(carbon_stream_skipped_total[$__rate_interval]))', legend: '{{instance}}' }],
        steps: upperBounds(1, 100),
        min: 0,
      }),
    ],
  }
}

function busRow(): Section {
  return {
    title: 'Bus',
    panels: [
      timeseries({
        title: 'Consumer lag',
        description: 'Messages not yet handled, by topic and consumer group.',
        unit: 'short',
        queries: [{ expr: 'max by (topic, group) (carbon_bus_consumer_lag_messages)', legend: '{{topic}} {{group}}' }],
        min: 0,
      }),
      timeseries({
        title: 'Dead letters per 15 min',
        description: 'Dead letters stored in the last 15 minutes, by topic and kind.',
        unit: 'short',
        bars: true,
        queries: [{ expr: 'sum by (topic, kind) (increase(carbon_dead_letters_total[15m]))', legend: '{{topic}} {{kind}}' }],
        steps: upperBounds(1, 1000),
        min: 0,
      }),
      timeseries({
        title: 'Prices consumer',
        description: 'Price messages handled by the prices consumer per second: stored or dead-lettered.',
        unit: 'short',
        axisLabel: 'messages/s',
        queries: [{ expr: 'sum by (outcome) (rate(carbon_consumer_records_total[$__rate_interval]))', legend: '{{outcome}}' }],
        seriesColors: { stored: COLORS.ok, dead_lettered: COLORS.bad },
        min: 0,
      }),
      timeseries({
        title: 'Prices consumer batch p95',
        description: 'Time the prices consumer spent on one batch, 95th percentile.',
        unit: 's',
        queries: [{ expr: 'histogram_quantile(0.95, sum by (le) (rate(carbon_consumer_batch_seconds_bucket[$__rate_interval])))', legend: 'p95' }],
        min: 0,
      }),
    ],
  }
}

function processesRow(): Section {
  return {
    title: 'Processes',
    panels: [
      timeseries({
        title: 'CPU',
        description: 'CPU used per pod (1 = one core), by job.',
        unit: 'percentunit',
        span: 8,
        queries: [{ expr: `sum by (job, instance) (rate(process_cpu_seconds_total{${CARBON_JOBS}}[$__rate_interval]))`, legend: '{{job}} {{instance}}' }],
        min: 0,
      }),
      timeseries({
        title: 'Memory (resident)',
        description: 'Resident memory per pod, by job.',
        unit: 'bytes',
        span: 8,
        queries: [{ expr: `max by (job, instance) (process_resident_memory_bytes{${CARBON_JOBS}})`, legend: '{{job}} {{instance}}' }],
        min: 0,
      }),
      timeseries({
        title: 'Event loop lag p99',
        description: 'Node.js event loop delay, 99th percentile, per pod: a blocked loop delays every request and message.',
        unit: 's',
        span: 8,
        queries: [{ expr: `max by (job, instance) (nodejs_eventloop_lag_p99_seconds{${CARBON_JOBS}})`, legend: '{{job}} {{instance}}' }],
        steps: upperBounds(0.1, 0.5),
        thresholdLines: true,
        min: 0,
      }),
      table({
        title: 'Builds running',
        description: 'Pods per command, version and revision (carbon_build_info): more than one version per command means a rollout is in progress.',
        unit: 'short',
        queries: [{ expr: 'count by (command, version, revision) (carbon_build_info)', instant: true, table: true }],
      }),
    ],
  }
}

export function platformDashboard(): Dashboard {
  return withSections(
    dashboard(
      PLATFORM_DASHBOARD_UID,
      'Carbon / Platform',
      'Availability and error budget (SLO 99.9 %), HTTP, stores, jobs, live stream, bus, processes and builds. Generated by ops/dashboards (npm run dashboards).',
    ),
    [availabilityRow(), httpRow(), storesRow(), jobsRow(), streamRow(), busRow(), processesRow()],
  )
}
