import kafkajs, { type Admin } from 'kafkajs'
import { AppError } from '../../errors.ts'
import { TOPICS, type KnownTopic } from './types.ts'

/**
 * The Kafka topics the platform uses, how each is kept, and the one routine that makes a cluster
 * match them (`carbon topics create`, the chart's pre-install/pre-upgrade hook Job). The bus never
 * creates topics itself (kafka.ts): a topic auto-created by a broker gets the broker's defaults.
 *
 * Partitions: the work topics get the requested count (a consumer group scales out to one member
 * per partition); dead-letter topics and jobs.progress, read by nobody in bulk, get at most 3.
 * Retention: prices.normalized keeps 7 days (live stream resume reads ClickHouse after the ring,
 * so the bus needs only enough to survive a long consumer outage); job requests 7 days; dead
 * letters 30 days (each is also stored in PostgreSQL before it is published); jobs.progress is
 * compacted per job id and dropped after a day.
 */

// kafkajs is CommonJS: Node's named-export detection misses this enum.
const { ConfigResourceTypes } = kafkajs

const DAY_MS = 24 * 60 * 60 * 1000

type Keeping = 'work' | 'dead-letters' | 'progress'

const KEEPING: Record<Keeping, { retentionMs: number; cleanupPolicy: string; maxPartitions: number | null }> = {
  work: { retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete', maxPartitions: null },
  'dead-letters': { retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete', maxPartitions: 3 },
  progress: { retentionMs: DAY_MS, cleanupPolicy: 'compact,delete', maxPartitions: 3 },
}

/** How each topic is kept (every known topic appears exactly once: checked by the unit test). */
export const TOPIC_KEEPING: Record<KnownTopic, Keeping> = {
  [TOPICS.pricesNormalized]: 'work',
  [TOPICS.pricesRaw]: 'work',
  [TOPICS.pricesDlq]: 'dead-letters',
  [TOPICS.seriesNormalized]: 'work',
  [TOPICS.seriesRaw]: 'work',
  [TOPICS.seriesDlq]: 'dead-letters',
  [TOPICS.curvesBuild]: 'work',
  [TOPICS.curvesDlq]: 'dead-letters',
  [TOPICS.scenariosRun]: 'work',
  [TOPICS.scenariosDlq]: 'dead-letters',
  [TOPICS.exportsRun]: 'work',
  [TOPICS.exportsDlq]: 'dead-letters',
  [TOPICS.reportsRender]: 'work',
  [TOPICS.reportsDlq]: 'dead-letters',
  [TOPICS.jobsProgress]: 'progress',
}

export type TopicSpec = {
  topic: KnownTopic
  partitions: number
  replicationFactor: number
  /** Topic-level configs set at creation and kept by later runs (cleanup.policy, retention.ms, min.insync.replicas). */
  config: Record<string, string>
}

export type TopicOptions = { partitions: number; replicationFactor: number }

/** The topics as they should be for a cluster with these options. */
export function desiredTopics(options: TopicOptions): TopicSpec[] {
  return (Object.keys(TOPIC_KEEPING) as KnownTopic[]).map((topic) => {
    const keeping = KEEPING[TOPIC_KEEPING[topic]]
    const config: Record<string, string> = { 'cleanup.policy': keeping.cleanupPolicy, 'retention.ms': String(keeping.retentionMs) }
    // With acks=all (the producer's setting), two in-sync copies before a write counts as done.
    if (options.replicationFactor >= 3) config['min.insync.replicas'] = '2'
    const partitions = keeping.maxPartitions === null ? options.partitions : Math.min(options.partitions, keeping.maxPartitions)
    return { topic, partitions, replicationFactor: options.replicationFactor, config }
  })
}

export type ExistingTopic = { partitions: number; config: Record<string, string> }

export type TopicAction =
  | { kind: 'create'; spec: TopicSpec }
  | { kind: 'add-partitions'; spec: TopicSpec; from: number }
  | { kind: 'set-config'; spec: TopicSpec; changed: string[] }
  | { kind: 'keep-more-partitions'; spec: TopicSpec; existing: number }
  | { kind: 'unchanged'; spec: TopicSpec }

/**
 * What to do per topic given what the cluster has. Partitions only grow (Kafka cannot shrink a
 * topic; a topic with more than asked keeps them, reported). A config that differs is set; one the
 * catalogue does not name is left alone.
 */
export function planTopicChanges(desired: readonly TopicSpec[], existing: ReadonlyMap<string, ExistingTopic>): TopicAction[] {
  const actions: TopicAction[] = []
  for (const spec of desired) {
    const current = existing.get(spec.topic)
    if (!current) {
      actions.push({ kind: 'create', spec })
      continue
    }
    const changed = Object.entries(spec.config)
      .filter(([name, value]) => current.config[name] !== value)
      .map(([name]) => name)
    if (current.partitions < spec.partitions) actions.push({ kind: 'add-partitions', spec, from: current.partitions })
    if (changed.length > 0) actions.push({ kind: 'set-config', spec, changed })
    if (current.partitions > spec.partitions) actions.push({ kind: 'keep-more-partitions', spec, existing: current.partitions })
    if (current.partitions === spec.partitions && changed.length === 0) actions.push({ kind: 'unchanged', spec })
  }
  return actions
}

/** Partition counts and the catalogue's configs of the topics that exist among `topics`. */
export async function describeTopics(admin: Admin, topics: readonly string[]): Promise<Map<string, ExistingTopic>> {
  const names = new Set(await admin.listTopics())
  const present = topics.filter((t) => names.has(t))
  const out = new Map<string, ExistingTopic>()
  if (present.length === 0) return out
  const metadata = await admin.fetchTopicMetadata({ topics: present })
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  })
  for (const topic of metadata.topics) {
    const resource = described.resources.find((r) => r.resourceName === topic.name)
    const config = Object.fromEntries((resource?.configEntries ?? []).map((e) => [e.configName, e.configValue]))
    out.set(topic.name, { partitions: topic.partitions.length, config })
  }
  return out
}

/** Carries out the plan: creates, grows and configures topics, in that order. */
export async function applyTopicChanges(admin: Admin, actions: readonly TopicAction[]): Promise<void> {
  const creates = actions.flatMap((a) => (a.kind === 'create' ? [a.spec] : []))
  if (creates.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: creates.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
        configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
      })),
    })
  }
  const grows = actions.flatMap((a) => (a.kind === 'add-partitions' ? [a.spec] : []))
  if (grows.length > 0) await admin.createPartitions({ topicPartitions: grows.map((s) => ({ topic: s.topic, count: s.partitions })) })
  const configs = actions.flatMap((a) => (a.kind === 'set-config' ? [a] : []))
  for (const { spec } of configs) {
    // incrementalAlterConfigs is not in kafkajs 2.2: alterConfigs sets the catalogue's keys and
    // resets the topic's other dynamic configs to the broker defaults (documented in the runbook).
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.topic, configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })) }],
    })
  }
}

/** A positive integer option, or the default; a clear error names the option and value otherwise. */
export function topicCount(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > max) {
    throw AppError.badRequest(`--${name} must be a whole number from 1 to ${max}, got "${value}"`)
  }
  return n
}
