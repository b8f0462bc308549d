#!/usr/bin/env node
// `npx carbon <command>`. In a source checkout the TypeScript CLI runs through tsx's loader, so
// what runs is always the code as it is now; where the sources are absent (the production image)
// the compiled CLI of `npm run build:server` runs, with no TypeScript loader at all.
import { existsSync } from 'node:fs'

const source = new URL('../server/cli.ts', import.meta.url)
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source.href)
} else {
  await import('../dist/server/cli.js')
}
