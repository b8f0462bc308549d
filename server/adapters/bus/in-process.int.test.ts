import { busContract } from './bus.contract.ts'
import { createInProcessBus } from './in-process.ts'

busContract('in-process', {
  open: (log) => createInProcessBus({ log }),
  closeCheckArgs: () => ['in-process'],
  quietMs: 50,
})
