/**
 * `npm run chart:check`: the Helm chart under chart/ checked with both value files (the defaults
 * and values-production.yaml):
 *
 * 1. `helm lint --strict` (values.schema.json included; a template `fail` counts as an error,
 *    which Helm 4's lint only logs);
 * 2. `helm template`;
 * 3. every rendered object validated against the Kubernetes API schemas (kubernetes-models) or,
 *    for the Prometheus Operator's kinds, a JSON schema of the fields they need; an unknown kind
 *    is an error;
 * 4. policy: restricted Pod Security on every container, resources, probes on Deployments, no
 *    Secret rendered, every secret variable from a secretKeyRef, references between objects
 *    (selectors, ports, ConfigMaps, HPA and Ingress targets) resolve;
 * 5. each container's environment (its ConfigMap, literal values, stand-ins for the Secrets)
 *    through server/env.ts itself: every variable known, every value one the processes accept.
 *
 * The default manifests go to stdout, a per-kind count table for both value files to stderr and
 * the summary is the last line of stderr. Exit 1 on any problem, each naming the value file, the
 * object (kind/name and template) and the path.
 *
 *   npx tsx scripts/chart-check.ts [--chart <dir>]
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { parseAllDocuments } from 'yaml'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { chunkedWriter, exitAfterFlush, stderr, stdout } from '../server/cli/output.ts'
import { EnvError, EnvSchema, parseEnv } from '../server/env.ts'
import { runHelm } from './helm.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const CHART_DIR = path.join(ROOT, 'chart')
export const RELEASE = 'carbon'
export const NAMESPACE = 'carbon'

/** A rendered Kubernetes object (loosely typed: the checks read what they need). */
export type K8sObject = {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  [field: string]: unknown
}
/** An object and the template that rendered it. */
export type Rendered = { object: K8sObject; source: string }

/** One thing wrong; `values` names the value file, `source` the template. */
export type ChartProblem = {
  values: string
  step: 'lint' | 'template' | 'parse' | 'schema' | 'policy'
  source?: string
  object?: string
  path?: string
  message: string
}

/** How the chart is rendered: a value file (relative to the chart), files layered on it, and --set overrides. */
export type RenderOptions = { chartDir?: string; valuesFile?: string; overlays?: string[]; set?: string[] }

export type CheckResult = {
  values: string
  manifest: string
  objects: Rendered[]
  counts: Map<string, number>
  problems: ChartProblem[]
}

const valuesLabel = (options: RenderOptions) =>
  [[options.valuesFile ?? 'values.yaml', ...(options.overlays ?? [])].join('+'), ...(options.set ?? []).map((s) => `--set ${s}`)].join(' ')

function helmValueArgs(options: RenderOptions, chartDir: string): string[] {
  const args: string[] = []
  for (const file of [options.valuesFile, ...(options.overlays ?? [])]) if (file) args.push('-f', path.resolve(chartDir, file))
  for (const set of options.set ?? []) args.push('--set', set)
  return args
}

/** "at '/web/replicas': minimum: got -1, want 0" -> "value web.replicas: minimum: got -1, want 0". */
function schemaMessage(line: string): string | undefined {
  const match = /at '(\/[^']*)':\s*(.*)$/.exec(line.trim())
  if (!match) return undefined
  const dotted = match[1]!.slice(1).split('/').join('.')
  return `value ${dotted || '(root)'}: ${match[2]}`
}

