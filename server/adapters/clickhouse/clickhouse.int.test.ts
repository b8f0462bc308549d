import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnv } from '../../env.ts'
import { AppError } from '../../errors.ts'
import { ClickHouseError } from '@clickhouse/client'
import { encodeCompactRows, openClickHouse, queryRows, type ClickHouseHandle } from './client.ts'
import { encodeRowBinary, RowBinaryWriter } from './row-binary.ts'
import { findMigrationsFolder, loadMigrations, migrateClickHouse } from './migrate.ts'

// One chDB data directory for this file (this process); every test shares it.
let dataDir: string
let ch: ClickHouseHandle
let firstRun: { applied: string[] }

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-ch-adapter-'))
  ch = await openClickHouse(parseEnv({ DATA_DIR: dataDir, CLICKHOUSE_DATABASE: 'carbon_adapter_test' }))
  firstRun = await migrateClickHouse(ch)
})
afterAll(async () => {
  await ch?.close()
  await rm(dataDir, { recursive: true, force: true })
})

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure, it succeeded')
}

describe('openClickHouse (embedded)', () => {
  it('opens chDB under ${dataDir}/clickhouse with the database created and selected', async () => {
    expect(ch.kind).toBe('chdb')
    expect(ch.database).toBe('carbon_adapter_test')
    const [row] = await queryRows<{ db: string }>(ch, 'test', 'SELECT currentDatabase() AS db')
    expect(row?.db).toBe('carbon_adapter_test')
    const [dirRow] = await queryRows<{ n: number }>(
      ch,
      'test',
      'SELECT count() AS n FROM system.databases WHERE name = {db:String}',
      { db: 'carbon_adapter_test' },
    )
    expect(Number(dirRow?.n)).toBe(1)
  })

  it('returns the same handle for the same path, and keeps it open until every opener closed it', async () => {
    const again = await openClickHouse(parseEnv({ DATA_DIR: dataDir, CLICKHOUSE_DATABASE: 'carbon_adapter_test' }))
    expect(again).toBe(ch)
    await again.close()
    const [row] = await queryRows<{ one: number }>(ch, 'test', 'SELECT 1 AS one')
    expect(row?.one).toBe(1)
  })

  it('refuses a second data directory in the same process, naming both paths', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'carbon-ch-other-'))
    try {
      const error = await failure(openClickHouse(parseEnv({ DATA_DIR: other, CLICKHOUSE_DATABASE: 'carbon_adapter_test' })))
      expect(error).toBeInstanceOf(AppError)
      expect(error.message).toContain(path.join(dataDir, 'clickhouse'))
      expect(error.message).toContain(path.join(other, 'clickhouse'))
    } finally {
      await rm(other, { recursive: true, force: true })
    }
    // The open engine is untouched.
    const [row] = await queryRows<{ one: number }>(ch, 'test', 'SELECT 1 AS one')
    expect(row?.one).toBe(1)
  })

  it('refuses another database on the open data directory', async () => {
    const error = await failure(openClickHouse(parseEnv({ DATA_DIR: dataDir, CLICKHOUSE_DATABASE: 'someone_else' })))
    expect(error.message).toMatch(/carbon_adapter_test.*someone_else/)
  })
})

