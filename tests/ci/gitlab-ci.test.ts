import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

/**
 * The GitLab pipeline and .ci/run run the same steps: every job's commands are scripts/ci/*.sh
 * that exist or the README's test command (`npm test [-- <vitest args>]`), and .ci/run calls the same set (deploy.sh aside: it never runs on a development
 * machine), so the two cannot drift.
 */

const root = path.resolve(import.meta.dirname, '../..')
const STAGES = ['lint', 'typecheck', 'unit', 'integration', 'image', 'chart', 'deploy', 'smoke']
/** Keys of .gitlab-ci.yml that are settings, not jobs. */
const RESERVED = new Set(['stages', 'variables', 'default', 'include', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script'])
/** The one step outside scripts/ci both runners call (the object store the tests need). */
const SHARED_OTHER = new Set(['scripts/install-swift.sh'])
/** Setup lines allowed in before_script: the Trivy image has no bash to run the steps with. */
const SETUP_LINES = new Set(['apk add --no-cache bash'])
const STEP = /^bash (scripts\/[a-z0-9/-]+\.sh)(?: [^;&|`$<>]*)?$/
/** The README's test command, the tests' step in both runners (vitest arguments after `--` in GitLab). */
const TEST_COMMAND = 'npm test'
const TEST_LINE = /^npm test(?: -- [^;&|`$<>]*)?$/

type Job = { stage?: string; script?: string[]; before_script?: string[]; extends?: string | string[]; needs?: string[]; rules?: { if?: string; when?: string }[]; variables?: Record<string, string>; services?: unknown[] }
type Pipeline = Record<string, unknown> & { stages: string[]; default: Job }

const pipeline = parse(fs.readFileSync(path.join(root, '.gitlab-ci.yml'), 'utf8'), { uniqueKeys: true }) as Pipeline
const ciRun = fs.readFileSync(path.join(root, '.ci/run'), 'utf8')

/** A job with its `extends` templates merged under it (GitLab's deep merge, enough for these keys). */
function resolveJob(name: string): Job {
  const job = pipeline[name] as Job
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? job.extends : [job.extends]
  return Object.assign({}, ...parents.map(resolveJob), job) as Job
}

const jobNames = Object.keys(pipeline).filter((key) => !RESERVED.has(key) && !key.startsWith('.'))
const jobs = Object.fromEntries(jobNames.map((name) => [name, resolveJob(name)]))

/** The step a command line runs: a script's path, or TEST_COMMAND. */
function scriptOf(line: string): string | null {
  if (TEST_LINE.test(line.trim())) return TEST_COMMAND
  return STEP.exec(line.trim())?.[1] ?? null
}

function gitlabScripts(): Set<string> {
  const called = new Set<string>()
  for (const job of Object.values(jobs)) {
    for (const line of [...(job.before_script ?? pipeline.default.before_script ?? []), ...(job.script ?? [])]) {
      const script = scriptOf(line)
      if (script) called.add(script)
    }
  }
  return called
}

/** The commands of .ci/run after its preamble: `bash <script> [args]` lines and the tests. */
function ciRunCommands(): string[] {
  return ciRun
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('bash ') || line.startsWith('npm '))
}

describe('.gitlab-ci.yml', () => {
  it('declares the stages in order, and every job uses one of them', () => {
    expect(pipeline.stages).toEqual(STAGES)
    expect(jobNames.length).toBeGreaterThan(0)
    for (const [name, job] of Object.entries(jobs)) expect(STAGES, `${name}'s stage`).toContain(job.stage)
    // Every stage has at least one job.
    for (const stage of STAGES) expect(Object.values(jobs).some((job) => job.stage === stage), stage).toBe(true)
  })

  it("runs only scripts/ci/*.sh steps that exist and npm test (the shared swift installer aside)", () => {
    for (const [name, job] of Object.entries(jobs)) {
      expect(job.script?.length, `${name} has a script`).toBeGreaterThan(0)
      for (const line of job.script!) {
        const script = scriptOf(line)
        expect(script, `${name}: "${line}" is not "bash scripts/ci/<step>.sh [args]" or "npm test [-- args]"`).not.toBeNull()
        if (script === TEST_COMMAND) continue
        expect(script!.startsWith('scripts/ci/') || SHARED_OTHER.has(script!), `${name}: ${script}`).toBe(true)
        expect(fs.existsSync(path.join(root, script!)), `${name}: ${script} exists`).toBe(true)
      }
      for (const line of job.before_script ?? []) {
        const script = scriptOf(line)
        expect(SETUP_LINES.has(line) || (script !== null && script.startsWith('scripts/ci/')), `${name} before_script: "${line}"`).toBe(true)
      }
    }
    for (const line of pipeline.default.before_script ?? []) expect(scriptOf(line), line).toMatch(/^scripts\/ci\//)
  })

  it('names only jobs that exist in needs', () => {
    for (const [name, job] of Object.entries(jobs)) {
      for (const need of job.needs ?? []) expect(jobNames, `${name} needs ${need}`).toContain(need)
    }
  })

  it('deploys staging automatically and production by hand from the default branch, each to its namespace', () => {
    const staging = jobs['deploy-staging']!
    const production = jobs['deploy-production']!
    expect(staging.variables?.ENVIRONMENT).toBe('staging')
    expect(production.variables?.ENVIRONMENT).toBe('production')
    expect(staging.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }])
    expect(production.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }])
    expect(fs.readFileSync(path.join(root, 'scripts/ci/deploy.sh'), 'utf8')).toContain('--namespace "carbon-$ENVIRONMENT"')
  })

  it('gives the integration tests a PostgreSQL 16 service they are pointed at', () => {
    const integration = jobs.integration!
    expect(JSON.stringify(integration.services)).toContain('postgres:16')
    expect(integration.variables?.TEST_POSTGRES_URL).toMatch(/^postgres:\/\/postgres@postgres:5432\//)
  })
})

