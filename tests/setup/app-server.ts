import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
    /** The server's data directory (the development provider's signing key lives there). */
    dataDir: string
  }
}

const root = path.resolve(import.meta.dirname, '../..')
/** Requests per minute per API credential on the e2e server (the access test exceeds it on purpose). */
export const E2E_RATE_LIMIT = 120

/**
 * End-to-end setup: builds the hub if needed and starts `carbon serve` exactly as `npm start`
 * does (embedded stores, demo data) in a fresh data directory on a free port.
 */
export default async function setup(project: TestProject) {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-build.js')], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('building the hub failed')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-e2e-'))
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli.ts'), 'serve', '--port', '0'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn', UV_THREADPOOL_SIZE: '8', RATE_LIMIT_PER_MINUTE: String(E2E_RATE_LIMIT) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const baseUrl = await waitForUrl(child)
  project.provide('baseUrl', baseUrl)
  project.provide('dataDir', dataDir)
  return async () => {
    // A server that already died (its failure is in the tests' errors) has nothing left to stop.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`server did not start in 240 s:\n${output}`)), 240_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /254Carbon hub: (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${output}`))
    })
  })
}
