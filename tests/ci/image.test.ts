import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { publishedFolders } from '../../scripts/image/runtime-files.mjs'

/** The Dockerfile's promises to the chart and the pipeline (the image itself: scripts/image/smoke.sh). */

const root = path.resolve(import.meta.dirname, '../..')
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')
// Instructions with their continuation lines joined, comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
const stages = dockerfile.split(/^FROM /m).slice(1)
const runtime = stages.at(-1)!

const packages = fs.readdirSync(path.join(root, 'packages')).filter((name) => fs.existsSync(path.join(root, 'packages', name, 'package.json')))

describe('Dockerfile', () => {
  it('takes its base as a build argument, node:20-bookworm-slim by default, for both stages', () => {
    expect(instructions[0]).toBe('ARG BASE=node:20-bookworm-slim')
    expect(stages).toHaveLength(2)
    for (const stage of stages) expect(stage.startsWith('${BASE}')).toBe(true)
  })

  it('copies every workspace manifest before the install, so none is missing from the lockfile install', () => {
    for (const name of packages) expect(instructions).toContain(`COPY packages/${name}/package.json packages/${name}/`)
  })

  it('installs with the same npm install as CI, then prunes and drops the embedded engines', () => {
    const ci = /^npm install .*$/m.exec(fs.readFileSync(path.join(root, 'scripts/ci/npm-install.sh'), 'utf8'))![0]
    expect(ci.startsWith('npm install --no-audit --no-fund --loglevel=error')).toBe(true)
    expect(instructions.some((line) => line.startsWith('RUN --mount=type=cache,target=/root/.npm') && line.includes('npm install --no-audit --no-fund --loglevel=error'))).toBe(true)
    expect(dockerfile).not.toMatch(/npm ci\b/)
    const prune = instructions.find((line) => line.includes('npm prune --omit=dev'))!
    for (const engine of ['node_modules/chdb', 'node_modules/@chdb', 'node_modules/@electric-sql/pglite']) expect(prune).toContain(engine)
  })

  it('runs the CLI bundle under tini as uid 10001 from /app, serve by default', () => {
    const last = (keyword: string) => runtime.split('\n').filter((line) => line.startsWith(`${keyword} `)).at(-1)
    expect(last('ENTRYPOINT')).toBe('ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/server/cli.js"]')
    expect(last('CMD')).toBe('CMD ["serve"]')
    expect(last('USER')).toBe('USER 10001:10001')
    expect(last('WORKDIR')).toBe('WORKDIR /app')
    expect(last('EXPOSE')).toBe('EXPOSE 3000 9464')
    const env = instructions.filter((line) => line.startsWith('ENV ')).at(-1)!
    for (const pair of ['NODE_ENV=production', 'DATA_DIR=/tmp/carbon', 'CARBON_REVISION=${REVISION}']) expect(env).toContain(pair)
    // tini comes from apt only where the base lacks it (the local base has it, and no apt lists).
    expect(runtime).toMatch(/if \[ ! -x \/usr\/bin\/tini \]; then/)
  })

  it('labels the image with the OCI annotations from build arguments', () => {
    for (const key of ['title', 'description', 'source', 'version', 'revision', 'created', 'licenses']) {
      expect(runtime).toContain(`org.opencontainers.image.${key}=`)
    }
    for (const arg of ['VERSION', 'REVISION', 'CREATED']) {
      expect(runtime).toMatch(new RegExp(`^ARG ${arg}=`, 'm'))
      expect(runtime).toContain(`"\${${arg}}"`)
    }
  })
})

describe('the runtime files', () => {
  it("are each package's manifest plus the non-source folders its exports publish", () => {
    const published = Object.fromEntries(
      packages.map((name) => [name, publishedFolders(JSON.parse(fs.readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8')).exports)]),
    )
    expect(published.connectors).toEqual(['fixtures'])
    expect(published.scenario).toEqual(['data'])
    expect(published.schemas).toEqual([])
    for (const [name, folders] of Object.entries(published)) {
      for (const folder of folders) expect(fs.existsSync(path.join(root, 'packages', name, folder)), `${name}/${folder}`).toBe(true)
    }
  })

  it('never publishes source folders or single files', () => {
    expect(publishedFolders({ '.': './src/index.ts', './x/*': './src/x/*', './data/*': './data/*', './f': './f.json' })).toEqual(['data'])
    expect(publishedFolders(undefined)).toEqual([])
  })
})

describe('scripts/image', () => {
  it('has its shell scripts executable (the CI steps run them directly)', () => {
    for (const file of fs.readdirSync(path.join(root, 'scripts/image')).filter((f) => f.endsWith('.sh'))) {
      expect(fs.statSync(path.join(root, 'scripts/image', file)).mode & 0o111, file).not.toBe(0)
    }
  })
})

describe('.dockerignore', () => {
  it('keeps installed, built and local files out of the build context', () => {
    const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n')
    for (const entry of ['.git', '**/node_modules', 'build', 'dist', '.data']) expect(ignored).toContain(entry)
  })
})
