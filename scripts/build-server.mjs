// `npm run build:server`: compiles the command line (every process's entry) and the worker
// threads (the scenario model's, the ingest's parser, the embedded publisher simulator) to plain
// JavaScript in dist/server, so production runs no TypeScript loader. Our own code (server/,
// packages/*) is bundled; npm packages stay imports resolved from node_modules at run time. Code
// splitting keeps each command's code in its own chunk, loaded by the CLI's dynamic imports only
// when that command runs.
import { build } from 'esbuild'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const outdir = path.join(root, 'dist/server')

/**
 * npm packages stay imports (resolved from node_modules at run time); workspace packages
 * (@carbon/*) and our own files are bundled. Development-only imports (vite for `serve --dev`)
 * are dynamic and never run in production.
 */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (args.path.startsWith('@carbon/') || args.path.startsWith('node:')) return undefined
      return { path: args.path, external: true }
    })
  },
}

fs.rmSync(outdir, { recursive: true, force: true })
const started = performance.now()
const startedAt = Date.now()
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'server/cli.ts',
    'model-thread': 'server/services/scenarios/model-thread.ts',
    'parse-thread': 'server/services/ingest/parse-thread.ts',
    'simulator-thread': 'server/workers/simulator-thread.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [externalPackages],
  sourcemap: 'linked',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS helpers call require(); ESM output has none unless it is made.
  banner: { js: "import { createRequire as __carbonRequire } from 'node:module'; const require = __carbonRequire(import.meta.url);" },
})
// What bin/carbon.js checks before running this build in a checkout: the build's start time and
// every source file that went into it (one changed since, or gone, and the sources run instead).
const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'))
fs.writeFileSync(path.join(outdir, 'inputs.json'), `${JSON.stringify({ builtAt: startedAt, inputs })}\n`)
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .reduce((sum, [, output]) => sum + output.bytes, 0)
process.stderr.write(`dist/server: ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length} files, ${(bytes / 1e6).toFixed(1)} MB, ${Math.round(performance.now() - started)} ms\n`)
