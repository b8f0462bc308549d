import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync, rmSync, type WriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { TestProject } from 'vitest/node'

/**
 * A throwaway OpenStack Swift (Debian's swift 2.30) with the s3api middleware: a real S3 endpoint
 * that checks SigV4 signatures and presigned-URL expiry. One memcached, one account, container
 * and object server (single-replica rings) and the proxy, all on 127.0.0.1 free ports, all
 * state in a temporary directory that `stop()` removes.
 *
 * Per test file: `const swift = await startSwift()` in beforeAll, `await swift.stop()` in afterAll.
 * For the whole run: add this file to a project's `globalSetup` and read `inject('swift')`.
 * Install the packages with `bash scripts/install-swift.sh`.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    swift: SwiftConnection
  }
}

export type SwiftConnection = {
  /** The S3 endpoint (path-style), e.g. http://127.0.0.1:41234 */
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
}

export type SwiftServer = SwiftConnection & {
  /** The temporary directory holding configuration, rings, data and `swift.log`. */
  dir: string
  /** Milliseconds from the call to every server answering. */
  startupMs: number
  /** Stops every process this server started and removes its directory. */
  stop(): Promise<void>
}

const REGION = 'us-east-1'
const ACCESS_KEY_ID = 'test:tester'
const SECRET_ACCESS_KEY = 'testing'
const PYTHON = '/usr/bin/python3'
const REQUIRED = [
  'swift-proxy-server',
  'swift-account-server',
  'swift-container-server',
  'swift-object-server',
  'memcached',
]

const execFileAsync = promisify(execFile)

function which(binary: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/usr/sbin', '/usr/local/bin']
  for (const dir of dirs) {
    const candidate = path.join(dir, binary)
    if (dir && existsSync(candidate)) return candidate
  }
  return null
}

/** Throws a clear error naming what is missing and how to install it. */
export function assertSwiftInstalled(): Record<string, string> {
  const found: Record<string, string> = {}
  const missing: string[] = []
  for (const binary of REQUIRED) {
    const at = which(binary)
    if (at) found[binary] = at
    else missing.push(binary)
  }
  if (!existsSync('/etc/swift/swift.conf')) missing.push('/etc/swift/swift.conf')
  if (missing.length > 0) {
    throw new Error(
      `OpenStack Swift (the S3 store for these tests) is not installed: missing ${missing.join(', ')}. ` +
        'Run `bash scripts/install-swift.sh` (apt-get install swift-proxy swift-object swift-container swift-account memcached).',
    )
  }
  return found
}

/** `count` distinct free loopback ports (all held open together while choosing, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port)
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

function serverConf(options: {
  dir: string
  port: number
  user: string
  kind: 'account' | 'container' | 'object'
}): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${options.port}
workers = 0
user = ${options.user}
swift_dir = ${options.dir}
devices = ${path.join(options.dir, 'srv')}
mount_check = false
log_level = WARNING

[pipeline:main]
pipeline = healthcheck ${options.kind}-server

[app:${options.kind}-server]
use = egg:swift#${options.kind}

[filter:healthcheck]
use = egg:swift#healthcheck
`
}

function proxyConf(options: { dir: string; port: number; user: string; memcachedPort: number }): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${options.port}
workers = 0
user = ${options.user}
swift_dir = ${options.dir}
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${SECRET_ACCESS_KEY} .admin

[filter:s3api]
use = egg:swift#s3api
location = ${REGION}

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${options.memcachedPort}

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
[filter:symlink]
use = egg:swift#symlink
`
}

/**
 * Writes the account, container and object rings: part power 10, one replica, one device each.
 * One Python process through swift's RingBuilder (what `swift-ring-builder X.builder create 10 1 1`,
 * `add r1z1-127.0.0.1:PORT/d1 1` and `rebalance` do): 0.5 s instead of 2.8 s for nine CLI runs.
 */
async function buildRings(dir: string, ports: Record<'account' | 'container' | 'object', number>): Promise<void> {
  const script = `
import json, sys
from swift.common.ring import RingBuilder
for kind, port in json.loads(sys.argv[1]).items():
    builder = RingBuilder(10, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save(kind + '.ring.gz')
`
  await execFileAsync(PYTHON, ['-c', script, JSON.stringify(ports)], { cwd: dir })
}

