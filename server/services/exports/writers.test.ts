import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { col, createFileSink, csvHeader, csvLines, csvText, isoUtc, plainNumber, type ExportColumn, type ExportRow } from './writers/index.ts'

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Writes `rows` through a sink of `format` and returns the file's bytes. */
async function writeFile_(format: 'csv' | 'parquet', columns: ExportColumn[], rows: ExportRow[], rowGroupRows?: number): Promise<Buffer> {
  const sink = createFileSink(format, columns, { rowGroupRows })
  const bytes = readAll(sink.stream)
  for (let i = 0; i < rows.length; i += 700) await sink.write(rows.slice(i, i + 700))
  await sink.end()
  return bytes
}

describe('CSV cells', () => {
  it.each([
    ['plain', 'INDIANA.HUB', 'INDIANA.HUB'],
    ['comma', 'A,B', '"A,B"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['line feed', 'a\nb', '"a\nb"'],
    ['carriage return inside', 'a\rb', '"a\rb"'],
    ['formula =', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['formula +', '+1+2', "'+1+2"],
    ['formula -', '-2+3', "'-2+3"],
    ['formula @', '@SUM(A1)', "'@SUM(A1)"],
    ['leading tab', '\t=1', "'\t=1"],
    ['leading CR', '\r=1', `"'\r=1"`],
    ['unicode', 'Zürich €', 'Zürich €'],
    ['empty string', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(csvText(input)).toBe(expected)
  })

  it.each([
    [31.27, '31.27'],
    [-12.5, '-12.5'],
    [0, '0'],
    [-0, '0'],
    [1e-7, '0.0000001'],
    [-2.5e-8, '-0.000000025'],
    [1.5e21, '1500000000000000000000'],
    [123456789.125, '123456789.125'],
    [Number.NaN, ''],
  ])('number %s -> %s', (value, expected) => {
    expect(plainNumber(value)).toBe(expected)
    if (expected !== '') expect(Number(expected)).toBe(value === 0 ? 0 : value)
  })

  it('writes numbers as numbers (a negative price is not neutralized), instants as UTC Z, nulls empty, CRLF lines', () => {
    const columns = [col('node', 'string'), col('t', 'timestamp'), col('d', 'date'), col('lmp', 'double', true), col('hours', 'int32')]
    const rows: ExportRow[] = [
      ['-NODE', Date.UTC(2026, 0, 1, 5), '2026-01-01', -12.5, 744],
      ['N2', Date.UTC(2026, 0, 1, 5, 0, 0, 250), '2026-02-01', null, 672],
    ]
    expect(csvHeader(columns) + csvLines(columns, rows)).toBe(
      'node,t,d,lmp,hours\r\n' + "'-NODE,2026-01-01T05:00:00Z,2026-01-01,-12.5,744\r\n" + 'N2,2026-01-01T05:00:00.250Z,2026-02-01,,672\r\n',
    )
    expect(isoUtc(0)).toBe('1970-01-01T00:00:00Z')
  })
})

describe('Parquet read back by DuckDB', () => {
  let dir: string
  let instance: DuckDBInstance
  let duck: DuckDBConnection
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-export-writers-'))
    instance = await DuckDBInstance.create(':memory:')
    duck = await instance.connect()
  })
  afterAll(async () => {
    duck?.closeSync()
    instance?.closeSync()
    await rm(dir, { recursive: true, force: true })
  })

  const columns = [
    col('market', 'string'),
    col('node', 'string'),
    col('run', 'string'),
    col('interval_start', 'timestamp'),
    col('interval_end', 'timestamp'),
    col('lmp', 'double'),
    col('energy', 'double', true),
    col('congestion', 'double', true),
    col('month', 'date'),
    col('hours', 'int32'),
  ]
  const start = Date.UTC(2026, 0, 1)
  const rows: ExportRow[] = Array.from({ length: 2_500 }, (_, i) => [
    'MISO',
    i % 3 === 0 ? 'INDIANA.HUB' : i % 3 === 1 ? 'NODE "Q", 7' : 'ZÜRICH.€',
    i % 2 === 0 ? 'DA' : 'RT5',
    start + i * 300_000,
    start + (i + 1) * 300_000,
    Math.round((Math.sin(i) * 80 + 10) * 100) / 100,
    i % 5 === 0 ? null : i * 0.125,
    i % 7 === 0 ? null : -i / 8,
    `2026-${String((i % 12) + 1).padStart(2, '0')}-01`,
    700 + (i % 50),
  ])

  /** Each column as comparable JSON: instants as epoch ms. */
  async function normalized(source: string): Promise<{ types: string[]; rows: unknown[][] }> {
    const described = await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)
    const types = (await described.getRowObjectsJson()).map((r) => String(r.column_type))
    const select = columns
      .map((c, i) => (types[i]!.startsWith('TIMESTAMP') ? `epoch_ms("${c.name}") AS "${c.name}"` : c.kind === 'date' ? `strftime("${c.name}", '%Y-%m-%d') AS "${c.name}"` : c.kind === 'int32' ? `CAST("${c.name}" AS INTEGER) AS "${c.name}"` : `"${c.name}"`))
      .join(', ')
    const result = await duck.runAndReadAll(`SELECT ${select} FROM ${source}`)
    return { types, rows: (await result.getRowsJson()) as unknown[][] }
  }

  it('has the rows and types of the CSV: TIMESTAMP WITH TIME ZONE, DATE, DOUBLE, VARCHAR, INTEGER; in row groups', async () => {
    const csvPath = path.join(dir, 'prices.csv')
    const parquetPath = path.join(dir, 'prices.parquet')
    await writeFile(csvPath, await writeFile_('csv', columns, rows))
    const parquet = await writeFile_('parquet', columns, rows, 1_000)
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1')
    await writeFile(parquetPath, parquet)

    const fromCsv = await normalized(`read_csv('${csvPath}')`)
    const fromParquet = await normalized(`read_parquet('${parquetPath}')`)
    expect(fromParquet.types).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP WITH TIME ZONE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DATE', 'INTEGER'])
    // The CSV sniffer reads whole numbers as BIGINT; every other column has the same type.
    expect(fromCsv.types.map((t) => (t === 'BIGINT' ? 'INTEGER' : t))).toEqual(fromParquet.types)
    expect(fromParquet.rows).toEqual(fromCsv.rows)
    expect(fromParquet.rows).toHaveLength(rows.length)
    expect(fromParquet.rows[1]).toEqual(['MISO', 'NODE "Q", 7', 'RT5', String(start + 300_000), String(start + 600_000), rows[1]![5], 0.125, -0.125, '2026-02-01', 701])

    const meta = await duck.runAndReadAll(`SELECT count(DISTINCT row_group_id) AS groups FROM parquet_metadata('${parquetPath}')`)
    expect(Number((await meta.getRowObjectsJson())[0]!.groups)).toBe(3)
    const schema = await duck.runAndReadAll(`SELECT name, logical_type FROM parquet_schema('${parquetPath}') WHERE name = 'interval_start'`)
    expect(JSON.stringify(await schema.getRowObjectsJson())).toContain('isAdjustedToUTC=1')
  })

  it('streams: the first row group is in the output before the file ends', async () => {
    const sink = createFileSink('parquet', columns, { rowGroupRows: 1_000 })
    const seen: number[] = []
    sink.stream.on('data', (chunk: Buffer) => seen.push(chunk.length))
    await sink.write(rows.slice(0, 1_000))
    await new Promise((resolve) => setImmediate(resolve))
    expect(seen.reduce((a, b) => a + b, 0)).toBeGreaterThan(10_000)
    await sink.write(rows.slice(1_000, 1_200))
    await sink.end()
  })

  it('writes an empty export as a valid file of the declared columns', async () => {
    const parquetPath = path.join(dir, 'empty.parquet')
    await writeFile(parquetPath, await writeFile_('parquet', columns, []))
    const described = await duck.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${parquetPath}')`)
    expect(Number((await described.getRowObjectsJson())[0]!.n)).toBe(0)
    const csv = (await writeFile_('csv', columns, [])).toString()
    expect(csv).toBe('market,node,run,interval_start,interval_end,lmp,energy,congestion,month,hours\r\n')
  })
})
