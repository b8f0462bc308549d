import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { EIA_FIXTURE_DIR, FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE, REC_FIXTURE_DIR, REC_PRICES_SAMPLE_FIXTURE, SERIES_SOURCES, SOURCES } from '@carbon/connectors'
import { PriceRecord, SeriesRecord } from '@carbon/schemas'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { sink } from '../../tests/support/sink.ts'
import { repoRoot } from '../paths.ts'
import { runParse } from './parse.ts'

async function parse(source: string, file: string) {
  const out = sink()
  const err = sink()
  const code = await runParse({ source, file }, out.stream, err.stream)
  return { code, records: out.lines().map((l) => JSON.parse(l) as unknown), problems: err.lines() }
}

const fixture = (name: string) => fileURLToPath(new URL(name, FIXTURE_DIR))
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-parse-'))

describe('carbon parse', () => {
  it('prints one canonical record per node and hour of a MISO DA report, in field order', async () => {
    const { code, records, problems } = await parse('miso.da_expost_lmp', fixture('miso_da_expost_lmp_20260714_hubs.csv'))
    expect(code).toBe(0)
    expect(problems).toEqual([])
    for (const r of records) PriceRecord.parse(r)
    const indiana = records.filter((r) => (r as PriceRecord).node === 'INDIANA.HUB') as PriceRecord[]
    expect(indiana).toHaveLength(24)
    expect(Object.keys(indiana[0]!)).toEqual([
      'market', 'node', 'run', 'intervalStart', 'intervalEnd', 'lmp', 'energy', 'congestion', 'loss', 'ghg', 'source', 'publishedAt',
    ])
    const mean = indiana.reduce((s, r) => s + r.lmp, 0) / 24
    expect(Math.round(mean * 1e4) / 1e4).toBe(140.8904)
  })

  it('opens an ERCOT MIS zip as served and parses the CSV inside', async () => {
    const { code, records } = await parse('ercot.dam_spp', fixture('ercot/ercot_np4-190_dam_spp_20260612_DAMSPNP4190_csv.zip'))
    expect(code).toBe(0)
    expect(records).toHaveLength(26_664)
    expect(records.find((r) => (r as PriceRecord).node === 'HB_NORTH' && (r as PriceRecord).intervalStart === '2026-06-12T09:00:00.000Z')).toMatchObject({ lmp: 32.84 })
  })

  it('opens a CAISO OASIS zip and parses the CSV inside', async () => {
    const csv = fs.readFileSync(fixture('caiso_oasis_PRC_LMP_DAM_TH_SP15_20260714_EXCERPT.csv'))
    const zipFile = path.join(tmp, 'oasis.zip')
    fs.writeFileSync(zipFile, zipSync({ 'PRC_LMP.csv': csv }))
    const { code, records } = await parse('caiso.oasis.prc_lmp', zipFile)
    expect(code).toBe(0)
    expect(records).toHaveLength(5)
  })

  it('names file, line, field and value of a refused row, prints the rest, exits 3', async () => {
    const text = fs.readFileSync(fixture('miso_da_expost_lmp_20260714_hubs.csv'), 'utf8').replace('37.82', 'abc')
    const file = path.join(tmp, 'bad_da.csv')
    fs.writeFileSync(file, text)
    const { code, records, problems } = await parse('miso.da_expost_lmp', file)
    expect(code).toBe(3)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^bad_da\.csv line 7, HE 1: .*"abc"/)
    expect(records.length).toBeGreaterThan(0)
  })

  it('prints the series records of an EIA workbook with their units, in field order', async () => {
    const { code, records, problems } = await parse('eia.ng.hh_spot_monthly', fileURLToPath(new URL(HENRY_HUB_MONTHLY_FIXTURE, EIA_FIXTURE_DIR)))
    expect(code).toBe(0)
    expect(problems).toEqual([])
    expect(records).toHaveLength(355)
    for (const r of records) SeriesRecord.parse(r)
    expect(Object.keys(records[0]!)).toEqual([
      'product', 'market', 'series', 'measure', 'frequency', 'periodStart', 'periodEnd', 'value', 'unit', 'attributes', 'source', 'publishedAt',
    ])
    expect(records.find((r) => (r as SeriesRecord).periodStart === '2024-01-01T00:00:00.000Z')).toMatchObject({ series: 'HENRY_HUB', value: 3.18, unit: '$/MMBtu' })
  })

  it('names file, line, field and value of a refused series row, prints the rest, exits 3; an unusable workbook exits 1', async () => {
    const text = fs.readFileSync(fileURLToPath(new URL(REC_PRICES_SAMPLE_FIXTURE, REC_FIXTURE_DIR)), 'utf8')
    const lines = text.split('\n')
    const file = path.join(tmp, 'rec_bad.csv')
    fs.writeFileSync(file, [lines[0], lines[1]!.replace(/,NJ,/, ',XX,'), ...lines.slice(2)].join('\n'))
    const bad = await parse('carbon.rec_prices_csv', file)
    expect(bad.code).toBe(3)
    expect(bad.problems).toHaveLength(1)
    expect(bad.problems[0]).toMatch(/^rec_bad\.csv line 2, state: .*"XX"/)
    expect(bad.records.length).toBeGreaterThan(0)
    const notAWorkbook = path.join(tmp, 'RNGWHHDm.xls')
    fs.writeFileSync(notAWorkbook, '<html><body>Service unavailable</body></html>')
    const unusable = await parse('eia.ng.hh_spot_monthly', notAWorkbook)
    expect(unusable.code).toBe(1)
    expect(unusable.problems[0]).toContain('RNGWHHDm.xls')
  })

  it('refuses an HTML page and a truncated zip as unusable files (exit 1)', async () => {
    const html = path.join(tmp, 'throttled.csv')
    fs.writeFileSync(html, '<html><body>Too many requests</body></html>')
    expect((await parse('caiso.oasis.prc_lmp', html)).code).toBe(1)
    const cut = path.join(tmp, 'cut.zip')
    fs.writeFileSync(cut, zipSync({ 'a.csv': new Uint8Array(4000).fill(65) }).slice(0, 60))
    const result = await parse('caiso.oasis.prc_lmp', cut)
    expect(result.code).toBe(1)
    expect(result.problems[0]).toMatch(/cut\.zip.*zip/)
  })

  it('lists the source ids in its help and refuses an unknown one', async () => {
    const help = spawnSync(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'parse', '--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    // Every source id, each market's in lower case as its prefix.
    for (const [id, source] of Object.entries(SOURCES)) {
      expect(help.stdout).toContain(`  ${id} `)
      expect(id.startsWith(`${source.market.toLowerCase()}.`)).toBe(true)
    }
    for (const prefix of ['pjm.', 'ercot.', 'spp.', 'nyiso.', 'isone.', 'ieso.', 'aeso.']) expect(help.stdout).toContain(`\n  ${prefix}`)
    // Every series source, with its product and what it was verified against.
    for (const [id, source] of Object.entries(SERIES_SOURCES)) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${id.replaceAll('.', '\\.')} +.*\\[${source.product}; verified against `))
    }
    for (const prefix of ['eia.', 'carb.', 'datahub.', 'carbon.']) expect(help.stdout).toContain(`\n  ${prefix}`)
    await expect(runParse({ source: 'nope', file: 'x' })).rejects.toThrow(/unknown source "nope"/)
  })
})
