/**
 * `npm run bench:series`: our series readers (packages/connectors SERIES_SOURCES, issue 18) against
 * pandas, on the same bytes, in one run.
 *
 * Files, built here in memory from the fixtures' layouts and scaled to what a publisher serves
 * (the values are generated, not real; each is written to a temporary folder so both sides read
 * the same bytes, and reading them is not timed):
 *   eia930_region_json   one EIA Open Data API v2 page of region-data, 5,000 rows (the API's JSON
 *                        page size, EIA930_PAGE_ROWS): 5 respondents (CISO, ERCO, MISO, PJM, PACW)
 *                        x 4 types (D, DF, NG, TI) x 250 hours, in the served fixture's row shape.
 *   hh_daily_csv         Henry Hub daily spot prices 1997-01-07 .. (7,500 trading days, about the
 *                        7,437 rows of EIA's RNGWHHDd.xls), in datahub's derived CSV layout (Date,Price).
 *   hh_daily_xls         the same days in EIA's dnav workbook layout (.xls BIFF8, "Data 1" sheet),
 *                        built by the connectors' buildDnavWorkbook.
 *   lcfs_weekly_xlsx     CARB's weekly LCFS workbook layout, every Monday 2019-01-07 .. 2026-11-30
 *                        (413 weeks; price, Type 1 price, volume).
 *   lcfs_monthly_xlsx    the monthly LCFS transfer layout, 2013-01 .. 2026-10 (166 months; transfers,
 *                        volume, price, zero-price transfers and volume).
 *
 * Ours, in this process, after 3 warm-up runs: SERIES_SOURCES[source].parse(bytes, file), which validates
 * every cell and returns one canonical SeriesRecord per value (period as UTC instants, unit,
 * attributes, source), plus an issue per bad row. The record count is checked against pandas'.
 * pandas (Debian python3-pandas, /usr/bin/python3, in one child process; BENCH_PYTHON overrides), per
 * file, what a pandas user writes to get the same values into a frame with UTC timestamps:
 *   eia930_region_json   json.loads, pd.json_normalize(response.data), pd.to_datetime(period,
 *                        format "%Y-%m-%dT%H", utc) as the hour ending, pd.to_numeric(value).
 *   hh_daily_csv         pd.read_csv, pd.to_datetime(Date, format "%Y-%m-%d", utc), Price as float.
 *   hh_daily_xls         pd.read_excel needs xlrd for .xls; when /usr/bin/python3 has none (this
 *                        machine: checked at run time, reported in the JSON) the peer is the CSV
 *                        above, the same days and prices (what users of the daily series read
 *                        because the .xls needs xlrd), said so in `peer`.
 *   lcfs_*_xlsx          pd.read_excel(sheet_name=..., engine "openpyxl"), pd.to_datetime of the date
 *                        column (utc), melt of the value columns into one row per value, NaN dropped.
 * Ratios: pandas median / our median (above 1 = ours faster). 3 warm-up runs then REPEAT runs each (BENCH_SERIES_REPEAT,
 * default 7), medians reported. Progress to stderr, a table to stdout, the last stdout line is one
 * JSON object. A benchmark measures; it asserts nothing beyond the sanity of its own setup.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SERIES_SOURCES, type SeriesSourceId } from '@carbon/connectors'
import { buildDnavWorkbook } from '../packages/connectors/src/eia/test-workbook.ts'
import { CARB_LCFS_MONTHLY_SHEET } from '../packages/connectors/src/series/lcfs/monthly.ts'
import { carbLcfsMonthlyCells } from '../packages/connectors/src/series/lcfs/monthly-sample.ts'
import { carbLcfsWeeklyCells } from '../packages/connectors/src/series/lcfs/sample.ts'
import { CARB_LCFS_WEEKLY_SHEET } from '../packages/connectors/src/series/lcfs/weekly.ts'
import { buildXlsx } from '../packages/connectors/src/xlsx/build-xlsx.ts'

const REPEAT = Math.max(3, Number(process.env.BENCH_SERIES_REPEAT ?? 7))
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
/** Runs before timing, on each side (V8's JIT settles; pandas' imports and caches warm). */
const WARMUP = 3
const DAY_MS = 86_400_000

