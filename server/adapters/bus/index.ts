import type { Logger } from 'pino'
import type { Env } from '../../env.ts'
import { createInProcessBus } from './in-process.ts'
import { createKafkaBus } from './kafka.ts'
import type { Bus, DeadLetterSink } from './types.ts'

export * from './types.ts'
export { isTransientError } from './shared.ts'
export { createInProcessBus, type InProcessBusOptions } from './in-process.ts'
export { createKafkaBus, type KafkaBusOptions } from './kafka.ts'

/**
 * The bus chosen by configuration: Kafka when KAFKA_BROKERS is set (comma-separated host:port),
 * otherwise the in-process bus (embedded default; not durable, see in-process.ts).
 * `clientId` names the process to the brokers (e.g. 'carbon-ingest'); default 'carbon'.
 */
export function openBus(
  env: Pick<Env, 'KAFKA_BROKERS'> & Partial<Pick<Env, 'KAFKA_SESSION_TIMEOUT_MS' | 'BUS_MAX_RETRIES'>>,
  log: Logger,
  options: { clientId?: string; deadLetters?: DeadLetterSink } = {},
): Bus {
  const maxRetries = env.BUS_MAX_RETRIES
  const { deadLetters } = options
  if (env.KAFKA_BROKERS) {
    // Heartbeats go out between fetches: a fetch must not wait longer than a third of the session.
    const sessionTimeout = env.KAFKA_SESSION_TIMEOUT_MS ?? 30_000
    const brokers = env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean)
    log.info({ brokers, bus: 'kafka' }, 'message bus: Kafka')
    return createKafkaBus({ brokers, clientId: options.clientId ?? 'carbon', log, consumer: { sessionTimeout, maxWaitTimeInMs: Math.min(5_000, Math.floor(sessionTimeout / 3)) }, maxRetries, deadLetters })
  }
  log.info({ bus: 'in-process' }, 'message bus: in-process (embedded, not durable)')
  // Offsets from the clock, so they keep increasing across restarts (live-stream event ids).
  return createInProcessBus({ log, firstOffset: Date.now() * 1000, maxRetries, deadLetters })
}
