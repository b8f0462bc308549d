import { describe, expect, it } from 'vitest'
import type { Env } from '../env.ts'
import { getLogger } from '../logger.ts'
import { runTopicsCommand } from './topics.ts'

const log = getLogger()
const withBrokers = (brokers: string | undefined) => ({ KAFKA_BROKERS: brokers }) as Env

describe('carbon topics', () => {
  it('refuses without an action, names an unknown one', async () => {
    await expect(runTopicsCommand(withBrokers('127.0.0.1:1'), log, {})).rejects.toThrow('topics needs an action')
    await expect(runTopicsCommand(withBrokers('127.0.0.1:1'), log, { action: 'delete' })).rejects.toThrow('unknown topics action "delete"')
  })

  it('refuses on the embedded bus, which has no topics', async () => {
    await expect(runTopicsCommand(withBrokers(undefined), log, { action: 'create' })).rejects.toThrow('topics create needs KAFKA_BROKERS')
  })

  it('names a bad option before reaching for Kafka', async () => {
    await expect(runTopicsCommand(withBrokers('127.0.0.1:1'), log, { action: 'create', partitions: 'many' })).rejects.toThrow(
      '--partitions must be a whole number from 1 to 1000, got "many"',
    )
  })
})