type FileSpec = { name: string; source: SeriesSourceId; file: string; bytes: Uint8Array; rows: number; peerKind: string; peerFile?: string; oursDoes: string }

const round = (n: number, digits = 3) => Number(n.toFixed(digits))
const progress = (label: string) => process.stderr.write(`${label}\n`)
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** A deterministic pseudo-random walk (the values only need to look like prices). */
function walk(n: number, start: number, step: number, seed = 254): number[] {
  let x = seed
  let v = start
  return Array.from({ length: n }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31
    v = Math.max(step, v + ((x / 2 ** 31) - 0.5) * step)
    return Math.round(v * 100) / 100
  })
}

/** Weekdays from `start`, `count` of them (holidays are not skipped: a volume, not a calendar). */
function weekdays(start: string, count: number): string[] {
  const days: string[] = []
  for (let t = Date.parse(`${start}T00:00:00Z`); days.length < count; t += DAY_MS) {
    const wd = new Date(t).getUTCDay()
    if (wd !== 0 && wd !== 6) days.push(isoDay(t))
  }
  return days
}

function eia930Page(): { bytes: Uint8Array; rows: number } {
  const respondents = [
    ['CISO', 'California Independent System Operator'],
    ['ERCO', 'Electric Reliability Council of Texas, Inc.'],
    ['MISO', 'Midcontinent Independent System Operator, Inc.'],
    ['PJM', 'PJM Interconnection, LLC'],
    ['PACW', 'PacifiCorp West'],
  ] as const
  const types = [
    ['D', 'Demand'],
    ['DF', 'Day-ahead demand forecast'],
    ['NG', 'Net generation'],
    ['TI', 'Total interchange'],
  ] as const
  const values = walk(250, 20_000, 400)
  const data = []
  for (const [respondent, respondentName] of respondents)
    for (const [type, typeName] of types)
      for (let h = 0; h < 250; h++)
        data.push({
          period: new Date(Date.UTC(2023, 0, 1) + h * 3_600_000).toISOString().slice(0, 13),
          respondent,
          'respondent-name': respondentName,
          type,
          'type-name': typeName,
          value: String(Math.round(values[h]! * (type === 'TI' ? -0.1 : 1))),
          'value-units': 'megawatthours',
        })
  const answer = { response: { total: String(data.length), dateFormat: 'YYYY-MM-DD"T"HH24', frequency: 'hourly', data, description: 'bench page' }, request: { command: '/v2/electricity/rto/region-data/data/', params: { frequency: 'hourly', offset: '0', length: '5000' } }, apiVersion: '2.1.8' }
  return { bytes: new TextEncoder().encode(JSON.stringify(answer)), rows: data.length }
}

function henryHubDays(): { date: string; value: number }[] {
  const days = weekdays('1997-01-07', 7_500)
  const values = walk(days.length, 3, 0.08)
  return days.map((date, i) => ({ date, value: values[i]! }))
}

function henryHubCsv(days: readonly { date: string; value: number }[]): Uint8Array {
  return new TextEncoder().encode(['Date,Price', ...days.map((d) => `${d.date},${d.value}`)].join('\r\n') + '\r\n')
}

function henryHubXls(days: readonly { date: string; value: number }[]): Uint8Array {
  return buildDnavWorkbook({
    sourceKey: 'RNGWHHD',
    valueHeader: 'Henry Hub Natural Gas Spot Price (Dollars per Million Btu)',
    release: '11/25/2026',
    nextRelease: '12/2/2026',
    rows: days.map((d) => ({ date: d.date, value: d.value })),
  })
}

