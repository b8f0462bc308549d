import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FIXTURE_DIR } from '@carbon/connectors'
import { misoReportCsv, misoReportFileName, PriceModel } from '@carbon/simulator'
import { afterAll, describe, expect, it } from 'vitest'
import { sink } from '../../tests/support/sink.ts'
import { repoRoot } from '../paths.ts'
import { runParse } from './parse.ts'

/*
 * `carbon parse` as a real process writing into a real pipe: every record arrives however slowly
 * the reader reads (process.exit used to drop what the pipe had not taken yet), and a reader that
 * closes after the first line (`| head -1`) ends the command quietly with exit code 0.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-output-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const DATE = { y: 2026, m: 7, d: 14 }
/** A full-size MISO day-ahead report (every simulator catalogue node, about 1.2 MB). */
function fullSizeMisoReport(): string {
  const file = path.join(tmp, misoReportFileName(DATE, 'da_expost_lmp'))
  fs.writeFileSync(file, misoReportCsv(new PriceModel({ seed: 7 }), 'da_expost_lmp', DATE))
  return file
}

async function expectedRecords(source: string, file: string): Promise<number> {
  const out = sink()
  expect(await runParse({ source, file }, out.stream, sink().stream)).toBe(0)
  return out.lines().length
}

type Run = { code: number | null; signal: NodeJS.Signals | null; lines: number; stderr: string }

/**
 * Spawns `carbon parse` with stdout into a pipe read by `read` (which may pause it or close it).
 * Resolves when the process has exited and the pipe is drained or closed.
 */
function parseThroughPipe(source: string, file: string, mode: 'slow' | 'first-line'): Promise<Run> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'parse', '--source', source, file], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (stderr += chunk))
  let lines = 0
  const stdout = child.stdout
  stdout.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 10) lines++
    if (mode === 'first-line' && lines > 0) {
      // `head -1`: the reader takes one line and closes its end of the pipe.
      stdout.destroy()
    } else if (mode === 'slow') {
      // A slow reader: a pause after every chunk, so the writer meets a full pipe again and again.
      stdout.pause()
      setTimeout(() => stdout.resume(), 2)
    }
  })
  const drained = new Promise<void>((resolve) => stdout.once('close', () => resolve()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return Promise.all([exited, drained]).then(([exit]) => ({ ...exit, lines, stderr }))
}

describe('carbon output through a pipe', { timeout: 60_000 }, () => {
  it('delivers every record of a full-size MISO report to a slow reader', async () => {
    const file = fullSizeMisoReport()
    const expected = await expectedRecords('miso.da_expost_lmp', file)
    expect(expected).toBeGreaterThan(50_000)
    const run = await parseThroughPipe('miso.da_expost_lmp', file, 'slow')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.lines).toBe(expected)
  })

  it('delivers every record of a real publisher file to a slow reader', async () => {
    const file = fileURLToPath(new URL('miso_rt_lmp_final_20260926_hubs_interfaces.csv', FIXTURE_DIR))
    const expected = await expectedRecords('miso.rt_lmp_final', file)
    const run = await parseThroughPipe('miso.rt_lmp_final', file, 'slow')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.lines).toBe(expected)
  })

  it('ends quietly with exit code 0 when the reader closes after the first line (| head -1)', async () => {
    const run = await parseThroughPipe('miso.da_expost_lmp', fullSizeMisoReport(), 'first-line')
    expect(run.stderr).toBe('')
    expect(run.signal).toBeNull()
    expect(run.code).toBe(0)
    expect(run.lines).toBeGreaterThan(0)
  })
})