async function waitFor(check: () => Promise<boolean>, what: string, deadline: number, failed: () => string | null) {
  for (;;) {
    const failure = failed()
    if (failure) throw new Error(failure)
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function healthy(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/healthcheck`, { signal: AbortSignal.timeout(1000) })
  await response.arrayBuffer()
  return response.ok
}

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Starts memcached and the four Swift servers; resolves when every one answers. */
export async function startSwift(options: { timeoutMs?: number } = {}): Promise<SwiftServer> {
  const started = Date.now()
  const binaries = assertSwiftInstalled()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-swift-'))
  const children: { name: string; child: ChildProcess }[] = []
  let logStream: WriteStream | undefined
  const logFile = path.join(dir, 'swift.log')

  const killAll = (signal: NodeJS.Signals) => {
    for (const { child } of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    }
  }
  // If the test process dies without afterAll, do not leave servers behind.
  const onExit = () => {
    killAll('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', onExit)

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    process.removeListener('exit', onExit)
    killAll('SIGTERM')
    const timer = setTimeout(() => killAll('SIGKILL'), 5000)
    await Promise.all(children.map(({ child }) => exited(child)))
    clearTimeout(timer)
    await new Promise<void>((resolve) => (logStream ? logStream.end(resolve) : resolve()))
    await rm(dir, { recursive: true, force: true })
  }

  try {
    const [memcachedPort, proxyPort, accountPort, containerPort, objectPort] = (await freePorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ]
    const user = os.userInfo().username
    await mkdir(path.join(dir, 'srv', 'd1'), { recursive: true })
    const ports = { account: accountPort, container: containerPort, object: objectPort } as const
    for (const kind of ['account', 'container', 'object'] as const) {
      await writeFile(path.join(dir, `${kind}-server.conf`), serverConf({ dir, port: ports[kind], user, kind }))
    }
    await buildRings(dir, ports)
    await writeFile(path.join(dir, 'proxy-server.conf'), proxyConf({ dir, port: proxyPort, user, memcachedPort }))

    logStream = createWriteStream(logFile)
    const launch = (name: string, command: string, args: string[]) => {
      const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout?.pipe(logStream!, { end: false })
      child.stderr?.pipe(logStream!, { end: false })
      children.push({ name, child })
    }
    const memcachedArgs = ['-l', '127.0.0.1', '-p', String(memcachedPort), '-U', '0']
    if (process.getuid?.() === 0) memcachedArgs.push('-u', 'root')
    launch('memcached', binaries.memcached!, memcachedArgs)
    for (const kind of ['account', 'container', 'object'] as const) {
      launch(kind, PYTHON, [binaries[`swift-${kind}-server`]!, path.join(dir, `${kind}-server.conf`), '-v'])
    }
    launch('proxy', PYTHON, [binaries['swift-proxy-server']!, path.join(dir, 'proxy-server.conf'), '-v'])

    const deadline = Date.now() + (options.timeoutMs ?? 60_000)
    const failed = () => {
      const dead = children.find(({ child }) => child.exitCode !== null || child.signalCode !== null)
      if (!dead) return null
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : ''
      return `Swift ${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}) while starting:\n${log}`
    }
    await waitFor(() => tcpOpen(memcachedPort), 'memcached', deadline, failed)
    await Promise.all(
      [accountPort, containerPort, objectPort, proxyPort].map((port) =>
        waitFor(() => healthy(port), `Swift on port ${port}`, deadline, failed),
      ),
    )
    return {
      endpoint: `http://127.0.0.1:${proxyPort}`,
      region: REGION,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      dir,
      startupMs: Date.now() - started,
      stop,
    }
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : ''
    await stop()
    if (error instanceof Error && log && !error.message.includes(log)) error.message += `\nswift.log:\n${log}`
    throw error
  }
}

/** Vitest globalSetup form: one Swift for the whole run, handed to tests as inject('swift'). */
export default async function setup(project: TestProject) {
  const swift = await startSwift()
  project.provide('swift', {
    endpoint: swift.endpoint,
    region: swift.region,
    accessKeyId: swift.accessKeyId,
    secretAccessKey: swift.secretAccessKey,
  })
  return () => swift.stop()
}
