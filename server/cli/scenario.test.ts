import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { sink } from '../../tests/support/sink.ts'
import { MODEL_LAST_MONTH, SCENARIO_HUBS, SCENARIO_MARKETS } from '../../packages/scenario/src/types.ts'
import { repoRoot } from '../paths.ts'
import { cliOutput } from './output.ts'
import { nextMonth, roundPrice, runScenarioCommand, type ScenarioArgs } from './scenario.ts'

const examples = path.join(repoRoot, 'packages/scenario/examples')
const example = (name: string) => path.join(examples, name)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-scenario-'))

async function command(args: ScenarioArgs, now?: Date) {
  const out = sink()
  const err = sink()
  const code = await runScenarioCommand(args, { out: cliOutput(out.stream), err: cliOutput(err.stream), now })
  return { code, out: out.text(), err: err.text() }
}

function carbon(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'scenario', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
}

/** Months `first`..`last` inclusive, `YYYY-MM`. */
function monthsFrom(first: string, last: string): string[] {
  const months: string[] = []
  let [y, m] = first.split('-').map(Number) as [number, number]
  for (let key = first; key <= last; ) {
    months.push(key)
    m++
    if (m === 13) {
      y++
      m = 1
    }
    key = `${y}-${String(m).padStart(2, '0')}`
  }
  return months
}

describe('carbon scenario check', () => {
  it('prints ok with the name, the resolved statement count and the sha256 of the canonical text', async () => {
    const { code, out, err } = await command({ action: 'check', file: example('high-gas-carbon.scn'), json: false })
    expect(err).toBe('')
    expect(code).toBe(0)
    const match = /^ok: High gas carbon \((\d+) statements, canonical sha256 ([0-9a-f]{64})\)\n$/.exec(out)
    expect(match).not.toBeNull()
    // 6 own statements + High gas's fuel.gas + whatever base sets that the chain does not replace
    expect(Number(match![1])).toBeGreaterThanOrEqual(7)
  })

  it('checks every example that is not broken on purpose', async () => {
    const good = fs.readdirSync(examples).filter((n) => n.endsWith('.scn') && !n.startsWith('broken') && !n.startsWith('cycle'))
    expect(good.length).toBeGreaterThanOrEqual(5)
    for (const name of good) expect(await command({ action: 'check', file: example(name), json: false })).toMatchObject({ code: 0, err: '' })
  })

  it('gives the same hash to a file that differs only in comments, spacing, order and number spelling', async () => {
    const respelt = path.join(tmp, 'respelt.scn')
    fs.writeFileSync(respelt, [
      'scenario "High gas carbon"   extends "High gas"   # same as the example',
      'retire coal 3000.0 MW in MISO at 2029-01',
      '  set macro.inflation = 2.50 %/yr',
      'build solar 5000 MW in MISO at 2028-06',
      'set load.MISO.growth = 1.50 %/yr from 2027-01',
      'set policy.carbon = 40.000 $/t escalate 3 %/yr from 2030-01',
      'set fuel.coal = 2.1 $/MMBtu',
    ].join('\n'))
    fs.copyFileSync(example('high-gas.scn'), path.join(tmp, 'high-gas.scn'))
    const a = await command({ action: 'check', file: example('high-gas-carbon.scn'), json: false })
    const b = await command({ action: 'check', file: respelt, json: false })
    expect(b.err).toBe('')
    expect(b.out).toBe(a.out)
  })

  it('prints every error as file:line:col: message on stderr and exits 2', async () => {
    const file = example('broken-statements.scn')
    const { code, out, err } = await command({ action: 'check', file, json: false })
    expect(code).toBe(2)
    expect(out).toBe('')
    expect(err.split('\n').filter(Boolean)).toEqual([
      `${file}:3:5: unknown target fuel.gaz; did you mean fuel.gas?`,
      `${file}:4:19: unit $/t does not fit fuel.gas: expected $/MMBtu`,
      `${file}:5:7: unknown technology solr; did you mean solar?`,
      `${file}:6:32: bad month 2027-13: the month must be 01 to 12`,
    ])
  })

  it('suggests a parent among the built-in base and the folder scenarios, and names a cycle', async () => {
    const parent = await command({ action: 'check', file: example('broken-parent.scn'), json: false })
    expect(parent.code).toBe(2)
    expect(parent.err).toBe(`${example('broken-parent.scn')}:2:34: unknown parent scenario "Hihg gas"; did you mean "High gas"?\n`)
    const cycle = await command({ action: 'check', file: example('cycle-a.scn'), json: false })
    expect(cycle.code).toBe(2)
    expect(cycle.err).toBe(`${example('cycle-a.scn')}:2:28: extends makes a cycle: cycle-a -> cycle-b -> cycle-a\n`)
  })

  it('refuses a missing file, a missing argument and an unknown action (exit 2)', async () => {
    const missing = await command({ action: 'check', file: path.join(tmp, 'nope.scn'), json: false })
    expect(missing).toMatchObject({ code: 2, out: '' })
    expect(missing.err).toBe(`carbon: cannot read the scenario file ${path.join(tmp, 'nope.scn')}: no such file (ENOENT)\n`)
    expect(await command({ action: 'check', json: false })).toMatchObject({ code: 2, err: expect.stringMatching(/scenario check needs a file/) })
    expect(await command({ action: 'validate', file: 'x.scn', json: false })).toMatchObject({ code: 2, err: expect.stringMatching(/unknown scenario action "validate"/) })
  })

  it('runs as `npx carbon scenario check` with exit 0 and 2', () => {
    const ok = carbon('check', example('carbon-40.scn'))
    expect(ok.stderr).toBe('')
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/^ok: Carbon 40 \(\d+ statements, canonical sha256 [0-9a-f]{64}\)\n$/)
    const bad = carbon('check', example('broken-statements.scn'))
    expect(bad.status).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr.split('\n')[0]).toBe(`${example('broken-statements.scn')}:3:5: unknown target fuel.gaz; did you mean fuel.gas?`)
  }, 60_000)
})