describe('encodeCompactRows and insertEncoded (embedded)', () => {
  const columns = ['id', 'name', 'value', 'note'] as const
  type Row = { id: number; name: string; value: number; note: string | null }
  const awkward: Row[] = [
    { id: 1, name: 'plain', value: 1.5, note: null },
    { id: 2, name: 'quote " and backslash \\ and tab \t', value: -0.000123456789, note: 'line\nbreak' },
    { id: 3, name: 'Zürich – 東京 😀', value: 123456789.125, note: '' },
  ]
  const toValues = (row: Row) => [row.id, row.name, row.value, row.note]

  beforeAll(async () => {
    await ch.client.command({
      query: 'CREATE TABLE IF NOT EXISTS encoded_rows (id UInt32, name String, value Float64, note Nullable(String)) ENGINE = MergeTree ORDER BY id',
    })
  })

  it('encodes one JSON array per line, the same bytes whatever the slices', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ id: i, name: `node ${i}`, value: i / 7, note: i % 2 ? null : 'x' }))
    const expected = Buffer.from(many.map((row) => `${JSON.stringify(toValues(row))}\n`).join(''), 'utf8')
    // sliceMs 0: a slice per row, a turn of the event loop between each.
    let turns = 0
    const counting = setInterval(() => turns++, 0)
    const sliced = await encodeCompactRows(many, toValues, 0)
    clearInterval(counting)
    expect(sliced.equals(expected)).toBe(true)
    expect(turns).toBeGreaterThan(0)
    expect((await encodeCompactRows(many, toValues)).equals(expected)).toBe(true)
    expect((await encodeCompactRows([], toValues)).length).toBe(0)
  })

  it('stores every value as given: quotes, escapes, newlines, non-ASCII text, nulls, floats', async () => {
    await ch.insertEncoded('encoded_rows', columns, await encodeCompactRows(awkward, toValues))
    const rows = await queryRows<Row>(ch, 'test', 'SELECT id, name, value, note FROM encoded_rows WHERE id <= 3 ORDER BY id')
    expect(rows).toEqual(awkward)
  })

  it('does nothing for no rows', async () => {
    await ch.insertEncoded('encoded_rows', columns, Buffer.alloc(0))
    const [row] = await queryRows<{ n: number }>(ch, 'test', 'SELECT count() AS n FROM encoded_rows WHERE id > 3')
    expect(Number(row?.n)).toBe(0)
  })

  it('fails as the client insert does (a ClickHouseError) when a value does not fit its column, storing nothing of the batch', async () => {
    const bad = Buffer.from('[10,"ok",1,null]\n[11,"bad","not a number",null]\n', 'utf8')
    const error = await failure(ch.insertEncoded('encoded_rows', columns, bad))
    expect(error).toBeInstanceOf(ClickHouseError)
    expect(error.message).toMatch(/not a number|Cannot parse|value/i)
    const [row] = await queryRows<{ n: number }>(ch, 'test', 'SELECT count() AS n FROM encoded_rows WHERE id >= 10')
    expect(Number(row?.n)).toBe(0)
  })

  it('refuses a table or column name that is not a plain identifier before anything is sent', async () => {
    const body = await encodeCompactRows(awkward, toValues)
    for (const [table, cols] of [['encoded_rows; DROP TABLE prices', columns], ['encoded_rows', ['id', 'name) SELECT 1 --']], ['encoded_rows', []]] as const) {
      const error = await failure(ch.insertEncoded(table, cols, body))
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('INTERNAL')
    }
  })
})

