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
