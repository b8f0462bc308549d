/**
 * A progress bar on stderr for long CLI work. On a terminal it redraws one line; elsewhere (CI,
 * pipes) it prints a line at every 10 %.
 */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
  let done = 0
  let lastDecile = -1
  const started = Date.now()
  const width = 30

  function render() {
    const ratio = total === 0 ? 1 : Math.min(1, done / total)
    const pct = Math.floor(ratio * 100)
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    if (stream.isTTY) {
      const filled = Math.round(ratio * width)
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${secs}s`)
    } else if (Math.floor(pct / 10) !== lastDecile) {
      lastDecile = Math.floor(pct / 10)
      stream.write(`${label}: ${pct}% (${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}) ${secs}s\n`)
    }
  }

  return {
    tick(n = 1) {
      done += n
      render()
    },
    finish() {
      done = total
      render()
      if (stream.isTTY) stream.write('\n')
    },
  }
}