type Printed = {
  runId: string
  inputsHash: string
  engine: string
  baseData: string
  scenario: { name: string; chain: string[] }
  prices: { market: string; hub: string; month: string; block: string; price: number }[]
}

describe('carbon scenario run', () => {
  it('refuses a scenario that follows the forward curve, which a run without a store has not, naming the way to run it (exit 2)', async () => {
    const file = path.join(tmp, 'forward.scn')
    fs.writeFileSync(file, 'scenario "Forward gas" extends "base"\nset fuel.gas = forward from 2026-08\n')
    expect(await command({ action: 'check', file, json: false })).toMatchObject({ code: 0 })
    const ran = await command({ action: 'run', file, json: true })
    expect(ran).toMatchObject({ code: 2, out: '' })
    expect(ran.err).toBe(
      `carbon: ${file}: "Forward gas" sets fuel.gas = forward, which prices gas on the house Henry Hub forward curve; this command runs without a store, so it has none. Run the scenario from the hub or the API (POST /api/v1/scenarios/{id}/runs), or set fuel.gas to a price here.\n`,
    )
  })

  it('prints one JSON object, the same bytes twice, with every hub and block from next month to 2050-12', async () => {
    const now = new Date('2026-12-06T23:59:59Z')
    const first = await command({ action: 'run', file: example('high-gas.scn'), json: true }, now)
    const second = await command({ action: 'run', file: example('high-gas.scn'), json: true }, now)
    expect(first.err).toBe('')
    expect(first.code).toBe(0)
    expect(second.out).toBe(first.out)
    const lines = first.out.split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toBe('')
    const printed = JSON.parse(lines[0]!) as Printed
    expect(Object.keys(printed)).toEqual(['runId', 'inputsHash', 'engine', 'baseData', 'scenario', 'prices'])
    expect(printed.runId).toMatch(/^[0-9a-f]{32}$/)
    expect(printed.engine).toMatch(/\S/)
    expect(printed.baseData).toMatch(/\S/)
    expect(printed.scenario).toEqual({ name: 'High gas', chain: ['base', 'High gas'] })
    const check = await command({ action: 'check', file: example('high-gas.scn'), json: false })
    expect(check.out).toContain(`canonical sha256 ${printed.inputsHash})`)
    // Every market, hub, month (2027-01 is the month after 2026-12-06) and block, in that order.
    const months = monthsFrom('2027-01', MODEL_LAST_MONTH)
    const expected = SCENARIO_MARKETS.flatMap((market) =>
      SCENARIO_HUBS[market].flatMap((hub) => months.flatMap((month) => (['onpeak', 'offpeak'] as const).map((block) => `${market} ${hub} ${month} ${block}`))),
    )
    expect(printed.prices.map((p) => `${p.market} ${p.hub} ${p.month} ${p.block}`)).toEqual(expected)
    for (const p of printed.prices) {
      expect(Number.isFinite(p.price)).toBe(true)
      expect(p.price).toBe(roundPrice(p.price))
      expect(Object.keys(p)).toEqual(['market', 'hub', 'month', 'block', 'price'])
    }
  })

  it('runs as `npx carbon scenario run --json`: identical bytes twice, months from next month to 2050-12', () => {
    const first = carbon('run', example('carbon-40.scn'), '--json')
    const second = carbon('run', example('carbon-40.scn'), '--json')
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)
    expect(second.stdout).toBe(first.stdout)
    const printed = JSON.parse(first.stdout) as Printed
    const months = monthsFrom(nextMonth(new Date()), MODEL_LAST_MONTH)
    expect(printed.prices[0]!.month).toBe(months[0])
    expect(printed.prices.at(-1)!.month).toBe(MODEL_LAST_MONTH)
    const hubs = SCENARIO_MARKETS.reduce((n, m) => n + SCENARIO_HUBS[m].length, 0)
    expect(printed.prices).toHaveLength(hubs * months.length * 2)
  }, 60_000)

  it('gives a different run id and higher prices for a higher gas price than the base', async () => {
    const base = path.join(tmp, 'base-only.scn')
    fs.writeFileSync(base, 'scenario "Base only" extends "base"\n')
    const now = new Date('2026-12-06T12:00:00Z')
    const a = JSON.parse((await command({ action: 'run', file: base, json: true }, now)).out) as Printed
    const b = JSON.parse((await command({ action: 'run', file: example('high-gas.scn'), json: true }, now)).out) as Printed
    expect(a.runId).not.toBe(b.runId)
    expect(a.prices[0]!.month).toBe('2027-01')
    const mean = (p: Printed) => p.prices.filter((r) => r.month >= '2030-01' && r.month <= '2035-12').reduce((s, r) => s + r.price, 0)
    expect(mean(b)).toBeGreaterThan(mean(a))
  })

  it('prints annual averages per market, hub and block without --json', async () => {
    const { code, out, err } = await command({ action: 'run', file: example('solar-build.scn'), json: false }, new Date('2026-12-06T00:00:00Z'))
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toMatch(/^scenario "Solar build" \(chain base -> Solar build\)\n/)
    for (const market of SCENARIO_MARKETS) {
      expect(out).toContain(`${market} (annual averages, $/MWh, hours-weighted)`)
      for (const hub of SCENARIO_HUBS[market]) expect(out).toContain(hub)
    }
    const rows = out.split('\n').filter((l) => /^20\d\d\s/.test(l))
    // 2027..2050 for each of the two markets, each row with 2 hubs x 2 blocks of numbers
    expect(rows).toHaveLength(24 * SCENARIO_MARKETS.length)
    for (const row of rows) expect(row.trim().split(/\s+/).slice(1).map(Number).every((n) => Number.isFinite(n) && n > 0)).toBe(true)
  })

  it('exits 2 with the diagnostics and runs nothing for a broken file', async () => {
    const { code, out, err } = await command({ action: 'run', file: example('broken-statements.scn'), json: true })
    expect(code).toBe(2)
    expect(out).toBe('')
    expect(err.split('\n').filter(Boolean)).toHaveLength(4)
  })
})

describe('canonical sha256 printed by check', () => {
  it('is the sha256 of the canonical text', async () => {
    const file = path.join(tmp, 'alone.scn')
    fs.writeFileSync(file, 'scenario "Alone"\nset fuel.gas = 4.0 $/MMBtu\n')
    const { out } = await command({ action: 'check', file, json: false })
    const canonical = 'scenario "Alone" chain "Alone"\nset fuel.gas = 4 $/MMBtu\n'
    expect(out).toBe(`ok: Alone (1 statement, canonical sha256 ${createHash('sha256').update(canonical).digest('hex')})\n`)
  })
})
