import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { repoRoot } from '../../server/paths.ts'

/** One JSON log line of a carbon process (pino). */
export type LogLine = { msg: string } & Record<string, unknown>

export type CarbonExit = { code: number | null; signal: NodeJS.Signals | null }

/**
 * `bin/carbon.js <args>` as a real process for tests, with its output collected: `waitFor`
 * resolves when stdout or stderr has matched a pattern (rejects if the process exits first),
 * `exited` when it ended. Only PATH and HOME are inherited from the test's environment.
 */
export type CarbonProcess = {
  child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** What was written to stderr so far (messages outside the JSON log). */
  stderr(): string
  waitFor(pattern: RegExp): Promise<RegExpExecArray>
  exited: Promise<CarbonExit>
  /** Resolves with the exit when the process ends within `ms`, else kills it (SIGKILL) and resolves null. */
  exitWithin(ms: number): Promise<CarbonExit | null>
  /** Whether the process has ended. */
  ended(): boolean
}

/**
 * Starts `carbon <args>` with exactly `env` (plus PATH and HOME, and NODE_ENV=test unless `env`
 * sets it). `onLine`, when given, gets each JSON log line of stdout (set LOG_LEVEL to see debug lines).
 */
export function startCarbon(args: string[], env: Record<string, string>, onLine?: (line: LogLine) => void): CarbonProcess {
  return startNodeProcess([path.join(repoRoot, 'bin/carbon.js'), ...args], env, onLine)
}

/** `node <nodeArgs>` (a script of the repository) as a real process, on the same terms as `startCarbon`. */
export function startNodeProcess(nodeArgs: string[], env: Record<string, string>, onLine?: (line: LogLine) => void): CarbonProcess {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let stderr = ''
  const watchers = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8')
    for (const check of watchers) check()
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  if (onLine) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (text.startsWith('{')) onLine(JSON.parse(text) as LogLine)
    })
  }
  const exited = new Promise<CarbonExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output)
          if (!match) return
          watchers.delete(check)
          resolve(match)
        }
        watchers.add(check)
        check()
        void exited.then(({ code, signal }) => {
          if (!watchers.has(check)) return
          watchers.delete(check)
          reject(new Error(`node ${nodeArgs.map((a) => path.basename(a)).join(' ')} exited (code ${code}, signal ${signal}) before printing ${pattern}:\n${output}`))
        })
      })
    },
    async exitWithin(ms) {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))
      const result = await Promise.race([exited, late])
      clearTimeout(timer)
      if (result === null) {
        child.kill('SIGKILL')
        await exited
      }
      return result
    },
    ended: () => child.exitCode !== null || child.signalCode !== null,
  }
}

/** Polls `done` until true; throws with the process's stderr as soon as one of `alive` has ended. */
export async function waitWhileRunning(what: string, done: () => boolean | Promise<boolean>, alive: readonly CarbonProcess[]): Promise<void> {
  while (!(await done())) {
    const dead = alive.find((p) => p.ended())
    if (dead) throw new Error(`a process ended while waiting for ${what}:\n${dead.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