function lcfsWeekly(): { bytes: Uint8Array; rows: number } {
  const mondays: string[] = []
  for (let t = Date.parse('2019-01-07T00:00:00Z'); t <= Date.parse('2026-11-30T00:00:00Z'); t += 7 * DAY_MS) mondays.push(isoDay(t))
  const prices = walk(mondays.length, 190, 4)
  const weeks = mondays.map((weekOf, i) => ({ weekOf, price: prices[i]!, type1Price: i % 3 === 0 ? null : round(prices[i]! + 0.5, 2), volume: 100_000 + ((i * 7_919) % 400_000) }))
  return { bytes: buildXlsx([{ name: CARB_LCFS_WEEKLY_SHEET, cells: carbLcfsWeeklyCells(weeks) }]), rows: weeks.length }
}

function lcfsMonthly(): { bytes: Uint8Array; rows: number } {
  const months: string[] = []
  for (let y = 2013; y <= 2026; y++) for (let m = 1; m <= 12; m++) if (y < 2026 || m <= 10) months.push(`${y}-${String(m).padStart(2, '0')}`)
  const prices = walk(months.length, 60, 5)
  const rows = months.map((month, i) => ({
    month,
    transfers: 40 + ((i * 37) % 180),
    volume: 300_000 + ((i * 104_729) % 2_500_000),
    price: prices[i]!,
    zeroTransfers: i % 4 === 0 ? null : (i * 3) % 17,
    zeroVolume: i % 4 === 0 ? null : ((i * 3) % 17) * 2_500,
  }))
  return { bytes: buildXlsx([{ name: CARB_LCFS_MONTHLY_SHEET, cells: carbLcfsMonthlyCells(rows) }]), rows: rows.length }
}

function files(): FileSpec[] {
  const eia = eia930Page()
  const days = henryHubDays()
  const weekly = lcfsWeekly()
  const monthly = lcfsMonthly()
  return [
    { name: 'eia930_region_json', source: 'eia.930.region_data', file: 'eia930_region_5000.json', bytes: eia.bytes, rows: eia.rows, peerKind: 'eia930_json', oursDoes: 'UTF-8 decode, JSON.parse, envelope checked (total, dateFormat, frequency), per row: respondent mapped to its market, type to series and measure, hour ending to a UTC period, value a finite number' },
    { name: 'hh_daily_csv', source: 'datahub.ng.hh_spot_daily', file: 'hh_daily.csv', bytes: henryHubCsv(days), rows: days.length, peerKind: 'hh_csv', oursDoes: 'UTF-8 decode, header checked, per line: row width, date validated (calendar, order, repeats), price a number >= 0, a day period as UTC midnights' },
    { name: 'hh_daily_xls', source: 'eia.ng.hh_spot_daily', file: 'RNGWHHDd.xls', bytes: henryHubXls(days), rows: days.length, peerKind: 'hh_xls', peerFile: 'hh_daily.csv', oursDoes: 'BIFF8 .xls read (compound file, shared strings, number cells), the Data 1 sheet and its header checked, per row: Excel serial to a date, value a number, a day period' },
    { name: 'lcfs_weekly_xlsx', source: 'carb.lcfs.credit_transfers', file: 'lcfs_weekly.xlsx', bytes: weekly.bytes, rows: weekly.rows, peerKind: 'lcfs_weekly_xlsx', oursDoes: 'unzip, shared strings and sheet XML read, headings found, per row: Monday checked, order and duplicates, each value cell validated, week period' },
    { name: 'lcfs_monthly_xlsx', source: 'carb.lcfs.monthly_transfers', file: 'lcfs_monthly.xlsx', bytes: monthly.bytes, rows: monthly.rows, peerKind: 'lcfs_monthly_xlsx', oursDoes: 'unzip, shared strings and sheet XML read, headings found (two optional), per row: month read, order and duplicates, counts whole, volumes not negative, prices above zero, month period' },
  ]
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

type OurStats = { records: number; issues: number; medianMs: number; runsMs: number[] }

function measureOurs(spec: FileSpec): OurStats {
  const parse = SERIES_SOURCES[spec.source].parse
  const first = parse(spec.bytes, spec.file)
  for (let i = 0; i < WARMUP; i++) parse(spec.bytes, spec.file)
  if (first.errors.length > 0) throw new Error(`${spec.name}: our reader refused ${first.errors.length} rows of the generated file, the first: ${first.errors[0]!.reason}`)
  const runsMs: number[] = []
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now()
    parse(spec.bytes, spec.file)
    runsMs.push(round(performance.now() - started))
  }
  return { records: first.records.length, issues: first.errors.length, medianMs: round(median(runsMs)), runsMs }
}

