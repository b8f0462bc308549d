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
 * How to start a worker thread (new Worker(entry.filename, { argv: entry.argv, ... })), from the
 * repository root (not import.meta.url: the hub's server bundle inlines the modules that start
 * threads elsewhere). `source` is the thread's TypeScript module (e.g.
 * `server/services/ingest/parse-thread.ts`): where it exists, the thread starts through
 * `server/tsx-thread.mjs`, which registers tsx and imports it; else (the production image) it is
 * the compiled thread `dist/server/<name>.js` of `npm run build:server`.
 */
export function threadEntry(source: string): { filename: string; argv: string[] } {
  const module = path.join(repoRoot, source)
  if (existsSync(module)) return { filename: path.join(repoRoot, 'server/tsx-thread.mjs'), argv: [module] }
  return { filename: path.join(repoRoot, 'dist/server', `${path.basename(source, '.ts')}.js`), argv: [] }
}
