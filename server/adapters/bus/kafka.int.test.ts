import { afterAll, beforeAll } from 'vitest'
import { startKafkaMock, type KafkaMock } from '../../../tests/setup/kafka-mock.ts'
import { busContract } from './bus.contract.ts'
import { createKafkaBus } from './kafka.ts'

// One librdkafka mock cluster (3 brokers, via kcat) for this file; every test has its own topics.
let mock: KafkaMock
beforeAll(async () => {
  mock = await startKafkaMock()
})
afterAll(async () => {
  await mock?.stop()
})

busContract('kafka (kafkajs against the librdkafka mock cluster)', {
  open: (log, options) =>
    createKafkaBus({
      ...options,
      brokers: mock.brokers,
      clientId: 'bus-contract',
      log,
      // The mock's defaults-sized timeouts make a rebalance take ~30 s (STACK.md).
      consumer: { sessionTimeout: 3_000, maxWaitTimeInMs: 100 },
    }),
  closeCheckArgs: () => ['kafka', mock.brokers.join(',')],
  quietMs: 500,
  // Each group join costs ~3 s on the mock (its initial rebalance delay, not configurable through
  // kcat); run the tests side by side instead of one after the other.
  concurrent: true,
})
