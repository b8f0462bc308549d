/**
 * The Helm chart through the real helm binary (extracted from the installed layer zip) and the
 * checks of `chart:check`: both value files lint and render to exactly the objects expected and
 * pass the Kubernetes schemas and the policy; bad values are refused naming the value; objects
 * that break the policy or the API schema are refused naming the object and the path; the command
 * delivers its whole output through a pipe and ends quietly when the reader goes away.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseAllDocuments } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CHART_DIR,
  checkChart,
  checkEnvironment,
  checkPolicies,
  formatProblem,
  lintChart,
  parseManifest,
  renderChart,
  validateObjects,
  type CheckResult,
  type ChartProblem,
  type K8sObject,
  type Rendered,
} from '../../scripts/chart-check.ts'

const repoRoot = path.resolve(import.meta.dirname, '../..')
const dashboardFiles = fs.readdirSync(path.join(CHART_DIR, 'files/dashboards')).filter((f) => f.endsWith('.json'))

let defaults: CheckResult
let production: CheckResult
let staging: CheckResult

const messages = (problems: ChartProblem[]) => problems.map(formatProblem).join('\n')
const find = (result: CheckResult, kind: string, name: string) => {
  const found = result.objects.find((r) => r.object.kind === kind && r.object.metadata.name === name)
  if (!found) throw new Error(`${kind}/${name} not rendered with ${result.values}`)
  return found
}
const clone = (objects: Rendered[]): Rendered[] => structuredClone(objects)
type Pod = { spec: { template: { spec: { securityContext: Record<string, unknown>; containers: Record<string, any>[] } } } }
const podOf = (object: K8sObject) => object as unknown as K8sObject & Pod

beforeAll(async () => {
  ;[defaults, production, staging] = await Promise.all([
    checkChart(),
    checkChart({ valuesFile: 'values-production.yaml' }),
    checkChart({ valuesFile: 'values-production.yaml', overlays: ['values-staging.yaml'] }),
  ])
})

describe('the value files', () => {
  it('lint, render and pass the schemas and the policy', () => {
    expect(messages(defaults.problems)).toBe('')
    expect(messages(production.problems)).toBe('')
    expect(messages(staging.problems)).toBe('')
  })

  it('give staging its own host, bucket and a smaller footprint on top of production', () => {
    const ingress = find(staging, 'Ingress', 'carbon').object as unknown as { spec: { rules: { host: string }[] } }
    expect(ingress.spec.rules[0]!.host).toBe('staging.carbon.254carbon.com')
    expect(staging.counts.get('PodDisruptionBudget')).toBe(2)
    const config = find(staging, 'ConfigMap', 'carbon-config').object as unknown as { data: Record<string, string> }
    expect(config.data).toMatchObject({ S3_BUCKET: 'carbon-staging', PUBLIC_URL: 'https://staging.carbon.254carbon.com' })
  })

  it('render the objects expected per kind', () => {
    expect(Object.fromEntries(defaults.counts)).toEqual({
      ConfigMap: 1,
      Deployment: 6,
      Job: 2,
      NetworkPolicy: 6,
      PodDisruptionBudget: 2,
      Service: 1,
      ServiceAccount: 2,
    })
    expect(dashboardFiles.length).toBeGreaterThan(0)
    expect(Object.fromEntries(production.counts)).toEqual({
      // The configuration, then one per dashboard file.
      ConfigMap: 1 + dashboardFiles.length,
      Deployment: 6,
      HorizontalPodAutoscaler: 1,
      Ingress: 1,
      Job: 2,
      NetworkPolicy: 6,
      PodDisruptionBudget: 5,
      PrometheusRule: 1,
      // web, and a headless metrics Service per sidecar for the ServiceMonitor.
      Service: 6,
      ServiceAccount: 2,
      ServiceMonitor: 1,
    })
  })

  it('run each process of the one image with its command', () => {
    const commands = Object.fromEntries(
      defaults.objects
        .filter((r) => r.object.kind === 'Deployment')
        .map((r) => [r.object.metadata.name, podOf(r.object).spec.template.spec.containers[0]!.args]),
    )
    expect(commands).toEqual({
      'carbon-web': ['serve'],
      'carbon-ingest': ['ingest'],
      'carbon-consumer': ['consumer'],
      'carbon-solver': ['solver'],
      'carbon-scenario-worker': ['scenario-worker'],
      'carbon-export-worker': ['export-worker'],
    })
  })

  it('migrate, then create the topics with the configured partitions, before the Deployments', () => {
    const jobs = production.objects.filter((r) => r.object.kind === 'Job').map((r) => r.object)
    const byWeight = jobs.sort((a, b) => Number(a.metadata.annotations!['helm.sh/hook-weight']) - Number(b.metadata.annotations!['helm.sh/hook-weight']))
    expect(byWeight.map((job) => podOf(job).spec.template.spec.containers[0]!.args)).toEqual([
      ['migrate'],
      ['topics', 'create', '--partitions', '12', '--replication-factor', '3'],
    ])
  })

  it('leave the web replicas to the HPA when it is on', () => {
    const web = find(production, 'Deployment', 'carbon-web').object.spec as { replicas?: number }
    expect(web.replicas).toBeUndefined()
    expect((find(defaults, 'Deployment', 'carbon-web').object.spec as { replicas?: number }).replicas).toBe(2)
  })

  it('print the alert rules file as the PrometheusRule groups', () => {
    const file = parseAllDocuments(fs.readFileSync(path.join(CHART_DIR, 'files/alerts/carbon.rules.yml'), 'utf8'))[0]!.toJS() as { groups: unknown[] }
    expect((find(production, 'PrometheusRule', 'carbon').object.spec as { groups: unknown[] }).groups).toEqual(file.groups)
  })
})

// Each case is its own helm run: they wait on helm, so they run side by side.
describe.concurrent('values refused', () => {
  it('a negative replica count, naming the value', async () => {
    const options = { set: ['web.replicas=-1'] }
    const [lint, render] = await Promise.all([lintChart(options), renderChart(options)])
    expect(messages(lint)).toContain('value web.replicas: minimum: got -1, want 0')
    expect(render.manifest).toBe('')
    expect(render.problems).toEqual([
      { values: 'values.yaml --set web.replicas=-1', step: 'template', source: 'values.schema.json', message: 'value web.replicas: minimum: got -1, want 0' },
    ])
  })

  it('a value of the wrong type, naming the value', async () => {
    const problems = await lintChart({ set: ['kafka.partitions=many'] })
    expect(messages(problems)).toMatch(/value kafka\.partitions: got string, want integer/)
  })

  it('an unknown key, naming where it is', async () => {
    const { problems } = await renderChart({ set: ['consumer.replicaz=3'] })
    expect(messages(problems)).toMatch(/value consumer: additional properties 'replicaz' not allowed/)
  })

  it('more consumers than partitions, by the template (lint logs it, the check refuses it)', async () => {
    const result = await checkChart({ set: ['consumer.replicas=7'] })
    const lint = result.problems.filter((p) => p.step === 'lint')
    const render = result.problems.filter((p) => p.step === 'template')
    expect(messages(lint)).toContain('consumer.replicas (7) exceeds kafka.partitions (6)')
    expect(render[0]).toMatchObject({ source: 'templates/configmap.yaml:1:4' })
    expect(render[0]!.message).toContain('consumer.replicas (7) exceeds kafka.partitions (6)')
  })

  it('a secret in the ConfigMap through config.extra', async () => {
    const { problems } = await renderChart({ set: ['config.extra.SESSION_SECRET=abc'] })
    expect(messages(problems)).toContain('config.extra.SESSION_SECRET: a secret')
  })

  it('a variable the code does not read and a value it refuses, by server/env.ts', async () => {
    const options = { set: ['config.extra.OIDC_ROLE_CLAIM=realm_access.roles', 'config.extra.SESSION_TTL_HOURS=0'] }
    const { manifest, problems } = await renderChart(options)
    expect(problems).toEqual([])
    const found = checkEnvironment(parseManifest(manifest, 'extra').objects, 'extra').filter((p) => p.object === 'Deployment/carbon-web')
    expect(found.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'spec.template.spec.containers[0].env (OIDC_ROLE_CLAIM): server/env.ts reads no such variable',
      'spec.template.spec.containers[0].env (SESSION_TTL_HOURS): server/env.ts refuses it: Too small: expected number to be >=1',
    ])
  })

  it('topics left to someone else: no topics Job', async () => {
    const result = await checkChart({ set: ['kafka.createTopics=false'] })
    expect(messages(result.problems)).toBe('')
    expect(result.objects.filter((r) => r.object.kind === 'Job').map((r) => r.object.metadata.name)).toEqual(['carbon-migrate'])
  })
})

describe('objects refused', () => {
  it('a Deployment whose container may run as root', () => {
    const objects = clone(defaults.objects)
    const web = podOf(objects.find((r) => r.object.metadata.name === 'carbon-web' && r.object.kind === 'Deployment')!.object)
    delete web.spec.template.spec.securityContext.runAsNonRoot
    delete web.spec.template.spec.containers[0]!.securityContext.runAsNonRoot
    const problems = checkPolicies(objects, 'mutated')
    expect(problems).toEqual([
      {
        values: 'mutated',
        step: 'policy',
        source: 'templates/deployments.yaml',
        object: 'Deployment/carbon-web',
        path: 'spec.template.spec.containers[0].securityContext.runAsNonRoot',
        message: 'must be true',
      },
    ])
  })

  it('a Deployment without probes or limits, a writable root, a literal secret', () => {
    const objects = clone(defaults.objects)
    const consumer = podOf(objects.find((r) => r.object.metadata.name === 'carbon-consumer' && r.object.kind === 'Deployment')!.object)
    const container = consumer.spec.template.spec.containers[0]!
    delete container.readinessProbe
    delete container.resources.limits
    container.securityContext.readOnlyRootFilesystem = false
    container.env.push({ name: 'SESSION_SECRET', value: 'not-from-a-secret-0123456789abcdef' })
    const paths = checkPolicies(objects, 'mutated').map((p) => `${p.object} ${p.path}`)
    expect(paths).toEqual([
      'Deployment/carbon-consumer spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
      'Deployment/carbon-consumer spec.template.spec.containers[0].resources.limits.cpu',
      'Deployment/carbon-consumer spec.template.spec.containers[0].resources.limits.memory',
      'Deployment/carbon-consumer spec.template.spec.containers[0].readinessProbe',
      `Deployment/carbon-consumer spec.template.spec.containers[0].env[${container.env.length - 1}] (SESSION_SECRET)`,
    ])
  })

  it('a rendered Secret and a Service that selects nothing', () => {
    const objects = clone(defaults.objects)
    objects.push({ source: 'templates/extra.yaml', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'carbon-inline' }, stringData: { password: 'x' } } })
    const service = objects.find((r) => r.object.kind === 'Service')!.object as K8sObject & { spec: { selector: Record<string, string> } }
    service.spec.selector['app.kubernetes.io/component'] = 'nobody'
    expect(checkPolicies(objects, 'mutated').map((p) => `${p.object} ${p.path}: ${p.message}`)).toEqual([
      'Service/carbon-web spec.selector: selects no rendered Deployment',
      'Secret/carbon-inline (object): the chart renders no Secret: values name existing Secrets and keys',
    ])
  })

  it('a field of the wrong type and an unknown kind, by the API schemas', () => {
    const objects = clone(defaults.objects)
    const web = podOf(objects.find((r) => r.object.metadata.name === 'carbon-web' && r.object.kind === 'Deployment')!.object)
    web.spec.template.spec.containers[0]!.ports[0].containerPort = '3000'
    objects.push({ source: 'templates/extra.yaml', object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } })
    expect(validateObjects(objects, 'mutated').map((p) => `${p.object} ${p.path ?? ''}: ${p.message}`)).toEqual([
      'Deployment/carbon-web spec.template.spec.containers.0.ports.0.containerPort: must be integer',
      'Widget/w : unknown kind example.com/v1/Widget: add its model to scripts/chart-check.ts before the chart renders it',
    ])
  })
})

describe.concurrent('the command', () => {
  function run(closeStdout: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/chart-check.ts'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    if (closeStdout) child.stdout.destroy()
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
  }

  it('prints the default manifests whole to a pipe, the table and the summary last on stderr', async () => {
    const { code, stdout, stderr } = await run(false)
    expect(code).toBe(0)
    expect(stdout).toBe(`${defaults.manifest.trimEnd()}\n`)
    const lines = stderr.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^kind\s+values\.yaml\s+values-production\.yaml\s+values-production\.yaml\+values-staging\.yaml$/)
    expect(lines).toContain(lines.find((l) => /^Deployment\s+6\s+6\s+6$/.test(l)))
    expect(lines.at(-1)).toBe(
      `chart:check passed: values.yaml ${defaults.objects.length} objects, values-production.yaml ${production.objects.length} objects, values-production.yaml+values-staging.yaml ${staging.objects.length} objects (helm lint --strict, Kubernetes schemas, policy, server/env.ts)`,
    )
  })

  it('ends quietly when the reader of stdout has gone', async () => {
    const { code, stderr } = await run(true)
    expect(code).toBe(0)
    expect(stderr.trimEnd().split('\n').at(-1)).toMatch(/^chart:check passed: /)
  })
})
