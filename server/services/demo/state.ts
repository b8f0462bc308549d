import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { AppError } from '../../errors.ts'

/**
 * The record of the demo load, beside the embedded stores it fills (`<DATA_DIR>/demo-load.json`).
 * Each step is marked `started` before it writes anything and `done` only after all of it is
 * stored, so a load interrupted by Ctrl-C or a kill is recognised at the next start and loaded
 * again with the SAME window (`end`, `days`): the generated history is deterministic and the
 * price store keeps one row per key, so loading a step again completes it without duplicates.
 *
 * A file rather than a table: the demo is a first-start convenience of the embedded data
 * directory (it loads only into embedded ClickHouse), and the file lives and dies with it.
 */
export const DEMO_STEPS = ['prices', 'scenarios', 'curves', 'series', 'fuelCurves'] as const
export type DemoStep = (typeof DEMO_STEPS)[number]

const DemoState = z.object({
  version: z.literal(1),
  /** The end of the generated history window (ISO time): the same on every attempt. */
  end: z.iso.datetime(),
  days: z.number().int().positive(),
  steps: z.partialRecord(z.enum(DEMO_STEPS), z.enum(['started', 'done'])),
})
export type DemoState = z.infer<typeof DemoState>

export function demoStateFile(dataDir: string): string {
  return path.join(dataDir, 'demo-load.json')
}

/** The recorded demo load, or null when none was ever started in this data directory. */
export function readDemoState(dataDir: string): DemoState | null {
  const file = demoStateFile(dataDir)
  if (!fs.existsSync(file)) return null
  let json: unknown
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new AppError('INTERNAL', `${file} is not valid JSON (${(error as Error).message}); delete it to load the demo again`)
  }
  const parsed = DemoState.safeParse(json)
  if (!parsed.success) {
    throw new AppError('INTERNAL', `${file} is not a demo load record (${z.prettifyError(parsed.error).replace(/\n/g, ' ')}); delete it to load the demo again`)
  }
  return parsed.data
}

/** Writes the record atomically (a temporary file renamed over it): a kill leaves the old or the new one. */
export function writeDemoState(dataDir: string, state: DemoState): void {
  fs.mkdirSync(dataDir, { recursive: true })
  const file = demoStateFile(dataDir)
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`)
  fs.renameSync(temporary, file)
}

/** The steps a recorded load started and did not finish. */
export function unfinishedSteps(state: DemoState | null): DemoStep[] {
  return DEMO_STEPS.filter((step) => state?.steps[step] === 'started')
}
