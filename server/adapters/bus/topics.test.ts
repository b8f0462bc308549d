import { describe, expect, it } from 'vitest'
import { desiredTopics, planTopicChanges, topicCount, TOPIC_KEEPING, type ExistingTopic } from './topics.ts'
import { TOPICS } from './types.ts'

describe('the topic catalogue', () => {
  it('names every topic the platform uses, once', () => {
    expect(Object.keys(TOPIC_KEEPING).sort()).toEqual(Object.values(TOPICS).sort())
  })

  it('gives work topics the requested partitions and caps dead letters and progress at 3', () => {
    const byTopic = new Map(desiredTopics({ partitions: 12, replicationFactor: 3 }).map((t) => [t.topic, t]))
    expect(byTopic.get('prices.normalized')).toMatchObject({ partitions: 12, replicationFactor: 3, config: { 'cleanup.policy': 'delete', 'retention.ms': '604800000', 'min.insync.replicas': '2' } })
    expect(byTopic.get('prices.dlq')).toMatchObject({ partitions: 3, config: { 'retention.ms': String(30 * 86_400_000) } })
    expect(byTopic.get('jobs.progress')).toMatchObject({ partitions: 3, config: { 'cleanup.policy': 'compact,delete', 'retention.ms': '86400000' } })
  })

  it('asks no min.insync.replicas of a cluster with fewer than 3 copies, and never more partitions than asked', () => {
    const topics = desiredTopics({ partitions: 1, replicationFactor: 1 })
    expect(topics.every((t) => t.partitions === 1 && !('min.insync.replicas' in t.config))).toBe(true)
  })
})

describe('planTopicChanges', () => {
  const desired = desiredTopics({ partitions: 6, replicationFactor: 3 }).filter((t) => t.topic === 'prices.normalized' || t.topic === 'curves.build')
  const matching = (partitions: number, overrides: Record<string, string> = {}): ExistingTopic => ({
    partitions,
    config: { ...desired[0]!.config, ...overrides },
  })

  it('creates what is missing and leaves what matches', () => {
    const plan = planTopicChanges(desired, new Map([['prices.normalized', matching(6)]]))
    expect(plan.map((a) => [a.spec.topic, a.kind])).toEqual([
      ['prices.normalized', 'unchanged'],
      ['curves.build', 'create'],
    ])
  })

  it('grows partitions, never shrinks them, and sets configs that differ', () => {
    const plan = planTopicChanges(
      desired,
      new Map([
        ['prices.normalized', matching(4, { 'retention.ms': '1000' })],
        ['curves.build', matching(9)],
      ]),
    )
    expect(plan).toEqual([
      expect.objectContaining({ kind: 'add-partitions', from: 4 }),
      expect.objectContaining({ kind: 'set-config', changed: ['retention.ms'] }),
      expect.objectContaining({ kind: 'keep-more-partitions', existing: 9 }),
    ])
  })
})

describe('topicCount', () => {
  it('takes the default, a whole number in range, and names the option of a bad value', () => {
    expect(topicCount('partitions', undefined, 12, 1_000)).toBe(12)
    expect(topicCount('partitions', '24', 12, 1_000)).toBe(24)
    expect(() => topicCount('partitions', '0', 12, 1_000)).toThrow('--partitions must be a whole number from 1 to 1000, got "0"')
    expect(() => topicCount('replication-factor', '2.5', 3, 10)).toThrow('--replication-factor must be a whole number from 1 to 10, got "2.5"')
  })
})
