import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The repository root (in the image: /app): the nearest folder above this module holding
 * package.json and migrations/. It works wherever the module ends up: server/paths.ts under tsx,
 * build/server/index.js (the Remix bundle), dist/server/chunks/*.js (the compiled CLI).
 */
function findRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'migrations'))) return dir
    if (path.dirname(dir) === dir) return path.resolve(here, '..')
  }
}

export const repoRoot = findRoot()

/**
 * A worker thread's entry, from the repository root (not import.meta.url: the hub's server bundle
 * inlines the modules that start threads elsewhere). `source` is the thread's TypeScript module
 * (e.g. `server/services/ingest/parse-thread.ts`): where it exists, the thread starts through the
 * `.mjs` beside it, which registers tsx; else (the production image) the compiled thread
 * `dist/server/<name>.js` of `npm run build:server`.
 */
export function threadEntry(source: string): string {
  if (existsSync(path.join(repoRoot, source))) return path.join(repoRoot, source.replace(/\.ts$/, '.mjs'))
  return path.join(repoRoot, 'dist/server', `${path.basename(source, '.ts')}.js`)
}
