import { logLevel, type LogEntry } from 'kafkajs'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { capturingLogger } from './bus.contract.ts'
import { createKafkaBus, kafkaLevelFor, pinoLogCreator } from './kafka.ts'
import { openBus } from './index.ts'

describe('kafkajs logs routed to pino', () => {
  it('maps each kafkajs level to the pino level of the same name, with namespace and fields', () => {
    const { log, entries } = capturingLogger()
    const write = pinoLogCreator(log)()
    const entry = (level: logLevel, message: string): LogEntry => ({
      namespace: 'Consumer',
      level,
      label: 'X',
      log: { timestamp: '2026-01-01T00:00:00.000Z', message, logger: 'kafkajs', groupId: 'g1' } as LogEntry['log'],
    })
    write(entry(logLevel.ERROR, 'crash'))
    write(entry(logLevel.WARN, 'slow'))
    write(entry(logLevel.INFO, 'joined'))
    write(entry(logLevel.DEBUG, 'fetch'))
    expect(entries.map((e) => [e.level, e.msg])).toEqual([
      [50, 'crash'],
      [40, 'slow'],
      [30, 'joined'],
      [20, 'fetch'],
    ])
    expect(entries[0]).toMatchObject({ namespace: 'Consumer', groupId: 'g1', kafkajs: true })
    expect(entries[0]).not.toHaveProperty('logger')
  })

  it('logs error responses of the protocol (retried or rejoined by kafkajs) at warn', () => {
    const { log, entries } = capturingLogger()
    pinoLogCreator(log)()({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 't', message: 'Response Heartbeat(key: 12, version: 3)', error: 'The group is rebalancing' } as LogEntry['log'],
    })
    expect(entries.map((e) => [e.level, e.msg, e.error])).toEqual([[40, 'Response Heartbeat(key: 12, version: 3)', 'The group is rebalancing']])
  })

  it('asks kafkajs only for the entries the pino logger keeps', () => {
    expect(kafkaLevelFor(pino({ level: 'debug' }))).toBe(logLevel.DEBUG)
    expect(kafkaLevelFor(pino({ level: 'info' }))).toBe(logLevel.INFO)
    expect(kafkaLevelFor(pino({ level: 'warn' }))).toBe(logLevel.WARN)
    expect(kafkaLevelFor(pino({ level: 'error' }))).toBe(logLevel.ERROR)
    expect(kafkaLevelFor(pino({ level: 'silent' }))).toBe(logLevel.NOTHING)
  })
})

describe('openBus', () => {
  it('chooses Kafka when KAFKA_BROKERS is set, the in-process bus otherwise', async () => {
    const log = pino({ level: 'silent' })
    const embedded = openBus({ KAFKA_BROKERS: undefined }, log)
    expect(embedded.kind).toBe('in-process')
    await embedded.close()
    // Creating the Kafka bus connects nothing until the first publish or subscribe.
    const kafka = openBus({ KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9093' }, log)
    expect(kafka.kind).toBe('kafka')
    await kafka.close()
  })

  it('refuses a Kafka bus without brokers', () => {
    expect(() => createKafkaBus({ brokers: [], clientId: 'x' })).toThrow(/broker/)
  })
})
