import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monthHours } from '@carbon/curves'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { describe, expect, it } from 'vitest'
import { sink } from '../../tests/support/sink.ts'
import { repoRoot } from '../paths.ts'
import { runCurveBuild } from './curve.ts'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-curve-'))
function quotesFile(name: string, lines: string[]): string {
  const file = path.join(tmp, name)
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

type Printed = { months: { month: string; price: number; hours: number }[]; diagnostics: Record<string, unknown> }

function build(args: Parameters<typeof runCurveBuild>[0]) {
  const out = sink()
  const err = sink()
  const code = runCurveBuild(args, out.stream, err.stream)
  return { code, printed: out.text() ? (JSON.parse(out.text()) as Printed) : null, error: err.text() }
}

const indiana = DEMO_CURVE_HUBS.find((h) => h.node === 'INDIANA.HUB')!
const demoCsv = ['contract,block,price', ...demoQuotes(indiana, '2026-11-25').map((q) => `${q.contract},${q.block},${q.price}`)]

describe('carbon curve build', () => {
  it('prints the monthly curve of the block to 2050-12 as JSON, repricing each quote of that block', () => {
    const file = quotesFile('demo.csv', demoCsv)
    const { code, printed, error } = build({ quotes: file, market: 'MISO', block: 'onpeak', asOf: '2026-11-25' })
    expect(error).toBe('')
    expect(code).toBe(0)
    const months = printed!.months
    expect(months[0]!.month).toBe('2026-12')
    expect(months.at(-1)!.month).toBe('2050-12')
    expect(months).toHaveLength(12 * 24 + 1)
    expect(months[0]!.hours).toBe(monthHours('MISO', '2026-12').onpeak)
    expect(printed!.diagnostics).toMatchObject({ market: 'MISO', block: 'onpeak', method: 'kkt-banded-schur' })
    // Cal-2030 on-peak: the hours-weighted average of its twelve printed months is the quote.
    const cal = demoCsv.find((l) => l.startsWith('Cal-2030,onpeak,'))!
    const year = months.filter((m) => m.month.startsWith('2030-'))
    const average = year.reduce((s, m) => s + m.price * m.hours, 0) / year.reduce((s, m) => s + m.hours, 0)
    expect(Math.abs(average - Number(cal.split(',')[2]))).toBeLessThan(1e-9)
  })

  it('names the line and the contract of a bad quote, and the contracts of an inconsistent set (exit 1)', () => {
    const bad = build({ quotes: quotesFile('bad.csv', ['contract,block,price', '2027-01,onpeak,55', '2027-Q5,onpeak,50']), market: 'MISO', block: 'onpeak', asOf: '2026-11-25' })
    expect(bad.code).toBe(1)
    expect(bad.error).toMatch(/line 3/)
    expect(bad.error).toMatch(/2027-Q5/)
    const conflict = build({
      quotes: quotesFile('conflict.csv', ['contract,block,price', '2027-07,onpeak,80', '2027-08,onpeak,78', '2027-09,onpeak,60', '2027-Q3,onpeak,90']),
      market: 'MISO',
      block: 'onpeak',
      asOf: '2026-11-25',
    })
    expect(conflict.code).toBe(1)
    expect(conflict.error).toMatch(/2027-Q3 onpeak/)
    expect(conflict.error).toMatch(/2027-07 onpeak/)
  })

  it('refuses bad options with usage (exit 2) and a missing file by name (exit 1)', () => {
    expect(build({ quotes: 'x.csv', market: 'ENTSOE', block: 'onpeak' })).toMatchObject({ code: 2, error: expect.stringMatching(/--market must be one of MISO, CAISO, PJM, ERCOT, SPP, NYISO, ISONE, IESO, AESO, got "ENTSOE"/) })
    expect(build({ quotes: 'x.csv', market: 'MISO', block: 'peak-ish' })).toMatchObject({ code: 2, error: expect.stringMatching(/--block/) })
    expect(build({ quotes: path.join(tmp, 'missing.csv'), market: 'MISO', block: 'atc' })).toMatchObject({ code: 1, error: expect.stringMatching(/missing\.csv: ENOENT/) })
  })

  it('runs as `npx carbon curve build` with the options of the issue', () => {
    const file = quotesFile('cli.csv', demoCsv)
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'curve', 'build', '--quotes', file, '--market', 'MISO', '--block', 'atc', '--as-of', '2026-11-25'], {
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const printed = JSON.parse(run.stdout) as Printed
    expect(printed.months.at(-1)).toMatchObject({ month: '2050-12', hours: monthHours('MISO', '2050-12').atc })
  }, 60_000)
})
