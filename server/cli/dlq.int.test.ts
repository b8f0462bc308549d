import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { TOPICS } from '../adapters/bus/index.ts'
import { migratePostgres } from '../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { repoRoot } from '../paths.ts'
import { openPlatform, seedReferenceData, type Platform } from '../platform.ts'
import { upsertNodes } from '../services/nodes/index.ts'

/*
 * `npx carbon dlq list` and `npx carbon dlq replay` as real processes against a PostgreSQL
 * database that this test fills with dead letters the way the platform does (publishing to the
 * dead-letter topics of a bus whose sink is the dead-letter store). The CLI's chDB lives in a
 * data directory of its own.
 */
let database: { url: string; drop(): Promise<void> }
let testDir: string
let cliDir: string
let platform: Platform

const record = (node: string) => ({
  market: 'MISO',
  node,
  run: 'DA',
  intervalStart: '2026-06-01T10:00:00.000Z',
  intervalEnd: '2026-06-01T11:00:00.000Z',
  lmp: 25.25,
  energy: null,
  congestion: null,
  loss: null,
  ghg: null,
  source: 'miso.da_expost_lmp',
  publishedAt: null,
})

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  testDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-dlq-cli-test-'))
  cliDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-dlq-cli-'))
  const env = parseEnv({ DATA_DIR: testDir, DATABASE_URL: database.url })
  platform = await openPlatform(env, pino({ level: 'silent' }))
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
  await platform.bus.publish(TOPICS.pricesDlq, [
    {
      key: 'MISO:file.csv',
      value: JSON.stringify({ dataset: 'miso.da_expost_lmp', rawKey: 'raw/MISO/miso.da_expost_lmp/2026/06/01/file.csv.abc', file: 'file.csv', line: 17, field: 'HE5', reason: 'not a number', value: 'n/a' }),
      headers: { kind: 'parse-issue', reason: 'file.csv line 17, HE5: not a number (found "n/a")', file: 'file.csv', line: '17', field: 'HE5', 'source-dataset': 'miso.da_expost_lmp', 'raw-key': 'raw/MISO/miso.da_expost_lmp/2026/06/01/file.csv.abc', 'failed-at': new Date().toISOString() },
    },
    {
      key: 'MISO:CLI.NODE',
      value: JSON.stringify(record('CLI.NODE')),
      headers: { kind: 'unknown-node', reason: 'unknown node "CLI.NODE": not in the MISO node catalogue (file.csv)', 'source-dataset': 'miso.da_expost_lmp', 'raw-key': 'raw/MISO/miso.da_expost_lmp/2026/06/01/file.csv.abc', 'failed-at': new Date().toISOString() },
    },
  ])
  await platform.bus.publish(TOPICS.curvesDlq, [{ key: 'curve-1', value: '{"buildId":"nope"}', headers: { reason: 'not a build request: buildId: Invalid UUID', 'source-topic': TOPICS.curvesBuild } }])
})

afterAll(async () => {
  await platform?.close()
  await database?.drop()
  for (const dir of [testDir, cliDir]) if (dir) await rm(dir, { recursive: true, force: true })
})

function carbon(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'dlq', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: cliDir, DATABASE_URL: database.url },
  })
}

type Listed = { id: number; time: string; topic: string; kind: string; reason: string; file: string | null; line: number | null; rawKey: string | null; replay: string | null }
const ndjson = (text: string) => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Listed)

it('lists dead letters as NDJSON when piped: id, time, topic, reason, file, line, raw key; filtered by topic and time', () => {
  const all = carbon('list')
  expect(all.status, all.stderr).toBe(0)
  const rows = ndjson(all.stdout)
  expect(rows).toHaveLength(3)
  const parse = rows.find((r) => r.kind === 'parse-issue')!
  expect(parse).toMatchObject({ topic: 'prices.dlq', reason: 'file.csv line 17, HE5: not a number (found "n/a")', file: 'file.csv', line: 17, rawKey: 'raw/MISO/miso.da_expost_lmp/2026/06/01/file.csv.abc' })
  expect(Number.isNaN(Date.parse(parse.time))).toBe(false)
  expect(all.stderr).toContain('3 dead letter(s)')

  const curves = carbon('list', '--topic', 'curves.dlq')
  expect(ndjson(curves.stdout).map((r) => r.reason)).toEqual(['not a build request: buildId: Invalid UUID'])
  const later = carbon('list', '--since', new Date(Date.now() + 3_600_000).toISOString())
  expect(later.status).toBe(0)
  expect(later.stdout).toBe('')
  const bad = carbon('list', '--since', 'yesterday')
  expect(bad.status).toBe(1)
  expect(bad.stderr).toContain('--since must be a date YYYY-MM-DD or an ISO time, got "yesterday"')
})

it('replays one dead letter once its cause is fixed, never twice; --all keeps what still fails with its reason', async () => {
  const id = ndjson(carbon('list').stdout).find((r) => r.kind === 'unknown-node')!.id
  const early = carbon('replay', String(id))
  expect(early.status, early.stderr).toBe(3)
  expect(early.stdout).toBe(`${id} still fails: unknown node "CLI.NODE": still not in the MISO node catalogue\n`)

  await upsertNodes(platform.pg.db, [{ market: 'MISO', name: 'CLI.NODE', type: 'hub' }])
  const fixed = carbon('replay', String(id))
  expect(fixed.status, fixed.stderr).toBe(0)
  expect(fixed.stdout).toBe(`${id} replayed -> prices.normalized\n`)
  const twice = carbon('replay', String(id))
  expect(twice.status, twice.stderr).toBe(0)
  expect(twice.stdout).toBe(`${id} already replayed: nothing done\n`)

  const all = carbon('replay', '--all')
  expect(all.status).toBe(3)
  const lines = all.stdout.trim().split('\n')
  expect(lines, all.stdout).toHaveLength(2)
  expect(lines.join('\n')).toMatch(/still fails: not a build request/)
  expect(lines.join('\n')).toMatch(/still fails: file\.csv line 17, HE5: not a number .*no ingest run archived raw payload raw\/MISO\/miso\.da_expost_lmp\/2026\/06\/01\/file\.csv\.abc/)
  // Listed: the two still failing, not the replayed one.
  expect(ndjson(carbon('list').stdout).map((r) => r.id)).not.toContain(id)
  expect(ndjson(carbon('list', '--all').stdout).find((r) => r.id === id)).toMatchObject({ replay: 'replayed' })

  const neither = carbon('replay')
  expect(neither.status).toBe(1)
  expect(neither.stderr).toContain('dlq replay needs a dead-letter id or --all')
})
