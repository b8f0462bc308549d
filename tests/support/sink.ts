import { Writable } from 'node:stream'

/** A Writable that keeps what is written to it: a CLI command's stdout or stderr in a test. */
export function sink() {
  let text = ''
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk)
      done()
    },
  })
  return { stream, text: () => text, lines: () => text.split('\n').filter(Boolean) }
}