describe('encodeRowBinary and insertEncoded as RowBinary (embedded)', () => {
  const columns = ['id', 'name', 'at', 'minutes', 'value', 'maybe', 'seen', 'offset'] as const
  type Row = { id: number; name: string; at: number; minutes: number; value: number; maybe: number | null; seen: number | null; offset: string }
  const rows: Row[] = [
    { id: 1, name: 'plain', at: Date.parse('2026-07-19T05:00:00.123Z'), minutes: 5, value: 1.5, maybe: null, seen: null, offset: '0' },
    { id: 2, name: 'quote " backslash \\ tab \t newline \n', at: Date.parse('1969-12-31T23:59:59.999Z'), minutes: 65_535, value: -0.000123456789, maybe: 0, seen: 0, offset: '18446744073709551615' },
    { id: 3, name: 'Zürich – 東京 😀', at: Date.parse('2050-12-31T23:00:00Z'), minutes: 0, value: 123456789.125, maybe: -1e-300, seen: Date.parse('2026-07-20T10:00:00Z'), offset: '1781100300000123' },
    { id: 4, name: 'long '.repeat(40), at: 0, minutes: 60, value: Number.MAX_VALUE, maybe: 2.5, seen: 1, offset: '9007199254740993' },
  ]
  const write = (writer: RowBinaryWriter, row: Row) => {
    writer.uint16(row.id)
    writer.string(row.name)
    writer.dateTime64ms(row.at)
    writer.uint16(row.minutes)
    writer.float64(row.value)
    writer.nullableFloat64(row.maybe)
    writer.nullableDateTime64ms(row.seen)
    writer.uint64(row.offset)
  }

  beforeAll(async () => {
    await ch.client.command({
      query: `CREATE TABLE IF NOT EXISTS binary_rows (id UInt16, name LowCardinality(String), at DateTime64(3, 'UTC'), minutes UInt16, value Float64,
        maybe Nullable(Float64), seen Nullable(DateTime64(3, 'UTC')), offset UInt64) ENGINE = MergeTree ORDER BY id`,
    })
  })

  it('stores every value exactly: text of any length and script, times before and after 1970, extreme numbers, nulls, 64-bit offsets', async () => {
    await ch.insertEncoded('binary_rows', columns, await encodeRowBinary(rows, write), 'RowBinary')
    const stored = await queryRows<Omit<Row, 'at' | 'seen'> & { at: number | string; seen: number | string | null }>(
      ch,
      'test',
      'SELECT id, name, toUnixTimestamp64Milli(at) AS at, minutes, value, maybe, toUnixTimestamp64Milli(seen) AS seen, toString(offset) AS offset FROM binary_rows ORDER BY id',
    )
    expect(stored.map((r) => ({ ...r, at: Number(r.at), seen: r.seen === null ? null : Number(r.seen) }))).toEqual(rows)
  })

  it('writes the same bytes whatever the slices, yielding between them', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ ...rows[i % rows.length]!, id: i }))
    let turns = 0
    const counting = setInterval(() => turns++, 0)
    const sliced = Buffer.from(await encodeRowBinary(many, write, 0))
    clearInterval(counting)
    expect(turns).toBeGreaterThan(0)
    expect(sliced.equals(await encodeRowBinary(many, write, 1_000))).toBe(true)
  })

  it('refuses a value its column cannot hold before anything is written', () => {
    const writer = new RowBinaryWriter()
    expect(() => writer.uint16(65_536)).toThrow(RangeError)
    expect(() => writer.uint16(1.5)).toThrow(RangeError)
    expect(() => writer.dateTime64ms(Number.NaN)).toThrow(/whole milliseconds/)
    expect(() => writer.dateTime64ms(1.5)).toThrow(RangeError)
    expect(() => writer.uint64('-1')).toThrow(RangeError)
    expect(() => writer.uint64('18446744073709551616')).toThrow(RangeError)
    expect(writer.length).toBe(0)
  })

  it('fails with a ClickHouseError on bytes that do not fill the row, storing nothing, and leaves no spool file', async () => {
    const whole = await encodeRowBinary(rows.map((r) => ({ ...r, id: r.id + 100 })), write)
    const error = await failure(ch.insertEncoded('binary_rows', columns, Buffer.from(whole.subarray(0, whole.length - 3)), 'RowBinary'))
    expect(error).toBeInstanceOf(ClickHouseError)
    expect(error.message).toMatch(/Cannot read all data/)
    const [row] = await queryRows<{ n: number }>(ch, 'test', 'SELECT count() AS n FROM binary_rows WHERE id > 100')
    expect(Number(row?.n)).toBe(0)
    expect(await readdir(path.join(dataDir, 'clickhouse-spool'))).toEqual([])
  })
})

describe('openClickHouse (server)', () => {
  it('fails with UNAVAILABLE, naming the host, when nothing answers at CLICKHOUSE_URL', async () => {
    const error = await failure(openClickHouse(parseEnv({ DATA_DIR: dataDir, CLICKHOUSE_URL: 'http://127.0.0.1:1' })))
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('UNAVAILABLE')
    expect(error.message).toContain('127.0.0.1:1')
  })
})

