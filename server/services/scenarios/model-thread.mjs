// The scenario model's worker thread (compute.ts starts it): TypeScript through tsx's loader, as
// bin/carbon.js loads the CLI, so the thread runs the same sources in `carbon serve`, the sidecar
// and the tests.
import { register } from 'tsx/esm/api'

register()
await import('./model-thread.ts')
