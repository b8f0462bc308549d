import { Kafka, logLevel } from 'kafkajs'
import { applyTopicChanges, describeTopics, desiredTopics, planTopicChanges, topicCount, type TopicAction } from '../adapters/bus/topics.ts'
import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { stderr, stdout } from './output.ts'

export const TOPICS_HELP = `Usage:
  npx carbon topics create [--partitions <n>] [--replication-factor <n>]
      creates every Kafka topic the platform uses at KAFKA_BROKERS, with its retention and
      clean-up policy; a topic that exists gets more partitions if asked (never fewer) and the
      catalogue's configs; safe to run again (the Helm chart runs it before every upgrade)
      --partitions <n>          partitions of the work topics (default 12; dead letters and
                                jobs.progress at most 3)
      --replication-factor <n>  copies of each partition (default 3; min.insync.replicas 2 from 3)`

export type TopicsArgs = { action?: string; partitions?: string; replicationFactor?: string }

const DEFAULT_PARTITIONS = 12
const DEFAULT_REPLICATION = 3

/** `carbon topics create`: makes the cluster at KAFKA_BROKERS hold the catalogue's topics. */
export async function runTopicsCommand(env: Env, log: Logger, args: TopicsArgs): Promise<number> {
  if (args.action !== 'create') throw AppError.badRequest(`${args.action ? `unknown topics action "${args.action}"` : 'topics needs an action'}\n\n${TOPICS_HELP}`)
  if (!env.KAFKA_BROKERS) throw AppError.badRequest('topics create needs KAFKA_BROKERS (the embedded in-process bus has no topics to create)')
  const options = {
    partitions: topicCount('partitions', args.partitions, DEFAULT_PARTITIONS, 1_000),
    replicationFactor: topicCount('replication-factor', args.replicationFactor, DEFAULT_REPLICATION, 10),
  }
  const brokers = env.KAFKA_BROKERS.split(',')
  const admin = new Kafka({ clientId: 'carbon-topics', brokers, logLevel: logLevel.NOTHING }).admin()
  try {
    await admin.connect()
  } catch (error) {
    throw new AppError('UNAVAILABLE', `cannot reach Kafka at ${brokers.join(', ')}: ${(error as Error).message}`, { cause: error })
  }
  try {
    const desired = desiredTopics(options)
    const existing = await kafkaStep('read the topics', () => describeTopics(admin, desired.map((d) => d.topic)))
    const actions = planTopicChanges(desired, existing)
    await stderr().write(`Kafka at ${brokers.join(', ')}: ${actions.filter((a) => a.kind !== 'unchanged').length} change(s) to make\n`)
    await kafkaStep('apply the topic changes', () => applyTopicChanges(admin, actions))
    for (const action of actions) await stdout().write(`${describeAction(action)}\n`)
    log.info({ topics: actions.map((a) => ({ topic: a.spec.topic, action: a.kind })) }, 'kafka topics ensured')
    return 0
  } finally {
    await admin.disconnect()
  }
}

/** Runs one admin step; a refusal names the step and Kafka's own message. */
async function kafkaStep<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    throw new AppError('UNAVAILABLE', `Kafka could not ${what}: ${(error as Error).message}`, { cause: error })
  }
}

function describeAction(action: TopicAction): string {
  const { topic, partitions, replicationFactor, config } = action.spec
  const head = `${topic.padEnd(18)} ${String(partitions).padStart(4)} partitions x${replicationFactor}  ${config['cleanup.policy']}, retention ${Number(config['retention.ms']) / 3_600_000} h`
  switch (action.kind) {
    case 'create':
      return `${head}  created`
    case 'add-partitions':
      return `${head}  partitions ${action.from} -> ${partitions}`
    case 'set-config':
      return `${head}  config set: ${action.changed.join(', ')}`
    case 'keep-more-partitions':
      return `${head}  has ${action.existing} partitions (more than asked; Kafka cannot remove partitions)`
    case 'unchanged':
      return `${head}  unchanged`
  }
}