describe('migrateClickHouse', () => {
  it('applies every migration file on an empty database, in order', async () => {
    const files = await loadMigrations(findMigrationsFolder())
    expect(firstRun.applied).toEqual(files.map((f) => f.name))
    expect(firstRun.applied[0]).toBe('0001_prices.sql')
  })

  it('records each one with its checksum', async () => {
    const files = await loadMigrations(findMigrationsFolder())
    const rows = await queryRows<{ name: string; checksum: string; applied_at: string }>(
      ch,
      'test',
      'SELECT name, checksum, applied_at FROM schema_migrations ORDER BY name',
    )
    expect(rows.map((r) => [r.name, r.checksum])).toEqual(files.map((f) => [f.name, f.checksum]))
    expect(rows.every((r) => r.applied_at.length > 0)).toBe(true)
  })

  it('is idempotent', async () => {
    expect(await migrateClickHouse(ch)).toEqual({ applied: [] })
    const [row] = await queryRows<{ n: number }>(ch, 'test', 'SELECT count() AS n FROM schema_migrations')
    expect(Number(row?.n)).toBe(firstRun.applied.length)
  })

  it('creates prices as specified', async () => {
    const columns = await queryRows<{ name: string; type: string; default_kind: string }>(
      ch,
      'test',
      `SELECT name, type, default_kind FROM system.columns
       WHERE database = currentDatabase() AND table = 'prices' ORDER BY position`,
    )
    expect(columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'market LowCardinality(String)',
      'node String',
      'run LowCardinality(String)',
      "interval_start DateTime64(3, 'UTC')",
      "interval_end DateTime64(3, 'UTC')",
      'interval_minutes UInt16',
      'lmp Float64',
      'energy Nullable(Float64)',
      'congestion Nullable(Float64)',
      'loss Nullable(Float64)',
      'ghg Nullable(Float64)',
      'source LowCardinality(String)',
      "published_at Nullable(DateTime64(3, 'UTC'))",
      "ingested_at DateTime64(3, 'UTC')",
    ])
    expect(columns.at(-1)?.default_kind).toBe('DEFAULT')
    const [table] = await queryRows<{ engine_full: string; sorting_key: string; partition_key: string }>(
      ch,
      'test',
      `SELECT engine_full, sorting_key, partition_key FROM system.tables
       WHERE database = currentDatabase() AND name = 'prices'`,
    )
    expect(table?.engine_full).toMatch(/^ReplacingMergeTree\(ingested_at\)/)
    expect(table?.sorting_key).toBe('market, node, run, interval_start')
    expect(table?.partition_key).toBe('toYYYYMM(interval_start)')
  })

  describe('with a copy of the migrations folder', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-ch-migrations-'))
      await cp(findMigrationsFolder(), dir, { recursive: true })
    })
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('applies a new file holding several statements, then nothing', async () => {
      await writeFile(
        path.join(dir, '9001_test_pair.sql'),
        [
          '-- two tables; this comment ends with a semicolon;',
          'CREATE TABLE IF NOT EXISTS test_a (x UInt8, s String DEFAULT \'a;b\') ENGINE = MergeTree ORDER BY x;',
          '',
          'CREATE TABLE IF NOT EXISTS test_b (x UInt8) ENGINE = MergeTree ORDER BY x',
          ';',
          '',
        ].join('\n'),
      )
      expect(await migrateClickHouse(ch, { dir })).toEqual({ applied: ['9001_test_pair.sql'] })
      const tables = await queryRows<{ name: string }>(
        ch,
        'test',
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'test\\_%' ORDER BY name",
      )
      expect(tables.map((t) => t.name)).toEqual(['test_a', 'test_b'])
      expect(await migrateClickHouse(ch, { dir })).toEqual({ applied: [] })
    })

    it('fails, naming the file, when an applied migration was edited; nothing else runs', async () => {
      const file = path.join(dir, '0001_prices.sql')
      await writeFile(file, `${await readFile(file, 'utf8')}\n-- an edit\n`)
      await writeFile(path.join(dir, '9002_test_c.sql'), 'CREATE TABLE test_c (x UInt8) ENGINE = MergeTree ORDER BY x;\n')
      const error = await failure(migrateClickHouse(ch, { dir }))
      expect(error).toBeInstanceOf(AppError)
      expect(error.message).toContain('0001_prices.sql')
      expect(error.message).toMatch(/changed after it was applied/)
      const [row] = await queryRows<{ n: number }>(
        ch,
        'test',
        "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'test_c'",
      )
      expect(Number(row?.n)).toBe(0)
    })

    it('refuses a file that does not follow NNNN_name.sql', async () => {
      const bad = await mkdtemp(path.join(os.tmpdir(), 'carbon-ch-bad-'))
      try {
        await writeFile(path.join(bad, '2-oops.sql'), 'SELECT 1;\n')
        const error = await failure(migrateClickHouse(ch, { dir: bad }))
        expect(error.message).toContain('2-oops.sql')
      } finally {
        await rm(bad, { recursive: true, force: true })
      }
    })
  })
})
