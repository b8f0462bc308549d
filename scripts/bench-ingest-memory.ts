/**
 * bench:ingest's memory probe, run by scripts/bench-ingest.ts in a fresh process per file:
 * `tsx scripts/bench-ingest-memory.ts DATASET FILE PATH` reads the payload bytes at PATH, parses
 * them once as the pipeline does (parsePayload: unpackPayload + the source's parser), and
 * prints the growth of this process's peak RSS (VmHWM) over that one parse, in MB: the measure
 * scripts/bench-ingest-pandas.py takes of pandas.
 */
import fs from 'node:fs'
import { SOURCES, type SourceId } from '@carbon/connectors'
import { parsePayload } from '../server/services/ingest/parse.ts'

function peakRssKib(): number {
  const line = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'))
  if (!line) throw new Error('no VmHWM in /proc/self/status')
  return Number(line.split(/\s+/)[1])
}

function main() {
  const [dataset, file, bytesPath] = process.argv.slice(2)
  if (!dataset || !file || !bytesPath || !(dataset in SOURCES)) throw new Error('usage: bench-ingest-memory.ts DATASET FILE PATH')
  const bytes = fs.readFileSync(bytesPath)
  const before = peakRssKib()
  const { records } = parsePayload(dataset as SourceId, { bytes, file })
  const after = peakRssKib()
  process.stdout.write(`${JSON.stringify({ records: records.length, peakMemoryMb: Math.round((after - before) / 102.4) / 10 })}\n`)
}

main()
