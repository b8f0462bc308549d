import { busContract } from './bus.contract.ts'
import { createInProcessBus } from './in-process.ts'

busContract('in-process', {
  open: (log, options) => createInProcessBus({ log, ...options }),
  closeCheckArgs: () => ['in-process'],
  quietMs: 50,
})
