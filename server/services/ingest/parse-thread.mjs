// The ingest's parse thread (parse.ts starts it): TypeScript through tsx's loader, as
// bin/carbon.js loads the CLI, so the thread runs the same sources in `carbon serve`, the
// ingest sidecar and the tests.
import { register } from 'tsx/esm/api'

register()
await import('./parse-thread.ts')
