import { parentPort } from 'node:worker_threads'
import { answerJob, type ParseJob } from './parse.ts'

/**
 * Inside the ingest's parse thread (started by parse.ts): each message is one publisher file,
 * answered with its prepared records (parse.ts: Prepared), refused rows and node list, or why it
 * could not be read. Unzipping, parsing and writing the records' JSON never block the process's
 * event loop here.
 */

const port = parentPort
if (!port) throw new Error('parse-thread.ts runs as a worker thread (started by parse.ts)')

port.on('message', (job: ParseJob) => {
  const answer = answerJob(job)
  // The typed arrays move to the main thread; the few long strings are copied once each.
  if (answer.type === 'prepared') {
    const { piece, end, node, start } = answer.prepared.records
    port.postMessage(answer, [piece.buffer, end.buffer, node.buffer, start.buffer] as ArrayBuffer[])
  } else port.postMessage(answer)
})
