#!/usr/bin/env node
// `npx carbon <command>` (node_modules/.bin/carbon, linked by the postinstall script). Runs the
// compiled CLI of `npm run build:server` (dist/server) when it is there and no source file that
// went into it has changed since it was built; otherwise the TypeScript sources through tsx's
// loader. So a checkout never runs stale code, and the image (no sources) runs compiled code only.
import { existsSync, readFileSync, statSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const compiled = new URL('dist/server/cli.js', root)

/** The compiled CLI where there are no sources (the image), or where it was built after the last change to every file it was built from. */
function useCompiled() {
  if (!existsSync(new URL('server/cli.ts', root))) return true
  try {
    const build = JSON.parse(readFileSync(new URL('dist/server/inputs.json', root), 'utf8'))
    return existsSync(compiled) && build.inputs.every((file) => statSync(new URL(file, root)).mtimeMs < build.builtAt)
  } catch {
    return false
  }
}

if (useCompiled()) {
  await import(compiled.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(new URL('server/cli.ts', root).href)
}
