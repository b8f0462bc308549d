import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DASHBOARDS_DIR, dashboardFiles, renderDashboard } from './index.ts'

/**
 * Writes every dashboard to chart/files/dashboards (and removes JSON files no dashboard produces,
 * e.g. a market that was dropped). `--check` writes nothing and exits 1 when a committed file
 * differs from what the code builds.
 *
 *   npx tsx ops/dashboards/generate.ts [--check]
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

async function committedFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json'))
  } catch {
    return []
  }
}

async function main(check: boolean): Promise<number> {
  const dir = path.join(repoRoot, DASHBOARDS_DIR)
  const wanted = new Map(dashboardFiles().map((d) => [d.file, renderDashboard(d.dashboard)]))
  const stale = (await committedFiles(dir)).filter((f) => !wanted.has(f))
  const drift: string[] = stale.map((f) => `${f}: no dashboard builds it`)
  for (const [file, text] of wanted) {
    const current = await readFile(path.join(dir, file), 'utf8').catch(() => null)
    if (current !== text) drift.push(`${file}: ${current === null ? 'missing' : 'differs from the generated dashboard'}`)
  }
  if (check) {
    for (const line of drift) process.stderr.write(`${DASHBOARDS_DIR}/${line}\n`)
    if (drift.length > 0) process.stderr.write('Run `npm run dashboards` and commit the result.\n')
    return drift.length > 0 ? 1 : 0
  }
  await mkdir(dir, { recursive: true })
  for (const f of stale) await rm(path.join(dir, f))
  for (const [file, text] of wanted) await writeFile(path.join(dir, file), text)
  process.stdout.write(`${wanted.size} dashboards in ${DASHBOARDS_DIR} (${drift.length} changed)\n`)
  return 0
}

process.exitCode = await main(process.argv.includes('--check'))
