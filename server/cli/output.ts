/**
 * What the command line prints, delivered whole whatever stdout is (a terminal, a file, a pipe,
 * a pipe whose reader has gone):
 * - `write` respects backpressure: it resolves once the stream takes more, so a slow reader slows
 *   the command instead of queueing its whole output in memory;
 * - `exitAfterFlush` waits until everything written reached the operating system before
 *   `process.exit` (which drops what a pipe has not taken yet: `carbon parse ... | cat` lost
 *   records that way);
 * - a reader that closes early (`carbon parse ... | head -1`: EPIPE) is the normal end of the
 *   output, not an error: later writes are dropped and the command ends quietly.
 *
 * Every command prints through `stdout()` / `stderr()` and the CLI exits through `exitAfterFlush`.
 */
export type CliOutput = {
  /** Writes `text`; resolves when the stream can take more (or the reader is gone). */
  write(text: string): Promise<void>
  /** Resolves once everything written so far has been handed to the operating system. */
  flush(): Promise<void>
  /** True once the reader has gone (EPIPE) or the stream failed: later writes are dropped. */
  readonly closed: boolean
}

const outputs = new WeakMap<NodeJS.WritableStream, CliOutput>()

/** A reader that went away: the end of the output, not a failure of the command. */
function isReaderGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET'
}

/** The output of `stream` (one per stream: its error handler is installed once). */
export function cliOutput(stream: NodeJS.WritableStream): CliOutput {
  const existing = outputs.get(stream)
  if (existing) return existing
  let closed = false
  let waiting: (() => void)[] = []
  const wakeAll = () => {
    const waiters = waiting
    waiting = []
    for (const wake of waiters) wake()
  }
  stream.on('error', (error: unknown) => {
    // Without this handler an EPIPE would be an uncaught exception with a stack trace.
    closed = true
    wakeAll()
    if (!isReaderGone(error) && stream !== process.stderr) process.stderr.write(`carbon: output failed: ${String(error)}\n`)
  })
  stream.on('drain', wakeAll)
  stream.on('close', () => {
    closed = true
    wakeAll()
  })

  const output: CliOutput = {
    get closed() {
      return closed
    },
    write(text) {
      if (closed) return Promise.resolve()
      if (stream.write(text)) return Promise.resolve()
      return new Promise<void>((resolve) => waiting.push(resolve))
    },
    flush() {
      if (closed) return Promise.resolve()
      // Callbacks run in write order: this one runs after every earlier chunk was written.
      return new Promise<void>((resolve) => stream.write('', () => resolve()))
    },
  }
  outputs.set(stream, output)
  return output
}

/** The process's stdout as a CliOutput. */
export const stdout = (): CliOutput => cliOutput(process.stdout)
/** The process's stderr as a CliOutput. */
export const stderr = (): CliOutput => cliOutput(process.stderr)

/**
 * Text written in chunks of about 64 KB: one stream write per chunk rather than per line, with
 * the chunk's backpressure awaited. `end()` writes the rest.
 */
export function chunkedWriter(output: CliOutput, chunkSize = 64 * 1024) {
  let pending = ''
  return {
    async line(text: string): Promise<void> {
      pending += `${text}\n`
      if (pending.length >= chunkSize) {
        const chunk = pending
        pending = ''
        await output.write(chunk)
      }
    },
    async end(): Promise<void> {
      if (pending) await output.write(pending)
      pending = ''
    },
  }
}

/** Flushes stdout and stderr, then exits with `code`: nothing printed is lost. */
export async function exitAfterFlush(code: number): Promise<never> {
  await Promise.all([stdout().flush(), stderr().flush()])
  process.exit(code)
}
