import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { repoRoot } from '../paths.ts'

/*
 * `npx carbon backfill` as a user runs it: embedded stores in a fresh data directory, fetching
 * from the publisher simulator, a progress report on stderr, a summary on stdout; the same
 * command again finds the range done.
 */
let dataDir: string
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-backfill-cli-'))
})
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const DAY = 86_400_000

function carbon(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 180_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: dataDir },
  })
}

it('backfills two days of MISO final real-time prices, then reports the range as done', () => {
  // Two market days that the final report covers already (it is posted six days later).
  const from = new Date(Math.floor(Date.now() / DAY) * DAY - 10 * DAY).toISOString().slice(0, 10)
  const to = new Date(Date.parse(from) + 2 * DAY).toISOString().slice(0, 10)
  const first = carbon('backfill', '--market', 'MISO', '--dataset', 'rt-final', '--from', from, '--to', to, '--source', 'simulator')
  expect(first.status, first.stderr).toBe(0)
  // 2,600 nodes x 24 hours per market day; UTC midnights cut three EST market days.
  expect(first.stdout).toMatch(/Backfill done: 3\/3 requests, [\d,]+ records, 0 refused/)
  expect(first.stderr).toMatch(/Backfill miso\.rt_lmp_final: 100%/)

  const again = carbon('backfill', '--market', 'MISO', '--dataset', 'rt-final', '--from', from, '--to', to, '--source', 'simulator')
  expect(again.status, again.stderr).toBe(0)
  expect(again.stdout).toMatch(/was backfilled already/)
})

it('names the problem: an unknown dataset, a live-only feed, a bad date', () => {
  const unknown = carbon('backfill', '--market', 'MISO', '--dataset', 'rt-finale', '--from', '2026-07-01', '--to', '2026-07-02')
  expect(unknown.status).toBe(1)
  expect(unknown.stderr).toMatch(/unknown MISO dataset "rt-finale"; MISO datasets: da-expost .*rt-final/)
  const live = carbon('backfill', '--market', 'MISO', '--dataset', 'exante', '--from', '2026-07-01', '--to', '2026-07-02', '--source', 'simulator')
  expect(live.stderr).toMatch(/live-only feed/)
  const date = carbon('backfill', '--market', 'CAISO', '--dataset', 'dam', '--from', '2026-13-01', '--to', '2026-07-02')
  expect(date.stderr).toMatch(/--from must be a date YYYY-MM-DD or an ISO time, got "2026-13-01"/)
})

it('backfills a day of EIA-930 demand (a series dataset: every respondent, no --market), then reports it done', () => {
  const from = new Date(Math.floor(Date.now() / DAY) * DAY - 3 * DAY).toISOString().slice(0, 10)
  const to = new Date(Date.parse(from) + DAY).toISOString().slice(0, 10)
  const first = carbon('backfill', '--dataset', 'eia.930.region_data', '--from', from, '--to', to, '--source', 'simulator')
  expect(first.status, first.stderr).toBe(0)
  // The default respondents (the seven ISOs and PACW), one request each for the day.
  expect(first.stdout).toMatch(/Backfill done: 8\/8 requests, [\d,]+ values, 0 refused/)
  expect(first.stderr).toMatch(/Backfill eia\.930\.region_data: 100%/)

  const again = carbon('backfill', '--dataset', 'eia.930.region_data', '--from', from, '--to', to, '--source', 'simulator')
  expect(again.status, again.stderr).toBe(0)
  expect(again.stdout).toMatch(/was backfilled already/)

  const market = carbon('backfill', '--market', 'CAISO', '--dataset', 'eia.930.region_data', '--from', from, '--to', to)
  expect(market.status).toBe(1)
  expect(market.stderr).toMatch(/--market is not for series datasets: eia\.930\.region_data is ingested under the market each EIA-930 respondent maps to/)
}, 180_000)
