// `npm test`: makes sure the services the tests need are there, runs every vitest project
// (unit, integration, e2e), and ends with one plain line "N passed, N failed" for CI.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

function portAnswers(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

async function ensurePostgres() {
  if (process.env.TEST_POSTGRES_URL) return
  if (await portAnswers('127.0.0.1', 5432)) return
  process.stderr.write('PostgreSQL is not answering on 127.0.0.1:5432; trying to start the local cluster...\n')
  const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : []
  for (const version of versions) {
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' })
  }
  for (let i = 0; i < 30 && !(await portAnswers('127.0.0.1', 5432)); i++) await new Promise((r) => setTimeout(r, 500))
  if (!(await portAnswers('127.0.0.1', 5432))) {
    throw new Error('No PostgreSQL server: start one on 127.0.0.1:5432 or set TEST_POSTGRES_URL')
  }
}

function ensureChromium() {
  if (process.env.CHROMIUM_PATH || fs.existsSync('/usr/bin/chromium')) return
  throw new Error('Chromium is missing: apt-get install -y chromium (or set CHROMIUM_PATH); .ci/run installs it')
}

await ensurePostgres()
ensureChromium()

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-test-')), 'vitest.json')
const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]
const run = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { UV_THREADPOOL_SIZE: '8', ...process.env },
})

let passed = 0
let failed = 0
let skipped = 0
if (fs.existsSync(report)) {
  const json = JSON.parse(fs.readFileSync(report, 'utf8'))
  passed = json.numPassedTests
  failed = json.numFailedTests + suitesFailedOutsideTests(json)
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0)
} else {
  failed = 1
}
if (run.status !== 0 && failed === 0) failed = 1

/** A file that failed to load or whose hooks failed counts as one failure. */
function suitesFailedOutsideTests(json) {
  return (json.testResults ?? []).filter((r) => r.status === 'failed' && !r.assertionResults.some((a) => a.status === 'failed')).length
}

if (fs.existsSync(report)) printSlowestFiles(JSON.parse(fs.readFileSync(report, 'utf8')))

/** The ten slowest test files on stderr: where the suite's time goes (the target is about 15 minutes). */
function printSlowestFiles(json) {
  const files = (json.testResults ?? [])
    .map((r) => ({ file: path.relative(root, r.name), seconds: (r.endTime - r.startTime) / 1000 }))
    .filter((f) => Number.isFinite(f.seconds))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 10)
  if (files.length === 0) return
  process.stderr.write(`\nslowest test files:\n${files.map((f) => `  ${f.seconds.toFixed(1).padStart(7)} s  ${f.file}`).join('\n')}\n`)
}

process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
process.exit(run.status === 0 && failed === 0 ? 0 : 1)