/** The pandas peer: one child process for every file, each timed REPEAT times after a warm-up. */
const PEER = String.raw`
import io, json, sys, time
import numpy as np
import pandas as pd

def eia930_json(data):
    obj = json.loads(data)
    df = pd.json_normalize(obj["response"]["data"])
    df["interval_end"] = pd.to_datetime(df["period"], format="%Y-%m-%dT%H", utc=True)
    df["value"] = pd.to_numeric(df["value"])
    return int(df["value"].notna().sum())

def hh_csv(data):
    df = pd.read_csv(io.BytesIO(data))
    df["Date"] = pd.to_datetime(df["Date"], format="%Y-%m-%d", utc=True)
    df["Price"] = df["Price"].astype(float)
    return int(df["Price"].notna().sum())

def lcfs_xlsx(sheet, date_col):
    def read(data):
        df = pd.read_excel(io.BytesIO(data), sheet_name=sheet, engine="openpyxl")
        df[date_col] = pd.to_datetime(df[date_col], utc=True)
        long = df.melt(id_vars=[date_col]).dropna(subset=["value"])
        return int(len(long))
    return read

def xls_engine():
    try:
        import xlrd
        return "xlrd " + xlrd.__version__
    except ImportError:
        return None

def hh_xls(data):
    df = pd.read_excel(io.BytesIO(data), sheet_name="Data 1", skiprows=2, engine="xlrd")
    df["Date"] = pd.to_datetime(df["Date"], utc=True)
    return int(df.iloc[:, 1].notna().sum())

manifest = json.load(open(sys.argv[1]))
engine = xls_engine()
kinds = {
    "eia930_json": (eia930_json, "json.loads + pd.json_normalize(response.data) + pd.to_datetime(period, utc) + pd.to_numeric(value)"),
    "hh_csv": (hh_csv, "pd.read_csv + pd.to_datetime(Date, utc) + Price astype float"),
    "lcfs_weekly_xlsx": (lcfs_xlsx("Weekly Average Credit Price", "Week Of"), "pd.read_excel(openpyxl) + pd.to_datetime(Week Of, utc) + melt, NaN dropped"),
    "lcfs_monthly_xlsx": (lcfs_xlsx("Monthly Credit Transfer Activity", "Month"), "pd.read_excel(openpyxl) + pd.to_datetime(Month, utc) + melt, NaN dropped"),
}
if engine:
    kinds["hh_xls"] = (hh_xls, "pd.read_excel(sheet Data 1, engine xlrd) + pd.to_datetime(Date, utc)")
else:
    kinds["hh_xls"] = (hh_csv, "no .xls engine (xlrd not installed for this python): pd.read_csv of the same days as CSV + pd.to_datetime + float")
out = {"python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__, "xlsEngine": engine, "files": {}}
for f in manifest["files"]:
    fn, does = kinds[f["kind"]]
    data = open(f["path"], "rb").read()
    records = fn(data)
    for _ in range(manifest["warmup"] - 1):
        fn(data)
    runs = []
    for _ in range(manifest["repeat"]):
        t = time.perf_counter()
        fn(data)
        runs.append(round((time.perf_counter() - t) * 1000, 3))
    runs_sorted = sorted(runs)
    mid = len(runs_sorted) // 2
    med = runs_sorted[mid] if len(runs_sorted) % 2 else (runs_sorted[mid - 1] + runs_sorted[mid]) / 2
    out["files"][f["name"]] = {"records": records, "medianMs": round(med, 3), "runsMs": runs, "does": does}
print(json.dumps(out))
`

