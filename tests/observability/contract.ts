import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { parse } from 'yaml'

/**
 * What the dashboards and the alert rules may read: the platform's pinned metric contract (the
 * metric names and labels every process exports, issue 14), prom-client's default metrics,
 * Prometheus's own `up`, and the recording rules of chart/files/alerts/carbon.rules.yml. Shared
 * by the dashboards and alerts tests, with the PromQL metric-name extractor both use.
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const RULES_FILE = 'chart/files/alerts/carbon.rules.yml'
export const ALERTS_README = 'docs/operations.md'
export const RUNBOOK = 'https://github.com/254carbon/platform/blob/main/docs/operations.md'

type MetricType = 'counter' | 'gauge' | 'histogram'
type Contract = Record<string, { type: MetricType; labels: readonly string[] }>

/** The pinned contract (common to every helper of issue 14): name -> type and labels. */
export const PINNED_METRICS: Contract = {
  carbon_ingest_requests_total: { type: 'counter', labels: ['market', 'dataset', 'status'] },
  carbon_ingest_records_total: { type: 'counter', labels: ['market', 'dataset'] },
  carbon_ingest_issues_total: { type: 'counter', labels: ['market', 'dataset'] },
  carbon_ingest_fetch_seconds: { type: 'histogram', labels: ['market', 'dataset'] },
  carbon_ingest_last_success_timestamp_seconds: { type: 'gauge', labels: ['market', 'dataset'] },
  carbon_consumer_records_total: { type: 'counter', labels: ['outcome'] },
  carbon_consumer_batch_seconds: { type: 'histogram', labels: [] },
  carbon_stream_latency_seconds: { type: 'histogram', labels: ['stage'] },
  carbon_stream_subscribers: { type: 'gauge', labels: [] },
  carbon_stream_queued_prices: { type: 'gauge', labels: [] },
  carbon_stream_skipped_total: { type: 'counter', labels: [] },
  carbon_stream_ring_prices: { type: 'gauge', labels: [] },
  carbon_data_completeness_ratio: { type: 'gauge', labels: ['market', 'dataset'] },
  carbon_data_freshness_seconds: { type: 'gauge', labels: ['market', 'dataset'] },
  carbon_build_info: { type: 'gauge', labels: ['version', 'revision', 'command'] },
  carbon_http_requests_total: { type: 'counter', labels: ['method', 'route', 'code'] },
  carbon_http_request_duration_seconds: { type: 'histogram', labels: ['method', 'route'] },
  carbon_data_requests_total: { type: 'counter', labels: ['market', 'channel', 'outcome'] },
  carbon_data_request_duration_seconds: { type: 'histogram', labels: ['market', 'channel'] },
  carbon_bus_consumer_lag_messages: { type: 'gauge', labels: ['topic', 'group'] },
  carbon_dead_letters_total: { type: 'counter', labels: ['topic', 'kind'] },
  carbon_jobs_total: { type: 'counter', labels: ['kind', 'outcome'] },
  carbon_job_duration_seconds: { type: 'histogram', labels: ['kind'] },
  carbon_store_up: { type: 'gauge', labels: ['store'] },
}

/** The series names a metric is exposed as (a histogram: _bucket, _sum, _count). */
function seriesNames(name: string, type: MetricType): string[] {
  return type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name]
}

/** prom-client's default process_* and nodejs_* metrics, as this prom-client version registers them. */
export async function defaultMetricNames(): Promise<string[]> {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const metrics = await registry.getMetricsAsJSON()
  return metrics.flatMap((m) => seriesNames(m.name, String(m.type) as MetricType))
}

export type Rule = { record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

export function loadRules(): Rule[] {
  const doc = parse(readFileSync(path.join(repoRoot, RULES_FILE), 'utf8')) as { groups: { name: string; rules: Rule[] }[] }
  return doc.groups.flatMap((g) => g.rules)
}

/** Recording rules: name -> whether the recorded series keep a `market` label (aggregated by it). */
export function recordedMetrics(rules: Rule[] = loadRules()): Map<string, { market: boolean }> {
  return new Map(rules.filter((r) => r.record).map((r) => [r.record!, { market: /\bby\s*\([^)]*\bmarket\b/.test(r.expr) }]))
}

/** Every series name a dashboard or a rule may read. */
export async function allowedMetricNames(): Promise<Set<string>> {
  return new Set([
    ...Object.entries(PINNED_METRICS).flatMap(([name, m]) => seriesNames(name, m.type)),
    ...(await defaultMetricNames()),
    'up',
    ...recordedMetrics().keys(),
  ])
}

/** Series names that carry a `market` label: pinned metrics with one and recordings by market. */
export function marketLabelled(): Set<string> {
  const pinned = Object.entries(PINNED_METRICS)
    .filter(([, m]) => m.labels.includes('market'))
    .flatMap(([name, m]) => seriesNames(name, m.type))
  const recorded = [...recordedMetrics()].filter(([, r]) => r.market).map(([name]) => name)
  return new Set([...pinned, ...recorded])
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'Inf', 'NaN', 'inf', 'nan'])

/**
 * The metric names a PromQL expression reads. Strings, label matchers, ranges, grouping label
 * lists and Grafana variables are removed first; what remains that is an identifier and not a
 * function call (followed by "(") or a keyword is a metric name.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
  const names = new Set<string>()
  for (const m of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1]!)) continue
    names.add(m[1]!)
  }
  return [...names]
}

/** Each selector of `name` in the expression, with its label matchers ('' when it has none). */
export function selectorsOf(expr: string, name: string): string[] {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return [...expr.matchAll(new RegExp(`(?<![\\w:])${escaped}(?![\\w:])\\s*(\\{[^}]*\\})?`, 'g'))].map((m) => m[1] ?? '')
}
