import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, found from this file's place (server/paths.ts) whether run by tsx or bundled. */
function findRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  return path.basename(here) === 'server' ? path.resolve(here, '..') : path.resolve(here, '../..')
}

export const repoRoot = findRoot()