describe('.ci/run and .gitlab-ci.yml', () => {
  it('call the same steps (deploy.sh only in GitLab)', () => {
    const local = new Set(ciRunCommands().map(scriptOf))
    expect(local.has(null), `.ci/run lines: ${ciRunCommands().join(' | ')}`).toBe(false)
    const remote = gitlabScripts()
    remote.delete('scripts/ci/deploy.sh')
    expect([...local].sort()).toEqual([...remote].sort())
  })

  it('calls every scripts/ci step from one runner or the other', () => {
    const steps = fs
      .readdirSync(path.join(root, 'scripts/ci'))
      .filter((file) => file.endsWith('.sh') && file !== 'common.sh')
      .map((file) => `scripts/ci/${file}`)
    const called = new Set([...gitlabScripts(), ...ciRunCommands().map(scriptOf)])
    for (const step of steps) expect(called.has(step), step).toBe(true)
    for (const step of steps) expect(fs.statSync(path.join(root, step)).mode & 0o111, `${step} is executable`).not.toBe(0)
  })

  it('ends .ci/run with the tests, after the image is built and smoke-tested, with nothing after them', () => {
    const commands = ciRunCommands()
    expect(commands.at(-1)).toBe(TEST_COMMAND)
    const order = commands.map(scriptOf)
    expect(order.indexOf('scripts/ci/image-build.sh')).toBeGreaterThan(-1)
    expect(order.indexOf('scripts/ci/image-smoke.sh')).toBeGreaterThan(order.indexOf('scripts/ci/image-build.sh'))
    const lines = ciRun.trimEnd().split('\n')
    expect(lines.at(-1)).toBe(TEST_COMMAND)
    // No step is allowed to fail quietly.
    expect(ciRun).not.toMatch(/\|\|\s*true/)
    expect(ciRun).toMatch(/^set -euo pipefail$/m)
  })
})