/** Helm's output as problems: schema violations by value path, template failures by file. */
function helmProblems(output: string, values: string, step: 'lint' | 'template'): ChartProblem[] {
  const problems: ChartProblem[] = []
  const seen = new Set<string>()
  const add = (problem: ChartProblem) => {
    const key = `${problem.source ?? ''}|${problem.message}`
    if (seen.has(key)) return
    seen.add(key)
    problems.push(problem)
  }
  for (const line of output.split('\n')) {
    const schema = schemaMessage(line)
    if (schema) {
      add({ values, step, source: 'values.schema.json', message: schema })
      continue
    }
    const execution = /execution error at \(([^)]+)\):\s*(.*)$/.exec(line)
    if (execution) {
      add({ values, step, source: execution[1]!.replace(/^[^/]+\//, ''), message: execution[2]! })
      continue
    }
    // Helm 4's lint logs a template's `fail` at INFO and carries on; a fail is a refusal.
    const failed = /msg="funcMap fail" message="(.*)"$/.exec(line)
    if (failed) {
      add({ values, step, source: 'templates', message: failed[1]!.replace(/\\"/g, '"') })
      continue
    }
    const lint = /^\[(ERROR|WARNING)\] ([^:]+): (.*)$/.exec(line.trim())
    if (lint && !lint[3]!.startsWith("values don't meet") && !/^- at '/.test(lint[3]!)) {
      add({ values, step, source: lint[2], message: `${lint[1]!.toLowerCase()}: ${lint[3]}` })
    }
  }
  return problems
}

/** `helm lint --strict` with the given values; problems are empty when it passes. */
export async function lintChart(options: RenderOptions = {}): Promise<ChartProblem[]> {
  const chartDir = options.chartDir ?? CHART_DIR
  const values = valuesLabel(options)
  const result = await runHelm(['lint', '--strict', chartDir, ...helmValueArgs(options, chartDir)])
  const output = `${result.stdout}\n${result.stderr}`
  const problems = helmProblems(output, values, 'lint')
  if (result.code !== 0 && problems.length === 0) {
    problems.push({ values, step: 'lint', message: `helm lint failed (exit ${result.code}): ${output.trim()}` })
  }
  return problems
}

/** `helm template` with the given values: the manifest text, or the problems that stopped it. */
export async function renderChart(options: RenderOptions = {}): Promise<{ manifest: string; problems: ChartProblem[] }> {
  const chartDir = options.chartDir ?? CHART_DIR
  const values = valuesLabel(options)
  const result = await runHelm(['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...helmValueArgs(options, chartDir)])
  if (result.code === 0) return { manifest: result.stdout, problems: [] }
  const problems = helmProblems(result.stderr, values, 'template')
  if (problems.length === 0) {
    problems.push({ values, step: 'template', message: `helm template failed (exit ${result.code}): ${result.stderr.trim()}` })
  }
  return { manifest: '', problems }
}

/** Every document of a rendered manifest, with the template named by Helm's `# Source:` comment. */
export function parseManifest(manifest: string, values: string): { objects: Rendered[]; problems: ChartProblem[] } {
  const objects: Rendered[] = []
  const problems: ChartProblem[] = []
  for (const document of parseAllDocuments(manifest)) {
    // Helm writes `# Source: <chart>/templates/<file>` after each `---`: the first node's comment.
    const comments = `${document.commentBefore ?? ''}\n${(document.contents as { commentBefore?: string | null } | null)?.commentBefore ?? ''}`
    const sourceComment = /Source: [^/]+\/(\S+)/.exec(comments)
    const source = sourceComment?.[1] ?? '(unknown template)'
    if (document.errors.length > 0) {
      problems.push({ values, step: 'parse', source, message: document.errors.map((e) => e.message).join('; ') })
      continue
    }
    const object = document.toJS() as unknown
    if (object === null || object === undefined) continue
    if (typeof object !== 'object' || Array.isArray(object)) {
      problems.push({ values, step: 'parse', source, message: 'a document that is not an object' })
      continue
    }
    const candidate = object as Partial<K8sObject>
    if (typeof candidate.apiVersion !== 'string' || typeof candidate.kind !== 'string' || typeof candidate.metadata?.name !== 'string') {
      problems.push({ values, step: 'parse', source, message: 'an object without apiVersion, kind or metadata.name' })
      continue
    }
    objects.push({ object: candidate as K8sObject, source })
  }
  return { objects, problems }
}

type Model = { validate(): void }
type ModelClass = new (data: never) => Model

/** Every kind the chart may render, by apiVersion/kind. */
const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'batch/v1/Job': Job as unknown as ModelClass,
  'networking.k8s.io/v1/Ingress': Ingress as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
}

const duration = { type: 'string', pattern: '^([0-9]+(ms|s|m|h|d|w|y))+$' }
const stringMap = { type: 'object', additionalProperties: { type: 'string' } }
const secretKeySelector = {
  type: 'object',
  required: ['name', 'key'],
  properties: { name: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 } },
}

/** The fields of the Prometheus Operator's CRDs (monitoring.coreos.com/v1) the chart relies on. */
const CRD_SCHEMAS: Record<string, object> = {
  'monitoring.coreos.com/v1/ServiceMonitor': {
    type: 'object',
    required: ['spec'],
    properties: {
      spec: {
        type: 'object',
        required: ['selector', 'endpoints'],
        properties: {
          jobLabel: { type: 'string' },
          selector: {
            type: 'object',
            properties: { matchLabels: stringMap, matchExpressions: { type: 'array', items: { type: 'object', required: ['key', 'operator'] } } },
          },
          endpoints: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['port', 'path'],
              properties: {
                port: { type: 'string', minLength: 1 },
                path: { type: 'string', pattern: '^/' },
                scheme: { enum: ['http', 'https'] },
                interval: duration,
                scrapeTimeout: duration,
                bearerTokenSecret: secretKeySelector,
              },
            },
          },
        },
      },
    },
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    type: 'object',
    required: ['spec'],
    properties: {
      spec: {
        type: 'object',
        required: ['groups'],
        properties: {
          groups: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['name', 'rules'],
              properties: {
                name: { type: 'string', minLength: 1 },
                interval: duration,
                rules: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    required: ['expr'],
                    oneOf: [{ required: ['alert'] }, { required: ['record'] }],
                    properties: {
                      alert: { type: 'string', minLength: 1 },
                      record: { type: 'string', minLength: 1 },
                      expr: { type: ['string', 'integer'] },
                      for: duration,
                      labels: stringMap,
                      annotations: stringMap,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
}

let crdValidators: Map<string, ValidateFunction> | undefined
function crdValidator(type: string): ValidateFunction | undefined {
  if (!crdValidators) {
    const ajv = new Ajv({ allErrors: true, strict: false })
    crdValidators = new Map(Object.entries(CRD_SCHEMAS).map(([key, schema]) => [key, ajv.compile(schema)]))
  }
  return crdValidators.get(type)
}

const pointerToPath = (pointer: string) => pointer.replace(/^\//, '').split('/').filter(Boolean).join('.') || '(object)'
const describe = (rendered: Rendered) => `${rendered.object.kind}/${rendered.object.metadata.name}`

function ajvProblems(errors: ErrorObject[] | null | undefined, rendered: Rendered, values: string): ChartProblem[] {
  return (errors ?? []).map((error) => ({
    values,
    step: 'schema' as const,
    source: rendered.source,
    object: describe(rendered),
    path: pointerToPath(error.instancePath),
    message: error.message ?? error.keyword,
  }))
}

/** Each object against its Kubernetes API schema (or the CRD schema above); an unknown kind is a problem. */
export function validateObjects(objects: Rendered[], values: string): ChartProblem[] {
  const problems: ChartProblem[] = []
  for (const rendered of objects) {
    const type = `${rendered.object.apiVersion}/${rendered.object.kind}`
    const Model = MODELS[type]
    if (Model) {
      try {
        new Model(rendered.object as never).validate()
      } catch (error) {
        const errors = (error as { errors?: ErrorObject[] }).errors
        if (errors?.length) problems.push(...ajvProblems(errors, rendered, values))
        else problems.push({ values, step: 'schema', source: rendered.source, object: describe(rendered), message: String(error) })
      }
      continue
    }
    const validate = crdValidator(type)
    if (validate) {
      if (!validate(rendered.object)) problems.push(...ajvProblems(validate.errors, rendered, values))
      continue
    }
    problems.push({
      values,
      step: 'schema',
      source: rendered.source,
      object: describe(rendered),
      message: `unknown kind ${type}: add its model to scripts/chart-check.ts before the chart renders it`,
    })
  }
  return problems
}

/** Variables that carry secrets (server/env.ts): only ever from a Secret. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'CLICKHOUSE_PASSWORD',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'OIDC_CLIENT_SECRET',
  'SESSION_SECRET',
  'METRICS_TOKEN',
  'MISO_DX_KEY',
  'OTEL_EXPORTER_OTLP_HEADERS',
]
/** A name that looks like a secret even if the list above does not know it yet. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|_KEY$|_KEY_ID$|CREDENTIALS|HEADERS)/
const isSecretName = (name: string) => SECRET_VARIABLES.includes(name) || SECRET_NAME.test(name)

type Container = {
  name: string
  image?: string
  ports?: { name?: string; containerPort: number }[]
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown } }[]
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> }
  livenessProbe?: Probe
  readinessProbe?: Probe
  startupProbe?: Probe
  securityContext?: SecurityContext
  volumeMounts?: { name: string; mountPath: string }[]
}
type Probe = { httpGet?: { path?: string; port?: string | number } }
type SecurityContext = {
  runAsNonRoot?: boolean
  runAsUser?: number
  readOnlyRootFilesystem?: boolean
  allowPrivilegeEscalation?: boolean
  privileged?: boolean
  capabilities?: { drop?: string[]; add?: string[] }
  seccompProfile?: { type?: string }
}
type PodSpec = {
  containers?: Container[]
  initContainers?: Container[]
  securityContext?: SecurityContext & { runAsUser?: number }
  automountServiceAccountToken?: boolean
  hostNetwork?: boolean
  hostPID?: boolean
  hostIPC?: boolean
  volumes?: { name: string; emptyDir?: unknown }[]
}
type PodTemplate = { metadata?: { labels?: Record<string, string> }; spec?: PodSpec }
type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }

function podTemplate(object: K8sObject): PodTemplate | undefined {
  if (object.kind !== 'Deployment' && object.kind !== 'Job') return undefined
  return (object.spec as { template?: PodTemplate } | undefined)?.template
}

function matches(selector: LabelSelector | Record<string, string> | undefined, labels: Record<string, string> = {}, plain = false): boolean {
  if (!selector) return false
  const s: LabelSelector = plain ? { matchLabels: selector as Record<string, string> } : (selector as LabelSelector)
  if (!s.matchLabels && !s.matchExpressions) return false
  for (const [key, value] of Object.entries(s.matchLabels ?? {})) if (labels[key] !== value) return false
  for (const expression of s.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key)
    const value = labels[expression.key]
    if (expression.operator === 'Exists' && !has) return false
    if (expression.operator === 'DoesNotExist' && has) return false
    if (expression.operator === 'In' && !(has && expression.values?.includes(value!))) return false
    if (expression.operator === 'NotIn' && has && expression.values?.includes(value!)) return false
  }
  return true
}

/** Pod Security "restricted" and the chart's own rules for one pod template. */
function podProblems(rendered: Rendered, template: PodTemplate, problem: (path: string, message: string) => void): void {
  const spec = template.spec ?? {}
  const pod = spec.securityContext ?? {}
  if (spec.automountServiceAccountToken !== false) problem('spec.template.spec.automountServiceAccountToken', 'must be false (no process talks to the Kubernetes API)')
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problem('spec.template.spec', 'host namespaces are not allowed')
  if (pod.runAsUser === 0) problem('spec.template.spec.securityContext.runAsUser', 'must not be 0 (root)')
  const emptyDirs = new Set((spec.volumes ?? []).filter((v) => v.emptyDir !== undefined).map((v) => v.name))
  const containers = [...(spec.containers ?? []).map((c, i) => ({ c, at: `containers[${i}]` })), ...(spec.initContainers ?? []).map((c, i) => ({ c, at: `initContainers[${i}]` }))]
  if (containers.length === 0) problem('spec.template.spec.containers', 'no container')
  for (const { c, at } of containers) {
    const base = `spec.template.spec.${at}`
    const sc = c.securityContext ?? {}
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problem(`${base}.securityContext.runAsNonRoot`, 'must be true')
    if ((sc.runAsUser ?? pod.runAsUser) === 0) problem(`${base}.securityContext.runAsUser`, 'must not be 0 (root)')
    if (sc.readOnlyRootFilesystem !== true) problem(`${base}.securityContext.readOnlyRootFilesystem`, 'must be true')
    if (sc.allowPrivilegeEscalation !== false) problem(`${base}.securityContext.allowPrivilegeEscalation`, 'must be false')
    if (sc.privileged === true) problem(`${base}.securityContext.privileged`, 'must not be true')
    if (!sc.capabilities?.drop?.includes('ALL')) problem(`${base}.securityContext.capabilities.drop`, 'must include ALL')
    if (sc.capabilities?.add?.length) problem(`${base}.securityContext.capabilities.add`, 'must be empty')
    if ((sc.seccompProfile?.type ?? pod.seccompProfile?.type) !== 'RuntimeDefault') problem(`${base}.securityContext.seccompProfile.type`, 'must be RuntimeDefault')
    for (const kind of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory']) {
        if (c.resources?.[kind]?.[resource] === undefined) problem(`${base}.resources.${kind}.${resource}`, 'must be set')
      }
    }
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp')
    if (!tmp || !emptyDirs.has(tmp.name)) problem(`${base}.volumeMounts`, 'needs an emptyDir at /tmp (the root filesystem is read-only)')
    if (rendered.object.kind === 'Deployment') {
      if (!c.livenessProbe) problem(`${base}.livenessProbe`, 'must be set')
      if (!c.readinessProbe) problem(`${base}.readinessProbe`, 'must be set')
      const portNames = new Set((c.ports ?? []).map((p) => p.name).filter(Boolean))
      const portNumbers = new Set((c.ports ?? []).map((p) => p.containerPort))
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        const port = c[probe]?.httpGet?.port
        if (typeof port === 'string' && !portNames.has(port)) problem(`${base}.${probe}.httpGet.port`, `names no container port (${port})`)
        if (typeof port === 'number' && !portNumbers.has(port)) problem(`${base}.${probe}.httpGet.port`, `is no container port (${port})`)
      }
    }
    for (const [i, variable] of (c.env ?? []).entries()) {
      if (isSecretName(variable.name) && !variable.valueFrom?.secretKeyRef) {
        problem(`${base}.env[${i}] (${variable.name})`, 'a secret: must come from valueFrom.secretKeyRef, never a literal value')
      }
    }
    for (const [i, source] of (c.envFrom ?? []).entries()) {
      if (source.secretRef) problem(`${base}.envFrom[${i}].secretRef`, 'name each secret variable with secretKeyRef instead of importing a whole Secret')
    }
  }
}

/**
 * The chart's invariants over the rendered objects: restricted pods, resources and probes, no
 * Secret rendered, secrets by reference only, one image, hook Jobs bounded, and every reference
 * (selectors, ports, ConfigMaps, HPA and Ingress targets, the metrics token) resolving.
 */
export function checkPolicies(objects: Rendered[], values: string): ChartProblem[] {
  const problems: ChartProblem[] = []
  const byKind = (kind: string) => objects.filter((r) => r.object.kind === kind)
  const configMaps = new Set(byKind('ConfigMap').map((r) => r.object.metadata.name))
  const workloads = objects.flatMap((r) => {
    const template = podTemplate(r.object)
    return template ? [{ rendered: r, template }] : []
  })
  const deployments = workloads.filter((w) => w.rendered.object.kind === 'Deployment')
  const images = new Set<string>()
  const metricsTokens = new Set<string>()

  for (const { rendered, template } of workloads) {
    const problem = (at: string, message: string) =>
      problems.push({ values, step: 'policy', source: rendered.source, object: describe(rendered), path: at, message })
    podProblems(rendered, template, problem)
    for (const container of template.spec?.containers ?? []) {
      if (container.image) images.add(container.image)
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef && !configMaps.has(source.configMapRef.name)) problem('spec.template.spec.containers.envFrom', `ConfigMap ${source.configMapRef.name} is not rendered`)
      }
      const token = container.env?.find((e) => e.name === 'METRICS_TOKEN')?.valueFrom?.secretKeyRef
      if (token) metricsTokens.add(`${token.name}/${token.key}`)
    }
    if (rendered.object.kind === 'Job') {
      const annotations = rendered.object.metadata.annotations ?? {}
      const spec = rendered.object.spec as { backoffLimit?: number; activeDeadlineSeconds?: number }
      const hooks = (annotations['helm.sh/hook'] ?? '').split(',')
      if (!hooks.includes('pre-install') || !hooks.includes('pre-upgrade')) problem('metadata.annotations.helm.sh/hook', 'must be pre-install,pre-upgrade')
      if (!(annotations['helm.sh/hook-delete-policy'] ?? '').includes('before-hook-creation')) problem('metadata.annotations.helm.sh/hook-delete-policy', 'must include before-hook-creation')
      if (spec.backoffLimit === undefined) problem('spec.backoffLimit', 'must be set')
      if (spec.activeDeadlineSeconds === undefined) problem('spec.activeDeadlineSeconds', 'must be set')
    }
  }
  if (images.size > 1) problems.push({ values, step: 'policy', message: `one image for every process, found ${[...images].join(', ')}` })

  for (const rendered of objects) {
    const problem = (at: string, message: string) =>
      problems.push({ values, step: 'policy', source: rendered.source, object: describe(rendered), path: at, message })
    const object = rendered.object
    if (object.kind === 'Secret') problem('(object)', 'the chart renders no Secret: values name existing Secrets and keys')
    if (object.kind === 'ConfigMap') {
      for (const key of Object.keys((object.data as Record<string, string> | undefined) ?? {})) {
        if (isSecretName(key)) problem(`data.${key}`, 'a secret in a ConfigMap: it must come from a Secret')
      }
    }
    if (object.kind === 'Service') {
      const spec = object.spec as { selector?: Record<string, string>; ports?: { name?: string; targetPort?: string | number }[] }
      const selected = deployments.filter((d) => matches(spec.selector, d.template.metadata?.labels, true))
      if (selected.length === 0) {
        problem('spec.selector', 'selects no rendered Deployment')
        continue
      }
      for (const [i, port] of (spec.ports ?? []).entries()) {
        if (typeof port.targetPort !== 'string') continue
        const named = selected.some((d) => d.template.spec?.containers?.some((c) => c.ports?.some((p) => p.name === port.targetPort)))
        if (!named) problem(`spec.ports[${i}].targetPort`, `no selected container has a port named ${port.targetPort}`)
      }
    }
    if (object.kind === 'PodDisruptionBudget') {
      const selector = (object.spec as { selector?: LabelSelector }).selector
      if (!deployments.some((d) => matches(selector, d.template.metadata?.labels))) problem('spec.selector', 'selects no rendered Deployment')
    }
    if (object.kind === 'HorizontalPodAutoscaler') {
      const target = (object.spec as { scaleTargetRef?: { kind?: string; name?: string } }).scaleTargetRef
      if (!deployments.some((d) => target?.kind === 'Deployment' && d.rendered.object.metadata.name === target.name)) problem('spec.scaleTargetRef', `Deployment ${target?.name} is not rendered`)
      const replicas = deployments.find((d) => d.rendered.object.metadata.name === target?.name)?.rendered.object.spec as { replicas?: number } | undefined
      if (replicas?.replicas !== undefined) problem('spec.scaleTargetRef', `Deployment ${target?.name} also sets replicas (the HPA and every upgrade would fight)`)
    }
    if (object.kind === 'Ingress') {
      const rules = (object.spec as { rules?: { http?: { paths?: { backend?: { service?: { name: string; port?: { name?: string; number?: number } } } }[] } }[] }).rules ?? []
      for (const [i, rule] of rules.entries()) {
        for (const [j, p] of (rule.http?.paths ?? []).entries()) {
          const backend = p.backend?.service
          const service = byKind('Service').find((s) => s.object.metadata.name === backend?.name)
          const ports = (service?.object.spec as { ports?: { name?: string; port: number }[] } | undefined)?.ports ?? []
          if (!service) problem(`spec.rules[${i}].http.paths[${j}].backend.service.name`, `Service ${backend?.name} is not rendered`)
          else if (!ports.some((port) => port.name === backend?.port?.name || port.port === backend?.port?.number)) problem(`spec.rules[${i}].http.paths[${j}].backend.service.port`, 'names no port of the Service')
        }
      }
    }
    if (object.kind === 'ServiceMonitor') {
      const spec = object.spec as { selector?: LabelSelector; endpoints?: { port?: string; bearerTokenSecret?: { name: string; key: string } }[] }
      if (!byKind('Service').some((s) => matches(spec.selector, s.object.metadata.labels))) problem('spec.selector', 'selects no rendered Service')
      for (const [i, endpoint] of (spec.endpoints ?? []).entries()) {
        const secret = endpoint.bearerTokenSecret
        if (!secret) problem(`spec.endpoints[${i}].bearerTokenSecret`, 'must be set (/metrics needs the bearer token)')
        else if (!metricsTokens.has(`${secret.name}/${secret.key}`)) problem(`spec.endpoints[${i}].bearerTokenSecret`, `${secret.name}/${secret.key} is not the Secret the processes read METRICS_TOKEN from`)
      }
    }
  }
  return problems
}

/** Values that satisfy server/env.ts in place of what the Secrets will hold (never real ones). */
const SECRET_STAND_INS: Record<string, string> = {
  DATABASE_URL: 'postgres://carbon:stand-in@postgresql:5432/carbon',
  SESSION_SECRET: 's'.repeat(32),
  METRICS_TOKEN: 'm'.repeat(24),
  OIDC_CLIENT_SECRET: 'client-secret',
  OTEL_EXPORTER_OTLP_HEADERS: 'api-key=stand-in',
}

/**
 * Each container's environment as the process will see it (the ConfigMaps it imports, literal
 * values, a stand-in per secretKeyRef) parsed by server/env.ts: a variable the code does not read
 * or a value it refuses is found here rather than in a crash-looping pod.
 */
export function checkEnvironment(objects: Rendered[], values: string): ChartProblem[] {
  const problems: ChartProblem[] = []
  const known = new Set(Object.keys(EnvSchema.shape))
  const configMaps = new Map(
    objects.filter((r) => r.object.kind === 'ConfigMap').map((r) => [r.object.metadata.name, (r.object.data as Record<string, string> | undefined) ?? {}]),
  )
  for (const rendered of objects) {
    const template = podTemplate(rendered.object)
    for (const [i, container] of (template?.spec?.containers ?? []).entries()) {
      const problem = (at: string, message: string) =>
        problems.push({ values, step: 'policy', source: rendered.source, object: describe(rendered), path: `spec.template.spec.containers[${i}].${at}`, message })
      const env: Record<string, string> = {}
      for (const source of container.envFrom ?? []) Object.assign(env, configMaps.get(source.configMapRef?.name ?? '') ?? {})
      for (const variable of container.env ?? []) {
        if (variable.value !== undefined) env[variable.name] = variable.value
        else if (variable.valueFrom?.secretKeyRef) env[variable.name] = SECRET_STAND_INS[variable.name] ?? 'stand-in'
      }
      for (const name of Object.keys(env)) if (!known.has(name)) problem(`env (${name})`, 'server/env.ts reads no such variable')
      try {
        parseEnv(env)
      } catch (error) {
        if (!(error instanceof EnvError)) throw error
        for (const issue of error.issues) problem(`env (${issue.variable})`, `server/env.ts refuses it: ${issue.message}`)
      }
    }
  }
  return problems
}

/** Objects per kind, sorted by kind. */
export function countKinds(objects: Rendered[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const { object } of objects) counts.set(object.kind, (counts.get(object.kind) ?? 0) + 1)
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)))
}

/** Lint, render, parse, validate and police the chart with one set of values. */
export async function checkChart(options: RenderOptions = {}): Promise<CheckResult> {
  const values = valuesLabel(options)
  const [lintProblems, rendered] = await Promise.all([lintChart(options), renderChart(options)])
  const parsed = parseManifest(rendered.manifest, values)
  const problems = [
    ...lintProblems,
    ...rendered.problems,
    ...parsed.problems,
    ...validateObjects(parsed.objects, values),
    ...checkPolicies(parsed.objects, values),
    ...checkEnvironment(parsed.objects, values),
  ]
  return { values, manifest: rendered.manifest, objects: parsed.objects, counts: countKinds(parsed.objects), problems }
}

/** One line per problem: which values, which step, which template and object, which path. */
export function formatProblem(problem: ChartProblem): string {
  const where = [problem.source, problem.object, problem.path].filter(Boolean).join(' ')
  return `${problem.values} [${problem.step}]${where ? ` ${where}` : ''}: ${problem.message}`
}

/** The per-kind table of several checks side by side. */
export function countTable(results: CheckResult[]): string {
  const kinds = [...new Set(results.flatMap((r) => [...r.counts.keys()]))].sort()
  const headers = ['kind', ...results.map((r) => r.values)]
  const rows = [...kinds.map((kind) => [kind, ...results.map((r) => String(r.counts.get(kind) ?? 0))])]
  rows.push(['total', ...results.map((r) => String(r.objects.length))])
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  return [line(headers), ...rows.map(line)].join('\n')
}

export const VALUE_FILES: RenderOptions[] = [{}, { valuesFile: 'values-production.yaml' }, { valuesFile: 'values-production.yaml', overlays: ['values-staging.yaml'] }]

async function main(argv: string[]): Promise<number> {
  // Installed first: a reader that goes away (`| head -1`) ends the output quietly.
  stdout()
  stderr()
  const chartFlag = argv.indexOf('--chart')
  const chartDir = chartFlag >= 0 && argv[chartFlag + 1] ? path.resolve(argv[chartFlag + 1]!) : CHART_DIR
  const results = await Promise.all(VALUE_FILES.map((options) => checkChart({ ...options, chartDir })))
  const out = chunkedWriter(stdout())
  await out.line(results[0]!.manifest.trimEnd())
  await out.end()
  const err = stderr()
  await err.write(`${countTable(results)}\n`)
  const problems = results.flatMap((r) => r.problems)
  for (const problem of problems) await err.write(`${formatProblem(problem)}\n`)
  const sizes = results.map((r) => `${r.values} ${r.objects.length} objects`).join(', ')
  await err.write(
    problems.length === 0
      ? `chart:check passed: ${sizes} (helm lint --strict, Kubernetes schemas, policy, server/env.ts)\n`
      : `chart:check FAILED: ${problems.length} problem${problems.length === 1 ? '' : 's'} (${sizes})\n`,
  )
  return problems.length === 0 ? 0 : 1
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => exitAfterFlush(code),
    async (error: unknown) => {
      await stderr().write(`chart:check FAILED: ${error instanceof Error ? error.message : String(error)}\n`)
      await exitAfterFlush(1)
    },
  )
}
