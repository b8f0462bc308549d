// Every worker thread's entry while the TypeScript sources run (server/paths.ts threadEntry):
// registers tsx's loader, as bin/carbon.js does for the CLI, then imports the thread's module
// named by the last argument, so a thread runs the same sources in `carbon serve`, the sidecars
// and the tests.
import { pathToFileURL } from 'node:url'
import { register } from 'tsx/esm/api'

register()
await import(pathToFileURL(process.argv.at(-1)).href)
