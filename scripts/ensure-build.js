// `npm start` runs this first: builds the Remix app, and the compiled command line (dist/server,
// which bin/carbon.js runs while it is current), when there is no build or a source file is newer
// than it, so a fresh clone needs only `npm install && npm start`.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const marker = path.join(root, 'build/server/index.js')

function newestMtime(entry) {
  const full = path.join(root, entry)
  if (!fs.existsSync(full)) return 0
  const stat = fs.statSync(full)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = 0
  for (const child of fs.readdirSync(full)) {
    if (child === 'node_modules' || child.startsWith('.')) continue
    newest = Math.max(newest, newestMtime(path.join(entry, child)))
  }
  return newest
}

const sources = ['app', 'server', 'packages', 'public', 'vite.config.ts', 'package.json']
const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0
const newest = Math.max(...sources.map(newestMtime))
if (built < newest) {
  process.stderr.write(built ? 'Sources changed since the last build; rebuilding the hub...\n' : 'Building the hub (first start)...\n')
  execFileSync(process.execPath, [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
}

const compiled = path.join(root, 'dist/server/cli.js')
const compiledAt = fs.existsSync(compiled) ? fs.statSync(compiled).mtimeMs : 0
if (compiledAt < newest) {
  execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
}