type PeerStats = { records: number; medianMs: number; runsMs: number[]; does: string }
type PeerResult = { python: string; pandas: string; numpy: string; xlsEngine: string | null; files: Record<string, PeerStats> }

function measurePandas(specs: readonly FileSpec[], dir: string): PeerResult {
  const script = path.join(dir, 'bench_series_pandas.py')
  fs.writeFileSync(script, PEER)
  const manifest = path.join(dir, 'manifest.json')
  const entries = specs.map((s) => ({ name: s.name, kind: s.peerKind, path: path.join(dir, s.peerFile ?? s.file) }))
  fs.writeFileSync(manifest, JSON.stringify({ repeat: REPEAT, warmup: WARMUP, files: entries }))
  const child = spawnSync(PYTHON, [script, manifest], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] })
  if (child.status !== 0) throw new Error(`the pandas peer failed (status ${child.status}; is python3-pandas with openpyxl installed for ${PYTHON}?)`)
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as PeerResult
}

async function main() {
  const started = performance.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-series-'))
  try {
    const specs = files()
    for (const s of specs) fs.writeFileSync(path.join(dir, s.file), s.bytes)
    const ours: Record<string, OurStats> = {}
    for (const s of specs) {
      progress(`ours: ${s.name} (${s.source}, ${s.bytes.length} bytes, ${s.rows} rows), ${WARMUP} warm-up + ${REPEAT} runs`)
      ours[s.name] = measureOurs(s)
    }
    progress(`pandas peer (${PYTHON}), ${WARMUP} warm-up + ${REPEAT} runs per file`)
    const peer = measurePandas(specs, dir)
    const results = specs.map((s) => {
      const o = ours[s.name]!
      const p = peer.files[s.name]!
      if (p.records !== o.records) throw new Error(`${s.name}: pandas made ${p.records} values, ours ${o.records} records: the two sides do not read the same data`)
      return {
        file: s.name,
        source: s.source,
        bytes: s.bytes.length,
        peerBytes: s.peerFile ? specs.find((x) => x.file === s.peerFile)!.bytes.length : s.bytes.length,
        rows: s.rows,
        records: o.records,
        ours: { medianMs: o.medianMs, runsMs: o.runsMs, recordsPerSec: Math.round(o.records / (o.medianMs / 1000)), does: s.oursDoes },
        pandas: { medianMs: p.medianMs, runsMs: p.runsMs, does: p.does },
        pandasOverOurs: round(p.medianMs / o.medianMs, 2),
      }
    })
    process.stdout.write(`\nseries readers vs pandas (median of ${REPEAT} runs, ms; ratio pandas / ours, above 1 = ours faster)\n`)
    process.stdout.write(' file                 rows  records   ours ms  pandas ms  ratio\n')
    for (const r of results) {
      process.stdout.write(` ${r.file.padEnd(19)} ${String(r.rows).padStart(5)} ${String(r.records).padStart(8)} ${String(r.ours.medianMs).padStart(9)} ${String(r.pandas.medianMs).padStart(10)} ${String(r.pandasOverOurs).padStart(6)}\n`)
    }
    const result = {
      bench: 'series',
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version, loadAverage: os.loadavg().map((l) => round(l, 2)) },
      peer: { python: peer.python, pandas: peer.pandas, numpy: peer.numpy, xlsEngine: peer.xlsEngine, does: 'an embedded pandas script per file kind (scripts/bench-series.ts PEER), same bytes, one child process' },
      ours: 'SERIES_SOURCES[source].parse(bytes, file): every cell validated, one canonical SeriesRecord per value, issues per bad row',
      repeat: REPEAT,
      warmup: WARMUP,
      files: results,
      totalSec: round((performance.now() - started) / 1000, 1),
    }
    process.stdout.write(`\n${JSON.stringify(result)}\n`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
