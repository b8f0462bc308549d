import { parentPort } from 'node:worker_threads'
import { answerJob, type ParseJob } from './parse.ts'

/**
 * Inside the ingest's parse thread (started by parse.ts): each message is one publisher file,
 * answered with its records, refused rows and node list, or why it could not be read. Unzipping and
 * parsing never block the process's event loop here.
 */

const port = parentPort
if (!port) throw new Error('parse-thread.ts runs as a worker thread (started by parse.ts)')

port.on('message', (job: ParseJob) => port.postMessage(answerJob(job)))
