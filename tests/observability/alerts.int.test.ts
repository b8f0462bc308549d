import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { ALERTS_README, allowedMetricNames, loadRules, metricNames, repoRoot, RULES_FILE, RUNBOOK } from './contract.ts'

/*
 * The Prometheus rules (chart/files/alerts/carbon.rules.yml) as Prometheus's own promtool reads
 * them: `promtool check rules` and the unit tests `promtool test rules tests/alerts/*.test.yml`.
 * Then what promtool does not check: every alert carries a severity, a summary, a description
 * with its labels or value and a runbook link to its own heading of the runbook, every alert has
 * its heading in docs/operations.md, and every alert fires in some promtool test and
 * stays silent in another.
 */

const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool'
const TESTS_DIR = 'tests/alerts'
const SEVERITIES = ['critical', 'warning']

function promtool(...args: string[]): void {
  if (!existsSync(PROMTOOL)) {
    throw new Error(`promtool is not installed at ${PROMTOOL}: install Debian's prometheus package or point PROMTOOL_PATH at the binary`)
  }
  const result = spawnSync(PROMTOOL, args, { cwd: repoRoot, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`promtool ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`)
}

const testFiles = readdirSync(path.join(repoRoot, TESTS_DIR))
  .filter((f) => f.endsWith('.test.yml'))
  .sort()
  .map((f) => `${TESTS_DIR}/${f}`)

const rules = loadRules()
const alerts = rules.filter((r) => r.alert)

type AlertRuleTest = { eval_time: string; alertname: string; exp_alerts?: unknown[] }
type PromtoolTests = { rule_files: string[]; tests: { alert_rule_test?: AlertRuleTest[] }[] }

describe('Prometheus rules', () => {
  it('pass promtool check rules', () => {
    promtool('check', 'rules', RULES_FILE)
  })

  it('pass their promtool unit tests', () => {
    expect(testFiles.length).toBeGreaterThan(0)
    promtool('test', 'rules', ...testFiles)
  })

  it('name recording rules carbon:... and read only existing metrics', async () => {
    const allowed = await allowedMetricNames()
    for (const rule of rules) {
      if (rule.record) expect(rule.record).toMatch(/^carbon:[a-z0-9_]+(:[a-z0-9_]+)*$/)
      expect(metricNames(rule.expr).filter((n) => !allowed.has(n)), rule.record ?? rule.alert).toEqual([])
    }
  })

  it('give every alert a severity, a summary, a description with its labels or value and its runbook link', () => {
    expect(alerts.length).toBeGreaterThan(0)
    for (const alert of alerts) {
      const name = alert.alert!
      expect(name, name).toMatch(/^Carbon[A-Za-z]+$/)
      expect(SEVERITIES, name).toContain(alert.labels?.severity)
      expect(alert.annotations?.summary?.trim(), name).toBeTruthy()
      expect(alert.annotations?.description, name).toMatch(/\{\{ \$(labels|value)/)
      expect(alert.annotations?.runbook_url, name).toBe(`${RUNBOOK}#${name.toLowerCase()}`)
    }
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length)
  })

  it('have a runbook heading per alert in docs/operations.md, and no heading for an alert that does not exist', () => {
    const headings = [...readFileSync(path.join(repoRoot, ALERTS_README), 'utf8').matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1])
    expect(headings.sort()).toEqual(alerts.map((a) => a.alert).sort())
  })

  it('make every alert fire in a promtool test and stay silent in another', () => {
    const fires = new Set<string>()
    const silent = new Set<string>()
    for (const file of testFiles) {
      const doc = parse(readFileSync(path.join(repoRoot, file), 'utf8')) as PromtoolTests
      expect(doc.rule_files, file).toEqual([path.relative(path.join(repoRoot, TESTS_DIR), path.join(repoRoot, RULES_FILE))])
      for (const t of doc.tests.flatMap((x) => x.alert_rule_test ?? [])) {
        ;((t.exp_alerts ?? []).length > 0 ? fires : silent).add(t.alertname)
      }
    }
    for (const alert of alerts) {
      expect(fires.has(alert.alert!), `${alert.alert} never fires in ${TESTS_DIR}`).toBe(true)
      expect(silent.has(alert.alert!), `${alert.alert} is never shown silent in ${TESTS_DIR}`).toBe(true)
    }
  })
})
