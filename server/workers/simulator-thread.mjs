// The embedded publisher simulator's worker thread (ingest.ts starts it): TypeScript through
// tsx's loader, as bin/carbon.js loads the CLI.
import { register } from 'tsx/esm/api'

register()
await import('./simulator-thread.ts')
