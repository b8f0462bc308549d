import { spawn, type ChildProcess } from 'node:child_process'

/**
 * librdkafka's mock cluster, started through Debian's `kcat` (no Kafka broker can be installed on
 * this machine kind; see /work/shared/STACK.md, "Kafka"). The mock speaks the Kafka wire protocol on
 * real loopback ports: kafkajs produce, consume, commit and fetch offsets work against it; topics are
 * auto-created with 4 partitions on first use; createTopics and group admin calls do not work.
 *
 * kcat 1.7 has no -M flag: a consumer with `test.mock.num.brokers` set starts the mock in-process and
 * prints the bootstrap list it replaced the given one with on stderr. It keeps running (and the mock
 * with it) until killed. One cluster per test FILE (beforeAll/afterAll): ~60 ms to start.
 */
export type KafkaMock = {
  /** host:port of every mock broker, e.g. ['127.0.0.1:40123', ...]. */
  brokers: string[]
  /** Kills kcat (and with it the cluster) and waits for it to exit. Idempotent. */
  stop(): Promise<void>
}

const READY = /Mock cluster enabled:.*replaced with (\S+)/
const START_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 3_000

/** Every kcat still running in this process, killed synchronously if the process exits first. */
const running = new Set<ChildProcess>()
let exitHookInstalled = false
function killAllOnExit() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

export async function startKafkaMock(options: { brokers?: number; kcat?: string } = {}): Promise<KafkaMock> {
  const kcat = options.kcat ?? 'kcat'
  const count = options.brokers ?? 3
  const child = spawn(
    kcat,
    ['-X', `test.mock.num.brokers=${count}`, '-b', '127.0.0.1:1', '-C', '-t', '__mock_keepalive', '-o', 'end', '-q'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  running.add(child)
  killAllOnExit()
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => {
      running.delete(child)
      resolve()
    })
  })

  let stderr = ''
  const brokers = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kcat did not start the Kafka mock cluster within ${START_TIMEOUT_MS} ms. Its stderr:\n${stderr}`))
    }, START_TIMEOUT_MS)
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      running.delete(child)
      reject(
        error.code === 'ENOENT'
          ? new Error(`kcat is not installed (needed for the Kafka mock cluster): apt-get install -y kcat`)
          : new Error(`kcat failed to start: ${error.message}`),
      )
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`kcat exited (code ${code}, signal ${signal}) before the mock cluster was ready. Its stderr:\n${stderr}`))
    })
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => {
      // Keep a bounded tail for diagnostics; the stream is drained for the child's whole life.
      stderr = (stderr + chunk).slice(-8_192)
      const match = READY.exec(stderr)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1].split(',').filter(Boolean))
      }
    })
  })

  let stopping: Promise<void> | undefined
  return {
    brokers,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM')
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
          await exited
          clearTimeout(timer)
        }
        child.stderr?.destroy()
      })()
      return stopping
    },
  }
}
